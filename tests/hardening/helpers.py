"""Shared helpers of the hardening tests: run the real CLI, hash inputs, read its output."""

from __future__ import annotations

import hashlib
import json
import os
import subprocess
import sys
import threading
import urllib.request
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

from usmctl.check.cache import CACHE_DIR

ROOT = Path(__file__).resolve().parents[2]
SRC = ROOT / "src"
EXAMPLES = ROOT / "examples"
CLEAN_EXAMPLES = ("pilot", "hr-onboarding", "hospital-facilities", "siam-multi-provider")


def cli_env(extra: dict[str, str] | None = None) -> dict[str, str]:
    """The environment for a usmctl subprocess: this checkout's source first."""
    env = dict(os.environ)
    env["PYTHONPATH"] = os.pathsep.join(filter(None, [str(SRC), env.get("PYTHONPATH")]))
    env.pop("NO_COLOR", None)
    env.update(extra or {})
    return env


def cli_command(*args: str) -> list[str]:
    """``python -m usmctl ARGS`` with the interpreter running the tests."""
    return [sys.executable, "-m", "usmctl", *args]


def run_cli(
    *args: str,
    cwd: Path,
    timeout: float = 60,
    stdin: bytes | None = None,
    user: int | None = None,
) -> subprocess.CompletedProcess[str]:
    """Run ``usmctl ARGS`` for real (a new process); ``user`` drops to that uid."""
    return subprocess.run(
        cli_command(*args),
        cwd=cwd,
        env=cli_env(),
        input=stdin.decode("utf-8") if stdin is not None else None,
        capture_output=True,
        text=True,
        encoding="utf-8",
        errors="backslashreplace",
        timeout=timeout,
        check=False,
        user=user,
        group=user,
        extra_groups=[] if user is not None else None,
    )


def json_findings(process: subprocess.CompletedProcess[str]) -> list[dict[str, Any]]:
    """The findings of a ``--format json`` run (asserting stdout is only the payload)."""
    payload = json.loads(process.stdout)
    findings: list[dict[str, Any]] = payload["findings"]
    return findings


def codes_at(findings: Sequence[dict[str, Any]]) -> list[tuple[str, str, int, int]]:
    """Findings as (code, file, line, column)."""
    return [(f["code"], f["file"], f["line"], f["column"]) for f in findings]


def assert_one_line_error(stderr: str, *, contains: str = "") -> str:
    """stderr is exactly one ``usmctl: ...`` line, no traceback; return the line."""
    assert "Traceback" not in stderr, stderr
    lines = stderr.splitlines()
    assert len(lines) == 1, stderr
    assert lines[0].startswith("usmctl: "), stderr
    assert contains in lines[0], stderr
    return lines[0]


def hash_tree(*roots: Path) -> dict[str, str]:
    """sha256 (and mode) of every file under ``roots``, keyed by path; links by target.

    Use it before and after a command to prove the command left its inputs alone:
    ``before = hash_tree(root); run(...); assert hash_tree(root, ignore=...) == before``.
    """
    hashes: dict[str, str] = {}
    for root in roots:
        candidates = [root] if not root.is_dir() else sorted(root.rglob("*"))
        for path in candidates:
            if CACHE_DIR in path.parts:
                continue  # usmctl's own parse cache, not an input (issue 6)
            if path.is_symlink():
                hashes[str(path)] = "link -> " + os.readlink(path)
            elif path.is_file():
                digest = hashlib.sha256(path.read_bytes()).hexdigest()
                hashes[str(path)] = f"{digest} {path.stat().st_mode:o}"
    return hashes


def without(hashes: dict[str, str], *paths: Path) -> dict[str, str]:
    """``hashes`` less the named paths (a command's own output file)."""
    skip = {str(path) for path in paths}
    return {name: digest for name, digest in hashes.items() if name not in skip}


class _Recorder(BaseHTTPRequestHandler):
    """Answers every GET with ``body`` (a JSON schema) and records the request."""

    requests: list[str]
    body: bytes

    def do_GET(self) -> None:
        type(self).requests.append(f"{self.command} {self.path}")
        self.send_response(200)
        self.send_header("Content-Type", "application/schema+json")
        self.send_header("Content-Length", str(len(self.body)))
        self.end_headers()
        self.wfile.write(self.body)

    def log_message(self, *args: object) -> None:
        """Quiet: the test reads ``requests``."""


@contextmanager
def recording_server(body: bytes = b"{}") -> Iterator[tuple[str, list[str]]]:
    """A server on 127.0.0.1: its base URL and the requests it received, which
    starts empty after one request from the test proves it answers."""
    handler = type("Handler", (_Recorder,), {"requests": [], "body": body})
    httpd = ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    base = f"http://127.0.0.1:{httpd.server_address[1]}"
    try:
        opener = urllib.request.build_opener(urllib.request.ProxyHandler({}))
        with opener.open(f"{base}/probe.json", timeout=5) as answer:
            assert answer.read() == body
        assert handler.requests == ["GET /probe.json"]
        handler.requests.clear()
        yield base, handler.requests
    finally:
        httpd.shutdown()
        httpd.server_close()
        thread.join(5)
