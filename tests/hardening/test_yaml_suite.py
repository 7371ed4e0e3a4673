"""The YAML test suite corpus (SPEC §6): never a traceback, USM001 where the parser says no.

``../shared/corpora/yaml-test-suite/`` holds one YAML input per file; ERRORS.txt
names the malformed ones. Every file goes through ``api.check`` (the loader,
builder and rules) and once through the real command line. The parser's own
verdict (libyaml's event stream, the one our loader reads) is the reference:
a file it rejects must give USM001 (USM009 when it is the nesting limit), a
file it accepts must not. The counts are in docs/yaml-test-suite.md.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest
import yaml

from tests.support.cli import run_cli
from tests.support.paths import ROOT
from usmctl.api import check
from usmctl.check.settings import Settings
from usmctl.load.yamlio import make_parser

CORPUS = ROOT.parent / "shared" / "corpora" / "yaml-test-suite"

pytestmark = [
    pytest.mark.slow,
    pytest.mark.skipif(
        not (CORPUS / "ERRORS.txt").is_file(), reason=f"YAML test suite corpus absent: {CORPUS}"
    ),
]


def corpus() -> tuple[list[Path], set[str]]:
    """Every input file, and the stems of the malformed ones."""
    malformed = set((CORPUS / "ERRORS.txt").read_text(encoding="utf-8").split())
    return sorted(CORPUS.glob("*.yaml")), malformed


def parser_rejects(path: Path) -> bool:
    """libyaml's verdict on the whole stream (every document, events only)."""
    parser = make_parser(path.read_bytes().decode("utf-8-sig"))
    try:
        while parser.check_event():
            parser.get_event()
    except yaml.YAMLError:
        return True
    finally:
        parser.dispose()
    return False


def test_every_input_gives_findings_not_tracebacks() -> None:
    files, malformed = corpus()
    assert len(files) > 300 and malformed
    settings = Settings()
    wrong: list[str] = []
    counts = {"malformed": 0, "rejected": 0, "valid": 0, "accepted": 0}
    for path in files:
        result = check([path.name], settings, cwd=CORPUS)
        assert all(finding.line >= 1 and finding.column >= 1 for finding in result.findings)
        codes = {finding.code for finding in result.findings}
        syntax = "USM001" in codes or any(
            finding.code == "USM009" and "nesting" in finding.message for finding in result.findings
        )
        bad = path.stem in malformed
        counts["malformed" if bad else "valid"] += 1
        if bad and syntax:
            counts["rejected"] += 1
        if not bad and not syntax:
            counts["accepted"] += 1
        rejects = parser_rejects(path)
        if rejects != syntax:
            wrong.append(f"{path.name}: parser rejects={rejects}, we found {sorted(codes)}")
        if bad:
            # Whatever the parser says, a malformed file is never a clean architecture.
            assert result.fails("error"), path.name
    print(
        f"malformed rejected {counts['rejected']}/{counts['malformed']}, "
        f"valid accepted {counts['accepted']}/{counts['valid']}"
    )
    assert not wrong, "\n".join(wrong)


def test_whole_corpus_through_the_command_line() -> None:
    files, _malformed = corpus()
    process = run_cli(
        "validate", "--format", "json", *(path.name for path in files), cwd=CORPUS, timeout=120
    )
    assert "Traceback" not in process.stderr, process.stderr
    assert process.stderr == ""
    assert process.returncode == 1
    payload = json.loads(process.stdout)
    assert payload["summary"]["files"] == len(files)
    reported = {finding["file"] for finding in payload["findings"]}
    assert reported == {path.name for path in files}  # not one is a clean architecture
