"""Generated documentation stays in sync with the rule registry."""

from __future__ import annotations

import re

import pytest

from tests.support.paths import ROOT
from usmctl.output.rule_docs import rules_document, rules_table


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
    from usmctl.check.settings import Settings
    from usmctl.output.findings import REPORTERS
    from usmctl.output.findings.options import ReportOptions

    monkeypatch.chdir(ROOT)
    result = check(["examples/broken"], Settings(use_cache=False), cwd=ROOT)
    text = REPORTERS["text"](result, ReportOptions())
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    assert _between(readme, "broken-output") == f"```text\n{text}```\n", (
        "regenerate with `python tools/readme_sync.py .`"
    )


# The docs/usm.md headings rule docstrings cite as `docs/usm.md, "<section>"`.
USM_HEADINGS = (
    "Sources",
    "The five processes",
    "Request types and triggers",
    "The eight workflows",
    "Nested walks",
    "Services are supported facilities",
    "Agreements and contracts",
    "Profiles, operators and RACI",
    "Links and recursion",
    "Governance, overlays, practices and tools",
    "Value streams",
    "USM-WIF",
)


def _sections(text: str) -> dict[str, str]:
    """Level-2 heading -> the text up to the next level-2 heading."""
    parts = re.split(r"^## (.+)$", text, flags=re.M)
    return {parts[i].strip(): parts[i + 1] for i in range(1, len(parts) - 1, 2)}


def test_usm_reference_has_every_cited_section_and_its_sources() -> None:
    sections = _sections((ROOT / "docs" / "usm.md").read_text(encoding="utf-8"))
    missing = [heading for heading in USM_HEADINGS if heading not in sections]
    assert not missing, f"docs/usm.md lacks the sections {missing}"
    links = re.findall(r"https?://[^\s>)\]]+", sections["Sources"])
    assert links, "docs/usm.md: the Sources section lists no address"
    for heading in USM_HEADINGS[1:]:
        assert sections[heading].strip(), f"docs/usm.md: section {heading!r} is empty"


def test_usm_reference_cites_only_listed_sources() -> None:
    """Every reference-style link used in docs/usm.md is defined, and every
    defined address is listed under Sources."""
    text = (ROOT / "docs" / "usm.md").read_text(encoding="utf-8")
    definitions = dict(re.findall(r"^\[([\w-]+)\]: (\S+)$", text, flags=re.M))
    used = set(re.findall(r"\]\[([\w-]+)\]", text))
    assert used, "docs/usm.md cites no source"
    assert not used - definitions.keys(), f"undefined sources: {used - definitions.keys()}"
    # The Sources list itself, without the link definitions that follow it.
    sources = re.sub(r"^\[[\w-]+\]: \S+$", "", _sections(text)["Sources"], flags=re.M)
    unlisted = [name for name, url in definitions.items() if url not in sources]
    assert not unlisted, f"sources cited but not listed under Sources: {unlisted}"


def test_changelog_has_an_entry_for_the_current_version() -> None:
    from usmctl import __version__

    changelog = (ROOT / "CHANGELOG.md").read_text(encoding="utf-8")
    assert re.search(
        rf"^## \[{re.escape(__version__)}\] - \d{{4}}-\d{{2}}-\d{{2}}$", changelog, re.M
    ), f"CHANGELOG.md has no '## [{__version__}] - YYYY-MM-DD' entry"


def test_user_documentation_does_not_cite_the_internal_spec() -> None:
    documents = [ROOT / "README.md", ROOT / "CHANGELOG.md", *sorted((ROOT / "docs").glob("*.md"))]
    for document in documents:
        text = document.read_text(encoding="utf-8")
        assert "SPEC.md" not in text, f"{document.name} links the internal SPEC.md"
    # The pages written as the product's own documentation name no SPEC at all.
    for name in ("README.md", "CHANGELOG.md", "docs/usm.md", "docs/format.md"):
        text = (ROOT / name).read_text(encoding="utf-8")
        assert re.search(r"\bSPEC\b", text) is None, f"{name} mentions SPEC"
