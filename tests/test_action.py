"""The GitHub Action (action.yml): its shape, and its shell steps run as a runner would.

No runner exists here, so a small one does: it evaluates the few expressions
the action uses, starts each ``run:`` step as GitHub does (``bash --noprofile
--norc -eo pipefail``, ``GITHUB_OUTPUT``, ``GITHUB_STEP_SUMMARY``,
``RUNNER_TEMP``, the step's ``env:``), stands in for the two ``uses:`` steps,
and stops at the first failing step. The Python it hands the install step is
a recording stand-in: the pip install is asserted by its command line, and
the usmctl it "installs" is this checkout's.
"""

from __future__ import annotations

import json
import os
import re
import shlex
import shutil
import subprocess
import sys
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest
import yaml

from tests.support.cli import cli_env
from tests.support.paths import EXAMPLES, ROOT

ACTION: dict[str, Any] = yaml.safe_load((ROOT / "action.yml").read_text(encoding="utf-8"))
STEPS: list[dict[str, Any]] = ACTION["runs"]["steps"]
EXPRESSION = re.compile(r"\$\{\{\s*(.*?)\s*\}\}")
REFERENCE = r"inputs\.[\w-]+|steps\.[\w-]+\.outputs\.[\w-]+"
CONDITION = re.compile(rf"({REFERENCE})\s*(==|!=)\s*'([^']*)'")
CACHE = shutil.ignore_patterns(".usmctl_cache")  # a run in examples/ leaves one
SETUP_PYTHON = "actions/setup-python@v5"
UPLOAD_SARIF = "github/codeql-action/upload-sarif@v3"


def expressions(value: object) -> list[str]:
    """Every ``${{ ... }}`` in a value of the action, however deep."""
    if isinstance(value, dict):
        return [e for item in value.values() for e in expressions(item)]
    if isinstance(value, list):
        return [e for item in value for e in expressions(item)]
    return EXPRESSION.findall(value) if isinstance(value, str) else []


# --- the action's shape --------------------------------------------------------


def test_action_is_composite_with_the_documented_inputs() -> None:
    assert ACTION["runs"]["using"] == "composite"
    inputs = ACTION["inputs"]
    assert {name: spec.get("default") for name, spec in inputs.items()} == {
        "paths": ".",
        "fail-on": "error",
        "config": "",
        "sarif": "false",
        "sarif-category": "usmctl",
        "python-version": "3.12",
    }
    assert all(spec.get("description") for spec in inputs.values())
    assert set(ACTION["outputs"]) == {"exit-code", "sarif-file"}
    docs = (ROOT / "docs" / "ci.md").read_text(encoding="utf-8")
    section = docs.split("\n## GitHub Action\n", 1)[1].split("\n## ", 1)[0]
    for name in [*inputs, *ACTION["outputs"]]:
        assert f"| `{name}` |" in section, f"docs/ci.md does not document the action's {name!r}"


def test_every_input_is_used_and_every_reference_is_declared() -> None:
    used = expressions(ACTION["runs"]) + [s["if"] for s in STEPS if "if" in s]
    referenced = {m for text in used for m in re.findall(r"inputs\.([\w-]+)", text)}
    assert referenced == set(ACTION["inputs"])
    step_ids = {step.get("id") for step in STEPS}
    for text in [*used, *expressions(ACTION["outputs"])]:
        for step_id in re.findall(r"steps\.([\w-]+)\.", text):
            assert step_id in step_ids, text


def test_no_expression_reaches_a_shell_script() -> None:
    """Inputs and step outputs reach ``run:`` as quoted environment variables only."""
    scripts = [step for step in STEPS if "run" in step]
    assert len(scripts) == 3
    for step in scripts:
        assert step["shell"] == "bash", step["name"]
        assert "${{" not in step["run"], step["name"]
        for name, value in step.get("env", {}).items():
            assert re.fullmatch(rf"\$\{{\{{ ({REFERENCE}) \}}\}}", value), (name, value)
            uses = re.findall(rf"(.)\${{?{name}\b", step["run"])
            assert uses and set(uses) == {'"'}, f"{name} unquoted in {step['name']!r}"


def test_the_uses_steps_are_the_known_actions_and_the_upload_is_optional() -> None:
    uses = {step["uses"]: step for step in STEPS if "uses" in step}
    assert set(uses) == {SETUP_PYTHON, UPLOAD_SARIF}
    assert uses[SETUP_PYTHON]["with"]["update-environment"] is False
    assert uses[UPLOAD_SARIF]["if"] == "inputs.sarif == 'true'"


# --- a runner for its steps ----------------------------------------------------


@dataclass
class StepRun:
    """One step as the runner saw it; ``code`` is None for a ``uses:`` step."""

    name: str
    ran: bool
    code: int | None = None
    stdout: str = ""
    stderr: str = ""
    with_: dict[str, str] = field(default_factory=dict)


@dataclass
class Runner:
    """Runs the action's steps in ``workspace`` with the given inputs."""

    workspace: Path
    temp: Path
    inputs: dict[str, str]
    outputs: dict[str, dict[str, str]] = field(default_factory=dict)
    steps: dict[str, StepRun] = field(default_factory=dict)

    def __post_init__(self) -> None:
        self.home = self.temp / "home"
        self.runner_temp = self.temp / "runner"
        self.summary = self.temp / "step_summary.md"
        self.python_log = self.temp / "python-calls.log"
        self.python = self.temp / "bin" / "python3"
        for folder in (self.home, self.runner_temp, self.python.parent):
            folder.mkdir(parents=True)
        self.summary.touch()
        self._write_python()

    def _write_python(self) -> None:
        """A python3 that records its arguments; ``-m venv DIR`` makes a venv
        whose python is this recorder again and whose usmctl is this checkout's."""
        usmctl = f'#!/bin/sh\nexec {shlex.quote(sys.executable)} -m usmctl "$@"\n'
        self.python.write_text(
            "#!/bin/bash\n"
            f"printf '%s\\n' \"$*\" >> {shlex.quote(str(self.python_log))}\n"
            'if [ "$1" = -m ] && [ "$2" = venv ]; then\n'
            '  mkdir -p "$3/bin" && cp "$0" "$3/bin/python"\n'
            f'  printf %s {shlex.quote(usmctl)} > "$3/bin/usmctl"\n'
            '  chmod +x "$3/bin/usmctl"\n'
            "fi\n",
            encoding="utf-8",
        )
        self.python.chmod(0o755)

    def value(self, reference: str) -> str:
        parts = reference.split(".")
        if parts[0] == "inputs":
            default = ACTION["inputs"][parts[1]].get("default", "")
            return self.inputs.get(parts[1], default)
        if parts[0] == "steps" and parts[2] == "outputs":
            return self.outputs.get(parts[1], {}).get(parts[3], "")
        raise AssertionError(f"the test runner cannot evaluate {reference!r}")

    def interpolate(self, text: str) -> str:
        return EXPRESSION.sub(lambda match: self.value(match.group(1)), text)

    def condition(self, text: str) -> bool:
        match = CONDITION.fullmatch(text.strip())
        assert match, f"the test runner cannot evaluate the condition {text!r}"
        # GitHub compares strings ignoring case.
        equal = self.value(match.group(1)).casefold() == match.group(3).casefold()
        return equal if match.group(2) == "==" else not equal

    def run(self) -> Runner:
        for index, step in enumerate(STEPS):
            name = step.get("name", step.get("uses", f"step {index}"))
            if "if" in step and not self.condition(step["if"]):
                self.steps[name] = StepRun(name, ran=False)
                continue
            done = self._uses(step, name) if "uses" in step else self._run(step, name)
            self.steps[name] = done
            if done.code:
                break  # later steps run only on success, as by default
        return self

    def _uses(self, step: dict[str, Any], name: str) -> StepRun:
        with_ = {key: self.interpolate(str(value)) for key, value in step["with"].items()}
        if step["uses"] == SETUP_PYTHON:
            self.outputs[step["id"]] = {"python-path": str(self.python)}
        return StepRun(name, ran=True, with_=with_)

    def _run(self, step: dict[str, Any], name: str) -> StepRun:
        script = self.temp / f"step-{len(self.steps)}.sh"
        # GitHub pastes expressions into the script's text before bash reads
        # it; so does this runner, for a hostile input to show what that does.
        script.write_text(self.interpolate(step["run"]), encoding="utf-8")
        output = self.temp / f"output-{len(self.steps)}"
        output.touch()
        env = cli_env(
            {
                "PATH": f"{self.python.parent}{os.pathsep}{os.environ['PATH']}",
                "HOME": str(self.home),
                "XDG_CACHE_HOME": str(self.home / ".cache"),
                "GITHUB_ACTIONS": "true",
                "GITHUB_WORKSPACE": str(self.workspace),
                "GITHUB_ACTION_PATH": str(ROOT),
                "GITHUB_OUTPUT": str(output),
                "GITHUB_STEP_SUMMARY": str(self.summary),
                "RUNNER_TEMP": str(self.runner_temp),
            }
        )
        env.update({key: self.interpolate(value) for key, value in step.get("env", {}).items()})
        done = subprocess.run(
            ["bash", "--noprofile", "--norc", "-eo", "pipefail", str(script)],
            cwd=self.workspace,
            env=env,
            capture_output=True,
            text=True,
            timeout=120,
            check=False,
        )
        lines = output.read_text(encoding="utf-8").splitlines()
        assert all("=" in line for line in lines), lines
        if "id" in step:
            self.outputs[step["id"]] = dict(line.split("=", 1) for line in lines)
        return StepRun(name, True, done.returncode, done.stdout, done.stderr)

    @property
    def failed(self) -> StepRun | None:
        return next((step for step in self.steps.values() if step.code), None)

    def sarif(self) -> dict[str, Any]:
        path = self.outputs["validate"]["sarif-file"]
        assert Path(path).parent.parent == self.runner_temp
        loaded: dict[str, Any] = json.loads(Path(path).read_text(encoding="utf-8"))
        return loaded


def act(tmp_path: Path, workspace: dict[str, str], **inputs: str) -> Runner:
    """The action's steps on a workspace of ``{folder: example}`` copies."""
    root = tmp_path / "workspace"
    root.mkdir(parents=True)
    for folder, example in workspace.items():
        shutil.copytree(EXAMPLES / example, root / folder, dirs_exist_ok=True, ignore=CACHE)
    return Runner(root, tmp_path / "runner", inputs).run()


VALIDATE = "usmctl validate"
UPLOAD = "Upload SARIF to code scanning"
GATE = "Fail on findings"
TABLE_HEADER = "| severity | rule | location | message | entity |"


def test_broken_architecture_fails_after_sarif_summary_annotations_and_upload(
    tmp_path: Path,
) -> None:
    runner = act(tmp_path, {".": "broken"}, sarif="True", **{"sarif-category": "arch"})
    install = runner.python_log.read_text(encoding="utf-8").splitlines()
    venv = runner.runner_temp / "usmctl-venv"
    assert install == [
        f"-m venv {venv}",
        f"-m pip install --quiet --disable-pip-version-check {ROOT}",
    ]
    validate = runner.steps[VALIDATE]
    assert validate.code == 0, validate.stderr
    assert runner.outputs["validate"]["exit-code"] == "1"
    sarif = runner.sarif()
    assert sarif["version"] == "2.1.0"
    results = sarif["runs"][0]["results"]
    assert results and all(r["ruleId"].startswith("USM") for r in results)
    summary = runner.summary.read_text(encoding="utf-8")
    assert summary.count(TABLE_HEADER) == 1, summary
    assert "USM404" in summary
    annotations = validate.stdout.splitlines()
    assert annotations and annotations[0].startswith(("::error ", "::warning ", "::notice "))
    assert any(line.startswith("::error file=") and ".usm.yaml," in line for line in annotations)
    upload = runner.steps[UPLOAD]
    assert upload.ran  # GitHub compares strings ignoring case: "True" is true
    assert upload.with_ == {
        "sarif_file": runner.outputs["validate"]["sarif-file"],
        "category": "arch",
    }
    assert runner.steps[GATE].code == 1  # after the upload
    assert runner.failed is runner.steps[GATE]


def test_clean_architecture_passes(tmp_path: Path) -> None:
    runner = act(tmp_path, {".": "pilot"}, **{"python-version": ""})
    assert runner.failed is None
    assert not runner.steps["Set up Python for usmctl"].ran
    assert runner.python_log.read_text(encoding="utf-8").startswith("-m venv ")  # from PATH
    assert runner.outputs["validate"]["exit-code"] == "0"
    assert runner.sarif()["runs"][0]["results"] == []
    assert "All checks passed" in runner.summary.read_text(encoding="utf-8")
    assert runner.steps[VALIDATE].stdout == ""
    assert not runner.steps[UPLOAD].ran
    assert runner.steps[GATE].code == 0


def test_paths_split_on_whitespace_and_newlines(tmp_path: Path) -> None:
    runner = act(
        tmp_path,
        {"clean": "pilot", "broken": "broken"},
        paths=" clean/architecture.usm.yaml  clean/bindings.usm.yaml\n\tclean/services.usm.yaml\n"
        "clean/workflows.usm.yaml\n",
    )
    assert runner.outputs["validate"]["exit-code"] == "0", runner.steps[VALIDATE].stderr
    assert "no findings in 4 files" in runner.summary.read_text(encoding="utf-8")


def warnings_only(tmp_path: Path, config: str = 'select = ["USM404"]\n') -> Path:
    """The broken example with a config, ci/usmctl.toml, selecting one warning rule."""
    root = tmp_path / "workspace"
    shutil.copytree(EXAMPLES / "broken", root, ignore=CACHE)
    (root / "ci").mkdir()
    (root / "ci" / "usmctl.toml").write_text(config, encoding="utf-8")
    return root


@pytest.mark.parametrize(("fail_on", "status"), [("error", 0), ("warning", 1)])
def test_config_is_read_and_exit_status_follows_fail_on(
    tmp_path: Path, fail_on: str, status: int
) -> None:
    inputs = {"config": "ci/usmctl.toml", "fail-on": fail_on}
    runner = Runner(warnings_only(tmp_path), tmp_path / "runner", inputs).run()
    assert {r["ruleId"] for r in runner.sarif()["runs"][0]["results"]} == {"USM404"}
    assert runner.outputs["validate"]["exit-code"] == str(status)
    assert runner.steps[GATE].code == status


def test_a_bad_config_stops_the_validate_step(tmp_path: Path) -> None:
    root = warnings_only(tmp_path, "select = 7\n")
    runner = Runner(root, tmp_path / "runner", {"config": "ci/usmctl.toml"}).run()
    validate = runner.steps[VALIDATE]
    assert runner.failed is validate and validate.code == 2
    assert validate.stderr.startswith("usmctl: ") and "Traceback" not in validate.stderr
    assert runner.steps[VALIDATE].stdout == ""
    assert runner.summary.read_text(encoding="utf-8") == ""


# Each would run `touch` if the value were pasted into the script's text.
HOSTILE = [
    'x"; touch {marker}; "',
    "$(touch {marker})",
    "`touch {marker}`",
    "x' ; touch {marker} ; '",
    "x\ntouch {marker}",
]


@pytest.mark.parametrize("template", HOSTILE)
def test_a_hostile_input_runs_nothing(tmp_path: Path, template: str) -> None:
    names = ("paths", "fail-on", "config", "sarif-category")
    markers = {name: tmp_path / f"pwned-{name}" for name in names}
    inputs = {name: template.format(marker=marker) for name, marker in markers.items()}
    runner = act(tmp_path, {".": "pilot"}, **inputs)
    assert not [marker for marker in markers.values() if marker.exists()]
    validate = runner.steps[VALIDATE]
    assert runner.failed is validate and validate.code == 2, validate.stderr
    assert validate.stderr.startswith("usmctl: ") and "Traceback" not in validate.stderr


def test_a_path_is_never_read_as_an_option(tmp_path: Path) -> None:
    target = tmp_path / "written.json"
    runner = act(tmp_path, {".": "pilot"}, paths=f"--format=json --output={target} .")
    assert not target.exists()
    assert runner.steps[VALIDATE].code == 2
    assert "path does not exist: --format=json" in runner.steps[VALIDATE].stderr


def test_a_glob_in_paths_is_not_expanded(tmp_path: Path) -> None:
    runner = act(tmp_path, {"arch": "pilot"}, paths="arch/*.usm.yaml")
    assert runner.steps[VALIDATE].code == 2
    assert "arch/*.usm.yaml" in runner.steps[VALIDATE].stderr
