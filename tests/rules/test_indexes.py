"""One typed `Indexes` per run: the rules' only shared derived state.

The architecture carries no string-keyed cache; the rules read typed lookups
(``ctx.indexes.service(id)`` is a Service or None) and derived indexes from
the one `Indexes` the engine builds. These tests fail when a rule goes back
to caching on the architecture or to ``arch.get`` plus ``isinstance``.
"""

from __future__ import annotations

import dataclasses
import functools
import re
from pathlib import Path
from typing import Any

import pytest

import usmctl
from tests.support.factories import WriteFiles, checked
from tests.support.paths import EXAMPLES
from usmctl.model.architecture import Architecture
from usmctl.model.catalogue import Walk, WorkflowType
from usmctl.model.entities import Workflow
from usmctl.rules import indexes as indexes_module
from usmctl.rules import workflows as workflows_module
from usmctl.rules.base import RuleContext
from usmctl.rules.indexes import Indexes

RULES = Path(usmctl.__file__).parent / "rules"
SOURCE = Path(usmctl.__file__).parent

TWO_PROVIDERS = """
    usm: "1"
    profiles:
      - {id: acme, kind: provider}
      - {id: shop, kind: customer}
    services:
      - id: mail
        provider: acme
        customers: [shop]
    tools:
      - {id: desk, handles: [wf]}
    workflows:
      - {id: wf, provider: acme, type: incident, owner_process: recover}
    """


def test_the_architecture_has_no_cache() -> None:
    names = {item.name for item in dataclasses.fields(Architecture)}
    assert "cache" not in names


def test_no_module_caches_on_the_architecture() -> None:
    pattern = re.compile(r"\.cache(\.get\(|\[)|\bdef cached\(")
    offenders = [
        f"{path.relative_to(SOURCE)}:{number}"
        for path in sorted(SOURCE.rglob("*.py"))
        for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1)
        if pattern.search(line)
    ]
    assert offenders == []


def test_rules_look_entities_up_through_the_indexes() -> None:
    """``arch.get(section, id)`` returns any entity; the typed lookups do not."""
    offenders = [
        f"{path.name}:{number}"
        for path in sorted(RULES.glob("*.py"))
        if path.name != "indexes.py"
        for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1)
        if re.search(r"\barch\.(get|profile|index)\b", line)
    ]
    assert offenders == []


def test_one_indexes_per_run(write_files: WriteFiles, monkeypatch: pytest.MonkeyPatch) -> None:
    built: list[Indexes] = []
    original = Indexes.__init__

    def counting(self: Indexes, arch: Architecture) -> None:
        built.append(self)
        original(self, arch)

    monkeypatch.setattr(indexes_module.Indexes, "__init__", counting)
    checked(write_files({"a.usm.yaml": TWO_PROVIDERS}))
    assert len(built) == 1


def test_typed_lookups(write_files: WriteFiles) -> None:
    result = checked(write_files({"a.usm.yaml": TWO_PROVIDERS}))
    assert result.architecture is not None
    indexes = Indexes(result.architecture)
    assert indexes.service("mail") is not None
    assert indexes.service("acme") is None  # a profile's id is no service
    assert indexes.profile("acme") is not None
    assert indexes.profile(None) is None
    assert indexes.workflow("wf") is not None
    assert indexes.tool("desk") is not None
    assert [service.id for service in indexes.services_by_provider["acme"]] == ["mail"]
    assert indexes.served_customers == {"shop"}
    assert [workflow.id for workflow in indexes.workflows_by_provider["acme"]] == ["wf"]
    assert indexes.tools_by_workflow["wf"] == ["desk"]
    assert {"acme", "shop", "wf"} <= indexes.referenced_ids
    assert indexes.references is indexes.references  # resolved once


def test_a_loaded_file_is_frozen() -> None:
    from usmctl.load.limits import Limits
    from usmctl.load.loader import SourceFile, load_bytes

    source = SourceFile(Path("a.usm.yaml"), "a.usm.yaml", "yaml")
    loaded = load_bytes(source, b"services: []\n", Limits())
    assert [problem.code for problem in loaded.problems] == ["USM008"]
    assert isinstance(loaded.problems, tuple) and loaded.data is None
    with pytest.raises(dataclasses.FrozenInstanceError):
        loaded.data = {}  # type: ignore[misc]


def test_each_workflows_walk_is_made_once_per_run(monkeypatch: pytest.MonkeyPatch) -> None:
    """Four rules judge a workflow's step walk (USM303, USM304, USM305,
    USM312): it is made once per run, each rule reads it."""
    walked: list[int] = []
    original = workflows_module._walked

    def counting(ctx: RuleContext, workflow: Workflow) -> tuple[WorkflowType, Walk] | None:
        walked.append(id(workflow))
        return original(ctx, workflow)

    monkeypatch.setattr(workflows_module, "_walked", counting)
    result = checked(EXAMPLES / "broken")
    assert result.architecture is not None
    assert len(walked) == len(result.architecture.workflows) > 0
    assert len(set(walked)) == len(walked)
    assert {"USM303", "USM304", "USM305", "USM312"} <= {item.code for item in result.findings}


def test_the_cross_provider_dependencies_are_found_once_per_run(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """USM802 and USM803 read the same dependencies between providers: one
    walk of the services per run."""
    found: list[Indexes] = []
    original = Indexes.cross_provider_dependencies.func

    def counting(self: Indexes) -> tuple[Any, ...]:
        found.append(self)
        return original(self)

    monkeypatch.setattr(Indexes, "cross_provider_dependencies", functools.cached_property(counting))
    Indexes.cross_provider_dependencies.__set_name__(Indexes, "cross_provider_dependencies")
    result = checked(EXAMPLES / "broken")
    assert len(found) == 1
    assert {"USM802", "USM803"} <= {item.code for item in result.findings}
