"""docs/cli.md is generated from the Typer app and cannot drift from it."""

from __future__ import annotations

import re

import typer.main

from tests.support.paths import ROOT
from usmctl.check.config import KEYS
from usmctl.cli.app import app
from usmctl.cli.reference import EXIT_MEANINGS, cli_reference
from usmctl.core.errors import ExitCode
from usmctl.output.formats import FORMATS

CLI_MD = ROOT / "docs" / "cli.md"


def _generated() -> str:
    text = CLI_MD.read_text(encoding="utf-8")
    match = re.search(r"<!-- cli:start -->\n(.*?)<!-- cli:end -->", text, re.DOTALL)
    assert match, "docs/cli.md has no cli markers"
    return match.group(1)


def test_docs_cli_md_matches_the_app() -> None:
    assert _generated() == cli_reference(), "regenerate with `python tools/readme_sync.py .`"


def test_docs_cli_md_names_every_command_option_format_exit_code_and_key() -> None:
    """Belt and braces: the generator itself leaves nothing out."""
    text = _generated()
    root = typer.main.get_command(app)
    for name, command in getattr(root, "commands", {}).items():
        assert f"### usmctl {name}\n" in text, name
        for param in command.params:
            for opt in getattr(param, "opts", ()):
                if param.param_type_name == "option":
                    assert f"`{opt}`" in text, f"{name} {opt}"
    for entry in FORMATS:
        assert f"| `{entry.command}` | `{entry.name}` |" in text
    for code in ExitCode:
        assert f"| {int(code)} | " in text
    for key in KEYS:
        assert f"| `{key}` |" in text


def test_every_exit_code_has_a_meaning() -> None:
    assert set(EXIT_MEANINGS) == set(ExitCode)


def test_ci_md_configuration_table_lists_exactly_the_config_keys() -> None:
    text = (ROOT / "docs" / "ci.md").read_text(encoding="utf-8")
    section = text.split("## Configuration\n")[1].split("\n## ")[0]
    table = section.split("| key | type | meaning |")[1].split("\n\n")[0]
    keys = re.findall(r"^\| `([a-z-]+)` \|", table, flags=re.M)
    assert sorted(keys) == sorted(KEYS) and len(keys) == len(set(keys))


def test_readme_links_the_cli_reference() -> None:
    assert "(docs/cli.md)" in (ROOT / "README.md").read_text(encoding="utf-8")
