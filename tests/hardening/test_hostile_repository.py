"""A hostile repository end to end (issue 12): one tree holding every planted file
of the issue, linted the way CI lints a pull request.

A pull request controls every file in the tree (``usmctl.toml`` and
``pyproject.toml`` included) and every file name. The tree plants links out of
it, FIFOs (in discovery, as side files, as cache entries), custom rules whose
``$dynamicRef`` points at a local HTTP server this test starts (it records every
request), at a file outside the tree and at ``/dev/zero``, ``/dev/zero`` side
files, a ReDoS pattern, file names that are GitHub workflow commands, links at
the documented output paths and a ``.usmctl_cache`` link. ``usmctl validate``
(several formats, ``-o`` to a planted link), ``report`` and ``graph`` then run on
it as subprocesses, within 30 s in total, and the test asserts:

- the server received no request;
- nothing was written outside the cache (the tree's ``.usmctl_cache`` and the
  signing key's folder) and the named outputs, and no input changed: the tree
  and every link target outside it are snapshotted (path, type, size, mtime,
  content hash) before and after;
- no content of a file outside the tree reached an output;
- no traceback and no internal error, exit codes 0, 1 or 2 only;
- no standard-output line starts with ``::`` unless it is usmctl's own annotation
  of a finding (one the JSON output of the same tree lists).

Every violation is collected and reported at once, each with the run that
caused it, so one failure does not hide the others.
"""

from __future__ import annotations

import hashlib
import json
import os
import re
import shutil
import stat
import subprocess
import sys
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

import pytest

from tests.support.paths import EXAMPLES, SRC
from tests.support.servers import recording_server

BUDGET = 30.0  # seconds for every usmctl run together
MEMORY = 2 << 30  # address-space limit of each run: reading /dev/zero must not take the machine
SECRET = "s3cr3t-7f1c9e2a"  # only in files outside the tree
REDOS = "^([a-z0-9]+-?)+$"  # the plausible house rule
FORGED_NAMES = (
    "::error file=README.md,line=1,title=Fake::all good.usm.yaml",
    "::stop-commands::resume.usm.yaml",
    "x\n::warning file=README.md,line=1::forged.usm.yaml",
    "::error file=README.md,line=1,col=1,title=USM001::shaped.usm.yaml",
)
BROKEN = 'usm: "1"\nnot-a-section: 1\n'  # USM004: a finding that names the file
ANNOTATION = re.compile(
    r"::(?P<command>error|warning|notice) file=(?P<file>[^,]*),line=(?P<line>\d+),"
    r"col=(?P<column>\d+),title=(?P<code>[^,:]*)::"
)
CLEAN = shutil.ignore_patterns(".*")  # the pilot as committed: no cache a test left
SEVERITY = {"error": "error", "warning": "warning", "notice": "info"}
# usmctl's own notice after the annotations GitHub shows (10 of each severity):
# a count and fixed words, nothing from the repository.
LEFT_OUT = re.compile(
    r"::notice::[0-9]+ more findings?: (see the job summary|GitHub shows 10 annotations "
    r"of each severity per step; usmctl validate lists them all)"
)


def service(ident: str, extra: str = "") -> str:
    """An architecture file with one service of the pilot's provider."""
    return (
        f'usm: "1"\nservices:\n  - id: {ident}\n    name: {ident}\n'
        f"    provider: it-department\n    customers: [business-units]\n{extra}"
    )


# --- the local HTTP server ---------------------------------------------------


@pytest.fixture
def server() -> Iterator[tuple[str, list[str]]]:
    with recording_server() as started:
        yield started


# --- snapshots ---------------------------------------------------------------


@dataclass(frozen=True)
class Entry:
    """One path as ``lstat`` sees it; content hashed for regular files only (a
    FIFO or a device is never opened)."""

    kind: str
    size: int = 0
    mtime: int = 0
    digest: str = ""


def entry(path: str) -> Entry:
    try:
        info = os.lstat(path)
    except FileNotFoundError:
        return Entry("absent")
    mode = info.st_mode
    if stat.S_ISREG(mode):
        with open(path, "rb") as stream:
            digest = hashlib.sha256(stream.read()).hexdigest()
        return Entry("file", info.st_size, info.st_mtime_ns, f"{digest} {mode:o}")
    if stat.S_ISLNK(mode):
        return Entry("link", info.st_size, info.st_mtime_ns, os.readlink(path))
    if stat.S_ISDIR(mode):  # its mtime changes with any temporary file: entries tell
        return Entry("dir", digest=f"{mode:o}")
    if stat.S_ISFIFO(mode):
        return Entry("fifo", 0, info.st_mtime_ns, f"{mode:o}")
    return Entry("device", digest=f"{info.st_rdev} {mode:o}")  # /dev/zero: never opened


def snapshot(root: Path) -> dict[str, Entry]:
    """Every path under ``root`` (links not followed), and every link's target
    outside ``root``, by absolute path."""
    found: dict[str, Entry] = {}
    targets: set[str] = set()
    pending = [str(root)]
    while pending:
        path = pending.pop()
        found[path] = entry(path)
        if found[path].kind == "dir":
            pending.extend(os.path.join(path, name) for name in os.listdir(path))
        elif found[path].kind == "link":
            targets.add(os.path.realpath(path))
    for target in sorted(targets):
        if not target.startswith(str(root) + os.sep):
            found[target] = entry(target)
    return found


# --- the tree ----------------------------------------------------------------


@dataclass
class Tree:
    """The planted repository and what the test may let change."""

    base: Path  # tmp_path: repo/, outside/, home/, twin-a/, twin-b/
    repo: Path
    outside: Path
    home: Path
    outputs: set[Path] = field(default_factory=set)
    runs: list[Run] = field(default_factory=list)


@dataclass
class Run:
    """One usmctl command on the tree."""

    label: str
    cwd: Path
    args: tuple[str, ...]
    github: bool = False
    process: subprocess.CompletedProcess[str] | None = None
    problem: str = ""


def cache_entry_names(tree: Tree) -> tuple[list[Path], list[str]]:
    """Where a clean run on the pilot writes its cache: the entries named by file
    content and name alone (the same in any working directory, so a pull
    request can predict them and plant there) and the top-level folders of the
    others. Learnt from two clean twins of the repository in two folders."""
    names = []
    for twin in (tree.base / "twin-a", tree.base / "twin-b"):
        shutil.copytree(EXAMPLES / "pilot", twin, ignore=CLEAN)
        process = subprocess.run(
            launcher("validate", "--format", "json"),
            cwd=twin,
            env=environment(tree, github=False),
            capture_output=True,
            text=True,
            timeout=60,
            check=False,
        )
        assert process.returncode in (0, 1), process.stderr
        cache = twin / ".usmctl_cache"
        names.append({p.relative_to(cache) for p in cache.rglob("*") if p.is_file()})
    fixed = sorted(name for name in names[0] & names[1] if name.name != ".gitignore")
    moving = sorted({name.parts[0] for name in names[0] - names[1]})
    assert len(fixed) >= 2 and moving, f"the twins' caches: {names}"
    return fixed, moving


def plant(tree: Tree, base_url: str) -> None:
    """Write the hostile repository."""
    repo, outside = tree.repo, tree.outside
    shutil.copytree(EXAMPLES / "pilot", repo, ignore=CLEAN)
    outside.mkdir()
    (tree.home / ".cache").mkdir(parents=True)
    (repo / "README.md").write_text("# the architecture\n")

    # Files outside the tree: secrets, and victims of writes through links.
    (outside / "secret.usm.yaml").write_text(service(SECRET))
    (outside / "secret.json").write_text(json.dumps({"const": SECRET}))
    for victim in ("victim.sarif", "victim.html", "victim.graphml", "victim.json"):
        (outside / victim).write_text(f"{victim}: must stay as it is\n")
    (outside / "cache-target").mkdir()
    (outside / "runs-target").mkdir()

    # The repository's config: a plausible house rule with a ReDoS pattern.
    (repo / "usmctl.toml").write_text(
        "[[custom-rules]]\n"
        'code = "HOUSE001"\n'
        'section = "services"\n'
        'message = "slugs are lower-case words joined by hyphens"\n'
        f'schema = {{ type = "object", properties = {{ x-slug = {{ type = "string", '
        f"pattern = '{REDOS}' }} }} }}\n"
    )
    (repo / "slug.usm.yaml").write_text(service("slugged", f"    x-slug: {'a' * 40}!\n"))

    # Inputs: workflow-command file names, a link out, FIFOs, /dev/zero, an
    # alias bomb, a scalar that crashed the loader.
    for name in FORGED_NAMES:
        (repo / name).write_text(BROKEN)
    (repo / "leak.usm.yaml").symlink_to(outside / "secret.usm.yaml")
    os.mkfifo(repo / "fifo.usm.yaml")
    (repo / "zero.usm.yaml").symlink_to("/dev/zero")
    big = "x" * 50_000  # 4,000 aliases of 50 KB: 200 MB from a 66 KB file (item 6)
    (repo / "aliases.usm.yaml").write_text(
        f'usm: "1"\nx-a: &a "{big}"\nx-b: [' + ", ".join(["*a"] * 4000) + "]\n"
    )
    (repo / "hex.usm.yaml").write_text('usm: "1"\nx-a: 0x_\nx-b: 0b_\n')

    # Side files: a baseline link to /dev/zero, a FIFO catalogue.
    (repo / "usmctl-baseline.json").symlink_to("/dev/zero")
    os.mkfifo(repo / "catalogue.yaml")

    # Output links at the documented paths: out of the tree, and onto inputs.
    (repo / "usmctl.sarif").symlink_to(outside / "victim.sarif")
    (repo / "results.json").symlink_to("services.usm.yaml")
    (repo / "gl-code-quality-report.json").symlink_to("usmctl.toml")
    (repo / "baseline-new.json").symlink_to(outside / "victim.json")
    (repo / "report.html").symlink_to(outside / "victim.html")
    (repo / "graph.graphml").symlink_to(outside / "victim.graphml")
    tree.outputs |= {
        repo / name
        for name in (
            "usmctl.sarif",
            "results.json",
            "gl-code-quality-report.json",
            "baseline-new.json",
            "report.html",
            "graph.graphml",
        )
    }

    # The cache: planted entries where a clean run would write.
    entries, folders = cache_entry_names(tree)
    cache = repo / ".usmctl_cache"
    for name in entries[:2]:
        (cache / name).parent.mkdir(parents=True, exist_ok=True)
    os.mkfifo(cache / entries[0])
    (cache / entries[1]).symlink_to("/dev/zero")
    (cache / ".gitignore").symlink_to(outside / "planted-gitignore")  # dangling
    for folder in folders:  # a link at a level of the cache
        (cache / folder).symlink_to(outside / "runs-target")

    # Custom rules reaching out: a server, a file outside, /dev/zero.
    remote = repo / "remote-rules"
    remote.mkdir()
    rules = []
    for code, target in (
        ("REMOTE001", f"{base_url}/schema.json"),
        ("REMOTE002", (outside / "secret.json").as_uri()),
        ("REMOTE003", "file:///dev/zero"),
    ):
        rules.append(
            f'[[custom-rules]]\ncode = "{code}"\nsection = "services"\nmessage = "remote"\n'
            f'schema = {{ type = "object", properties = {{ name = {{ "$dynamicRef" = "{target}" }} '
            "} }\n"
        )
    (remote / "usmctl.toml").write_text("\n".join(rules))
    (remote / "remote.usm.yaml").write_text(service("remote"))

    # Side files named by a committed config: /dev/zero and a FIFO.
    zero = repo / "zero-side"
    zero.mkdir()
    (zero / "pyproject.toml").write_text('[tool.usmctl]\ncatalogue = "/dev/zero"\n')
    (zero / "zero.usm.yaml").write_text(service("zero-side"))
    fifo = repo / "fifo-side"
    fifo.mkdir()
    (fifo / "usmctl.toml").write_text('catalogue = "catalogue.yaml"\n')
    os.mkfifo(fifo / "catalogue.yaml")
    (fifo / "fifo.usm.yaml").write_text(service("fifo-side"))

    # A committed cache link.
    linked = repo / "linked-cache"
    linked.mkdir()
    (linked / ".usmctl_cache").symlink_to(outside / "cache-target")
    (linked / "linked.usm.yaml").write_text(service("linked"))


# --- running usmctl ----------------------------------------------------------


def launcher(*args: str) -> list[str]:
    """``python -m usmctl ARGS`` in a process whose address space is capped first."""
    code = (
        "import os, resource, sys; "
        f"resource.setrlimit(resource.RLIMIT_AS, ({MEMORY}, {MEMORY})); "
        "os.execv(sys.executable, [sys.executable, '-m', 'usmctl', *sys.argv[1:]])"
    )
    return [sys.executable, "-c", code, *args]


def environment(tree: Tree, *, github: bool) -> dict[str, str]:
    """A CI-like environment: this checkout's source, a home in the tmp folder,
    no proxy (a request must reach the local server), GitHub Actions or not."""
    env = {
        key: value
        for key, value in os.environ.items()
        if key.lower() not in {"http_proxy", "https_proxy", "all_proxy", "no_proxy"}
        and key not in {"GITHUB_ACTIONS", "NO_COLOR", "XDG_CACHE_HOME", "SOURCE_DATE_EPOCH"}
    }
    env["PYTHONPATH"] = os.pathsep.join(filter(None, [str(SRC), env.get("PYTHONPATH")]))
    env["HOME"] = str(tree.home)
    env["XDG_CACHE_HOME"] = str(tree.home / ".cache")
    if github:
        env["GITHUB_ACTIONS"] = "true"
    return env


def run_all(tree: Tree) -> float:
    """Run every command in turn within the shared budget; the time taken."""
    start = time.monotonic()
    for run in tree.runs:
        left = BUDGET - (time.monotonic() - start)
        if left <= 0:
            run.problem = "not run: the 30 s budget was spent"
            continue
        try:
            run.process = subprocess.run(
                launcher(*run.args),
                cwd=run.cwd,
                env=environment(tree, github=run.github),
                stdin=subprocess.DEVNULL,
                capture_output=True,
                text=True,
                encoding="utf-8",
                errors="backslashreplace",
                timeout=left,
                check=False,
            )
        except subprocess.TimeoutExpired:
            run.problem = f"still running after {BUDGET:.0f} s in total: killed"
    return time.monotonic() - start


def findings_of(run: Run) -> set[tuple[str, str, str, str, str]]:
    """(severity, file, line, column, code) of a ``--format json`` run's findings."""
    if run.process is None or run.process.returncode not in (0, 1):
        return set()
    try:
        payload = json.loads(run.process.stdout)
    except ValueError:
        return set()
    return {
        (f["severity"], f["file"], str(f["line"]), str(f["column"]), f["code"])
        for f in payload["findings"]
    }


def unescape(value: str) -> str:
    """A workflow-command property as the runner reads it."""
    for escaped, raw in (("%2C", ","), ("%3A", ":"), ("%0A", "\n"), ("%0D", "\r"), ("%25", "%")):
        value = value.replace(escaped, raw)
    return value


def forged_lines(stdout: str, findings: set[tuple[str, str, str, str, str]]) -> list[str]:
    """Lines starting with ``::`` that are not usmctl's annotation of a finding."""
    forged = []
    for line in stdout.splitlines():
        if not line.startswith("::") or LEFT_OUT.fullmatch(line):
            continue
        match = ANNOTATION.match(line)
        if match is not None:
            key = (
                SEVERITY[match["command"]],
                unescape(match["file"]),
                match["line"],
                match["column"],
                match["code"],
            )
            if key in findings:
                continue
        forged.append(line)
    return forged


def allowed(path: str, tree: Tree) -> bool:
    """A path the runs may create, change or remove: the cache and named outputs."""
    caches = [tree.home / ".cache" / "usmctl"]
    caches += [run.cwd / ".usmctl_cache" for run in tree.runs]
    if path in {str(output) for output in tree.outputs}:
        return True
    return any(path == str(cache) or path.startswith(f"{cache}{os.sep}") for cache in caches)


def violations(
    tree: Tree,
    requests: list[str],
    before: dict[str, Entry],
    after: dict[str, Entry],
    took: float,
) -> list[str]:
    """Everything the runs did that a hostile repository must not make them do."""
    problems: list[str] = []
    annotations = findings_of(next(run for run in tree.runs if run.label == "json"))
    for run in tree.runs:
        process = run.process
        if process is None:
            problems.append(f"{run.label}: {run.problem}")
            continue
        output = process.stdout + process.stderr
        if process.returncode not in (0, 1, 2):
            problems.append(f"{run.label}: exit {process.returncode}: {process.stderr[-300:]}")
        if "Traceback" in output or "internal error" in output:
            problems.append(f"{run.label}: {process.stderr.strip()[-300:]}")
        if SECRET in output:
            problems.append(f"{run.label}: a file outside the tree reached the output")
        problems += (
            f"{run.label}: forged line {line!r}"
            for line in forged_lines(process.stdout, annotations)
        )
    github = next(run for run in tree.runs if run.label == "github")
    if github.process is not None and not any(
        line.startswith("::") and not forged_lines(line, annotations)
        for line in github.process.stdout.splitlines()
    ):
        problems.append("github: no annotation of a finding (the check above saw none)")
    if requests:
        problems.append(f"the server received {requests}")
    for path in sorted(set(before) | set(after)):
        was, now = before.get(path, Entry("absent")), after.get(path, Entry("absent"))
        if was == now or allowed(path, tree):
            continue
        inside = path.startswith(f"{tree.repo}{os.sep}")
        what = "input changed" if inside and was.kind != "absent" else "written outside"
        problems.append(f"{what}: {os.path.relpath(path, tree.base)}: {was} -> {now}")
    for output in tree.outputs:
        if (
            output.is_file()
            and not output.is_symlink()
            and SECRET in output.read_text("utf-8", "replace")
        ):
            problems.append(f"{output.name}: a file outside the tree reached the output")
    if took >= BUDGET:
        problems.append(f"the runs took {took:.1f} s, over {BUDGET:.0f} s")
    return problems


def commands(repo: Path) -> list[Run]:
    """The runs, in order: what CI runs on a pull request, and more."""
    return [
        Run("the gate under GitHub Actions", repo, ("validate",), github=True),
        Run("json", repo, ("validate", "--format", "json")),
        Run("github", repo, ("validate", "--format", "github")),
        Run("sarif to a link out", repo, ("validate", "-f", "sarif", "-o", "usmctl.sarif")),
        Run("json to a link onto an input", repo, ("validate", "-f", "json", "-o", "results.json")),
        Run(
            "gitlab to a link onto the config",
            repo,
            ("validate", "-f", "gitlab", "-o", "gl-code-quality-report.json"),
        ),
        Run(
            "baseline written to a link out",
            repo,
            ("validate", "--write-baseline", "baseline-new.json"),
        ),
        Run(
            "baseline linked to /dev/zero", repo, ("validate", "--baseline", "usmctl-baseline.json")
        ),
        Run("catalogue that is a FIFO", repo, ("validate", "--catalogue", "catalogue.yaml")),
        Run("report to a link out", repo, ("report", "-o", "report.html", "--force")),
        Run("graph dot", repo, ("graph", "--format", "dot")),
        Run(
            "graphml to a link out",
            repo,
            ("graph", "-f", "graphml", "-o", "graph.graphml", "--force"),
        ),
        Run("custom rules with $dynamicRef", repo / "remote-rules", ("validate",)),
        Run("config catalogue /dev/zero", repo / "zero-side", ("validate",)),
        Run("config catalogue FIFO", repo / "fifo-side", ("validate",)),
        Run("cache link", repo / "linked-cache", ("validate",)),
    ]


def test_a_hostile_repository_is_linted_safely(
    tmp_path: Path, server: tuple[str, list[str]]
) -> None:
    base_url, requests = server
    repo = tmp_path / "repo"
    tree = Tree(tmp_path, repo, tmp_path / "outside", tmp_path / "home")
    plant(tree, base_url)
    tree.runs = commands(repo)
    before = snapshot(tmp_path)
    assert before[str(tmp_path / "repo" / "zero.usm.yaml")].kind == "link"
    assert before["/dev/zero"].kind == "device"

    took = run_all(tree)
    after = snapshot(tmp_path)

    problems = violations(tree, requests, before, after, took)
    assert not problems, "\n".join(problems)
