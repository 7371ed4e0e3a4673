"""Start-up of a small run (issue 17, "Cold small runs"): usmctl against yamllint.

    python benchmarks/startup.py [--runs 10] [--target examples/pilot]

On a copy of the target (examples/pilot by default), in fresh processes that
take turns run by run: the interpreter alone (``python -c pass``),
``usmctl validate --no-cache`` (cold: no findings cache; the .pyc files are
compiled first, as an installed wheel has them), ``usmctl validate`` (warm:
the findings cache filled by a run before) and ``yamllint -d default`` on the
same files (from benchmarks/.venv-peers, created on first use). Prints the
minima and medians of the wall times, then the cold run's budget: the
interpreter, the imports by top package (self times from ``python -X
importtime``, which inflates them; the scale row brings their sum to the
measured import time) and the work itself by phase (load and parse, catalogue,
model build, rules and locating, output), timed in a process that imported
everything first: its first run (which builds the model validators, deferred
to their first use) and the fastest of the later ones. Prints only;
benchmarks/RESULTS.md is written by hand.

    python benchmarks/startup.py --parallel 10000 [--runs 5]

Parallel parsing instead (issue 17, "All cores on large inputs"), on an
architecture of that many services (benchmarks/generate.py): whole runs of
``usmctl validate --no-cache`` with ``--jobs 1`` and with the default
(parallel), taking turns; the parse of the first N files alone, serial and
with every core, which places the cut-off
(`usmctl.load.loader.PARALLEL_FROM_BYTES`); and, from the CPU times (steadier
than wall times on a shared machine, and what idle cores would give), the
serial fraction (Amdahl's law) and the time on 2 and 8 idle cores.
"""

from __future__ import annotations

import argparse
import os
import resource
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from collections import defaultdict
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
PEERS = HERE / ".venv-peers"

# Run in a child that imported every module of a cold run first: each phase's
# own time, the minimum over the runs (the first run pays for lazy imports,
# which the import budget already counts).
PHASES = r"""
import contextlib, io, sys, time
from collections import defaultdict
import usmctl.api as api
import usmctl.check.engine as engine
import usmctl.model.catalogue as catalogue
import usmctl.output.findings as findings
from usmctl.cli import main

spent = defaultdict(float)

def timed(phase, function):
    def wrapper(*args, **kwargs):
        start = time.perf_counter()
        try:
            return function(*args, **kwargs)
        finally:
            spent[phase] += time.perf_counter() - start
    return wrapper

api.read_files = timed("read", api.read_files)
api.parse_files = timed("parse", api.parse_files)
catalogue.load_catalogue = timed("catalogue", catalogue.load_catalogue)
engine.build = timed("model build", engine.build)
engine.run = timed("engine", engine.run)
findings.REPORTERS["text"] = timed("output", findings.REPORTERS["text"])
best, first = {}, {}
for _ in range(int(sys.argv[1])):
    spent.clear()
    sys.argv[1:] = ["validate", "--no-cache", "."]
    start = time.perf_counter()
    with contextlib.redirect_stdout(io.StringIO()), contextlib.suppress(SystemExit):
        main()
    spent["total"] = time.perf_counter() - start
    spent["rules and locating"] = spent.pop("engine") - spent["model build"]
    for phase, seconds in spent.items():
        best[phase] = min(best.get(phase, seconds), seconds)
        first.setdefault(phase, seconds)
for phase, seconds in best.items():
    print(f"{phase}\t{seconds}\t{first[phase]}")
"""


# Parse phase only: minima of serial and parallel parses of the first N files
# (N = each argument after the first, the runs), in one process.
PARSE = r"""
import gc, resource, sys, time
from pathlib import Path
from usmctl.api import read_files
from usmctl.check.settings import Settings
from usmctl.load import yamlio
from usmctl.load.loader import load_all, workers
gc.disable()
settings = Settings()
read, _ = read_files(["."], settings, cwd=Path.cwd())
runs = int(sys.argv[1])

def cpu(who):
    used = resource.getrusage(who)
    return used.ru_utime + used.ru_stime

for count in [int(n) for n in sys.argv[2:]] or [len(read)]:
    best = {}
    for _ in range(runs):
        for jobs in (1, 0):
            start, mine, theirs = time.perf_counter(), cpu(resource.RUSAGE_SELF), cpu(
                resource.RUSAGE_CHILDREN
            )
            load_all(read[:count], settings.limits, jobs=jobs or workers(0, 2, 10**12))
            took = (
                time.perf_counter() - start,
                cpu(resource.RUSAGE_SELF) - mine,
                cpu(resource.RUSAGE_CHILDREN) - theirs,
            )
            best[jobs] = [min(pair) for pair in zip(best.get(jobs, took), took)]
    size = sum(len(raw) for _, raw in read[:count])
    print(min(count, len(read)), size, *best[1], *best[0], sep="\t")
"""


def yamllint() -> Path:
    """yamllint in the peers' venv (created with pip on first use)."""
    program = PEERS / "bin" / "yamllint"
    if not program.exists():
        subprocess.run([sys.executable, "-m", "venv", str(PEERS)], check=True)
        subprocess.run([str(PEERS / "bin" / "pip"), "install", "-q", "yamllint"], check=True)
    return program


def wall(command: list[str], *, cwd: Path, env: dict[str, str]) -> float:
    return timed(command, cwd=cwd, env=env)[0]


def timed(command: list[str], *, cwd: Path, env: dict[str, str]) -> tuple[float, float]:
    """Wall time and CPU time (user + system, its children's too) of one process."""
    used = resource.getrusage(resource.RUSAGE_CHILDREN)
    start = time.perf_counter()
    subprocess.run(
        command, cwd=cwd, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, check=False
    )
    seconds = time.perf_counter() - start
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    return seconds, after.ru_utime + after.ru_stime - used.ru_utime - used.ru_stime


def import_budget(usmctl: list[str], *, cwd: Path, env: dict[str, str]) -> dict[str, float]:
    """Self import time (s) by top package (usmctl by layer) of the cold run
    with the smallest total of three."""
    best: dict[str, float] = {}
    for _ in range(3):
        done = subprocess.run(
            [*usmctl[:1], "-X", "importtime", *usmctl[1:], "validate", "--no-cache", "."],
            cwd=cwd,
            env=env,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.PIPE,
            text=True,
            check=False,
        )
        spent: dict[str, float] = defaultdict(float)
        for line in done.stderr.splitlines():
            if not line.startswith("import time:") or "self [us]" in line:
                continue
            own, _, name = line.removeprefix("import time:").split("|")
            parts = name.strip().split(".")
            package = ".".join(parts[:2]) if parts[0] == "usmctl" else parts[0]
            spent[package] += int(own) / 1e6
        if not best or sum(spent.values()) < sum(best.values()):
            best = dict(spent)
    return best


def phases(python: str, runs: int, *, cwd: Path, env: dict[str, str]) -> dict[str, float]:
    done = subprocess.run(
        [python, "-c", PHASES, str(runs)],
        cwd=cwd,
        env=env,
        capture_output=True,
        text=True,
        check=True,
    )
    return {
        phase: (float(least), float(first))
        for phase, least, first in (line.split("\t") for line in done.stdout.splitlines())
    }


def idle_cores(whole: float, serial: float, parent: float, workers: float, cores: int) -> float:
    """The wall time of a whole run on ``cores`` idle cores, from CPU times:
    the run's own (``whole``, serial) without its serial parse (``serial``),
    plus what the parent spends while the pool parses (``parent``: starting it,
    taking the results back), plus the workers' time (``workers``) shared out."""
    return whole - serial + parent + workers / cores


def parallel(services: int, runs: int, python: str, env: dict[str, str]) -> None:
    sys.path.insert(0, str(HERE))
    from generate import generate

    cores = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count()
    usmctl = [python, "-m", "usmctl", "validate", "--no-cache", "."]
    with tempfile.TemporaryDirectory() as scratch:
        target = Path(scratch) / str(services)
        generate(target, services=services)
        files = len(list(target.glob("*.usm.yaml")))
        commands = {"--jobs 1 (serial)": [*usmctl, "--jobs", "1"], "default (parallel)": usmctl}
        times: dict[str, list[tuple[float, float]]] = {label: [] for label in commands}
        for _ in range(runs):
            for label, command in commands.items():
                times[label].append(timed(command, cwd=target, env=env))
        sizes = [2, 4, 8, 16, 32, 64, 128, files]
        parse = subprocess.run(
            [python, "-c", PARSE, str(runs), *map(str, sizes)],
            cwd=target,
            env=env,
            capture_output=True,
            text=True,
            check=True,
        ).stdout
    print(f"{services} services, {files} files, {cores} cores, {runs} runs each, taking turns")
    print(f"{'usmctl validate --no-cache':<28} {'min s':>7} {'median s':>9} {'min CPU s':>10}")
    for label, measured in times.items():
        walls = [seconds for seconds, _ in measured]
        spent = min(used for _, used in measured)
        print(f"{label:<28} {min(walls):7.3f} {statistics.median(walls):9.3f} {spent:10.3f}")
    rows = [[float(value) for value in line.split("\t")] for line in parse.splitlines()]
    print(
        f"\nparse only (min s)  {'files':>6} {'MB':>6} {'serial':>8} {'parallel':>9}"
        f" {'CPU: serial':>12} {'parent':>7} {'workers':>8}"
    )
    for count, size, serial, serial_cpu, _, pooled, parent, workers in rows:
        print(
            f"{'':<19} {count:6.0f} {size / 1e6:6.2f} {serial:8.3f} {pooled:9.3f}"
            f" {serial_cpu:12.3f} {parent:7.3f} {workers:8.3f}"
        )
    whole = min(used for _, used in times["--jobs 1 (serial)"])
    _, _, _, serial_cpu, _, _, parent, workers = rows[-1]
    fraction = (whole - serial_cpu + parent) / (whole - serial_cpu + parent + workers)
    print(
        "\non idle cores, from the CPU times (Amdahl): serial fraction "
        f"{fraction:.2f} of the parallel run's work"
    )
    for count in sorted({cores or 1, 2, 8}):
        estimate = idle_cores(whole, serial_cpu, parent, workers, count)
        print(f"  {count} cores: {estimate:6.3f} s, {whole / estimate:5.2f}x the serial run")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=10, help="runs of each command (minimum)")
    parser.add_argument("--target", type=Path, default=ROOT / "examples" / "pilot")
    parser.add_argument(
        "--parallel", type=int, metavar="SERVICES", help="measure parallel parsing instead"
    )
    args = parser.parse_args()
    python = sys.executable
    env = dict(os.environ, PYTHONPATH=str(ROOT / "src"), PYTHONDONTWRITEBYTECODE="")
    env.pop("PYTHONPROFILEIMPORTTIME", None)
    subprocess.run([python, "-m", "compileall", "-q", str(ROOT / "src" / "usmctl")], check=True)
    if args.parallel:
        parallel(args.parallel, args.runs, python, env)
        return
    usmctl = [python, "-m", "usmctl"]
    lint = yamllint()
    with tempfile.TemporaryDirectory() as scratch:
        target = Path(scratch) / "target"
        shutil.copytree(args.target, target, ignore=shutil.ignore_patterns(".usmctl_cache"))
        env["XDG_CACHE_HOME"] = str(Path(scratch) / "home-cache")  # the cache's key
        files = sorted(path.name for path in target.glob("*.usm.yaml"))
        commands = {
            "interpreter (python -c pass)": [python, "-c", "pass"],
            "usmctl validate --no-cache (cold)": [*usmctl, "validate", "--no-cache", "."],
            "usmctl validate (warm)": [*usmctl, "validate", "."],
            "yamllint -d default": [str(lint), "-d", "default", *files],
        }
        for command in commands.values():  # compile what is not yet; fill the cache
            wall(command, cwd=target, env=env)
        times: dict[str, list[float]] = {label: [] for label in commands}
        for _ in range(args.runs):
            for label, command in commands.items():
                times[label].append(wall(command, cwd=target, env=env))
        imports = import_budget(usmctl, cwd=target, env=env)
        work = phases(python, args.runs, cwd=target, env=env)
    print(f"{args.target.name}: {len(files)} files, {args.runs} runs each, taking turns")
    print(f"{'command':<36} {'min s':>7} {'median s':>9}")
    for label, measured in times.items():
        print(f"{label:<36} {min(measured):7.3f} {statistics.median(measured):9.3f}")
    interpreter = min(times["interpreter (python -c pass)"])
    cold = min(times["usmctl validate --no-cache (cold)"])
    peer = min(times["yamllint -d default"])
    warm = min(times["usmctl validate (warm)"])
    print(f"cold / yamllint: {cold / peer:.2f}x   warm / yamllint: {warm / peer:.2f}x")
    total_work, first_work = work.pop("total")
    measured_imports = cold - interpreter - first_work
    scale = measured_imports / sum(imports.values())
    print("\nbudget of the cold run (ms)")
    print(f"{'interpreter':<36} {interpreter * 1000:7.1f}")
    print(f"{'imports (cold - interpreter - work)':<36} {measured_imports * 1000:7.1f}")
    print(f"  by package (-X importtime self, x{scale:.2f}):")
    ranked = sorted(imports.items(), key=lambda item: -item[1])
    for package, seconds in ranked[:20]:
        print(f"    {package:<32} {seconds * scale * 1000:7.1f}")
    rest = sum(seconds for _, seconds in ranked[20:])
    print(f"    {f'{len(ranked) - 20} others':<32} {rest * scale * 1000:7.1f}")
    print(f"{'work, first run (in process)':<36} {first_work * 1000:7.1f} {'again':>7}")
    for phase, (least, first) in work.items():
        print(f"    {phase:<32} {first * 1000:7.1f} {least * 1000:7.1f}")
    rest_first = first_work - sum(first for _, first in work.values())
    rest_least = total_work - sum(least for least, _ in work.values())
    print(f"    {'CLI and the rest':<32} {rest_first * 1000:7.1f} {rest_least * 1000:7.1f}")


if __name__ == "__main__":
    main()
