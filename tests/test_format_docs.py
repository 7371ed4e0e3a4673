"""docs/format.md covers every section and field of the models, in tables
generated from the schema's descriptions, and its example is a valid
architecture file."""

from __future__ import annotations

import re
import types
import typing
from typing import Any

import yaml
from pydantic import BaseModel

from tests.support.paths import ROOT
from usmctl.model.entities import ArchitectureFile
from usmctl.model.schema import reference

FORMAT_MD = ROOT / "docs" / "format.md"


def _text() -> str:
    return FORMAT_MD.read_text(encoding="utf-8")


def _sections_part() -> str:
    return _text().split("## Sections and fields\n")[1].split("\n## ")[0]


def _reference() -> str:
    """The generated part: the sections and their field tables."""
    match = re.search(r"<!-- fields:start -->\n(.*?)<!-- fields:end -->", _text(), flags=re.S)
    assert match, "docs/format.md has no fields markers"
    return match.group(1)


def _tables() -> dict[str, list[str]]:
    """Heading path (`services`, `workflows[].steps[]`) -> the fields its table lists."""
    tables: dict[str, list[str]] = {}
    for heading, body in re.findall(r"^#+ `([^`]+)`\n(.*?)(?=^#|\Z)", _reference(), re.M | re.S):
        tables[heading] = re.findall(r"^\| `(\w+)` \|", body, flags=re.M)
    return tables


def _model(annotation: Any) -> type[BaseModel] | None:
    """The model a field holds, directly, in a list or as an optional."""
    if isinstance(annotation, type) and issubclass(annotation, BaseModel):
        return annotation
    if typing.get_origin(annotation) in (list, typing.Union, types.UnionType):
        for argument in typing.get_args(annotation):
            found = _model(argument)
            if found is not None:
                return found
    return None


def _expected(model: type[BaseModel], path: str) -> dict[str, list[str]]:
    """What the tables should list, from the models themselves."""
    expected = {
        path.removesuffix("[]"): [info.alias or name for name, info in model.model_fields.items()]
    }
    for name, info in model.model_fields.items():
        nested = _model(info.annotation)
        if nested is not None:
            is_list = typing.get_origin(info.annotation) is list
            expected |= _expected(nested, f"{path}.{info.alias or name}" + ("[]" * is_list))
    return expected


def test_the_field_reference_is_generated_from_the_schema() -> None:
    assert _reference() == reference(), (
        "docs/format.md drifted from the schema: run `python tools/readme_sync.py .`"
    )


def test_the_tables_list_every_field_of_every_section_in_model_order() -> None:
    sections = [name for name in ArchitectureFile.model_fields if name != "usm"]
    expected: dict[str, list[str]] = {}
    for section in sections:
        annotation = ArchitectureFile.model_fields[section].annotation
        model = _model(annotation)
        assert model is not None, section
        is_list = typing.get_origin(annotation) is list
        expected |= _expected(model, section + "[]" * is_list)
    tables = {heading.removesuffix("[]"): fields for heading, fields in _tables().items()}
    assert tables == expected
    overview = re.findall(r"^\| \[`(\w+)`\]", _reference(), flags=re.M)
    assert overview == sections


def test_the_format_version_key_is_documented() -> None:
    assert 'usm: "1"' in _text()


def test_the_example_is_a_valid_architecture_file() -> None:
    examples = re.findall(r"```yaml\n(.*?)```", _sections_part(), flags=re.S)
    assert examples, "docs/format.md has no example file"
    for example in examples:
        ArchitectureFile.model_validate(yaml.safe_load(example))


def test_the_example_passes_the_file_format_rules(tmp_path: Any) -> None:
    """No USM0xx finding (the rules about the format itself); a small file
    need not satisfy the USM method rules."""
    from usmctl.api import check
    from usmctl.check.settings import Settings

    example = re.findall(r"```yaml\n(.*?)```", _sections_part(), flags=re.S)[0]
    (tmp_path / "example.usm.yaml").write_text(example, encoding="utf-8")
    result = check(["."], Settings(use_cache=False), cwd=tmp_path)
    format_findings = [f for f in result.findings if f.code.startswith("USM0")]
    assert not format_findings, [f"{f.code} {f.message}" for f in format_findings]
