"""Benchmark usmctl against the libyaml floor and peer tools (issues 6 and 17).

    python benchmarks/run.py --sizes 1000,10000,50000
    python benchmarks/run.py --sizes 10000 --runs 3 --profile findings

Generates the synthetic architectures (benchmarks/generate.py, one folder per
data profile: ``clean``, ``findings``, ``realistic``) into benchmarks/work/,
then measures, on the same files and in one run, the whole-process wall time,
CPU time and peak RSS of each command, each measurement in a fresh process
under /usr/bin/time, the commands taking turns run by run, and writes
benchmarks/RESULTS.md with the minima (and medians) and the ratios the issues
set as targets. Two floors: libyaml loading every file and dropping each
document (the time floor), and loading every file and holding every document
(the memory floor of a checker that needs all files at once). Peers
(check-jsonschema, yamllint; ``--peers``) run from benchmarks/.venv-peers,
created on first use with pip.
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

# The floors: libyaml (CSafeLoader) loads every YAML file, json every USM-WIF
# file (usmctl reads those with json too). FLOOR drops each document, HOLD
# keeps them all, as a checker of references across files must.
_LOADS = (
    "import json, sys, yaml\n"
    "docs = []\n"
    "for name in sys.argv[1:]:\n"
    "    with open(name, 'rb') as handle:\n"
    "        raw = handle.read()\n"
    "    doc = json.loads(raw) if name.endswith('.json') else "
    "yaml.load(raw, Loader=yaml.CSafeLoader)\n"
)
FLOOR = _LOADS + "    del doc\n"
HOLD = _LOADS + "    docs.append(doc)\n"

sys.path.insert(0, str(HERE))
from generate import PROFILES, generate  # noqa: E402


@dataclass
class Sample:
    """Minima and medians of one command's runs."""

    label: str
    seconds: float  # minimum
    cpu_seconds: float  # minimum
    rss_mb: float  # minimum
    median_seconds: float
    median_cpu: float
    median_rss: float
    runs: int
    exit_codes: tuple[int, ...]


@dataclass
class Spec:
    """A command to measure and how often."""

    label: str
    command: list[str]
    runs: int
    env: dict[str, str] | None = None  # None: the run's environment


def run_once(spec: Spec, *, cwd: Path, env: dict[str, str], report: Path) -> tuple[float, ...]:
    """Wall time, CPU time (user+sys), peak RSS (MB) and exit code of one fresh process."""
    start = time.perf_counter()
    done = subprocess.run(
        ["/usr/bin/time", "-f", "%M %U %S", "-o", str(report), *spec.command],
        cwd=cwd,
        env=spec.env or env,
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
    """Minima and medians over fresh processes, the commands taking turns run by run.

    Taking turns spreads the machine's slow spells (a shared VM's steal time)
    over every command instead of over whichever ran during them, which keeps
    the ratios honest; the minimum is the run least disturbed by them.
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
            min(run[0] for run in runs),
            min(run[1] for run in runs),
            min(run[2] for run in runs),
            statistics.median(run[0] for run in runs),
            statistics.median(run[1] for run in runs),
            statistics.median(run[2] for run in runs),
            len(runs),
            tuple(int(run[3]) for run in runs),
        )
        print(
            f"  {spec.label:<38} min {sample.seconds:7.3f} s {sample.cpu_seconds:7.3f} cpu "
            f"{sample.rss_mb:7.1f} MB   median {sample.median_seconds:7.3f} s",
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


def architecture_files(target: Path) -> list[str]:
    return sorted(
        path.name for pattern in ("*.usm.yaml", "*.workflow.json") for path in target.glob(pattern)
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", default="1000,10000,50000", help="total services per size")
    parser.add_argument("--runs", type=int, default=3, help="interleaved runs per measurement")
    parser.add_argument(
        "--profile",
        default="all",
        help=f"data profiles, comma-separated: {', '.join(PROFILES)} or all",
    )
    parser.add_argument(
        "--peers", action="store_true", help="also run check-jsonschema and yamllint (slow)"
    )
    parser.add_argument(
        "--peer-runs", type=int, default=0, help="runs of each peer (default: --runs)"
    )
    parser.add_argument(
        "--peer-sizes",
        default="1000,10000",
        help="sizes at which the peers run (yamllint takes minutes at 50k)",
    )
    parser.add_argument("--no-pilot", action="store_true", help="skip the small input")
    parser.add_argument(
        "--baseline",
        type=Path,
        help="the src/ folder of another checkout: its cold run joins the turns (before/after)",
    )
    parser.add_argument("--output", type=Path, default=HERE / "RESULTS.md")
    parser.add_argument("--no-generate", action="store_true", help="reuse benchmarks/work/")
    args = parser.parse_args()
    sizes = [int(size) for size in args.sizes.split(",")]
    profiles = list(PROFILES) if args.profile == "all" else args.profile.split(",")
    for profile in profiles:
        if profile not in PROFILES:
            parser.error(f"unknown profile {profile!r}: {', '.join(PROFILES)} or all")
    peer_sizes = {int(size) for size in args.peer_sizes.split(",") if size} if args.peers else set()
    python = sys.executable
    env = dict(os.environ, PYTHONPATH=str(ROOT / "src"), PYTHONDONTWRITEBYTECODE="")
    usmctl = [python, "-m", "usmctl"]
    bin_dir = ensure_peers() if args.peers else None
    schema = ensure_schema(usmctl, env) if args.peers else SCHEMA
    results: dict[tuple[str, int], dict[str, Sample]] = {}
    counts: dict[tuple[str, int], tuple[int, float, int]] = {}
    for profile in profiles:
        for size in sizes:
            target = WORK / profile / str(size)
            if not args.no_generate or not target.exists():
                generate(target, services=size, profile=profile)
            files = architecture_files(target)
            megabytes = sum((target / f).stat().st_size for f in files) / 1e6
            shutil.rmtree(target / ".usmctl_cache", ignore_errors=True)
            filled = subprocess.run(
                [*usmctl, "validate", "."],
                cwd=target,
                env=env,
                stdout=subprocess.PIPE,
                check=False,
            )  # fill the cache for the warm runs (the cold ones bypass it)
            found = sum(1 for line in filled.stdout.decode().splitlines() if ": USM" in line)
            counts[(profile, size)] = (len(files), megabytes, found)
            print(
                f"{profile}, {size} services: {len(files)} files, {megabytes:.1f} MB, "
                f"{found} findings",
                flush=True,
            )
            specs = {
                "floor": Spec(
                    "floor (CSafeLoader, drop)", [python, "-c", FLOOR, *files], args.runs
                ),
                "hold": Spec("floor (CSafeLoader, hold)", [python, "-c", HOLD, *files], args.runs),
                "cold": Spec(
                    "usmctl validate --no-cache",
                    [*usmctl, "validate", "--no-cache", "."],
                    args.runs,
                ),
                "serial": Spec(
                    "usmctl validate --no-cache --jobs 1",
                    [*usmctl, "validate", "--no-cache", "--jobs", "1", "."],
                    args.runs,
                ),
                "warm": Spec("usmctl validate (warm cache)", [*usmctl, "validate", "."], args.runs),
            }
            if args.baseline is not None:
                specs["baseline"] = Spec(
                    "baseline: validate --no-cache",
                    [*usmctl, "validate", "--no-cache", "."],
                    args.runs,
                    env=dict(env, PYTHONPATH=str(args.baseline.resolve())),
                )
            if size in peer_sizes and bin_dir is not None:
                peer_runs = args.peer_runs or args.runs
                yaml_files = [name for name in files if name.endswith(".yaml")]
                specs["jsonschema"] = Spec(
                    "check-jsonschema",
                    [str(bin_dir / "check-jsonschema"), "--schemafile", str(schema), *yaml_files],
                    peer_runs,
                )
                specs["yamllint"] = Spec(
                    "yamllint -d default",
                    [str(bin_dir / "yamllint"), "-d", "default", *yaml_files],
                    peer_runs,
                )
            results[(profile, size)] = measure(specs, cwd=target, env=env)
    small: dict[str, Sample] = {}
    if not args.no_pilot:
        print("small input: examples/pilot", flush=True)
        pilot_files = sorted(path.name for path in PILOT.glob("*.usm.yaml"))
        shutil.rmtree(PILOT / ".usmctl_cache", ignore_errors=True)
        subprocess.run(
            [*usmctl, "validate", "."], cwd=PILOT, env=env, stdout=subprocess.DEVNULL, check=False
        )  # fill the cache
        small_runs = max(args.runs, 5)
        pilot_specs = {
            "cold": Spec(
                "usmctl validate --no-cache", [*usmctl, "validate", "--no-cache", "."], small_runs
            ),
            "warm": Spec("usmctl validate (warm cache)", [*usmctl, "validate", "."], small_runs),
        }
        if bin_dir is not None:
            pilot_specs["yamllint"] = Spec(
                "yamllint -d default",
                [str(bin_dir / "yamllint"), "-d", "default", *pilot_files],
                small_runs,
            )
        small = measure(pilot_specs, cwd=PILOT, env=env)
        shutil.rmtree(PILOT / ".usmctl_cache", ignore_errors=True)
    write_results(args, profiles, sizes, results, counts, small, bin_dir)


NAMES = {
    "floor": "floor: libyaml loads every file, drops each",
    "hold": "floor: libyaml loads every file, holds all",
    "cold": "`usmctl validate --no-cache` (all rules; parses in parallel from 1 MB)",
    "serial": "`usmctl validate --no-cache --jobs 1` (one process)",
    "warm": "`usmctl validate` (warm cache)",
    "baseline": "`usmctl validate --no-cache` of `--baseline` (before)",
    "jsonschema": "`check-jsonschema --schemafile …` (schema only)",
    "yamllint": "`yamllint -d default`",
}
PROFILE_TEXT = {
    "clean": "usmctl finds nothing",
    "findings": "one info (USM104) and one warning (USM407) in every provider's file",
    "realistic": "findings, plus a USM-WIF file per provider (one USM308 each), "
    "supply chains of 5 providers, 3 value streams per provider",
}


def write_results(
    args: argparse.Namespace,
    profiles: list[str],
    sizes: list[int],
    results: dict[tuple[str, int], dict[str, Sample]],
    counts: dict[tuple[str, int], tuple[int, float, int]],
    small: dict[str, Sample],
    bin_dir: Path | None,
) -> None:
    command = f"python benchmarks/run.py --sizes {args.sizes} --runs {args.runs}"
    command += f" --profile {args.profile}"
    if args.baseline is not None:
        command += " --baseline <main's src>"
    if args.peers:
        command += (
            f" --peers --peer-sizes {args.peer_sizes} --peer-runs {args.peer_runs or args.runs}"
        )
    now = datetime.datetime.now(datetime.UTC).strftime("%Y-%m-%d %H:%M UTC")
    peers = (
        [
            f"- check-jsonschema {peer_version(bin_dir, 'check-jsonschema')}, "
            f"yamllint {peer_version(bin_dir, 'yamllint')}"
        ]
        if bin_dir is not None
        else []
    )
    lines = [
        "# Benchmark results",
        "",
        f"Measured {now} with `{command}` (from the repository root, in the venv that",
        "has usmctl's dependencies; with `--peers`, the peers are installed into",
        "`benchmarks/.venv-peers` on first use). Wall time, CPU time (user+sys) and",
        "peak RSS are of the whole process (`/usr/bin/time`), each run a fresh",
        "process, the commands of one size taking turns run by run; the tables show",
        f"the minimum of {args.runs} runs (the median in brackets). Inputs:",
        "`benchmarks/generate.py`, 50 services per provider, one file per provider,",
        "every section of docs/format.md. Data profiles:",
        "",
        *(f"- `{profile}`: {PROFILE_TEXT[profile]}." for profile in profiles),
        "",
        "The floors load every file with libyaml (`yaml.load(..., CSafeLoader)`;",
        "USM-WIF files with `json.loads`, as usmctl reads them): one drops each",
        "document (the time floor), one holds them all (the memory floor of a",
        "checker that needs every file at once). The machine is shared: CPU time",
        "is the steadier figure when wall times wobble.",
        "",
        "## Machine",
        "",
        *machine(),
        *peers,
        "",
        "## Minima (medians in brackets)",
        "",
        "| profile | services | files | MB | findings | command | wall s | CPU s | peak RSS MB |",
        "|---|---:|---:|---:|---:|---|---:|---:|---:|",
    ]
    for profile in profiles:
        for size in sizes:
            files, megabytes, found = counts[(profile, size)]
            for key, sample in results[(profile, size)].items():
                lines.append(
                    f"| {profile} | {size:,} | {files} | {megabytes:.1f} | {found} | "
                    f"{NAMES[key]} | {sample.seconds:.3f} ({sample.median_seconds:.3f}) | "
                    f"{sample.cpu_seconds:.3f} ({sample.median_cpu:.3f}) | "
                    f"{sample.rss_mb:.0f} ({sample.median_rss:.0f}) |"
                )
    for key, sample in small.items():
        lines.append(
            f"| pilot | – | 4 | – | 0 | {NAMES[key]} | "
            f"{sample.seconds:.3f} ({sample.median_seconds:.3f}) | "
            f"{sample.cpu_seconds:.3f} ({sample.median_cpu:.3f}) | "
            f"{sample.rss_mb:.0f} ({sample.median_rss:.0f}) |"
        )
    lines += [
        "",
        "## Ratios (minima of the same run; wall time, CPU time in brackets)",
        "",
        "| profile | services | usmctl / floor | serial / floor | usmctl / holding floor "
        "| cold / warm | check-jsonschema / usmctl | usmctl / yamllint "
        "| peak RSS: usmctl / holding floor | baseline / floor |",
        "|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|",
    ]
    for profile in profiles:
        for size in sizes:
            row = results[(profile, size)]
            lines.append(
                f"| {profile} | {size:,} | {both(row, 'cold', 'floor')} | "
                f"{both(row, 'serial', 'floor')} | {both(row, 'cold', 'hold')} | "
                f"{both(row, 'cold', 'warm')} | "
                f"{both(row, 'jsonschema', 'cold')} | {both(row, 'cold', 'yamllint')} | "
                f"{ratio(row['cold'].rss_mb, row['hold'].rss_mb)} | "
                f"{both(row, 'baseline', 'floor')} |"
            )
    lines += [
        "",
        "## Targets (issues 6 and 17)",
        "",
        "| profile | target | measured (minima, wall) | verdict |",
        "|---|---|---:|---|",
    ]
    for profile in profiles:
        if (profile, 10000) not in results:
            continue
        row = results[(profile, 10000)]
        cold, floor, warm, hold = row["cold"], row["floor"], row["warm"], row["hold"]
        serial = row.get("serial", cold)
        lines += [
            f"| {profile} | 10k: usmctl in one process ≤ 1.0× the floor | "
            f"{ratio(serial.seconds, floor.seconds)} | "
            f"{verdict(serial.seconds <= floor.seconds)} |",
            f"| {profile} | 10k: usmctl parsing in parallel ≤ 0.6× the floor | "
            f"{ratio(cold.seconds, floor.seconds)} | "
            f"{verdict(cold.seconds <= 0.6 * floor.seconds)} |",
            f"| {profile} | 10k: warm ≥ 5× faster than cold | "
            f"{ratio(cold.seconds, warm.seconds)} | {verdict(cold.seconds >= 5 * warm.seconds)} |",
            f"| {profile} | 10k: peak RSS ≤ 2× the holding floor's | "
            f"{ratio(cold.rss_mb, hold.rss_mb)} | {verdict(cold.rss_mb <= 2 * hold.rss_mb)} |",
        ]
        if "jsonschema" in row:
            lines.append(
                f"| {profile} | 10k: ≥ 10× faster than check-jsonschema | "
                f"{ratio(row['jsonschema'].seconds, cold.seconds)} | "
                f"{verdict(row['jsonschema'].seconds >= 10 * cold.seconds)} |"
            )
        if (profile, 50000) in results:
            big = results[(profile, 50000)]["cold"]
            lines.append(
                f"| {profile} | 50k time ≤ 5.5× the 10k time | {ratio(big.seconds, cold.seconds)}"
                f" | {verdict(big.seconds <= 5.5 * cold.seconds)} |"
            )
    if "yamllint" in small:
        for key in ("cold", "warm"):
            lines.append(
                f"| pilot | small input ({key}) no slower than yamllint | "
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
