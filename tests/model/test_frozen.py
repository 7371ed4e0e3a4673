"""Frozen means frozen: entities, their origins and the architecture cannot be
changed once built, and nothing in the source writes around that."""

from __future__ import annotations

import ast
import dataclasses
from collections.abc import Iterator
from pathlib import Path
from types import MappingProxyType
from typing import Any

import pydantic
import pytest

import usmctl
from tests.support.factories import WriteFiles, checked
from usmctl.check.settings import Settings
from usmctl.model.architecture import Architecture
from usmctl.model.entities import SECTIONS, ArchitectureInfo, Entity, Service, Workflow
from usmctl.model.salvage import as_written

SOURCE = Path(usmctl.__file__).parent

EVERY_SECTION = """\
usm: "1"
architecture: {id: demo}
profiles:
  - {id: acme, kind: provider}
  - {id: shop, kind: customer, external: "yes"}
processes:
  - {provider: acme, process: recover}
services:
  - {id: mail, provider: acme, customers: [shop, 7]}
agreements:
  - {id: sla, provider: acme, customer: shop}
workflows:
  - {id: wf, provider: acme}
practices:
  - {id: itil}
tools:
  - {id: desk}
governance:
  - {id: pol, kind: policy}
overlays:
  - {id: siam, kind: siam}
value_streams:
  - {id: vs}
"""

CATALOGUE = """\
usm-catalogue: "2"
workflow_types:
  - {id: patch, kind: proactive, trigger: risk, chain: [operate]}
"""

# A template whose name is invalid (salvage removes it) and whose type is
# inferred from its step walk: both set while it is validated.
TEMPLATE = """\
{"format-version": "1.0.0", "process": "operate", "context": "acme", "name": 5,
 "steps": [{"id": "1", "sort-index": 1, "process": "operate"}]}
"""


@pytest.fixture
def built(write_files: WriteFiles) -> Architecture:
    root = write_files(
        {
            "a.usm.yaml": EVERY_SECTION,
            "cat.yaml": CATALOGUE,
            "patch.workflow-template.json": TEMPLATE,
        }
    )
    result = checked(root, Settings(catalogue=root / "cat.yaml"))
    architecture, _ = result.model()
    return architecture


def _entities(architecture: Architecture) -> Iterator[Entity]:
    if architecture.info is not None:
        yield architecture.info
    for _section, entity in architecture.all_entities():
        yield entity


def test_the_fixture_has_an_entity_of_every_model(built: Architecture) -> None:
    models = {type(entity) for entity in _entities(built)}
    assert models == {ArchitectureInfo, *SECTIONS.values()}


def test_every_entity_refuses_assigning_a_field(built: Architecture) -> None:
    for entity in _entities(built):
        name = next(iter(type(entity).model_fields))
        before = getattr(entity, name)
        with pytest.raises(pydantic.ValidationError, match="frozen"):
            setattr(entity, name, before)
        assert getattr(entity, name) is before


def test_every_entity_refuses_assigning_its_private_state(built: Architecture) -> None:
    for entity in _entities(built):
        origin = entity.origin
        with pytest.raises(AttributeError, match="frozen"):
            entity._origin = origin._replace(label="other")
        assert entity.origin is origin


def test_a_workflow_refuses_assigning_what_the_builder_found(built: Architecture) -> None:
    template = built.index["workflows"]["patch"]
    assert isinstance(template, Workflow)
    for name, value in (("_template", False), ("_inferred_type", False), ("_type_candidates", ())):
        with pytest.raises(AttributeError, match="frozen"):
            setattr(template, name, value)
    assert (template.is_template, template.type_inferred, template.type) == (True, True, "patch")


def test_an_origin_cannot_be_changed(built: Architecture) -> None:
    service = built.index["services"]["mail"]
    with pytest.raises(AttributeError):
        service.origin.removed = frozenset()  # type: ignore[misc]
    assert service.origin.removed == {("customers", 1)}


def test_salvage_and_inference_are_in_the_entities_as_built(built: Architecture) -> None:
    service = built.index["services"]["mail"]
    assert isinstance(service, Service)
    assert service.customers == ["shop"]
    assert as_written(service, ("customers", 0)) == ("customers", 0)
    template = built.index["workflows"]["patch"]
    assert isinstance(template, Workflow)
    assert template.name is None  # the invalid name was removed, the type inferred
    assert template.origin.removed == {("name",)}
    assert [workflow.id for workflow in built.workflows] == ["wf", "patch"]
    assert built.workflows[1] is template


def test_the_architecture_refuses_assigning_a_section(built: Architecture) -> None:
    with pytest.raises(dataclasses.FrozenInstanceError):
        built.services = ()  # type: ignore[misc]
    with pytest.raises(AttributeError):
        built.services.append(built.services[0])  # type: ignore[attr-defined]


def test_the_architecture_indexes_cannot_be_changed(built: Architecture) -> None:
    with pytest.raises(TypeError):
        built.index["services"]["other"] = built.services[0]  # type: ignore[index]
    with pytest.raises(TypeError):
        built.index["extra"] = {}  # type: ignore[index]
    with pytest.raises(AttributeError):
        built.known_ids["services"].add("other")  # type: ignore[attr-defined]
    with pytest.raises(TypeError):
        built.salvage_index["a.usm.yaml"] = (frozenset(), frozenset())  # type: ignore[index]
    assert "other" not in built.index["services"]


def _mutable_parts(value: Any, path: str) -> Iterator[str]:
    """Paths of the lists, dicts and sets inside ``value`` (entities apart)."""
    if isinstance(value, list | dict | set):
        yield path
    elif isinstance(value, MappingProxyType):
        for key, item in value.items():
            yield from _mutable_parts(item, f"{path}[{key!r}]")
    elif isinstance(value, tuple | frozenset):
        for item in value:
            yield from _mutable_parts(item, f"{path}[...]")


def test_nothing_in_the_architecture_is_mutable(built: Architecture) -> None:
    assert built.defaulted and built.salvage_index  # the fixture fills every field
    found = [
        part
        for field in dataclasses.fields(Architecture)
        for part in _mutable_parts(getattr(built, field.name), field.name)
    ]
    assert found == []
    assert list(_mutable_parts(MappingProxyType({"a": [1]}), "sample")) == ["sample['a']"]


# -- the source writes around nothing -------------------------------------


def _writes_around_frozen(tree: ast.AST) -> Iterator[int]:
    """Lines that call ``object.__setattr__`` or write ``__pydantic_private__``."""
    for node in ast.walk(tree):
        if (
            isinstance(node, ast.Attribute)
            and node.attr == "__setattr__"
            and isinstance(node.value, ast.Name)
            and node.value.id == "object"
        ):
            yield node.lineno
        targets: list[ast.expr] = []
        if isinstance(node, ast.Assign):
            targets = node.targets
        elif isinstance(node, ast.AugAssign | ast.AnnAssign):
            targets = [node.target]
        elif isinstance(node, ast.Delete):
            targets = node.targets
        for target in targets:
            written = target
            while isinstance(written, ast.Subscript):
                written = written.value
            if isinstance(written, ast.Attribute) and written.attr == "__pydantic_private__":
                yield written.lineno
        if (
            isinstance(node, ast.Call)
            and isinstance(node.func, ast.Attribute)
            and isinstance(node.func.value, ast.Attribute)
            and node.func.value.attr == "__pydantic_private__"
        ):
            yield node.lineno  # __pydantic_private__.update(...), .setdefault(...)
        if isinstance(node, ast.Call) and any(
            isinstance(arg, ast.Constant) and arg.value == "__pydantic_private__"
            for arg in node.args
        ):
            yield node.lineno  # setattr(entity, "__pydantic_private__", ...)


def test_the_source_never_writes_around_frozen() -> None:
    offenders = [
        f"{path.relative_to(SOURCE)}:{line}"
        for path in sorted(SOURCE.rglob("*.py"))
        for line in _writes_around_frozen(ast.parse(path.read_text(encoding="utf-8")))
    ]
    assert offenders == []


@pytest.mark.parametrize(
    "code",
    [
        "object.__setattr__(entity, 'type', 'x')",
        "setter = object.__setattr__",
        "entity.__pydantic_private__['_origin'] = origin",
        "entity.__pydantic_private__ = {}",
        "entity.__pydantic_private__.update(_origin=origin)",
        "setattr(entity, '__pydantic_private__', {})",
    ],
)
def test_the_check_finds_each_way_around(code: str) -> None:
    assert list(_writes_around_frozen(ast.parse(code))) == [1]


def test_private_state_is_set_only_while_validating() -> None:
    """`_initialise` (pydantic's own setattr) is called from after validators only."""
    tree = ast.parse((SOURCE / "model" / "entities.py").read_text(encoding="utf-8"))
    callers = [
        function
        for function in ast.walk(tree)
        if isinstance(function, ast.FunctionDef)
        for node in ast.walk(function)
        if isinstance(node, ast.Call)
        and isinstance(node.func, ast.Name)
        and node.func.id == "_initialise"
    ]
    assert {function.name for function in callers} == {"_take_origin", "_take_wif_facts"}
    for function in callers:
        assert [ast.unparse(decorator) for decorator in function.decorator_list] == [
            "model_validator(mode='after')"
        ]
    other = [
        path.name
        for path in sorted(SOURCE.rglob("*.py"))
        if path.name != "entities.py" and "_initialise" in path.read_text(encoding="utf-8")
    ]
    assert other == []


def test_the_fields_given_stay_each_models_own(tmp_path: Path) -> None:
    """Models with the same fields given share one set of their names
    (`entities._share_fields_sets`); each still has exactly its own."""
    (tmp_path / "a.usm.yaml").write_text(
        'usm: "1"\n'
        "profiles:\n  - {id: acme-it, kind: provider}\n"
        "services:\n"
        "  - {id: a, provider: acme-it, facility: {description: Laptops}}\n"
        "  - {id: b, provider: acme-it, facility: {description: Phones}}\n"
        "  - {id: c, provider: acme-it, name: Desk}\n",
        encoding="utf-8",
    )
    architecture, _ = checked(tmp_path, Settings(use_cache=False)).model()
    given = {
        service.id: service.model_dump(exclude_unset=True) for service in architecture.services
    }
    assert given == {
        "a": {"id": "a", "provider": "acme-it", "facility": {"description": "Laptops"}},
        "b": {"id": "b", "provider": "acme-it", "facility": {"description": "Phones"}},
        "c": {"id": "c", "provider": "acme-it", "name": "Desk"},
    }
    first, second, _ = architecture.services
    assert first.model_fields_set is second.model_fields_set  # one set, not one each
    with pytest.raises(pydantic.ValidationError):
        first.facility = None  # type: ignore[misc]


def test_the_fields_given_are_shared_only_while_validating() -> None:
    """pydantic's slot of the fields given is written by `_share_fields_sets`
    only, which only `Entity._take_origin` (an after validator) calls."""
    tree = ast.parse((SOURCE / "model" / "entities.py").read_text(encoding="utf-8"))

    def callers(name: str) -> set[str]:
        return {
            function.name
            for function in ast.walk(tree)
            if isinstance(function, ast.FunctionDef)
            for node in ast.walk(function)
            if isinstance(node, ast.Call)
            and isinstance(node.func, ast.Name)
            and node.func.id == name
        }

    assert callers("_set_fields_set") == {"_share_fields_sets"}
    assert callers("_share_fields_sets") == {"_take_origin", "_share_fields_sets"}
    other = [
        path.name
        for path in sorted(SOURCE.rglob("*.py"))
        if path.name != "entities.py"
        and "__pydantic_fields_set__" in path.read_text(encoding="utf-8")
    ]
    assert other == []
