"""The container image: the Dockerfile read as text, then built where docker works."""

from __future__ import annotations

import json
import re
import shlex
import shutil
import subprocess
import tomllib
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.support.cli import cli_command, cli_env
from tests.support.paths import EXAMPLES, ROOT

DOCKERFILE = (ROOT / "Dockerfile").read_text(encoding="utf-8")
DOCKERIGNORE = (ROOT / ".dockerignore").read_text(encoding="utf-8").splitlines()


def instructions(text: str) -> list[tuple[str, str]]:
    """(INSTRUCTION, arguments) pairs, continuation lines joined, comments dropped."""
    lines = [line for line in text.splitlines() if not line.lstrip().startswith("#")]
    joined = re.sub(r"\\\n", " ", "\n".join(lines))
    pairs = []
    for line in joined.splitlines():
        if line.strip():
            keyword, _, arguments = line.strip().partition(" ")
            pairs.append((keyword.upper(), " ".join(arguments.split())))
    return pairs


INSTRUCTIONS = instructions(DOCKERFILE)
FINAL_STAGE = INSTRUCTIONS[max(i for i, (k, _) in enumerate(INSTRUCTIONS) if k == "FROM") :]


def final(keyword: str) -> list[str]:
    return [arguments for k, arguments in FINAL_STAGE if k == keyword]


def test_base_is_slim_python_pinned_by_minor_version() -> None:
    bases = {arguments.split()[0] for k, arguments in INSTRUCTIONS if k == "FROM"}
    assert len(bases) == 1, bases
    pinned = re.fullmatch(r"python:3\.(\d+)-slim", bases.pop())
    assert pinned, "expected python:3.MINOR-slim"
    project = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))
    required = project["project"]["requires-python"]  # ">=3.11"
    assert int(pinned.group(1)) >= int(required.rpartition(".")[2])


def test_runs_as_a_numeric_non_root_user_created_in_the_image() -> None:
    users = final("USER")
    assert users, "the image would run as root"
    uid = users[-1].split(":")[0]
    assert uid.isdigit() and int(uid) > 0, users
    assert FINAL_STAGE[-1][0] != "RUN" and ("USER", users[-1]) in FINAL_STAGE
    after_user = FINAL_STAGE[FINAL_STAGE.index(("USER", users[-1])) :]
    assert not [k for k, _ in after_user if k == "RUN"], "a RUN after USER"
    assert any(f"--uid {uid}" in arguments for arguments in final("RUN"))


def test_entrypoint_command_and_workdir() -> None:
    assert [json.loads(a) for a in final("ENTRYPOINT")] == [["usmctl"]]
    assert [json.loads(a) for a in final("CMD")] == [["validate", "."]]
    assert final("WORKDIR")[-1] == "/work"


def test_nothing_fetched_from_the_network_but_packages_and_no_secret() -> None:
    text = " ".join(arguments for _, arguments in INSTRUCTIONS)
    assert not re.search(r"\b(curl|wget)\b", text)
    assert not re.search(r"\|\s*(ba)?sh\b", text)
    assert not [a for k, a in INSTRUCTIONS if k == "ADD"], "ADD fetches URLs and unpacks; use COPY"
    assert not re.search(r"--(index-url|extra-index-url|trusted-host)\b", text)
    for keyword, arguments in INSTRUCTIONS:
        if keyword in {"ENV", "ARG"}:
            names = re.findall(r"([A-Za-z_][A-Za-z0-9_]*)=", arguments) or [arguments.split()[0]]
            assert not [n for n in names if re.search(r"SECRET|TOKEN|PASSWORD|KEY", n, re.I)]


def test_build_context_is_an_allowlist_holding_what_the_build_needs() -> None:
    patterns = [line for line in DOCKERIGNORE if line.strip() and not line.startswith("#")]
    assert patterns[0] == "*", "the context should start from nothing"
    allowed = {line[1:].rstrip("/") for line in patterns if line.startswith("!")}
    assert allowed == {"pyproject.toml", "README.md", "src"}
    copied = set()
    for keyword, arguments in INSTRUCTIONS:
        if keyword == "COPY" and not arguments.startswith("--from"):
            copied.update(source.rstrip("/") for source in arguments.split()[:-1])
    assert copied == allowed
    project = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))
    hatch = project["tool"]["hatch"]
    needed = [
        project["project"]["readme"],
        hatch["version"]["path"],
        *hatch["build"]["targets"]["wheel"]["packages"],
    ]
    for path in needed:
        assert path.split("/")[0] in allowed, path


# --- a read-only mount, as docs/ci.md suggests ---------------------------------


def test_validate_on_a_read_only_tree(tmp_path: Path) -> None:
    """The image's user runs on the repository mounted read-only: the caches
    are skipped, the findings are the same."""
    unshare = shutil.which("unshare")
    if unshare is None:
        pytest.skip("unshare is not installed")
    tree = tmp_path / "work"
    shutil.copytree(EXAMPLES / "broken", tree, ignore=shutil.ignore_patterns(".usmctl_cache"))
    command = shlex.join(cli_command("validate", "--format", "json"))
    where = shlex.quote(str(tree))
    script = (
        f"mount --bind {where} {where} && mount -o remount,ro,bind {where} "
        f"&& cd {where} && ! touch probe 2>/dev/null && exec {command}"
    )
    done = subprocess.run(
        [unshare, "--mount", "sh", "-c", script],
        env=cli_env({"HOME": str(tmp_path / "home")}),
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    if done.returncode not in (0, 1) and not done.stdout:
        pytest.skip(f"cannot mount read-only here: {done.stderr.strip()[:200]}")
    assert done.returncode == 1, done.stderr
    assert "Traceback" not in done.stderr
    assert len(json.loads(done.stdout)["findings"]) > 20
    assert not (tree / ".usmctl_cache").exists()


# --- the image, where docker works ----------------------------------------------


def docker_works() -> bool:
    docker = shutil.which("docker")
    if docker is None:
        return False
    info = subprocess.run([docker, "info"], capture_output=True, timeout=60, check=False)
    return info.returncode == 0


@pytest.fixture(scope="module")
def image() -> Iterator[str]:
    if not docker_works():
        pytest.skip("docker is not installed or its daemon is not reachable")
    tag = f"usmctl-test:{uuid.uuid4().hex[:12]}"
    built = subprocess.run(
        ["docker", "build", "--tag", tag, str(ROOT)],
        capture_output=True,
        text=True,
        timeout=900,
        check=False,
    )
    if built.returncode != 0 and "pull" in built.stderr.lower():
        pytest.skip(f"docker could not pull the base image: {built.stderr.strip()[-200:]}")
    assert built.returncode == 0, built.stderr
    yield tag
    subprocess.run(["docker", "rmi", "--force", tag], capture_output=True, check=False)


def docker_run(tag: str, mount: Path, *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        ["docker", "run", "--rm", "--network", "none", "-v", f"{mount}:/work:ro", tag, *args],
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )


@pytest.mark.slow
def test_image_validates_a_read_only_mount(image: str) -> None:
    broken = docker_run(image, EXAMPLES / "broken")
    assert broken.returncode == 1, broken.stderr
    assert "services.usm.yaml:" in broken.stdout
    clean = docker_run(image, EXAMPLES / "pilot", "validate", "--format", "json")
    assert clean.returncode == 0, clean.stderr
    assert json.loads(clean.stdout)["findings"] == []


@pytest.mark.slow
def test_image_user_is_not_root(image: str) -> None:
    done = subprocess.run(
        ["docker", "run", "--rm", "--entrypoint", "id", image, "-u"],
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    assert int(done.stdout) != 0
