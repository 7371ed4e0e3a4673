"""Generated documentation stays in sync with the rule registry."""

from __future__ import annotations

import re

import pytest

from usmctl.docs import rules_document, rules_table

from .conftest import ROOT


def _between(text: str, name: str) -> str:
    match = re.search(rf"<!-- {name}:start -->\n(.*?)<!-- {name}:end -->", text, re.DOTALL)
    assert match, f"README has no {name} markers"
    return match.group(1)


def test_readme_rule_table_matches_the_registry() -> None:
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    assert _between(readme, "rules") == rules_table(), "regenerate the README rules table"


def test_docs_rules_md_matches_the_registry() -> None:
    assert (ROOT / "docs" / "rules.md").read_text(encoding="utf-8") == rules_document()


def test_readme_has_exactly_two_setup_commands() -> None:
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    setup = readme.split("## Set up (fresh machine)")[1].split("\n## ")[0]
    commands = re.findall(r"```sh\n(.*?)\n```", setup, re.DOTALL)
    assert len(commands) == 2
    assert "usmctl validate examples/pilot" in commands[0]
    test_command = commands[1]
    assert "pytest" in test_command
    ci = (ROOT / ".ci" / "run").read_text(encoding="utf-8")
    assert "python3 -m venv .venv" in ci and '-e ".[test]"' in ci and "python -m pytest" in ci


def test_readme_broken_example_output_is_current(monkeypatch: pytest.MonkeyPatch) -> None:
    from usmctl.api import check
    from usmctl.reporters import REPORTERS, ReportOptions
    from usmctl.settings import Settings

    monkeypatch.chdir(ROOT)
    result = check(["examples/broken"], Settings(use_cache=False), cwd=ROOT)
    text = REPORTERS["text"](result, ReportOptions())
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    assert _between(readme, "broken-output") == f"```text\n{text}```\n", (
        "regenerate with `python -m usmctl.readme_sync .`"
    )
