"""What every rule is made of: metadata, a context, and violations."""

from __future__ import annotations

import inspect
import re
from collections.abc import Iterator
from dataclasses import dataclass
from enum import StrEnum
from functools import cached_property
from typing import TYPE_CHECKING, Any, ClassVar

from usmctl.core.findings import Locus, Severity, Violation, rule_anchor, rule_url
from usmctl.core.fixes import FixPlan, replacing
from usmctl.model.architecture import SINGULAR
from usmctl.model.graph import SupplyChain
from usmctl.model.salvage import locate_field
from usmctl.rules.indexes import Indexes

if TYPE_CHECKING:
    from usmctl.model.architecture import Architecture
    from usmctl.model.catalogue import Catalogue, Walk, WorkflowType
    from usmctl.model.entities import Entity
    from usmctl.model.graph import SupplyChain

_SECTION_RE = re.compile(r"^(Rationale|Remediation|Bad|Good):\s*$", re.MULTILINE)


class Area(StrEnum):
    """What a rule's findings are about: the report's areas, in its order.

    A rule says its area (USM903, a process rule numbered with the value
    streams, is about processes); a structure rule's finding is about
    whatever section of the file it points at.
    """

    PROFILES = "profiles"
    PROCESSES = "processes"
    WORKFLOWS = "workflows"
    SERVICES = "services"
    GOVERNANCE = "governance"
    OVERLAYS = "overlays"
    PRACTICES = "practices"
    SUPPLY_CHAIN = "supply_chain"
    VALUE_STREAMS = "value_streams"
    STRUCTURE = "structure"


@dataclass(frozen=True)
class RuleMeta:
    """A rule's documentation, parsed from its class docstring."""

    code: str
    name: str
    severity: Severity
    area: Area
    summary: str
    rationale: str
    remediation: str
    bad: str
    good: str
    # A custom rule's: the file that defines it (None for a built-in rule),
    # and its documentation link, when it gives one.
    defined_in: str | None = None
    url: str | None = None

    @property
    def anchor(self) -> str:
        """The heading anchor in docs/rules.md."""
        return rule_anchor(self.code, self.name)

    @property
    def help_uri(self) -> str | None:
        """The rule's documentation link, used by every output (a custom
        rule's ``url``, or None)."""
        if self.defined_in is not None:
            return self.url
        url = rule_url(self.code, self.name)
        assert url is not None, "a built-in rule has documentation"
        return url


class Rule:
    """A USM rule. Subclasses set code, name, default_severity, area and a docstring
    (summary line; Rationale, Remediation, Bad and Good sections) and override
    `check`. Rules another stage reports (the loader, the model builder, the
    suppressions) derive from `LoadStageRule` instead."""

    code: ClassVar[str]
    name: ClassVar[str]
    default_severity: ClassVar[Severity]
    area: ClassVar[Area]
    # A rule that reports what the architecture lacks (no service, no
    # workflow of a type, nobody referring to a profile) cannot judge while a
    # file fails to load: the missing thing may be in it. The engine holds
    # such findings back then, and the failed file's finding says so.
    judges_absence: ClassVar[bool] = False

    def check(self, ctx: RuleContext) -> Iterator[Violation]:
        """Yield one violation per offending node."""
        raise NotImplementedError(f"{type(self).__name__} has no check")

    @classmethod
    def meta(cls) -> RuleMeta:
        """The rule's metadata from its docstring."""
        doc = inspect.cleandoc(cls.__doc__ or "")
        summary, _, body = doc.partition("\n")
        sections: dict[str, str] = {}
        parts = _SECTION_RE.split(body)
        for title, text in zip(parts[1::2], parts[2::2], strict=True):
            sections[title] = inspect.cleandoc(text) if text.strip() else ""
        return RuleMeta(
            code=cls.code,
            name=cls.name,
            severity=cls.default_severity,
            area=cls.area,
            summary=summary.strip(),
            rationale=" ".join(sections.get("Rationale", "").split()),
            remediation=" ".join(sections.get("Remediation", "").split()),
            bad=sections.get("Bad", ""),
            good=sections.get("Good", ""),
        )


class LoadStageRule(Rule):
    """A rule another stage reports, not the rules' pass: the loader, the
    parser or the model builder while the input is read, or (USM011) the
    suppressions once they are applied. They emit its code from
    `usmctl.core.codes`. The engine does not run its `check`, which finds
    nothing."""

    def check(self, ctx: RuleContext) -> Iterator[Violation]:
        """Nothing: the load stage has reported it already."""
        yield from ()


class RuleContext:
    """What a rule sees: the merged architecture, its indexes, the catalogue,
    the graph."""

    def __init__(
        self,
        architecture: Architecture,
        catalogue: Catalogue,
        *,
        indexes: Indexes | None = None,
        max_depth: int = 5,
    ) -> None:
        self.arch = architecture
        self.indexes = Indexes(architecture) if indexes is None else indexes
        self.catalogue = catalogue
        self.max_depth = max_depth

    @cached_property
    def supply_chain(self) -> SupplyChain:
        """The supply-chain graph, built on first use."""

        return SupplyChain.build(self.arch)

    @cached_property
    def walks(self) -> dict[int, tuple[WorkflowType, Walk] | None]:
        """Each workflow's catalogue type and step walk along its chain, by
        ``id()`` of the workflow, as `usmctl.rules.workflows` computes them on
        first use: four rules judge the same walk (USM303, USM304, USM305,
        USM312), each walk is made once per run."""
        return {}

    @cached_property
    def has_dependencies(self) -> bool:
        """Whether any service depends on another. Without ``depends_on`` the
        supply chain has no cycle and no chain past one link, so the rules
        that walk it need not build it (nor import networkx: 0.1 s)."""
        return any(service.depends_on for service in self.arch.services)

    def at(self, entity: Entity, *fields: str | int, key: bool = False) -> Locus:
        """The locus of an entity or of one of its fields.

        ``key=True`` points at the field's key (missing or extra fields);
        otherwise at its value. A field absent from the file falls back to its
        nearest present ancestor.
        """

        return locate_field(entity.origin, fields, at_key=key)

    def violation(
        self,
        entity: Entity,
        message: str,
        *fields: str | int,
        key: bool = False,
        fix: FixPlan | None = None,
    ) -> Violation:
        """Shorthand: a violation at an entity's field (with its one safe fix)."""
        return Violation(message, self.at(entity, *fields, key=key), fix=fix)

    def replacing(
        self, entity: Entity, fields: tuple[str | int, ...], text: str, *, was: str
    ) -> FixPlan | None:
        """The fix that writes ``text`` for the value ``was`` of an entity's field."""
        anchor = self.at(entity, *fields).anchor
        return None if anchor is None else replacing(anchor, text, was=was)


def describe(entity: Any) -> str:
    """``service "workplace"``: how messages name an entity."""

    origin = entity.origin
    return f'{SINGULAR[origin.section]} "{origin.label}"'
