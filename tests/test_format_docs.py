"""docs/format.md covers every section and field of the models, and its
example is a valid architecture file."""

from __future__ import annotations

import re
import types
import typing
from typing import Any

import yaml
from pydantic import BaseModel

from tests.support.paths import ROOT
from usmctl.model.entities import ArchitectureFile

FORMAT_MD = ROOT / "docs" / "format.md"


def _text() -> str:
    return FORMAT_MD.read_text(encoding="utf-8")


def _sections_part() -> str:
    return _text().split("## Sections and fields\n")[1].split("\n## ")[0]


def _rows() -> dict[str, str]:
    """Section name -> its row in the "Sections and fields" table."""
    return dict(re.findall(r"^\| `(\w+)` \| (.*)$", _sections_part(), flags=re.M))


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


def _singular(name: str) -> str:
    return name[:-3] + "y" if name.endswith("ies") else name.rstrip("s")


def _nested_region(field: str, region: str, prose: str) -> str:
    """Where a nested model's fields are listed: the parenthesis after its
    field in the row (`facility` (`description`, ...)), else the sentence
    "... <field, singular> has ..." in the section's prose."""
    inline = re.search(rf"`{field}` \(([^)]*)\)", region)
    if inline:
        return inline.group(1)
    sentence = re.search(rf"\b{_singular(field)} has (.*?)[;.]\s", prose, flags=re.S)
    assert sentence, f"docs/format.md does not list the fields of `{field}`"
    return sentence.group(1)


def _missing(model: type[BaseModel], region: str, prose: str, where: str) -> list[str]:
    missing = []
    for name, info in model.model_fields.items():
        key = info.alias or name
        if f"`{key}`" not in region:
            missing.append(f"{where}.{key}")
        nested = _model(info.annotation)
        if nested is not None:
            inner = _nested_region(key, region, prose)
            missing += _missing(nested, inner, prose, f"{where}.{key}")
    return missing


def test_the_table_lists_exactly_the_sections_of_the_model() -> None:
    sections = [name for name in ArchitectureFile.model_fields if name != "usm"]
    assert list(_rows()) == sections


def test_every_field_of_every_section_is_documented() -> None:
    prose = _sections_part()
    missing: list[str] = []
    for section, row in _rows().items():
        model = _model(ArchitectureFile.model_fields[section].annotation)
        assert model is not None, section
        missing += _missing(model, row, prose, section)
    assert not missing, f"docs/format.md does not document {missing}"


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
