"""Meta-tests over the rule registry (STYLE, Tests as data; SPEC §3).

The SPEC §3 table is embedded below: every registered rule must appear in it
with the same name and severity, and every code of a family whose module
exists must be registered. Every rule's docstring carries its documentation,
and its Bad example fires the rule while its Good example does not.
"""

from __future__ import annotations

import ast
import re
from pathlib import Path

import pytest

import usmctl
from usmctl.api import check
from usmctl.check.settings import Settings
from usmctl.core import codes
from usmctl.core.findings import Severity
from usmctl.rules import ALL_RULES, BY_CODE, BY_NAME, find
from usmctl.rules.base import LoadStageRule, Rule

CASES_DIR = Path(__file__).parent / "cases"

# SPEC §3: code -> (name, default severity).
SPEC_RULES: dict[str, tuple[str, str]] = {
    "USM001": ("yaml-syntax", "error"),
    "USM002": ("duplicate-key", "error"),
    "USM003": ("schema-violation", "error"),
    "USM004": ("unknown-field", "error"),
    "USM005": ("duplicate-id", "error"),
    "USM006": ("unresolved-reference", "error"),
    "USM007": ("wrong-kind-reference", "error"),
    "USM008": ("unsupported-version", "error"),
    "USM009": ("unsafe-yaml", "error"),
    "USM010": ("unreadable-file", "error"),
    "USM011": ("unused-suppression", "warning"),
    "USM012": ("empty-architecture", "warning"),
    "USM013": ("ambiguous-scalar", "warning"),
    "USM101": ("provider-without-services", "warning"),
    "USM102": ("customer-without-services", "warning"),
    "USM103": ("operator-without-provider", "error"),
    "USM104": ("unused-profile", "info"),
    "USM201": ("missing-process", "error"),
    "USM202": ("non-usm-process", "error"),
    "USM203": ("process-alias", "warning"),
    "USM204": ("process-without-owner", "warning"),
    "USM205": ("duplicate-process", "error"),
    "USM301": ("workflow-without-owning-process", "error"),
    "USM302": ("unknown-workflow-type", "error"),
    "USM303": ("workflow-entry-mismatch", "error"),
    "USM304": ("workflow-path-deviation", "warning"),
    "USM305": ("owner-process-mismatch", "warning"),
    "USM306": ("missing-standard-workflow", "warning"),
    "USM307": ("raci-accountable", "error"),
    "USM308": ("raci-responsible", "warning"),
    "USM309": ("raci-foreign-profile", "error"),
    "USM310": ("workflow-without-steps", "warning"),
    "USM311": ("workflow-without-tool", "info"),
    "USM312": ("workflow-not-closed", "info"),
    "USM313": ("wif-type-ambiguous", "info"),
    "USM401": ("service-missing-facility", "error"),
    "USM402": ("service-missing-support", "error"),
    "USM403": ("service-without-agreement", "error"),
    "USM404": ("service-without-customer", "warning"),
    "USM405": ("agreement-party-mismatch", "error"),
    "USM406": ("external-without-contract", "warning"),
    "USM407": ("placeholder-description", "warning"),
    "USM408": ("partial-request-interface", "warning"),
    "USM409": ("customer-without-agreement", "warning"),
    "USM410": ("internal-contract", "info"),
    "USM411": ("service-self-customer", "warning"),
    "USM501": ("policy-not-enforced", "error"),
    "USM502": ("policy-without-scope", "warning"),
    "USM503": ("policy-foreign-enforcer", "warning"),
    "USM601": ("overlay-unbound", "error"),
    "USM602": ("siam-single-supplier", "warning"),
    "USM603": ("siam-without-integrator", "error"),
    "USM604": ("dvms-without-loop", "warning"),
    "USM605": ("xla-without-indicators", "warning"),
    "USM606": ("siam-integrator-outside", "warning"),
    "USM607": ("xla-indicator-incomplete", "warning"),
    "USM701": ("practice-unplugged", "warning"),
    "USM702": ("practice-declared-as-process", "error"),
    "USM703": ("tool-without-workflow", "warning"),
    "USM704": ("workflow-multiple-tools", "warning"),
    "USM705": ("tool-foreign-workflow", "warning"),
    "USM801": ("supply-cycle", "error"),
    "USM802": ("dependency-without-agreement", "error"),
    "USM803": ("supplier-not-a-link", "warning"),
    "USM804": ("recursion-too-deep", "info"),
    "USM901": ("value-stream-without-workflow", "warning"),
    "USM902": ("value-stream-foreign-service", "error"),
    "USM903": ("improve-without-feedback", "warning"),
    "USM904": ("value-stream-foreign-workflow", "error"),
    "USM905": ("value-stream-empty", "warning"),
    "USM906": ("value-stream-request-type", "warning"),
}

# The family module (STYLE, layout) each code lives in.
FAMILY_PREFIXES: tuple[tuple[str, str], ...] = (
    ("USM903", "processes"),
    ("USM0", "structure"),
    ("USM1", "profiles"),
    ("USM2", "processes"),
    ("USM3", "workflows"),
    ("USM4", "services"),
    ("USM5", "governance"),
    ("USM6", "overlays"),
    ("USM7", "practices"),
    ("USM8", "recursion"),
    ("USM9", "value_streams"),
)

# Rules whose Bad example cannot be reproduced as file text: an unreadable
# file (USM010) is not expressible as UTF-8 YAML.
# A tie (USM313) needs a USM-WIF file and a user catalogue.
BAD_EXAMPLE_EXEMPT = frozenset({"USM010", "USM313"})
# Bad examples that depend on features not built yet (expected to fail until then).
BAD_EXAMPLE_PENDING: dict[str, str] = {}
# A missing version key is what USM008's Bad example shows.
VERSIONLESS_BAD = frozenset({"USM008"})


def family(code: str) -> str:
    """The module a rule code belongs in."""
    return next(module for prefix, module in FAMILY_PREFIXES if code.startswith(prefix))


RULE_PARAMS = [pytest.param(rule, id=rule.code) for rule in ALL_RULES]
BAD_PARAMS = [
    pytest.param(
        rule,
        id=rule.code,
        marks=[pytest.mark.xfail(reason=BAD_EXAMPLE_PENDING[rule.code], strict=False)]
        if rule.code in BAD_EXAMPLE_PENDING
        else [],
    )
    for rule in ALL_RULES
]


def test_codes_and_names_are_unique() -> None:
    codes = [rule.code for rule in ALL_RULES]
    names = [rule.name for rule in ALL_RULES]
    assert len(codes) == len(set(codes))
    assert len(names) == len(set(names))
    assert len(BY_CODE) == len(BY_NAME) == len(ALL_RULES)


def test_registry_is_sorted_by_code() -> None:
    codes = [rule.code for rule in ALL_RULES]
    assert codes == sorted(codes)


def test_every_registered_rule_is_in_the_spec_table() -> None:
    registered = {rule.code: (rule.name, str(rule.default_severity)) for rule in ALL_RULES}
    unknown = {code: meta for code, meta in registered.items() if code not in SPEC_RULES}
    assert not unknown, f"rules not in SPEC §3: {unknown}"
    differing = {
        code: (meta, SPEC_RULES[code])
        for code, meta in registered.items()
        if meta != SPEC_RULES[code]
    }
    assert not differing, f"registered (name, severity) differ from SPEC §3: {differing}"


def test_every_spec_rule_is_registered() -> None:
    missing = [code for code in SPEC_RULES if code not in BY_CODE]
    assert not missing, f"SPEC §3 rules not registered: {missing}"


def test_rules_live_in_their_family_module() -> None:
    for rule in ALL_RULES:
        assert rule.__module__ == f"usmctl.rules.{family(rule.code)}", rule.code


def test_find_by_code_and_name() -> None:
    for rule in ALL_RULES:
        assert find(rule.code) is rule
        assert find(rule.code.lower()) is rule
        assert find(rule.name) is rule


@pytest.mark.parametrize("rule", RULE_PARAMS)
def test_docstring_metadata(rule: type[Rule]) -> None:
    meta = rule.meta()
    assert isinstance(rule.default_severity, Severity)
    assert meta.summary, "no summary line"
    assert meta.rationale, "no Rationale section"
    assert meta.remediation, "no Remediation section"
    if rule.code not in VERSIONLESS_BAD:
        assert meta.bad.startswith('usm: "1"'), "Bad example must be a complete file"
    assert meta.bad, "no Bad example"
    assert meta.good.startswith('usm: "1"'), "Good example must be a complete file"


@pytest.mark.parametrize("rule", RULE_PARAMS)
def test_every_checking_rule_has_a_case_file(rule: type[Rule]) -> None:
    if issubclass(rule, LoadStageRule):
        pytest.skip("reported by another stage: the loader, the builder or the suppressions")
    assert (CASES_DIR / f"{rule.code}.yaml").is_file()


def _codes_found(text: str, root: Path) -> set[str]:
    (root / "example.usm.yaml").write_text(text + "\n", encoding="utf-8")
    result = check(["."], Settings(), cwd=root)
    return {finding.code for finding in result.findings}


@pytest.mark.parametrize("rule", BAD_PARAMS)
def test_bad_example_fires(rule: type[Rule], tmp_path: Path) -> None:
    if rule.code in BAD_EXAMPLE_EXEMPT:
        pytest.skip("not expressible as file text")
    assert rule.code in _codes_found(rule.meta().bad, tmp_path)


@pytest.mark.parametrize("rule", RULE_PARAMS)
def test_good_example_is_silent(rule: type[Rule], tmp_path: Path) -> None:
    assert rule.code not in _codes_found(rule.meta().good, tmp_path)


def test_load_stage_codes_are_the_rules_codes() -> None:
    """Every code in `usmctl.core.codes` is a structure rule's, by its name."""
    for constant, code in vars(codes).items():
        if constant.isupper():
            assert BY_CODE[code].name == constant.lower().replace("_", "-")


def test_load_stage_rules_take_their_code_from_core_codes() -> None:
    load_stage = {rule.code for rule in ALL_RULES if issubclass(rule, LoadStageRule)}
    assert load_stage <= {code for name, code in vars(codes).items() if name.isupper()}
    assert {"USM001", "USM002", "USM003", "USM004", "USM005"} <= load_stage
    assert {"USM008", "USM009", "USM010", "USM013"} <= load_stage


def _code_literals(path: Path) -> list[int]:
    """Lines of a module that write a rule code as a string literal outside a
    rule class's ``code = ...``."""
    tree = ast.parse(path.read_text(encoding="utf-8"))
    definitions = {
        id(node.value)
        for node in ast.walk(tree)
        if isinstance(node, ast.Assign)
        and [getattr(target, "id", None) for target in node.targets] == ["code"]
    }
    return [
        node.lineno
        for node in ast.walk(tree)
        if isinstance(node, ast.Constant)
        and isinstance(node.value, str)
        and re.fullmatch(r"USM\d{3}", node.value)
        and id(node) not in definitions
    ]


def test_no_code_literal_at_emit_sites() -> None:
    """Emit sites import the code (`usmctl.core.codes`): a typo is an import error."""
    package = Path(usmctl.__file__).parent
    found = {
        str(path.relative_to(package)): lines
        for path in sorted(package.rglob("*.py"))
        if path.name != "codes.py" and (lines := _code_literals(path))
    }
    assert found == {}
