"""Ctrl-C (SPEC §6): exit 130, one line, no traceback, no partial output file."""

from __future__ import annotations

import signal
import subprocess
import time
from pathlib import Path

import pytest

from tests.support.cli import cli_command, cli_env, run_cli

pytestmark = pytest.mark.slow


def write_inputs(root: Path, start: int, stop: int) -> None:
    """Files ``start`` to ``stop`` of 40 broken services each: work and many findings."""
    root.mkdir(exist_ok=True)
    for number in range(start, stop):
        lines = ['usm: "1"', "services:"]
        for index in range(40):
            lines += [
                f"  - id: s{number}-{index}",
                "    provider: nobody",
                "    customers: [ghost]",
                "    facility: {description: TBD}",
                "    colour: red",
            ]
        (root / f"f{number:04}.usm.yaml").write_text("\n".join(lines) + "\n")


def test_ctrl_c_exits_130_with_one_line_and_no_output_file(tmp_path: Path) -> None:
    started = time.monotonic()
    run_cli("validate", "--format", "json", str(tmp_path), cwd=tmp_path)
    startup = time.monotonic() - started  # interpreter and imports, on this machine now
    output = tmp_path / "out.json"
    inputs = tmp_path / "in"
    written = 0
    for files in (300, 1200, 4000):  # more work each time the run beat the signal
        write_inputs(inputs, written, files)
        written = files
        process = subprocess.Popen(
            cli_command("validate", "--format", "json", "--output", str(output), str(inputs)),
            cwd=tmp_path,
            env=cli_env(),
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        time.sleep(startup * 1.5 + 0.5)  # well past the imports, into the work
        if process.poll() is None:
            process.send_signal(signal.SIGINT)
        stdout, stderr = process.communicate(timeout=120)
        if process.returncode in (0, 1):  # finished before the signal came
            output.unlink(missing_ok=True)
            continue
        assert process.returncode == 130, stderr
        assert stderr == "usmctl: interrupted\n"
        assert stdout == ""
        assert not output.exists()
        assert not list(tmp_path.glob(".out.json.*"))  # no temporary file either
        return
    pytest.skip("every run finished before SIGINT could interrupt it")
