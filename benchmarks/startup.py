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
everything first. Prints only; benchmarks/RESULTS.md is written by hand.
"""

from __future__ import annotations

import argparse
import os
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
best = {}
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
for phase, seconds in best.items():
    print(f"{phase}\t{seconds}")
"""


def yamllint() -> Path:
    """yamllint in the peers' venv (created with pip on first use)."""
    program = PEERS / "bin" / "yamllint"
    if not program.exists():
        subprocess.run([sys.executable, "-m", "venv", str(PEERS)], check=True)
        subprocess.run([str(PEERS / "bin" / "pip"), "install", "-q", "yamllint"], check=True)
    return program


def wall(command: list[str], *, cwd: Path, env: dict[str, str]) -> float:
    start = time.perf_counter()
    subprocess.run(
        command, cwd=cwd, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, check=False
    )
    return time.perf_counter() - start


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
        phase: float(seconds)
        for phase, seconds in (line.split("\t") for line in done.stdout.splitlines())
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=10, help="runs of each command (minimum)")
    parser.add_argument("--target", type=Path, default=ROOT / "examples" / "pilot")
    args = parser.parse_args()
    python = sys.executable
    env = dict(os.environ, PYTHONPATH=str(ROOT / "src"), PYTHONDONTWRITEBYTECODE="")
    env.pop("PYTHONPROFILEIMPORTTIME", None)
    subprocess.run([python, "-m", "compileall", "-q", str(ROOT / "src" / "usmctl")], check=True)
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
    total_work = work.pop("total")
    measured_imports = cold - interpreter - total_work
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
    print(f"{'work (in process, all imported)':<36} {total_work * 1000:7.1f}")
    for phase, seconds in work.items():
        print(f"    {phase:<32} {seconds * 1000:7.1f}")
    print(f"    {'CLI and the rest':<32} {(total_work - sum(work.values())) * 1000:7.1f}")


if __name__ == "__main__":
    main()
