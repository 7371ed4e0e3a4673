"""Benchmark usmctl against the libyaml floor and peer tools (issue 6).

    python benchmarks/run.py --sizes 1000,10000,50000

Generates the synthetic architectures (benchmarks/generate.py) into
benchmarks/work/, then measures, on the same files and in one run, the
whole-process wall time and peak RSS of each command, each measurement in a
fresh process under /usr/bin/time, and writes benchmarks/RESULTS.md with the
medians and the ratios the issue sets as targets. Peers (check-jsonschema,
yamllint) run from benchmarks/.venv-peers, created on first use with pip.
"""

from __future__ import annotations

import argparse
import datetime
import os
import platform
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
WORK = HERE / "work"
PEERS = HERE / ".venv-peers"
SCHEMA = ROOT / "schemas" / "usm-architecture.schema.json"
PILOT = ROOT / "examples" / "pilot"
PEER_PACKAGES = ("check-jsonschema", "yamllint")
NOTES = "## Notes"

FLOOR = (
    "import sys, yaml\n"
    "for name in sys.argv[1:]:\n"
    "    with open(name, 'rb') as handle:\n"
    "        yaml.load(handle.read(), Loader=yaml.CSafeLoader)\n"
)

sys.path.insert(0, str(HERE))
from generate import generate  # noqa: E402


@dataclass
class Sample:
    """Medians of one command's runs."""

    label: str
    seconds: float
    cpu_seconds: float
    rss_mb: float
    runs: int
    exit_codes: tuple[int, ...]


@dataclass
class Spec:
    """A command to measure and how often."""

    label: str
    command: list[str]
    runs: int


def run_once(spec: Spec, *, cwd: Path, env: dict[str, str], report: Path) -> tuple[float, ...]:
    """Wall time, CPU time (user+sys), peak RSS (MB) and exit code of one fresh process."""
    start = time.perf_counter()
    done = subprocess.run(
        ["/usr/bin/time", "-f", "%M %U %S", "-o", str(report), *spec.command],
        cwd=cwd,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        check=False,
    )
    seconds = time.perf_counter() - start
    if done.returncode not in (0, 1):
        sys.stderr.write(done.stderr.decode(errors="replace")[-2000:])
        raise SystemExit(f"{spec.label}: exit {done.returncode}")
    kilobytes, user, system = report.read_text().strip().splitlines()[-1].split()
    return seconds, float(user) + float(system), int(kilobytes) / 1024, done.returncode


def measure(specs: dict[str, Spec], *, cwd: Path, env: dict[str, str]) -> dict[str, Sample]:
    """Medians over fresh processes, the commands taking turns run by run.

    Taking turns spreads the machine's slow spells (a shared VM's steal time)
    over every command instead of over whichever ran during them, which keeps
    the ratios honest.
    """
    measured: dict[str, list[tuple[float, ...]]] = {key: [] for key in specs}
    with tempfile.TemporaryDirectory() as scratch:
        report = Path(scratch) / "time.txt"
        for turn in range(max(spec.runs for spec in specs.values())):
            for key, spec in specs.items():
                if turn < spec.runs:
                    measured[key].append(run_once(spec, cwd=cwd, env=env, report=report))
    samples: dict[str, Sample] = {}
    for key, spec in specs.items():
        runs = measured[key]
        sample = Sample(
            spec.label,
            statistics.median(run[0] for run in runs),
            statistics.median(run[1] for run in runs),
            statistics.median(run[2] for run in runs),
            len(runs),
            tuple(int(run[3]) for run in runs),
        )
        print(
            f"  {spec.label:<38} {sample.seconds:8.3f} s {sample.cpu_seconds:8.3f} cpu "
            f"{sample.rss_mb:8.1f} MB",
            flush=True,
        )
        samples[key] = sample
    return samples


def ensure_peers() -> Path:
    """The peers' venv (created with pip on first use)."""
    bin_dir = PEERS / "bin"
    if not (bin_dir / "yamllint").exists() or not (bin_dir / "check-jsonschema").exists():
        subprocess.run([sys.executable, "-m", "venv", str(PEERS)], check=True)
        subprocess.run([str(bin_dir / "pip"), "install", "-q", *PEER_PACKAGES], check=True)
    return bin_dir


def ensure_schema(usmctl: list[str], env: dict[str, str]) -> Path:
    """The published schema; generated from the models when not yet committed."""
    if not SCHEMA.exists():
        SCHEMA.parent.mkdir(parents=True, exist_ok=True)
        text = subprocess.run(
            [*usmctl, "schema"], env=env, check=True, capture_output=True, text=True
        ).stdout
        SCHEMA.write_text(text, encoding="utf-8")
    return SCHEMA


def peer_version(bin_dir: Path, name: str) -> str:
    done = subprocess.run(
        [str(bin_dir / "python"), "-m", "pip", "show", name],
        check=False,
        capture_output=True,
        text=True,
    )
    for line in done.stdout.splitlines():
        if line.startswith("Version:"):
            return line.split(":", 1)[1].strip()
    return "?"


def machine() -> list[str]:
    def run(*command: str) -> str:
        try:
            return subprocess.run(command, check=False, capture_output=True, text=True).stdout
        except OSError:
            return ""

    cpu = ""
    for line in run("lscpu").splitlines():
        if line.startswith("Model name:"):
            cpu = line.split(":", 1)[1].strip()
    memory = ""
    for line in run("free", "-m").splitlines():
        if line.startswith("Mem:"):
            memory = f"{int(line.split()[1]) / 1024:.1f} GiB"
    import yaml

    return [
        f"- CPU: {cpu or platform.processor()} ({run('nproc').strip()} cores available)",
        f"- memory: {memory}",
        f"- OS: {platform.platform()}",
        f"- Python {platform.python_version()}, PyYAML {yaml.__version__} "
        f"(libyaml: {hasattr(yaml, 'CSafeLoader')})",
    ]


def ratio(a: float, b: float) -> str:
    return f"{a / b:.2f}×" if b else "n/a"


def both(row: dict[str, Sample], top: str, bottom: str) -> str:
    """A ratio of wall times, with the ratio of CPU times in brackets."""
    if top not in row or bottom not in row:
        return "–"
    wall = ratio(row[top].seconds, row[bottom].seconds)
    return f"{wall} ({ratio(row[top].cpu_seconds, row[bottom].cpu_seconds)})"


def verdict(ok: bool) -> str:
    return "met" if ok else "**missed**"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", default="1000,10000,50000", help="total services per size")
    parser.add_argument("--runs", type=int, default=3, help="runs per measurement (median)")
    parser.add_argument(
        "--peer-runs", type=int, default=0, help="runs of each peer (default: --runs)"
    )
    parser.add_argument(
        "--peer-sizes",
        default="1000,10000",
        help="sizes at which the peers run (yamllint takes minutes at 50k)",
    )
    parser.add_argument("--output", type=Path, default=HERE / "RESULTS.md")
    parser.add_argument("--no-generate", action="store_true", help="reuse benchmarks/work/")
    args = parser.parse_args()
    sizes = [int(size) for size in args.sizes.split(",")]
    peer_sizes = {int(size) for size in args.peer_sizes.split(",") if size}
    python = sys.executable
    env = dict(os.environ, PYTHONPATH=str(ROOT / "src"), PYTHONDONTWRITEBYTECODE="")
    usmctl = [python, "-m", "usmctl"]
    bin_dir = ensure_peers()
    schema = ensure_schema(usmctl, env)
    results: dict[int, dict[str, Sample]] = {}
    counts: dict[int, tuple[int, float]] = {}
    for size in sizes:
        target = WORK / str(size)
        if not args.no_generate or not target.exists():
            generate(target, services=size)
        files = sorted(path.name for path in target.glob("*.usm.yaml"))
        counts[size] = (len(files), sum((target / f).stat().st_size for f in files) / 1e6)
        print(f"{size} services: {len(files)} files, {counts[size][1]:.1f} MB", flush=True)
        shutil.rmtree(target / ".usmctl_cache", ignore_errors=True)
        subprocess.run(
            [*usmctl, "validate", "."],
            cwd=target,
            env=env,
            stdout=subprocess.DEVNULL,
            check=False,
        )  # fill the cache for the warm runs (the cold ones bypass it)
        specs = {
            "floor": Spec("floor (CSafeLoader)", [python, "-c", FLOOR, *files], args.runs),
            "cold": Spec(
                "usmctl validate --no-cache", [*usmctl, "validate", "--no-cache", "."], args.runs
            ),
            "warm": Spec("usmctl validate (warm cache)", [*usmctl, "validate", "."], args.runs),
        }
        if size in peer_sizes:
            peer_runs = args.peer_runs or args.runs
            specs["jsonschema"] = Spec(
                "check-jsonschema",
                [str(bin_dir / "check-jsonschema"), "--schemafile", str(schema), *files],
                peer_runs,
            )
            specs["yamllint"] = Spec(
                "yamllint -d default",
                [str(bin_dir / "yamllint"), "-d", "default", *files],
                peer_runs,
            )
        results[size] = measure(specs, cwd=target, env=env)
    print("small input: examples/pilot", flush=True)
    pilot_files = sorted(path.name for path in PILOT.glob("*.usm.yaml"))
    shutil.rmtree(PILOT / ".usmctl_cache", ignore_errors=True)
    subprocess.run(
        [*usmctl, "validate", "."], cwd=PILOT, env=env, stdout=subprocess.DEVNULL, check=False
    )  # fill the cache
    small_runs = max(args.runs, 5)
    small = measure(
        {
            "cold": Spec(
                "usmctl validate --no-cache", [*usmctl, "validate", "--no-cache", "."], small_runs
            ),
            "warm": Spec("usmctl validate (warm cache)", [*usmctl, "validate", "."], small_runs),
            "yamllint": Spec(
                "yamllint -d default",
                [str(bin_dir / "yamllint"), "-d", "default", *pilot_files],
                small_runs,
            ),
        },
        cwd=PILOT,
        env=env,
    )
    shutil.rmtree(PILOT / ".usmctl_cache", ignore_errors=True)
    write_results(args, sizes, results, counts, small, bin_dir)


def write_results(
    args: argparse.Namespace,
    sizes: list[int],
    results: dict[int, dict[str, Sample]],
    counts: dict[int, tuple[int, float]],
    small: dict[str, Sample],
    bin_dir: Path,
) -> None:
    command = (
        f"python benchmarks/run.py --sizes {args.sizes} --runs {args.runs}"
        f" --peer-sizes {args.peer_sizes} --peer-runs {args.peer_runs or args.runs}"
    )
    now = datetime.datetime.now(datetime.UTC).strftime("%Y-%m-%d %H:%M UTC")
    lines = [
        "# Benchmark results",
        "",
        f"Measured {now} with `{command}` (from the repository root, in the venv that",
        "has usmctl's dependencies; the peers are installed into",
        "`benchmarks/.venv-peers` on first use). Wall time and peak RSS are of the",
        "whole process (`/usr/bin/time`), each run a fresh process, the commands",
        "of one size taking turns run by run, medians of",
        f"{args.runs} runs ({args.peer_runs or args.runs} for the peers, which run at "
        f"{args.peer_sizes or 'no'} services). Inputs: `benchmarks/generate.py`",
        "(50 services per provider, one file per provider, every section of docs/format.md,",
        "supply chains of 3 providers; usmctl finds nothing in them). The machine is",
        "shared: CPU time (user+sys) is the steadier figure when wall times wobble.",
        "",
        "## Machine",
        "",
        *machine(),
        f"- check-jsonschema {peer_version(bin_dir, 'check-jsonschema')}, "
        f"yamllint {peer_version(bin_dir, 'yamllint')}",
        "",
        "## Medians",
        "",
        "| services | files | MB | command | wall s | CPU s (user+sys) | peak RSS MB |",
        "|---:|---:|---:|---|---:|---:|---:|",
    ]
    names = {
        "floor": "floor: `yaml.load(CSafeLoader)` of every file",
        "cold": "`usmctl validate --no-cache` (all rules)",
        "warm": "`usmctl validate` (warm cache)",
        "jsonschema": "`check-jsonschema --schemafile …` (schema only)",
        "yamllint": "`yamllint -d default`",
    }
    for size in sizes:
        files, megabytes = counts[size]
        for key, sample in results[size].items():
            lines.append(
                f"| {size:,} | {files} | {megabytes:.1f} | {names[key]} | "
                f"{sample.seconds:.3f} | {sample.cpu_seconds:.3f} | {sample.rss_mb:.0f} |"
            )
    for key in ("cold", "warm", "yamllint"):
        sample = small[key]
        lines.append(
            f"| pilot | 4 | – | {names[key]} | {sample.seconds:.3f} | "
            f"{sample.cpu_seconds:.3f} | {sample.rss_mb:.0f} |"
        )
    lines += [
        "",
        "## Ratios (same run; wall time, CPU time in brackets)",
        "",
        "| services | usmctl / floor | check-jsonschema / usmctl | cold / warm "
        "| usmctl / yamllint | usmctl / floor (peak RSS) |",
        "|---:|---:|---:|---:|---:|---:|",
    ]
    for size in sizes:
        row = results[size]
        lines.append(
            f"| {size:,} | {both(row, 'cold', 'floor')} | {both(row, 'jsonschema', 'cold')} | "
            f"{both(row, 'cold', 'warm')} | {both(row, 'cold', 'yamllint')} | "
            f"{ratio(row['cold'].rss_mb, row['floor'].rss_mb)} |"
        )
    lines += [
        "",
        "## Targets (issue 6)",
        "",
        "| target | measured (wall) | verdict |",
        "|---|---:|---|",
    ]
    if 10000 in results:
        row = results[10000]
        lines += [
            f"| 10k: usmctl ≤ 1.0× the floor | {ratio(row['cold'].seconds, row['floor'].seconds)}"
            f" | {verdict(row['cold'].seconds <= row['floor'].seconds)} |",
            f"| 10k: warm ≥ 5× faster than cold | "
            f"{ratio(row['cold'].seconds, row['warm'].seconds)} | "
            f"{verdict(row['cold'].seconds >= 5 * row['warm'].seconds)} |",
            f"| 10k: peak RSS ≤ 2× the floor's | {ratio(row['cold'].rss_mb, row['floor'].rss_mb)}"
            f" | {verdict(row['cold'].rss_mb <= 2 * row['floor'].rss_mb)} |",
        ]
        if "jsonschema" in row:
            lines.append(
                f"| 10k: ≥ 10× faster than check-jsonschema | "
                f"{ratio(row['jsonschema'].seconds, row['cold'].seconds)} | "
                f"{verdict(row['jsonschema'].seconds >= 10 * row['cold'].seconds)} |"
            )
        if 50000 in results:
            big = results[50000]
            lines.append(
                f"| 50k time ≤ 5.5× the 10k time | "
                f"{ratio(big['cold'].seconds, row['cold'].seconds)} | "
                f"{verdict(big['cold'].seconds <= 5.5 * row['cold'].seconds)} |"
            )
    for key in ("cold", "warm"):
        lines.append(
            f"| small input (pilot, {key}) no slower than yamllint | "
            f"{ratio(small[key].seconds, small['yamllint'].seconds)} | "
            f"{verdict(small[key].seconds <= small['yamllint'].seconds)} |"
        )
    lines.append("")
    # A hand-written "## Notes" section (the why of each miss) survives reruns.
    previous = args.output.read_text(encoding="utf-8") if args.output.exists() else ""
    if NOTES in previous:
        lines += ["", previous[previous.index(NOTES) :].rstrip("\n"), ""]
    args.output.write_text("\n".join(lines), encoding="utf-8")
    print(f"wrote {args.output}")


if __name__ == "__main__":
    main()
