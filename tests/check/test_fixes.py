"""Safe fixes on findings: each fix, applied to the file, removes its finding
and adds none; fixes are exact edits, survive the findings cache, and stay
out of fingerprints and output formats."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from tests.support.cli import invoke
from tests.support.paths import EXAMPLES
from usmctl.api import check
from usmctl.check.cache import CachedRun, FindingsCache
from usmctl.check.settings import Settings
from usmctl.core.findings import Finding, Severity
from usmctl.core.fixes import Edit, Fix, apply

BASE = """\
usm: "1"
profiles:
  - {id: shoppers, kind: customer, name: Shoppers}
  - {id: shop-it, kind: provider, name: Shop IT}
  - {id: manager, kind: operator, of: shop-it}
processes:
  - {provider: shop-it, process: recover, owner: manager}
  - provider: shop-it
    process: agree
    owner: manager
    inputs: [shop-it:recover]
services:
  - id: webshop
    name: Web shop
    provider: shop-it
    customers: [shoppers]
    agreement: sa-webshop
    facility:
      description: An online shop
    support:
      description: Help with orders
      hours: "0800-1700"
agreements:
  - {id: sa-webshop, provider: shop-it, customer: shoppers, services: [webshop]}
workflows:
  - id: wf-incident
    provider: shop-it
    type: incident
    owner_process: recover
    steps:
      - {name: Restore, process: recover, responsibilities: {manager: [R, A]}}
      - {name: Deploy, process: operate, responsibilities: {manager: [R, A]}}
      - {name: Close, process: recover, responsibilities: {manager: [R, A]}}
"""


def findings(root: Path) -> tuple[Finding, ...]:
    return check(["."], Settings(), cwd=root).findings


def fixed_once(tmp_path: Path, text: str, code: str) -> tuple[Finding, str, set[str], set[str]]:
    """Write ``text``, take the one ``code`` finding, apply its fix; the finding,
    the fixed text, and the fingerprints before and after."""
    target = tmp_path / "arch.usm.yaml"
    target.write_text(text, encoding="utf-8")
    before = findings(tmp_path)
    [finding] = [item for item in before if item.code == code]
    assert finding.fix is not None, f"{code} has no fix"
    fixed = apply(text, finding.fix.edits)
    target.write_text(fixed, encoding="utf-8")
    after = findings(tmp_path)
    return finding, fixed, {f.fingerprint for f in before}, {f.fingerprint for f in after}


def test_the_base_has_no_finding_a_fix_is_checked_against(tmp_path: Path) -> None:
    (tmp_path / "arch.usm.yaml").write_text(BASE, encoding="utf-8")
    codes = {finding.code for finding in findings(tmp_path)}
    assert not codes & {"USM003", "USM004", "USM006", "USM013", "USM203", "USM305", "USM401"}


# (rule, the base's text, the defect written instead, the fix's title[, what
# the fix writes when not the base's text])
CASES = [
    pytest.param(
        "USM203",
        "{provider: shop-it, process: recover, owner: manager}",
        "{provider: shop-it, process: INC, owner: manager}",
        'Replace "INC" by "recover"',
        id="process-alias",
    ),
    pytest.param(
        "USM203",
        "inputs: [shop-it:recover]",
        "inputs: [shop-it:incident-management]",
        'Replace "shop-it:incident-management" by "shop-it:recover"',
        id="process-alias-in-a-reference",
    ),
    pytest.param(
        "USM006",
        "    provider: shop-it\n    customers",
        "    provider: shop-itt\n    customers",
        'Replace "shop-itt" by "shop-it"',
        id="did-you-mean-reference",
    ),
    pytest.param(
        "USM006",
        "customers: [shoppers]",
        "customers: [shopers]",
        'Replace "shopers" by "shoppers"',
        id="did-you-mean-list-item",
    ),
    pytest.param(
        "USM006",
        "agreement: sa-webshop",
        "agreement: 'sa-webshopp'",
        'Replace "sa-webshopp" by "sa-webshop"',
        "agreement: 'sa-webshop'",
        id="did-you-mean-keeps-the-quotes",
    ),
    pytest.param(
        "USM004",
        "    name: Web shop",
        "    nmae: Web shop",
        'Replace "nmae" by "name"',
        id="did-you-mean-key",
    ),
    pytest.param(
        "USM004",
        "agreements:\n",
        "agreemnts:\n",
        'Replace "agreemnts" by "agreements"',
        id="did-you-mean-section",
    ),
    pytest.param(
        "USM305",
        "    owner_process: recover",
        "    owner_process: change",
        'Replace "change" by "recover"',
        id="owner-process",
    ),
    pytest.param(
        "USM013",
        'hours: "0800-1700"',
        "hours: 0800",
        "Quote it (text to YAML 1.1 and 1.2 alike)",
        'hours: "0800"',
        id="quote-ambiguous-scalar",
    ),
    pytest.param(
        "USM003",
        "    name: Web shop",
        "    name: on",
        "Quote it (text to YAML 1.1 and 1.2 alike)",
        '    name: "on"',
        id="quote-a-yaml-1.1-boolean",
    ),
]


@pytest.mark.parametrize(("code", "good", "bad", "title", "written"), [
    pytest.param(*case.values, *([] if len(case.values) == 5 else [None]), id=case.id)
    for case in CASES
])  # fmt: skip
def test_a_fix_removes_its_finding_and_adds_none(
    tmp_path: Path, code: str, good: str, bad: str, title: str, written: str | None
) -> None:
    """The fix writes what it says where the defect is; the finding is gone and
    no finding appears but those of the base (held back by the defect: one
    defect, one finding)."""
    assert good in BASE
    finding, fixed, before, after = fixed_once(tmp_path, BASE.replace(good, bad, 1), code)
    assert finding.fix is not None and finding.fix.title == title
    assert fixed == BASE.replace(good, written or good, 1)
    assert finding.fingerprint not in after
    (tmp_path / "arch.usm.yaml").write_text(BASE, encoding="utf-8")
    assert after - before <= {f.fingerprint for f in findings(tmp_path)}


def test_a_quoted_scalar_keeps_the_text_it_had(tmp_path: Path) -> None:
    text = BASE.replace('hours: "0800-1700"', "hours: 0800  # opening")
    _finding, fixed, _before, _after = fixed_once(tmp_path, text, "USM013")
    assert 'hours: "0800"  # opening' in fixed


MISSING_PARTS = [
    pytest.param(
        "USM401",
        "    facility:\n      description: An online shop\n",
        "",
        "    facility:\n      description: TBD",
        id="absent-facility",
    ),
    pytest.param(
        "USM402",
        '    support:\n      description: Help with orders\n      hours: "0800-1700"\n',
        "    support: null  # later\n",
        "    support:\n      description: TBD  # later",
        id="null-support",
    ),
    pytest.param(
        "USM401",
        "    facility:\n      description: An online shop\n",
        "    facility:\n",
        "    facility:\n      description: TBD",
        id="empty-facility",
    ),
    pytest.param(
        "USM402",
        "      description: Help with orders\n",
        "",
        '      hours: "0800-1700"\n      description: TBD',
        id="support-without-description",
    ),
]


@pytest.mark.parametrize(("code", "good", "bad", "written"), MISSING_PARTS)
def test_a_missing_part_gets_a_description_to_write(
    tmp_path: Path, code: str, good: str, bad: str, written: str
) -> None:
    """The skeleton's description is a placeholder: USM407 reports it until the
    architect writes what the service offers, and nothing else appears."""
    assert good in BASE
    finding, fixed, before, after = fixed_once(tmp_path, BASE.replace(good, bad, 1), code)
    assert written in fixed
    assert finding.fingerprint not in after
    new = {f.code for f in findings(tmp_path) if f.fingerprint in after - before}
    assert new == {"USM407"}


def test_a_part_is_added_to_a_service_in_a_list_item_at_its_indentation(tmp_path: Path) -> None:
    text = (
        BASE.replace("    facility:\n      description: An online shop\n", "")
        .replace("services:\n  - id: webshop", "services:\n- id: webshop")
        .replace(
            "\n    name: Web shop\n    provider: shop-it\n    customers: [shoppers]\n"
            "    agreement: sa-webshop\n    support:\n      description: Help with orders\n"
            '      hours: "0800-1700"\n',
            "\n  name: Web shop\n  provider: shop-it\n  customers: [shoppers]\n"
            "  agreement: sa-webshop\n  support:\n    description: Help with orders\n"
            '    hours: "0800-1700"\n\n  # the agreements\n',
        )
    )
    _finding, fixed, _before, _after = fixed_once(tmp_path, text, "USM401")
    assert (
        '    hours: "0800-1700"\n  facility:\n    description: TBD\n\n  # the agreements' in fixed
    )


def test_no_fix_where_the_edit_is_not_certain(tmp_path: Path) -> None:
    text = BASE.replace(
        "    facility:\n      description: An online shop\n", ""
    ).replace(  # a flow mapping gets no block key; a tagged value is not replaced
        "  - id: webshop\n    name: Web shop\n    provider: shop-it\n    customers: [shoppers]\n"
        "    agreement: sa-webshop\n    support:\n      description: Help with orders\n"
        '      hours: "0800-1700"\n',
        "  - {id: webshop, provider: shop-it, customers: [shoppers], agreement: sa-webshop,\n"
        "     support: {description: Help}}\n",
    )
    text = text.replace("process: recover, owner", "process: !!str INC, owner")
    (tmp_path / "arch.usm.yaml").write_text(text, encoding="utf-8")
    found = {finding.code: finding for finding in findings(tmp_path)}
    assert found["USM401"].fix is None
    assert found["USM203"].fix is None


def test_a_key_the_mapping_has_already_is_no_rename(tmp_path: Path) -> None:
    text = BASE.replace("    name: Web shop\n", "    name: Web shop\n    nmae: Shop\n")
    (tmp_path / "arch.usm.yaml").write_text(text, encoding="utf-8")
    [finding] = [item for item in findings(tmp_path) if item.code == "USM004"]
    assert "did you mean" in finding.message and finding.fix is None


def test_a_findings_only_run_plans_no_fix_cold_or_warm(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """`usmctl validate` shows no fix, so it plans none (a fix costs a second
    reading of its file); the editor and the report get theirs."""
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "home-cache"))
    root = tmp_path / "arch"
    root.mkdir()
    (root / "arch.usm.yaml").write_text(
        BASE.replace("process: recover, owner", "process: INC, owner")
    )
    cold = check(["."], Settings(), cwd=root, findings_only=True)
    warm = check(["."], Settings(), cwd=root, findings_only=True)
    assert warm.architecture is None  # from the cache
    assert warm.findings == cold.findings
    assert cold.findings and all(f.fix is None for f in cold.findings)
    full = check(["."], Settings(), cwd=root)
    assert any(f.fix is not None for f in full.findings)


def test_the_cache_refuses_a_damaged_fix(tmp_path: Path) -> None:
    cache = FindingsCache(tmp_path, "identity", secret=b"k" * 32)
    finding = Finding(
        "USM203", "process-alias", Severity.WARNING, "m", "a.usm.yaml", 1, 1, None, "p", "f",
        fix=Fix("Replace", (Edit(1, 1, 1, 4, "recover"),)),
    )  # fmt: skip
    cache.put("state", CachedRun((finding,), 0, frozenset()))
    got = cache.get("state")
    assert got is not None and got.findings[0].fix == finding.fix
    payload = cache.store.read(cache.key)
    assert payload is not None
    damaged = payload.replace(b'"recover"', b"7")
    cache.store.write(cache.key, damaged)
    assert cache.get("state") is None


def test_fixes_are_in_no_output_format(tmp_path: Path) -> None:
    (tmp_path / "arch.usm.yaml").write_text(
        BASE.replace("process: recover, owner", "process: INC, owner"), encoding="utf-8"
    )
    outcome = invoke("validate", "--format", "json", cwd=tmp_path)
    [alias] = [f for f in json.loads(outcome.stdout)["findings"] if f["code"] == "USM203"]
    assert "fix" not in alias


# -- apply ---------------------------------------------------------------------


def test_apply_replaces_and_inserts_against_the_original_text() -> None:
    text = "a: 1\r\nbb: 2\nc: 3"
    edits = [Edit(2, 1, 2, 3, "b"), Edit(1, 5, 1, 5, "\r\nz: 0"), Edit(3, 5, 3, 5, "\n")]
    assert apply(text, edits) == "a: 1\r\nz: 0\r\nb: 2\nc: 3\n"


@pytest.mark.parametrize(
    "edits",
    [
        [Edit(1, 1, 1, 3, "x"), Edit(1, 2, 1, 4, "y")],  # overlap
        [Edit(3, 1, 3, 1, "x")],  # no line 3
        [Edit(1, 6, 1, 6, "x")],  # past the line's end
        [Edit(1, 3, 1, 2, "x")],  # ends before it starts
    ],
)
def test_apply_refuses_edits_it_cannot_make(edits: list[Edit]) -> None:
    with pytest.raises(ValueError):
        apply("a: 1\nb: 2", edits)


def test_a_crlf_file_gets_crlf_lines(tmp_path: Path) -> None:
    text = BASE.replace("    facility:\n      description: An online shop\n", "")
    _finding, fixed, _before, _after = fixed_once(tmp_path, text.replace("\n", "\r\n"), "USM401")
    assert '      hours: "0800-1700"\r\n    facility:\r\n      description: TBD\r\n' in fixed
    assert "\n" not in fixed.replace("\r\n", "")


def test_a_usm_wif_file_is_fixed_in_json(tmp_path: Path) -> None:
    """USM-WIF names owner_process "process": the fix writes a JSON string there."""
    source = EXAMPLES / "hr-onboarding"
    for path in source.iterdir():
        if path.is_file():
            (tmp_path / path.name).write_bytes(path.read_bytes())
    target = tmp_path / "payroll-incident.workflow.json"
    text = target.read_text(encoding="utf-8")
    broken = text.replace(
        '"process": "recover",\n  "dynamicity"', '"process": "INC",\n  "dynamicity"'
    )
    assert broken != text
    target.write_text(broken, encoding="utf-8")
    [finding] = [f for f in findings(tmp_path) if f.code == "USM203" and f.file == target.name]
    assert finding.fix is not None
    target.write_text(apply(broken, finding.fix.edits), encoding="utf-8")
    assert target.read_text(encoding="utf-8") == text
    assert json.loads(text)["process"] == "recover"
