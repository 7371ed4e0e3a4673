"""Custom rules v2 (docs/custom-rules.md): JSONPath ``given``, ``then``
functions, rule sets with ``extends``, and custom rules' metadata.

The three examples of docs/custom-rules.md are read from the document itself
and run on a copy of examples/hospital-facilities: each must give the finding
the document shows, line for line.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import sys
from pathlib import Path
from typing import Any

import pytest

from tests.check.test_custom_rules import ARCH as V1_ARCH
from tests.support.cli import assert_one_line_error, invoke, json_findings, run_cli
from tests.support.factories import WriteFiles
from tests.support.paths import EXAMPLES, ROOT, SHARED
from usmctl.check.functions import MISSING, Context, Target, apply
from usmctl.check.query import Budget, OverBudgetError, budget_for, count_values, find
from usmctl.check.settings import Then

DOC = ROOT / "docs" / "custom-rules.md"
SARIF_SCHEMA = SHARED / "external-schemas" / "sarif-schema-2.1.0.json"


def doc_examples() -> list[tuple[str, str, str]]:
    """(title, the rule's YAML, the finding it gives) for each example of the doc."""
    text = DOC.read_text(encoding="utf-8")
    examples = []
    for part in re.split(r"^## Example: ", text, flags=re.MULTILINE)[1:]:
        title = part.splitlines()[0]
        yaml_block = re.search(r"```yaml\n(.*?)```", part, re.DOTALL)
        text_block = re.search(r"```text\n(.*?)```", part, re.DOTALL)
        assert yaml_block and text_block, title
        examples.append((title, yaml_block.group(1), text_block.group(1).strip()))
    return examples


def hospital(tmp_path: Path) -> Path:
    """examples/hospital-facilities with a lower-case service name and a
    supplier contract that lists two request types."""
    root = tmp_path / "hospital"
    shutil.copytree(EXAMPLES / "hospital-facilities", root)
    services = root / "facility-services.usm.yaml"
    text = services.read_text(encoding="utf-8")
    assert "name: Ward cleaning" in text
    services.write_text(text.replace("name: Ward cleaning", "name: ward cleaning"), "utf-8")
    contract = root / "liftcare.usm.yaml"
    text = contract.read_text(encoding="utf-8")
    four = "request_types: [wish, request-for-change, service-request, incident]"
    assert four in text
    contract.write_text(text.replace(four, "request_types: [wish, incident]"), "utf-8")
    return root


def test_the_documented_examples_give_the_documented_findings(tmp_path: Path) -> None:
    examples = doc_examples()
    assert [title for title, _, _ in examples] == [
        "every service has an XLA indicator",
        "every external supplier's contract lists all four request types",
        "service names start with a capital",
    ]
    root = hospital(tmp_path)
    # The first example is a whole rule set; the others are rules of its list.
    (root / "house-rules.yaml").write_text("".join(rule for _, rule, _ in examples), "utf-8")
    (root / "usmctl.toml").write_text('select = ["HOUSE"]\nrulesets = ["house-rules.yaml"]\n')
    status, stdout, stderr = invoke("validate", "--no-cache", cwd=root)
    assert (status, stderr) == (0, "")  # warnings and info only
    lines = stdout.splitlines()
    for title, _, shown in examples:
        assert shown in lines, f"{title}: {shown!r} not in\n{stdout}"
    # The services the overlay measures have an indicator: the rule is silent on them.
    assert not any('"patient-catering" has no XLA' in line for line in lines)


def test_the_documented_examples_are_silent_on_the_clean_example(tmp_path: Path) -> None:
    _, (_, contract, _), (_, capital, _) = doc_examples()
    root = tmp_path / "hospital"
    shutil.copytree(EXAMPLES / "hospital-facilities", root)
    (root / "house-rules.yaml").write_text("rules:\n" + contract + capital, "utf-8")
    (root / "usmctl.toml").write_text('select = ["HOUSE"]\nrulesets = ["house-rules.yaml"]\n')
    status, stdout, _ = invoke("validate", "--no-cache", "--format", "json", cwd=root)
    assert (status, json.loads(stdout)["findings"]) == (0, [])


# Two services, printing with a lower-case name, no x-owner, and its own
# provider among its customers (line 16).
ARCH = V1_ARCH.replace("name: Printing", "name: printing")
ARCH = ARCH[: ARCH.rindex("[acme-business]")] + "[acme-business, acme-it]\n"


def run_rules(
    write_files: WriteFiles, rules: str, *, files: dict[str, str] | None = None
) -> list[dict[str, Any]]:
    """The findings of ``rules`` (a rule set's YAML) on ARCH."""
    root = write_files(
        {
            "a.usm.yaml": ARCH,
            "rules.yaml": rules,
            "usmctl.toml": 'select = ["ACME"]\nrulesets = ["rules.yaml"]\n',
            **(files or {}),
        }
    )
    outcome = invoke("validate", "--no-cache", "--format", "json", cwd=root)
    assert outcome.code in (0, 1), outcome.stderr
    return json_findings(outcome)


def test_a_missing_field_is_located_at_the_mapping_that_lacks_it(
    write_files: WriteFiles,
) -> None:
    rules = """\
        rules:
          - code: ACME001
            given: $.services[*]
            then: {field: x-owner, function: truthy}
            message: "{{path}} is {{value}}: {{error}}"
        """
    (finding,) = run_rules(write_files, rules)
    assert (finding["line"], finding["column"], finding["entity"]) == (13, 5, "printing")
    assert finding["path"] == "services[printing].x-owner"
    assert finding["message"] == "services[printing].x-owner is nothing: is missing"


def test_each_list_item_is_located_at_itself(write_files: WriteFiles) -> None:
    rules = """\
        rules:
          - code: ACME002
            given: $.services[*].customers[*]
            then:
              function: reference-exists
              functionOptions: {section: profiles, kind: customer}
            message: "{{value}}: {{error}}"
        """
    (finding,) = run_rules(write_files, rules)
    assert (finding["line"], finding["column"]) == (16, 32)
    assert finding["path"] == "services[printing].customers[1]"
    assert (
        finding["message"] == '"acme-it": "acme-it" names no entity of profiles of kind "customer"'
    )


def test_keys_are_checked_and_located_at_the_key(write_files: WriteFiles) -> None:
    rules = """\
        rules:
          - code: ACME003
            given: $.services[*]
            then:
              field: "@key"
              function: pattern
              functionOptions: {notMatch: "^x-"}
            message: "extension key {{property}}"
        """
    (finding,) = run_rules(write_files, rules)
    assert (finding["line"], finding["column"], finding["message"]) == (
        12,
        5,
        "extension key x-owner",
    )


def test_a_whole_section_is_located_at_the_first_file_declaring_it(
    write_files: WriteFiles,
) -> None:
    rules = """\
        rules:
          - code: ACME004
            given: $.services
            then: {function: length, functionOptions: {max: 1}}
            message: "{{error}}"
        """
    files = {"0-profiles.usm.yaml": 'usm: "1"\nprofiles:\n  - {id: other, kind: customer}\n'}
    (finding,) = run_rules(write_files, rules, files=files)
    assert (finding["file"], finding["line"], finding["column"]) == ("a.usm.yaml", 7, 1)
    assert (finding["path"], finding["message"]) == ("services", "has 2 items, expected at most 1")


def test_the_architecture_mapping_is_located_in_its_file(write_files: WriteFiles) -> None:
    rules = """\
        rules:
          - code: ACME007
            given: $.architecture.name
            then: {function: pattern, functionOptions: {match: "^[A-Z]"}}
            message: "{{path}}: {{error}}"
        """
    files = {"0-info.usm.yaml": 'usm: "1"\narchitecture:\n  id: acme\n  name: acme services\n'}
    (finding,) = run_rules(write_files, rules, files=files)
    assert (finding["file"], finding["line"], finding["column"]) == ("0-info.usm.yaml", 4, 9)
    assert finding["message"] == 'architecture.name: "acme services" does not match "^[A-Z]"'


def test_unique_reports_each_repeat_at_the_repeat(write_files: WriteFiles) -> None:
    rules = """\
        rules:
          - code: ACME005
            given: $.services[*].provider
            then: {function: unique}
            message: "{{value}} {{error}}"
        """
    (finding,) = run_rules(write_files, rules)
    assert (finding["line"], finding["message"]) == (
        15,
        '"acme-it" repeats the value of services[workplace].provider',
    )


def test_placeholders_are_filled_once_and_escaped(write_files: WriteFiles) -> None:
    arch_name = 'name: "{{path}}\\u001b[31m\\nforged"'
    rules = """\
        rules:
          - code: ACME006
            given: $.services[?@.id == 'printing'].name
            then: {function: pattern, functionOptions: {match: "^[A-Z]"}}
            message: "name {{value}} at {{path}}"
        """
    root = write_files(
        {
            "a.usm.yaml": ARCH.replace("name: printing", arch_name),
            "rules.yaml": rules,
            "usmctl.toml": 'select = ["ACME"]\nrulesets = ["rules.yaml"]\n',
        }
    )
    (finding,) = json_findings(invoke("validate", "--no-cache", "--format", "json", cwd=root))
    assert finding["message"] == ('name "{{path}}\\x1b[31m\\nforged" at services[printing].name')


def test_a_rule_set_with_extends_works_and_redefines(write_files: WriteFiles) -> None:
    base = """\
        description: the consultancy's house rules
        rules:
          - code: ACME010
            given: $.services[*]
            then: {field: name, function: pattern, functionOptions: {match: "^\\\\p{Lu}"}}
            message: service name {{value}} starts with a lower-case letter
          - code: ACME011
            given: $.services[*]
            then: {field: x-owner, function: truthy}
            message: every service names its owner
        """
    client = """\
        extends: [shared/base.yaml]
        rules:
          - code: ACME011
            given: $.services[*]
            then: {field: x-owner, function: truthy}
            message: "{{path}}: the client asks for an owner"
            severity: error
        """
    findings = run_rules(write_files, client, files={"shared/base.yaml": base})
    assert [(f["code"], f["severity"], f["message"]) for f in findings] == [
        ("ACME011", "error", "services[printing].x-owner: the client asks for an owner"),
        ("ACME010", "warning", 'service name "printing" starts with a lower-case letter'),
    ]


def test_config_rules_use_given_and_then_in_toml(write_files: WriteFiles) -> None:
    root = write_files(
        {
            "a.usm.yaml": ARCH,
            "usmctl.toml": 'select = ["ACME"]\n[[custom-rules]]\ncode = "ACME020"\n'
            'message = "{{value}} is not in the list"\ngiven = "$.services[*].id"\n'
            'then = {function = "enum", functionOptions = {values = ["workplace"]}}\n',
        }
    )
    (finding,) = json_findings(invoke("validate", "--no-cache", "--format", "json", cwd=root))
    assert (finding["code"], finding["message"]) == ("ACME020", '"printing" is not in the list')


@pytest.mark.parametrize(
    ("files", "expected"),
    [
        (
            {
                "rules.yaml": "rules:\n  - code: ACME001\n    given: $.services[*]\n"
                "    then: {function: truthyy}\n    message: m\n"
            },
            "rules.yaml:4:22: rules[0].then.function: must be one of truthy, falsy,",
        ),
        (
            {"rules.yaml": "extends: [b.yaml]\n", "b.yaml": "extends: [rules.yaml]\n"},
            "rules.yaml: rule sets extend in a loop: rules.yaml -> b.yaml -> rules.yaml",
        ),
        (
            {"rules.yaml": "extends: [rules.yaml]\n"},
            "rules.yaml: rule sets extend in a loop: rules.yaml -> rules.yaml",
        ),
        (
            {"rules.yaml": "extends: https://example.com/rules.yaml\n"},
            "rules.yaml:1:10: extends: 'https://example.com/rules.yaml': a rule set is a file "
            "in the repository, never a URL",
        ),
        (
            {"rules.yaml": "extends: [../outside.yaml]\n"},
            "'../outside.yaml': outside the repository",
        ),
        ({"rules.yaml": "extends: [/etc/passwd]\n"}, "'/etc/passwd': outside the repository"),
        ({"rules.yaml": "extends: [missing.yaml]\n"}, "rule set not found: missing.yaml"),
        ({"rules.yaml": "- a list\n"}, "rules.yaml:1:1: a rule set is a mapping"),
        ({"rules.yaml": "rules: [\n"}, "rules.yaml:2:1: invalid rule set: invalid YAML"),
        ({"rules.yaml": "ruels: []\n"}, "rules.yaml:1:1: ruels: unknown key; known keys: extends"),
        (
            {
                "rules.yaml": "rules:\n  - {code: ACME001, given: '$.services[?@.id =~ /(a)\\1/]', "
                "then: {function: truthy}, message: m}\n"
            },
            "is not supported by the linear-time regex engine",
        ),
        (
            {
                "rules.yaml": "rules:\n  - {code: ACME001, given: '$.services[', "
                "then: {function: truthy}, message: m}\n"
            },
            "rules[0].given: '$.services[': not a JSONPath",
        ),
        (
            {
                "rules.yaml": "rules:\n  - {code: ACME001, given: '$.services[*]', "
                "section: services, then: {function: truthy}, message: m}\n"
            },
            'rules[0].section: a rule with "given" and "then"',
        ),
        (
            {
                "rules.yaml": "rules:\n  - {code: USM101, given: '$', then: {function: truthy}, "
                "message: m}\n"
            },
            "rules[0].code: 'USM101': codes starting USM are reserved",
        ),
        (
            {
                "rules.yaml": "rules:\n  - {code: ACME001, given: '$', then: {function: pattern, "
                "functionOptions: {match: '(?=x)'}}, message: m}\n"
            },
            "rules[0].then.functionOptions.match: pattern '(?=x)' is not supported",
        ),
        (
            {
                "rules.yaml": "rules:\n  - {code: ACME001, given: '$', then: {function: length}, "
                "message: m}\n"
            },
            "rules[0].then.functionOptions: length needs min or max",
        ),
        (
            {
                "rules.yaml": "rules:\n  - {code: ACME001, given: '$', then: {function: truthy}, "
                "message: m, url: 'javascript:alert(1)'}\n"
            },
            "rules[0].url: must be an http or https link",
        ),
        (
            {
                "rules.yaml": "rules:\n  - {code: ACME001, given: '" + "$" + ".a" * 600 + "', "
                "then: {function: truthy}, message: m}\n"
            },
            "a JSONPath of at most 1,000 characters, not 1,201",
        ),
    ],
)
def test_a_bad_rule_set_is_exit_2_with_one_line(
    files: dict[str, str], expected: str, write_files: WriteFiles
) -> None:
    root = write_files({"a.usm.yaml": ARCH, "usmctl.toml": 'rulesets = ["rules.yaml"]\n', **files})
    outcome = invoke("validate", "--no-cache", cwd=root)
    assert (outcome.code, outcome.stdout) == (2, "")
    assert_one_line_error(outcome.stderr, contains=expected)


def test_extends_deeper_than_the_limit_is_exit_2(write_files: WriteFiles) -> None:
    chain = {f"r{n}.yaml": f"extends: [r{n + 1}.yaml]\n" for n in range(12)}
    root = write_files({"a.usm.yaml": ARCH, "usmctl.toml": 'rulesets = ["r0.yaml"]\n', **chain})
    outcome = invoke("validate", "--no-cache", cwd=root)
    assert outcome.code == 2
    assert_one_line_error(outcome.stderr, contains="rule sets extend more than 8 deep")


def test_a_rule_set_link_out_of_the_repository_is_refused(
    tmp_path: Path, write_files: WriteFiles
) -> None:
    outside = tmp_path / "outside.yaml"
    outside.write_text("rules: []\n", encoding="utf-8")
    root = tmp_path / "repo"
    root.mkdir()
    (root / ".git").mkdir()
    (root / "a.usm.yaml").write_text(ARCH, encoding="utf-8")
    (root / "usmctl.toml").write_text('rulesets = ["rules.yaml"]\n', encoding="utf-8")
    os.symlink(outside, root / "rules.yaml")
    outcome = invoke("validate", "--no-cache", cwd=root)
    assert outcome.code == 2
    assert_one_line_error(outcome.stderr, contains="a link out of the repository")


def test_a_large_rule_set_is_refused_from_its_size(write_files: WriteFiles) -> None:
    root = write_files(
        {
            "a.usm.yaml": ARCH,
            "usmctl.toml": 'rulesets = ["rules.yaml"]\n',
            "rules.yaml": "# padding\n" * 110_000,
        }
    )
    outcome = invoke("validate", "--no-cache", cwd=root)
    assert outcome.code == 2
    assert_one_line_error(outcome.stderr, contains="larger than 1,048,576 bytes")


def big_architecture(services: int) -> str:
    lines = ['usm: "1"', "profiles:", "  - {id: acme-it, kind: provider}", "services:"]
    for number in range(services):
        lines += [
            f"  - id: s{number}",
            f"    name: Service {number}",
            "    provider: acme-it",
            "    support: {hours: 9-5, channels: [portal, phone]}",
        ]
    return "\n".join(lines) + "\n"


def test_a_hostile_query_stops_at_the_read_bound(write_files: WriteFiles) -> None:
    # $..*..*..*..* reads every value once per ancestor, four times over: far
    # past 10 reads per value. The bound is a count, so the run stops after
    # that many reads whatever the machine's speed.
    root = write_files(
        {
            "a.usm.yaml": big_architecture(1_000),
            "usmctl.toml": 'select = ["ACME"]\n[[custom-rules]]\ncode = "ACME030"\n'
            'message = "m"\ngiven = "$..*..*..*..*"\nthen = {function = "truthy"}\n',
        }
    )
    outcome = invoke("validate", "--no-cache", cwd=root)
    assert outcome.code == 2
    line = assert_one_line_error(outcome.stderr, contains="custom rule ACME030: its JSONPath")
    assert "narrow" in line


def test_rules_together_stop_at_the_run_bound(write_files: WriteFiles) -> None:
    # Each rule reads about 8 values per value, inside its own bound of 10;
    # eleven stay inside the run's bound of 100, fifteen pass it.
    rule = (
        '[[custom-rules]]\ncode = "ACME{n:03}"\nmessage = "m"\n'
        'given = "$..*..name"\nthen = {{function = "truthy"}}\n'
    )

    def config(rules: int) -> str:
        return 'select = ["ACME"]\n' + "".join(rule.format(n=n) for n in range(rules))

    root = write_files({"a.usm.yaml": big_architecture(100), "usmctl.toml": config(11)})
    assert invoke("validate", "--no-cache", cwd=root).code == 0
    (root / "usmctl.toml").write_text(config(15), encoding="utf-8")
    outcome = invoke("validate", "--no-cache", cwd=root)
    assert outcome.code == 2
    assert_one_line_error(outcome.stderr, contains=") together read more than")
    assert "fewer or narrower rules" in outcome.stderr


def test_the_read_bound_is_a_count_of_reads() -> None:
    data = {"services": [{"id": f"s{n}", "support": {"channels": ["a", "b"]}} for n in range(200)]}
    values = count_values(data)
    budget = budget_for(values)
    allowed = budget.left
    # A sensible query over all of it stays well inside its bound ...
    assert len(find("$..channels[*]", data, budget)) == 400
    assert allowed - budget.left < 3 * values
    # ... a query of nested descents stops at it.
    hostile = Budget(allowed)
    with pytest.raises(OverBudgetError):
        find("$..*..*..*..*", data, hostile)
    assert hostile.left == -1


def context(budget: Budget | None = None) -> Context:
    return Context(
        budget=budget or Budget(10_000),
        declares=lambda section, name, kind: (section, name) == ("profiles", "acme-it"),
        keys_of=lambda query: frozenset({("string", "a"), ("number", 1)}),
        shown_path=lambda path: ".".join(str(part) for part in path),
    )


def failing(function: str, items: list[Any], /, **options: Any) -> list[tuple[Any, str]]:
    targets = [Target(("x", index), value) for index, value in enumerate(items)]
    failures = apply(Then(function=function, options=options), targets, context())
    return [(target.value, error) for target, error in failures]


@pytest.mark.parametrize(
    ("function", "values", "options", "expected"),
    [
        (
            "truthy",
            [MISSING, None, False, 0, "", [], "x", 1],
            {},
            [
                (MISSING, "is missing"),
                (None, "is null"),
                (False, "is false"),
                (0, "is 0"),
                ("", 'is ""'),
            ],
        ),
        (
            "falsy",
            [MISSING, None, 0, [], "x"],
            {},
            [
                ([], 'is [], expected false, 0, "", null or nothing'),
                ("x", 'is "x", expected false, 0, "", null or nothing'),
            ],
        ),
        (
            "pattern",
            ["Abc", "abc", 5, MISSING],
            {"match": "^[A-Z]"},
            [
                ("abc", '"abc" does not match "^[A-Z]"'),
            ],
        ),
        (
            "pattern",
            ["tbd", "done"],
            {"notMatch": "(?i)TBD"},
            [
                ("tbd", '"tbd" matches "(?i)TBD"'),
            ],
        ),
        (
            "enum",
            ["a", 1, True, {"a": 1}],
            {"values": ["a", 1]},
            [
                (True, 'true is not one of "a", 1'),
            ],
        ),
        (
            "length",
            ["abc", [1], {"a": 1, "b": 2}, 7, True],
            {"min": 2, "max": 5},
            [
                ("abc", None),
                ([1], "has 1 item, expected at least 2"),
                (7, "is 7, expected at most 5"),
            ],
        ),
        (
            "reference-exists",
            ["acme-it", "nobody", 3],
            {"section": "profiles"},
            [
                ("nobody", '"nobody" names no entity of profiles'),
            ],
        ),
        (
            "reference-exists",
            ["a", 1, "b"],
            {"in": "$.q"},
            [
                ("b", '"b" is not among the values of $.q'),
            ],
        ),
        (
            "schema",
            [{"a": 1}, {"a": "x"}, MISSING],
            {"schema": {"properties": {"a": {"type": "integer"}}}},
            [
                ({"a": "x"}, "a: 'x' is not of type 'integer'"),
                (MISSING, "is missing"),
            ],
        ),
        (
            "unique",
            ["a", "b", "a", {"k": [1]}, {"k": [1]}],
            {},
            [
                ("a", "repeats the value of x.0"),
                ({"k": [1]}, "repeats the value of x.3"),
            ],
        ),
    ],
)
def test_functions(
    function: str, values: list[Any], options: dict[str, Any], expected: list[tuple[Any, Any]]
) -> None:
    wanted = [(value, error) for value, error in expected if error is not None]
    assert failing(function, values, **options) == wanted


SET = """\
rules:
  - code: ACME040
    name: service-owner
    description: |
      Every service names its owner in x-owner.
      The owner answers for the service.
    url: https://consultancy.example/rules#owner
    severity: error
    given: $.services[*]
    then: {field: x-owner, function: truthy}
    message: "{{path}}: no owner"
"""


def metadata_project(write_files: WriteFiles) -> Path:
    return write_files(
        {
            "a.usm.yaml": ARCH,
            "house.yaml": SET,
            "usmctl.toml": 'select = ["ACME"]\nrulesets = ["house.yaml"]\n',
        }
    )


def test_sarif_carries_custom_rules_metadata(write_files: WriteFiles) -> None:
    root = metadata_project(write_files)
    outcome = invoke("validate", "--no-cache", "--format", "sarif", cwd=root)
    run = json.loads(outcome.stdout)["runs"][0]
    (result,) = run["results"]
    rule = run["tool"]["driver"]["rules"][result["ruleIndex"]]
    assert rule["id"] == "ACME040"
    assert rule["helpUri"] == "https://consultancy.example/rules#owner"
    assert rule["shortDescription"]["text"] == "Every service names its owner in x-owner."
    assert rule["fullDescription"]["text"] == (
        "Every service names its owner in x-owner. The owner answers for the service."
    )
    assert rule["help"]["text"].startswith("Every service names its owner in x-owner.")
    assert (
        "custom rule from house.yaml: given $.services[*]: field x-owner, truthy"
        in (rule["help"]["text"])
    )
    assert rule["defaultConfiguration"]["level"] == "error"
    if SARIF_SCHEMA.is_file():
        from jsonschema import Draft7Validator

        schema = json.loads(SARIF_SCHEMA.read_text(encoding="utf-8"))
        errors = list(Draft7Validator(schema).iter_errors(json.loads(outcome.stdout)))
        assert errors == []


def test_a_custom_rule_without_url_has_help_but_no_help_uri(write_files: WriteFiles) -> None:
    root = write_files(
        {
            "a.usm.yaml": ARCH,
            "house.yaml": SET.replace("    url: https://consultancy.example/rules#owner\n", ""),
            "usmctl.toml": 'select = ["ACME"]\nrulesets = ["house.yaml"]\n',
        }
    )
    outcome = invoke("validate", "--no-cache", "--format", "sarif", cwd=root)
    rules = json.loads(outcome.stdout)["runs"][0]["tool"]["driver"]["rules"]
    (rule,) = [rule for rule in rules if rule["id"] == "ACME040"]
    assert "helpUri" not in rule
    assert rule["help"]["text"]


def test_explain_prints_a_custom_rule(write_files: WriteFiles) -> None:
    root = metadata_project(write_files)
    for word in ("ACME040", "acme040", "service-owner"):
        status, stdout, stderr = invoke("explain", word, cwd=root)
        assert (status, stderr) == (0, "")
        assert stdout == (
            "ACME040 service-owner [error] (custom rule from house.yaml)\n\n"
            "Every service names its owner in x-owner.\nThe owner answers for the service.\n\n"
            "Checks:\n  given $.services[*]: field x-owner, truthy\n\n"
            "Message:\n  {{path}}: no owner\n\n"
            "Documentation: https://consultancy.example/rules#owner\n"
        )


def test_explain_of_an_unknown_rule_is_still_exit_2(write_files: WriteFiles) -> None:
    outcome = invoke("explain", "ACME999", cwd=metadata_project(write_files))
    assert outcome.code == 2
    assert_one_line_error(outcome.stderr, contains="no rule 'ACME999'")


def test_rules_lists_custom_rules_marked(write_files: WriteFiles) -> None:
    root = metadata_project(write_files)
    status, stdout, _ = invoke("rules", cwd=root)
    assert status == 0
    last = stdout.splitlines()[-1]
    assert re.fullmatch(
        r"ACME040  service-owner +error +Every service names its owner in x-owner\."
        r"  \[custom: house\.yaml\]",
        last,
    ), last
    _, stdout, _ = invoke("rules", "--format", "json", cwd=root)
    entry = json.loads(stdout)[-1]
    assert (entry["code"], entry["defined_in"], entry["help_uri"]) == (
        "ACME040",
        "house.yaml",
        "https://consultancy.example/rules#owner",
    )
    assert all("defined_in" not in item for item in json.loads(stdout)[:-1])
    _, stdout, _ = invoke("rules", "--format", "markdown", "--config", "usmctl.toml", cwd=root)
    assert stdout.splitlines()[-1] == (
        "| [ACME040](https://consultancy.example/rules#owner) | `service-owner` | error | "
        "Every service names its owner in x-owner. (custom rule, `house.yaml`) |"
    )


def test_the_result_describes_custom_rules_like_built_in_ones(write_files: WriteFiles) -> None:
    from usmctl.api import check
    from usmctl.check.config import CliOptions, build_settings

    root = metadata_project(write_files)
    result = check(["."], build_settings(CliOptions(), cwd=root), cwd=root)
    (finding,) = result.findings
    info = result.rule("ACME040")
    assert info is not None
    assert (info.defined_in, info.help_uri, info.severity.value) == (
        "house.yaml",
        "https://consultancy.example/rules#owner",
        "error",
    )
    assert result.help_uri(finding) == "https://consultancy.example/rules#owner"
    assert "ACME040" not in {meta.code for meta in result.rules()}  # the built-in rules
    assert result.rule("ACME999") is None


def test_jsonpath_is_imported_only_for_given_rules(tmp_path: Path) -> None:
    (tmp_path / "usmctl.toml").write_text(
        '[[custom-rules]]\ncode = "ACME001"\nsection = "services"\nmessage = "m"\n'
        'schema = {required = ["x-owner"]}\n',
        encoding="utf-8",
    )
    (tmp_path / "a.usm.yaml").write_text(ARCH, encoding="utf-8")
    probe = (
        "import sys; from pathlib import Path; from usmctl.api import check; "
        "from usmctl.check.config import CliOptions, build_settings; "
        "root = Path.cwd(); check(['.'], build_settings(CliOptions(), cwd=root), cwd=root); "
        "print('jsonpath' in sys.modules)"
    )
    import subprocess

    done = subprocess.run(
        [sys.executable, "-c", probe], cwd=tmp_path, capture_output=True, text=True, check=True
    )
    assert done.stdout.strip() == "False"


def test_regexes_in_given_run_in_linear_time(tmp_path: Path) -> None:
    # Python's engine takes minutes to fail (a|aa)* on forty-eight a's and a
    # "!" (about 1.6 times longer per a); RE2 takes microseconds. The run's
    # timeout would end a backtracking engine.
    arch = ARCH.replace("name: printing", "name: " + "a" * 48 + "!")
    (tmp_path / "a.usm.yaml").write_text(arch, encoding="utf-8")
    (tmp_path / "usmctl.toml").write_text(
        'select = ["ACME"]\n[[custom-rules]]\ncode = "ACME031"\nmessage = "{{value}}"\n'
        "given = \"$.services[?@.name =~ /(a|aa)*/ || match(@.name, '(a|aa)*')]\"\n"
        'then = {function = "falsy"}\n',
        encoding="utf-8",
    )
    process = run_cli("validate", "--no-cache", "--format", "json", ".", cwd=tmp_path)
    assert (process.returncode, json_findings(process)) == (0, [])
