"""`usmctl init`: the pilot architecture, written atomically, never clobbering."""

from __future__ import annotations

import os
from pathlib import Path

from tests.support.cli import run_cli
from tests.support.factories import checked
from tests.support.paths import EXAMPLES
from usmctl.check.cache import CACHE_DIR
from usmctl.output.scaffold import pilot_files


def snapshot(directory: Path) -> dict[str, bytes]:
    return {path.name: path.read_bytes() for path in sorted(directory.iterdir())}


def test_pilot_package_data_equals_the_pilot_example() -> None:
    example = {
        path.name: path.read_text("utf-8")
        for path in (EXAMPLES / "pilot").iterdir()
        if path.name != CACHE_DIR  # a run in the example leaves its parse cache
    }
    assert pilot_files() == dict(sorted(example.items()))


def test_init_writes_a_pilot_that_validates_clean(tmp_path: Path) -> None:
    target = tmp_path / "new" / "pilot"
    run = run_cli("init", str(target))
    assert run.returncode == 0, run.stderr
    assert snapshot(target) == {name: text.encode() for name, text in pilot_files().items()}
    assert checked(target).findings == ()
    umask = os.umask(0)
    os.umask(umask)
    for path in target.iterdir():  # a plain file's mode, not mkstemp's 0600
        if path.name == CACHE_DIR:
            continue  # written by checked, not by init
        assert path.stat().st_mode & 0o777 == 0o666 & ~umask
    validate = run_cli("validate", str(target))
    assert validate.returncode == 0, validate.stdout
    assert "no findings" in validate.stdout


def test_init_defaults_to_the_working_directory(tmp_path: Path) -> None:
    run = run_cli("init", cwd=tmp_path)
    assert run.returncode == 0, run.stderr
    assert sorted(path.name for path in tmp_path.iterdir()) == sorted(pilot_files())


def test_second_init_refuses_and_changes_nothing(tmp_path: Path) -> None:
    assert run_cli("init", str(tmp_path)).returncode == 0
    (tmp_path / "services.usm.yaml").write_text("# mine\n", encoding="utf-8")
    before = snapshot(tmp_path)
    run = run_cli("init", str(tmp_path))
    assert run.returncode == 2
    first = tmp_path / sorted(pilot_files())[0]
    assert run.stderr == f'usmctl: "{first}" exists; use --force to overwrite it\n'
    assert run.stdout == ""
    assert snapshot(tmp_path) == before


def test_one_existing_file_blocks_every_file(tmp_path: Path) -> None:
    (tmp_path / "workflows.usm.yaml").write_text("# mine\n", encoding="utf-8")
    run = run_cli("init", str(tmp_path))
    assert run.returncode == 2
    assert 'workflows.usm.yaml" exists' in run.stderr
    assert [path.name for path in tmp_path.iterdir()] == ["workflows.usm.yaml"]


def test_force_overwrites(tmp_path: Path) -> None:
    (tmp_path / "services.usm.yaml").write_text("# mine\n", encoding="utf-8")
    run = run_cli("init", str(tmp_path), "--force")
    assert run.returncode == 0, run.stderr
    assert snapshot(tmp_path) == {name: text.encode() for name, text in pilot_files().items()}


def test_init_into_a_file_is_a_usage_error(tmp_path: Path) -> None:
    blocker = tmp_path / "file"
    blocker.write_text("x", encoding="utf-8")
    run = run_cli("init", str(blocker))
    assert run.returncode == 2
    assert run.stderr.count("\n") == 1 and "not a directory" in run.stderr


def test_an_existing_configuration_is_kept(tmp_path: Path) -> None:
    """usmctl.toml is the user's: init writes the pilot beside it, not over it."""
    (tmp_path / "usmctl.toml").write_text('fail-on = "warning"\n', encoding="utf-8")
    run = run_cli("init", str(tmp_path))
    assert run.returncode == 0, run.stderr
    assert (tmp_path / "usmctl.toml").read_text(encoding="utf-8") == 'fail-on = "warning"\n'
    assert sorted(path.name for path in tmp_path.iterdir()) == sorted(pilot_files())
