"""The report's next actions, ranked by what they do for the USM model.

Severity alone puts a reference typo (USM006, an error) ahead of a provider
that runs no USM process (USM201). An action here is one edit, ranked first
by its impact class (`IMPACT`: the one table that says which rule's findings
matter most to USM), then by severity, then by how many findings it clears.

An action groups only findings that one edit clears:

- the findings of one rule on one entity (or, without an entity, in one
  file): the edit is in that entity's block;
- the findings of several rules on the same field of one entity (USM202 and
  USM702 on one ``process`` value): one value replaced clears them all;
- a misspelt key and the findings about the key it should have been
  (USM004 ``custmers`` with its rename fix, and USM404 "no customers"): the
  rename clears both.

Each action says what to write (the finding's fix, else the rule's
remediation and the part of its *Good* example its *Bad* one lacks), where
(the ``file:line`` of the finding it starts from, then the others) and which
findings it clears. Strings are raw user text; the renderers escape them.
"""

from __future__ import annotations

import json
import re
import textwrap
from collections import Counter
from dataclasses import dataclass
from enum import IntEnum
from typing import TYPE_CHECKING

from usmctl.core.codes import UNKNOWN_FIELD
from usmctl.core.findings import Finding, Severity, counted
from usmctl.load.yamlio import reads_as_text
from usmctl.model.usm import PROCESSES, canonical_process

if TYPE_CHECKING:
    from collections.abc import Callable, Iterable

    from usmctl.check.result import Indexes, RunResult

# An action lists this many other places, then counts the rest.
SHOWN_PLACES = 5
# The report shows this many actions ("start small"); the rest are counted.
SHOWN_ACTIONS = 3
# The section that lists every finding, which the note past the shown actions names.
FINDINGS_TITLE = "Findings by severity"
ACTIONS_NOTE = (
    "Ranked by what they do for the USM model, not by severity alone: a file that could "
    "not be checked first (nothing in it is), then missing processes and workflows, then "
    "services without facility, support or agreement, then "
    "unenforced governance and unbound overlays, then the other gaps; reference typos, "
    "structure and style last. Within each, errors before warnings, then the action that "
    "clears the most findings. Each action is one edit and lists the findings it clears."
)


class Impact(IntEnum):
    """What fixing a rule's findings does for the USM model, most first."""

    UNCHECKED = 0
    OPERATING_MODEL = 1
    SERVICE_INTERFACE = 2
    GOVERNANCE = 3
    COHERENCE = 4
    HYGIENE = 5

    @property
    def label(self) -> str:
        """The class as the report names it."""
        return _LABELS[self]


_LABELS = {
    Impact.UNCHECKED: "files not checked",
    Impact.OPERATING_MODEL: "missing USM processes and workflows",
    Impact.SERVICE_INTERFACE: "services without facility, support or agreement",
    Impact.GOVERNANCE: "unenforced governance and unbound overlays",
    Impact.COHERENCE: "other USM gaps",
    Impact.HYGIENE: "reference typos, structure and style",
}

# The one table of impact, keyed by rule name (a rule's code and name are both
# stable; the name says what the rule is about, and the package writes no code
# as a literal): every built-in rule in exactly one class
# (tests/output/report/test_actions.py checks it against the rules the run knows).
# A custom rule is the user's own USM check: COHERENCE.
# fmt: off
IMPACT_CLASSES: dict[Impact, frozenset[str]] = {
    # Nothing in the file, or nothing at all, is checked: every other finding
    # (or the absence of one) may be wrong until these are fixed (USM001,
    # USM008-USM010, USM012).
    Impact.UNCHECKED: frozenset({
        "yaml-syntax", "unsupported-version", "unsafe-yaml", "unreadable-file",
        "empty-architecture",
    }),
    # A provider that does not run the five processes or the standard
    # workflows, or a workflow that is only a name (USM201, USM306, USM310).
    Impact.OPERATING_MODEL: frozenset({
        "missing-process", "missing-standard-workflow", "workflow-without-steps",
    }),
    # A service that is not a supported facility under an agreement
    # (USM401-USM409, USM802).
    Impact.SERVICE_INTERFACE: frozenset({
        "service-missing-facility", "service-missing-support", "service-without-agreement",
        "service-without-customer", "agreement-party-mismatch", "external-without-contract",
        "placeholder-description", "partial-request-interface", "customer-without-agreement",
        "dependency-without-agreement",
    }),
    # Policies nobody enforces, overlays bound to nothing or without their
    # parts (USM5xx, USM6xx).
    Impact.GOVERNANCE: frozenset({
        "policy-not-enforced", "policy-without-scope", "policy-foreign-enforcer",
        "overlay-unbound", "siam-single-supplier", "siam-without-integrator",
        "dvms-without-loop", "xla-without-indicators", "siam-integrator-outside",
        "xla-indicator-incomplete",
    }),
    # The rest of the model: parties, process entries, workflow paths and RACI,
    # practices and tools, the supply chain, value streams.
    Impact.COHERENCE: frozenset({
        "provider-without-services", "customer-without-services",
        "operator-without-provider", "non-usm-process", "process-without-owner",
        "duplicate-process", "workflow-without-owning-process", "unknown-workflow-type",
        "workflow-entry-mismatch", "workflow-path-deviation", "owner-process-mismatch",
        "raci-accountable", "raci-responsible", "raci-foreign-profile",
        "service-self-customer", "practice-unplugged", "practice-declared-as-process",
        "tool-without-workflow", "workflow-multiple-tools", "tool-foreign-workflow",
        "supply-cycle", "supplier-not-a-link", "value-stream-without-workflow",
        "value-stream-foreign-service", "improve-without-feedback",
        "value-stream-foreign-workflow", "value-stream-empty", "value-stream-request-type",
    }),
    # Typos in references and keys, file structure, canonical names, and advice
    # (USM002-USM007, USM011, USM013, USM203, and the rules that report at info
    # by default).
    Impact.HYGIENE: frozenset({
        "duplicate-key", "schema-violation", "unknown-field", "duplicate-id",
        "unresolved-reference", "wrong-kind-reference", "unused-suppression",
        "ambiguous-scalar", "unused-profile", "process-alias", "workflow-without-tool",
        "workflow-not-closed", "wif-type-ambiguous", "internal-contract",
        "recursion-too-deep",
    }),
}
# fmt: on
_BY_NAME = {name: impact for impact, names in IMPACT_CLASSES.items() for name in names}


def impacts(result: RunResult) -> dict[str, Impact]:
    """Each built-in rule's impact class, by code (a code not in it: COHERENCE)."""
    return {rule.code: _BY_NAME.get(rule.name, Impact.COHERENCE) for rule in result.rules()}


@dataclass(frozen=True)
class Action:
    """One next step: one edit and the findings it clears.

    ``advice`` is the tool's own text (a rule's remediation; may hold
    ``code`` spans); ``title``, ``finding``, ``write``, ``snippet``, ``where``
    and ``also`` may hold user text. An action that stems from no finding
    (an area that declares nothing) has only a title and advice.
    """

    title: str
    advice: str = ""
    # What is wrong: the message of the finding the action starts from.
    finding: str = ""
    impact: Impact | None = None
    severity: Severity | None = None
    # What to write: the finding's own fix (``Replace "x" by "y"``), and a YAML
    # snippet (the fix's inserted text, else the rule's Good example).
    write: str = ""
    snippet: str = ""
    # Where: ``file:line`` of that finding, then the others up to a bound.
    where: str = ""
    also: tuple[str, ...] = ()
    more: int = 0
    # Which findings it clears: (code, count), in code order.
    clears: tuple[tuple[str, int], ...] = ()
    help_uri: str | None = None

    @property
    def cleared(self) -> int:
        """How many findings the action clears."""
        return sum(count for _code, count in self.clears)

    def instruction(self, user: Callable[[str], str], tool: Callable[[str], str]) -> str:
        """What to write: the finding's fix (user text, through ``user``), else
        the rule's remediation (the tool's text with code spans, through
        ``tool``), announcing the snippet when it is only an example."""
        if self.write:
            return f"What to write: {user(self.write)}."
        text = ("What to write: " if self.clears else "") + tool(self.advice)
        return text + (" For example:" if self.snippet else "") if self.advice else ""

    def places(self, shown: Callable[[str], str]) -> str:
        """``a.yaml:3 (also b.yaml:5 and 2 more)``, each place through ``shown``
        (the renderer's escaping)."""
        also = ", ".join(shown(place) for place in self.also)
        more = f" and {self.more} more" if self.more else ""
        return shown(self.where) + (f" (also {also}{more})" if also else "")

    def describe_clears(self) -> str:
        """``3 findings (USM004, USM404 ×2)``."""
        codes = ", ".join(code if count == 1 else f"{code} ×{count}" for code, count in self.clears)
        return f"{counted(self.cleared, 'finding')} ({codes})"


def rest_note(actions: tuple[Action, ...]) -> str:
    """What the report does not show of the actions past the first few ("" when none)."""
    rest = [action for action in actions[SHOWN_ACTIONS:] if action.cleared]
    if not rest:
        return ""
    cleared = sum(action.cleared for action in rest)
    verb = "clears" if len(rest) == 1 else "clear"
    return (
        f"{counted(len(rest), 'more action')} {verb} the other {counted(cleared, 'finding')}; "
        f"every finding is listed, with its remediation, under {FINDINGS_TITLE}."
    )


def next_actions(result: RunResult) -> tuple[Action, ...]:
    """Every finding of the run in exactly one action, the most useful first."""
    findings = sorted(result.findings, key=lambda finding: finding.sort_key)
    if not findings:
        return ()
    try:
        indexes: Indexes | None = result.indexes()
    except RuntimeError:  # a result read from the findings cache: ids, not names
        indexes = None
    classes = impacts(result)
    groups = sorted(_groups(findings), key=lambda group: _rank(classes, group))
    return tuple(_action(result, indexes, classes, group) for group in groups)


# --- grouping ----------------------------------------------------------------

# The section a finding's path starts in (``services`` of ``services[a].support``).
SECTION_PATH = re.compile(r"^([a-z_]+)\[")


def _subject(finding: Finding) -> tuple[str, str]:
    """The entity a finding is about (its section and id), else its file."""
    match = SECTION_PATH.match(finding.path)
    if finding.entity is None or match is None:
        return ("file", finding.file)
    return (match.group(1), finding.entity)


def _field(finding: Finding) -> str | None:
    """The field of its entity a finding points at (``.process``), None when it
    points at the entity itself (its block or its ``id``): findings on one
    entity are about one value only when they name the same field."""
    match = SECTION_PATH.match(finding.path)
    if finding.entity is None or match is None:
        return None
    prefix = f"{match.group(1)}[{finding.entity}]"
    rest = finding.path[len(prefix) :] if finding.path.startswith(prefix) else ""
    return rest if rest and rest != ".id" else None


def _renamed(finding: Finding) -> str | None:
    """The key path a misspelt key's rename fix writes (``services[a].customers``)."""
    if finding.code != UNKNOWN_FIELD or finding.fix is None or len(finding.fix.edits) != 1:
        return None
    parent, dot, _key = finding.path.rpartition(".")
    new = finding.fix.edits[0].new_text.strip("\"'")
    return f"{parent}.{new}" if dot and new else None


def _groups(findings: list[Finding]) -> list[list[Finding]]:
    """Findings one edit clears together (see the module's docstring), each
    group in output order, the group with its cause (a rename) first."""
    parent = list(range(len(findings)))

    def root(index: int) -> int:
        while parent[index] != index:
            parent[index] = parent[parent[index]]
            index = parent[index]
        return index

    def join(keys: Iterable[tuple[object, ...] | None]) -> None:
        first: dict[tuple[object, ...], int] = {}
        for index, key in enumerate(keys):
            if key is None:
                continue
            if key in first:
                parent[root(index)] = root(first[key])
            else:
                first[key] = index

    subjects = [_subject(finding) for finding in findings]
    join((finding.code, *subject) for finding, subject in zip(findings, subjects, strict=True))
    join(
        None if (field := _field(finding)) is None else (*subject, field)
        for finding, subject in zip(findings, subjects, strict=True)
    )
    on_subject: dict[tuple[str, str], list[int]] = {}
    for index, subject in enumerate(subjects):
        on_subject.setdefault(subject, []).append(index)
    for index, finding in enumerate(findings):
        target = _renamed(finding)
        if target is None:
            continue
        for other in on_subject[subjects[index]]:
            path = findings[other].path
            if path == target or path.startswith((f"{target}.", f"{target}[")):
                parent[root(other)] = root(index)
    grouped: dict[int, list[Finding]] = {}
    for index, finding in enumerate(findings):
        grouped.setdefault(root(index), []).append(finding)
    return [
        sorted(group, key=lambda finding: _renamed(finding) is None) for group in grouped.values()
    ]


def _impact(classes: dict[str, Impact], group: list[Finding]) -> Impact:
    """The class of the most useful finding an action clears."""
    return min(classes.get(finding.code, Impact.COHERENCE) for finding in group)


def _rank(
    classes: dict[str, Impact], group: list[Finding]
) -> tuple[int, int, int, tuple[str, int, int, str, str]]:
    """Impact class, then severity, then the most findings cleared, then place."""
    return (
        _impact(classes, group),
        min(finding.severity.rank for finding in group),
        -len(group),
        group[0].sort_key,
    )


# --- one action --------------------------------------------------------------


def _leader(classes: dict[str, Impact], group: list[Finding]) -> Finding:
    """The finding the action starts from: a rename that clears the others,
    else the most useful finding of the group."""
    if _renamed(group[0]) is not None:
        return group[0]
    return min(
        group,
        key=lambda finding: (
            classes.get(finding.code, Impact.COHERENCE),
            finding.severity.rank,
            finding.sort_key,
        ),
    )


def _action(
    result: RunResult, indexes: Indexes | None, classes: dict[str, Impact], group: list[Finding]
) -> Action:
    leader = _leader(classes, group)
    rule = result.rule(leader.code)
    write, snippet = "", ""
    if leader.fix is not None and leader.fix.edits:
        write = leader.fix.title
        inserted = leader.fix.edits[0].new_text
        if "\n" in inserted.strip("\r\n"):
            snippet = textwrap.dedent(inserted.strip("\r\n")).strip()
    elif rule is not None:
        snippet = _for_provider(result, indexes, leader) or _example(rule.good, rule.bad)
    here = f"{leader.file}:{leader.line}"
    places = (f"{finding.file}:{finding.line}" for finding in group)
    others = list(dict.fromkeys(place for place in places if place != here))
    clears = Counter(finding.code for finding in group)
    return Action(
        title=f"{leader.code} {leader.name}: {_label(indexes, leader)}",
        advice=rule.remediation if rule is not None else "",
        finding=leader.message,
        impact=_impact(classes, group),
        severity=min((finding.severity for finding in group), key=lambda sev: sev.rank),
        write=write,
        snippet=snippet,
        where=here,
        also=tuple(others[:SHOWN_PLACES]),
        more=max(len(others) - SHOWN_PLACES, 0),
        clears=tuple(sorted(clears.items())),
        help_uri=rule.help_uri if rule is not None else result.help_uri(leader),
    )


def _yaml_id(value: str) -> str:
    """An id as a flow-mapping value: plain when it reads back as itself
    (``acme-it``), quoted otherwise (``"on"``, ``"010"``)."""
    return value if reads_as_text(value) and ":" not in value else json.dumps(value)


def _for_provider(result: RunResult, indexes: Indexes | None, leader: Finding) -> str:
    """The entries a provider lacks, written for that provider: its missing
    processes (missing-process) or a workflow of each catalogue type it has
    none of (missing-standard-workflow); "" for every other finding, which
    gets the rule's own example."""
    if indexes is None or leader.entity is None or not leader.path.startswith("profiles["):
        return ""
    provider = _yaml_id(leader.entity)
    if leader.name == "missing-process":
        declared = {
            canonical_process(entry.process)
            for entry in indexes.processes_by_provider.get(leader.entity, ())
        }
        missing = [process for process in PROCESSES if process not in declared]
        rows = [f"  - {{provider: {provider}, process: {name}}}" for name in missing]
        return "\n".join(["processes:", *rows]) if rows else ""
    if leader.name == "missing-standard-workflow":
        _arch, catalogue = result.model()
        present = {
            workflow.type for workflow in indexes.workflows_by_provider.get(leader.entity, ())
        }
        rows = [
            f"  - {{id: {_yaml_id(f'{leader.entity}-{kind.id}')}, provider: {provider}, "
            f"type: {kind.id}}}"
            for kind in catalogue.types
            if kind.id not in present
        ]
        return "\n".join(["workflows:", *rows]) if rows else ""
    return ""


def _example(good: str, bad: str) -> str:
    """What the rule's *Good* example writes that its *Bad* example lacks: its
    top-level blocks not in Bad (``processes:`` and its entries, not the
    profiles and services both share); all of Good when none differs."""
    shared = set(_blocks(bad))
    written = [block for block in _blocks(good) if block not in shared]
    return "\n".join(written or _blocks(good))


def _blocks(text: str) -> list[str]:
    """A YAML document's top-level blocks: a key with its indented lines, the
    comment lines above it included."""
    blocks: list[list[str]] = []
    for line in text.splitlines():
        starts = bool(line) and not line[0].isspace() and not line.startswith("- ")
        if starts and blocks and not all(seen.startswith("#") for seen in blocks[-1]):
            blocks.append([])
        if not blocks:
            blocks.append([])
        blocks[-1].append(line)
    return ["\n".join(block).strip() for block in blocks if "".join(block).strip()]


def _label(indexes: Indexes | None, finding: Finding) -> str:
    """What the action is about: the entity's name and id, else its id, else the file."""
    section, key = _subject(finding)
    if section == "file":
        return key
    entity = None
    if indexes is not None:
        lookup = {
            "profiles": indexes.profile,
            "services": indexes.service,
            "agreements": indexes.agreement,
            "workflows": indexes.workflow,
            "tools": indexes.tool,
        }.get(section)
        entity = lookup(key) if lookup is not None else None
    name = getattr(entity, "name", None)
    return f"{name} ({key})" if isinstance(name, str) and name and name != key else key
