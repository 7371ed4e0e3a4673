"""Side files from a hostile tree (issue 12, items 3 and 7).

The config, the catalogue and the baseline are read only when they are
regular files within a size limit, and a link in the tree never leads usmctl
out of it; odd values in them are one-line errors (exit 2), never an
internal error.
"""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from tests.support.cli import assert_one_line_error, run_cli
from usmctl.load.sidefiles import MAX_SIDE_FILE_BYTES

ARCH = """\
usm: "1"
profiles:
  - id: acme-it
    kind: provider
"""
CATALOGUE = """\
usm-catalogue: "2"
workflow_types:
  - id: incident
    kind: reactive
    trigger: incident
    chain: [recover]
"""
BASELINE = '{"version": 1, "fingerprints": {}}\n'


@pytest.fixture
def tree(tmp_path: Path) -> Path:
    """``tmp_path/tree``: the repository, with ``tmp_path/outside`` beside it."""
    (tmp_path / "outside").mkdir()
    (tmp_path / "outside" / "catalogue.yaml").write_text(CATALOGUE, encoding="utf-8")
    (tmp_path / "outside" / "usmctl.toml").write_text('select = ["USM0"]\n', encoding="utf-8")
    (tmp_path / "outside" / "baseline.json").write_text(BASELINE, encoding="utf-8")
    root = tmp_path / "tree"
    root.mkdir()
    (root / ".git").mkdir()
    (root / "a.usm.yaml").write_text(ARCH, encoding="utf-8")
    return root


def refused(process: object, *, contains: str) -> None:
    assert process.returncode == 2, process.stdout  # type: ignore[attr-defined]
    assert_one_line_error(process.stderr, contains=contains)  # type: ignore[attr-defined]


def validate(root: Path, *args: str) -> object:
    # A side file that blocks or never ends makes this run hit the timeout.
    return run_cli("validate", "--no-cache", *args, ".", cwd=root, timeout=60)


@pytest.mark.parametrize("option", ["--catalogue", "--config", "--baseline"])
def test_a_device_named_on_the_command_line_is_not_read(tree: Path, option: str) -> None:
    refused(validate(tree, option, "/dev/zero"), contains="not a regular file")


@pytest.mark.parametrize("option", ["--catalogue", "--config", "--baseline"])
def test_a_fifo_named_on_the_command_line_does_not_block(tree: Path, option: str) -> None:
    os.mkfifo(tree / "side")
    refused(validate(tree, option, "side"), contains="not a regular file")


@pytest.mark.parametrize("option", ["--catalogue", "--config", "--baseline"])
def test_a_side_file_over_the_limit_is_not_read(tree: Path, option: str) -> None:
    with (tree / "big").open("wb") as big:
        big.truncate(MAX_SIDE_FILE_BYTES + 1)  # sparse: costs no disk
    refused(validate(tree, option, "big"), contains=f"larger than {MAX_SIDE_FILE_BYTES:,} bytes")


@pytest.mark.parametrize("target", ["/dev/zero", "../outside/catalogue.yaml"])
def test_config_catalogue_outside_the_repository_is_refused(tree: Path, target: str) -> None:
    (tree / "usmctl.toml").write_text(f'catalogue = "{target}"\n', encoding="utf-8")
    refused(validate(tree), contains="outside the repository")


@pytest.mark.parametrize(
    ("option", "name", "target"),
    [
        ("--baseline", "baseline.json", "baseline.json"),
        ("--catalogue", "catalogue.yaml", "catalogue.yaml"),
        ("--config", "ci.toml", "usmctl.toml"),
    ],
)
def test_a_committed_link_out_of_the_repository_is_not_followed(
    tree: Path, option: str, name: str, target: str
) -> None:
    (tree / name).symlink_to(tree.parent / "outside" / target)
    refused(validate(tree, option, name), contains="link out of the repository")
    # Named on the command line, the target itself is read.
    process = validate(tree, option, str(tree.parent / "outside" / target))
    assert process.returncode in (0, 1), process.stderr  # type: ignore[attr-defined]


def test_a_discovered_config_link_out_of_the_repository_is_not_followed(tree: Path) -> None:
    (tree / "usmctl.toml").symlink_to(tree.parent / "outside" / "usmctl.toml")
    refused(validate(tree), contains="link out of the repository")


def test_a_config_catalogue_link_out_of_the_repository_is_not_followed(tree: Path) -> None:
    (tree / "catalogue.yaml").symlink_to(tree.parent / "outside" / "catalogue.yaml")
    (tree / "usmctl.toml").write_text('catalogue = "catalogue.yaml"\n', encoding="utf-8")
    refused(validate(tree), contains="link out of the repository")


def test_links_inside_the_repository_are_followed(tree: Path) -> None:
    (tree / "side").mkdir()
    (tree / "side" / "catalogue.yaml").write_text(CATALOGUE, encoding="utf-8")
    (tree / "side" / "baseline.json").write_text(BASELINE, encoding="utf-8")
    (tree / "catalogue.yaml").symlink_to("side/catalogue.yaml")
    (tree / "baseline.json").symlink_to("side/baseline.json")
    (tree / "usmctl.toml").write_text('catalogue = "catalogue.yaml"\n', encoding="utf-8")
    process = validate(tree, "--baseline", "baseline.json")
    assert process.returncode in (0, 1), process.stderr  # type: ignore[attr-defined]
    assert "Traceback" not in process.stderr  # type: ignore[attr-defined]


# Item 7: odd values in side files.


@pytest.mark.parametrize(
    ("config", "contains"),
    [
        (
            '[[custom-rules]]\ncode = "ACME001"\nsection = ["services"]\n'
            'message = "m"\nschema = {type = "object"}\n',
            "custom-rules[0].section: must be one of",
        ),
        ("max-file-size = 1e12\n", "max-file-size: must be"),
        ("max-file-size = 1000000000000000000000000000000\n", "max-file-size: must be"),
        ("x = " + "[" * 5000 + "]" * 5000 + "\n", "nested too deeply"),
        ("x = " + "{a = " * 3000 + "1" + "}" * 3000 + "\n", "nested too deeply"),
        ("x = " + "9" * 5000 + "\n", "not valid TOML"),
    ],
)
def test_odd_config_values_are_config_errors(tree: Path, config: str, contains: str) -> None:
    (tree / "usmctl.toml").write_text(config, encoding="utf-8")
    refused(validate(tree), contains=contains)


@pytest.mark.parametrize(
    "document",
    [
        "[" * 100_000 + "]" * 100_000,
        '{"version": 1, "fingerprints": {}, "x": ' + "9" * 5000 + "}",
        '{"version": 1, "fingerprints": {"a": ' + "[" * 100_000 + "]" * 100_000 + "}}",
    ],
)
def test_odd_baselines_are_config_errors(tree: Path, document: str) -> None:
    (tree / "b.json").write_text(document, encoding="utf-8")
    refused(validate(tree, "--baseline", "b.json"), contains="b.json")


@pytest.mark.parametrize("value", ["0x_", "0b_"])
def test_catalogue_with_an_odd_plain_scalar_is_a_config_error(tree: Path, value: str) -> None:
    (tree / "c.yaml").write_text(f'usm-catalogue: "2"\nworkflow_types: {value}\n', "utf-8")
    refused(validate(tree, "--catalogue", "c.yaml"), contains="invalid catalogue")
