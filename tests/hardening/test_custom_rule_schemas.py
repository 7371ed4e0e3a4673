"""Custom-rule schemas from a hostile config (issue 12, items 1 and 2).

A pull request controls ``usmctl.toml``: its schemas must not make usmctl
fetch or read anything (every reference resolves inside the schema itself,
whatever keyword asks), and its regular expressions run in linear time.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.check.test_custom_rules import ARCH  # workplace has x-owner (line 12), printing none
from tests.support.cli import assert_one_line_error, json_findings, run_cli
from tests.support.servers import recording_server


def project(tmp_path: Path, schema: str, *, arch: str = ARCH) -> Path:
    """A tree with one architecture file and one custom rule of ``schema`` (TOML)."""
    (tmp_path / "a.usm.yaml").write_text(arch, encoding="utf-8")
    (tmp_path / "usmctl.toml").write_text(
        'select = ["USM0", "ACME"]\n\n[[custom-rules]]\ncode = "ACME001"\n'
        f'section = "services"\nmessage = "house rule"\nschema = {schema}\n',
        encoding="utf-8",
    )
    return tmp_path


@pytest.fixture
def server() -> Iterator[tuple[str, list[str]]]:
    """A schema server on 127.0.0.1 that records every request it gets."""
    with recording_server(b'{"type": "string", "pattern": "FETCHED-SCHEMA"}') as started:
        yield started


@pytest.mark.parametrize(
    "schema",
    [
        '{properties = {x-owner = {"$dynamicRef" = "URL/s.json"}}}',
        '{properties = {x-owner = {"$dynamicRef" = "URL/s.json#meta"}}}',
        '{"$id" = "URL/", properties = {x-owner = {"$dynamicRef" = "s.json"}}}',
        '{"$schema" = "https://json-schema.org/draft/2019-09/schema", '
        '"$id" = "URL/x.json", properties = {x-owner = {"$recursiveRef" = "#"}}, '
        '"$defs" = {a = {"$id" = "URL/s.json"}}}',
    ],
)
def test_no_schema_reference_is_fetched(
    tmp_path: Path, server: tuple[str, list[str]], schema: str
) -> None:
    url, requests = server
    root = project(tmp_path, schema.replace("URL", url))
    process = run_cli("validate", "--no-cache", "--format", "json", ".", cwd=root, timeout=60)
    assert requests == []
    assert "FETCHED-SCHEMA" not in process.stdout + process.stderr
    assert "Traceback" not in process.stderr
    if process.returncode == 2:
        assert_one_line_error(process.stderr, contains="schema")
    else:  # a reference into the schema itself: validated, nothing fetched
        assert process.returncode in (0, 1), process.stderr


@pytest.mark.parametrize("keyword", ["$dynamicRef", "$ref"])
def test_no_schema_reference_reads_a_local_file(tmp_path: Path, keyword: str) -> None:
    secret = tmp_path / "outside" / "secret.json"
    secret.parent.mkdir()
    secret.write_text('{"type": "string", "pattern": "SECRET-CONTENT"}', encoding="utf-8")
    tree = tmp_path / "tree"
    tree.mkdir()
    root = project(tree, f'{{properties = {{x-owner = {{"{keyword}" = "{secret.as_uri()}"}}}}}}')
    process = run_cli("validate", "--no-cache", "--format", "json", ".", cwd=root, timeout=60)
    assert "SECRET-CONTENT" not in process.stdout + process.stderr
    assert process.returncode == 2, process.stdout
    assert_one_line_error(process.stderr, contains="schema")


def test_dynamic_ref_to_dev_zero_is_not_read(tmp_path: Path) -> None:
    root = project(tmp_path, '{properties = {x-owner = {"$dynamicRef" = "file:///dev/zero"}}}')
    process = run_cli("validate", "--no-cache", ".", cwd=root, timeout=60)
    assert process.returncode == 2
    assert_one_line_error(process.stderr, contains="schema")


def test_references_inside_the_schema_still_resolve(tmp_path: Path) -> None:
    schema = (
        '{"$defs" = {owner = {type = "string", pattern = "^[a-z]+$"}}, '
        'properties = {x-owner = {"$ref" = "#/$defs/owner"}, '
        'name = {"$dynamicRef" = "#/$defs/owner"}}}'
    )
    root = project(tmp_path, schema)
    process = run_cli("validate", "--no-cache", "--format", "json", ".", cwd=root, timeout=60)
    assert process.returncode == 0, process.stderr  # a warning
    messages = [f["message"] for f in json_findings(process) if f["code"] == "ACME001"]
    assert any("'Workplace' does not match '^[a-z]+$'" in message for message in messages)


# Catastrophic backtracking in a backtracking engine: 2^n paths on a near miss.
REDOS_TIMEOUT = 120
REDOS = "^([a-z0-9]+-?)+$"
LONG = "a" * 5000 + "!"
KEY = "a" * 1000 + "!"  # YAML keys stop at 1024 characters


@pytest.mark.parametrize(
    "schema",
    [
        f'{{properties = {{x-owner = {{pattern = "{REDOS}"}}}}}}',
        f'{{patternProperties = {{"{REDOS}" = {{type = "string"}}}}}}',
        f'{{patternProperties = {{"{REDOS}" = true}}, additionalProperties = true}}',
        f'{{properties = {{x-owner = {{not = {{pattern = "{REDOS}"}}}}}}}}',
    ],
)
def test_config_patterns_run_in_linear_time(tmp_path: Path, schema: str) -> None:
    arch = ARCH.replace("x-owner: jane", f"x-owner: {LONG}\n    {KEY}: 1")
    root = project(tmp_path, schema, arch=arch)
    # Without a linear-time engine this run does not end (the timeout fails it).
    process = run_cli(
        "validate", "--no-cache", "--format", "json", ".", cwd=root, timeout=REDOS_TIMEOUT
    )
    assert process.returncode in (0, 1), process.stderr
    assert "Traceback" not in process.stderr


def test_a_pattern_still_matches_as_before(tmp_path: Path) -> None:
    schema = '{properties = {x-owner = {pattern = "^[A-Z]"}}, required = ["x-owner"]}'
    root = project(tmp_path, schema)
    process = run_cli("validate", "--no-cache", "--format", "json", ".", cwd=root, timeout=60)
    [finding] = [f for f in json_findings(process) if f["line"] == 12]
    assert "x-owner: 'jane' does not match '^[A-Z]'" in finding["message"]
    assert (finding["line"], finding["column"]) == (12, 14)


@pytest.mark.parametrize(
    ("schema", "reason"),
    [
        ('{properties = {x-owner = {pattern = "(?=j)jane"}}}', "(?="),
        ('{patternProperties = {"(x)\\\\1" = true}}', "\\1"),
        ('{properties = {x-owner = {pattern = "(?<!a)b"}}}', "(?<"),
    ],
)
def test_unsupported_pattern_syntax_is_a_config_error(
    tmp_path: Path, schema: str, reason: str
) -> None:
    root = project(tmp_path, schema)
    process = run_cli("validate", "--no-cache", ".", cwd=root, timeout=60)
    assert process.returncode == 2, process.stdout
    line = assert_one_line_error(process.stderr, contains="custom-rules[0].schema")
    assert "linear-time" in line
    assert reason in line


def test_unevaluated_properties_with_pattern_properties_is_a_config_error(
    tmp_path: Path,
) -> None:
    schema = '{patternProperties = {"^x-" = true}, unevaluatedProperties = false}'
    root = project(tmp_path, schema)
    process = run_cli("validate", "--no-cache", ".", cwd=root, timeout=60)
    assert process.returncode == 2, process.stdout
    assert_one_line_error(process.stderr, contains="unevaluatedProperties")


@pytest.mark.parametrize("keyword", ["$ref", "$dynamicRef"])
def test_the_validator_itself_retrieves_nothing(
    server: tuple[str, list[str]], keyword: str
) -> None:
    # Past the config check (a schema built at run time): the registry holds
    # only the schema and has no retrieval.
    from referencing.exceptions import Unresolvable

    from usmctl.check.custom_rules import schema_validator

    url, requests = server
    validator = schema_validator({"properties": {"x": {keyword: f"{url}/s.json"}}})
    with pytest.raises(Unresolvable):
        list(validator.iter_errors({"x": "value"}))
    assert requests == []
