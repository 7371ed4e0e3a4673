"""The gap report's content, computed once from a RunResult (`usmctl report`).

Both renderers (HTML and Markdown) read this model and nothing else, so the
two variants always say the same thing. Every string here is raw user text:
escaping is the renderers' job.

The headline is the USM coverage per internal provider (`coverage`), beside
the finding counts per severity. Areas count each area's entities and
findings: the findings table names a finding's area, and an area that
declares nothing is a first step.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import PurePath
from typing import TYPE_CHECKING

from usmctl import __version__
from usmctl.check.selection import resolve_selectors
from usmctl.core.codes import UNUSED_SUPPRESSION
from usmctl.core.findings import Finding, Severity, counted, printable
from usmctl.model.catalogue import BUILT_IN
from usmctl.model.graph import SupplyChain, profile_node, service_node
from usmctl.output.report.actions import SECTION_PATH, Action, next_actions
from usmctl.output.report.coverage import Coverage, coverage
from usmctl.output.report.levels import placements
from usmctl.output.report.progress import Previous, Progress, compare
from usmctl.output.report.tables import (
    Matrix,
    Table,
    bindings,
    process_matrix,
    services_table,
    workflow_matrix,
)

if TYPE_CHECKING:
    from usmctl.check.result import Indexes, RunResult
    from usmctl.check.settings import Settings
    from usmctl.model.architecture import Architecture
    from usmctl.model.catalogue import Catalogue
    from usmctl.model.graph import SupplyChain

# Area key -> title, in report order.
AREAS: dict[str, str] = {
    "profiles": "Profiles",
    "processes": "Processes",
    "workflows": "Workflows",
    "services": "Services",
    "governance": "Governance",
    "overlays": "Overlays",
    "practices": "Practices & tools",
    "supply_chain": "Supply chain",
    "value_streams": "Value streams",
}
# Model section -> area.
SECTION_AREA: dict[str, str] = {
    "profiles": "profiles",
    "processes": "processes",
    "workflows": "workflows",
    "services": "services",
    "agreements": "services",
    "governance": "governance",
    "overlays": "overlays",
    "practices": "practices",
    "tools": "practices",
    "value_streams": "value_streams",
}
# What to do first about an area that declares nothing (static text, no user input).
EMPTY_AREA_ACTIONS: dict[str, str] = {
    "profiles": "Declare the parties: at least one customer and one provider.",
    "services": "Describe each service as a supported facility: its facility, its support "
    "and the agreement it runs under.",
    "processes": "Declare how each provider runs the five USM processes (agree, change, "
    "recover, operate, improve), each with an owner.",
    "workflows": "Describe the standard workflows of the catalogue, starting with incident "
    "(recover) and service-request (operate).",
    "governance": "Write down one policy and name the process or workflow that enforces it.",
    "practices": "Plug the practices and tools in use into processes and workflows, so that "
    "none of them is a siloed ritual.",
    "value_streams": "Map one value stream of the main customer through services and workflows.",
}
# The scope section names this many files, then counts the rest.
SHOWN_FILES = 20
SCOPE_NOTE = (
    "What the report stands on, and what it does not show: the files and the catalogue "
    "checked, the rules that did not run or report at another severity, and the findings "
    "hidden on purpose."
)


@dataclass(frozen=True)
class AreaScore:
    """One area: its entities declared and its findings."""

    key: str
    title: str
    entities: int
    findings: int


@dataclass(frozen=True)
class Marks:
    """Finding counts on one graph node."""

    errors: int = 0
    warnings: int = 0
    infos: int = 0

    @property
    def total(self) -> int:
        """All findings on the node."""
        return self.errors + self.warnings + self.infos

    @property
    def worst(self) -> Severity | None:
        """The most severe finding on the node, if any."""
        if self.errors:
            return Severity.ERROR
        if self.warnings:
            return Severity.WARNING
        return Severity.INFO if self.infos else None

    def describe(self) -> str:
        """``2 errors, 1 warning``."""
        parts = [
            f"{count} {word}{'' if count == 1 else 's'}"
            for count, word in (
                (self.errors, "error"),
                (self.warnings, "warning"),
                (self.infos, "info"),
            )
            if count
        ]
        return ", ".join(parts) or "no findings"


@dataclass(frozen=True)
class GraphNode:
    """A party or service of the supply chain, placed in a level (the picture's
    column: customers 0, providers 1, suppliers 2, ...; a service at its
    provider's) and a layer (a finer rank inside the levels for Graphviz);
    see `levels`."""

    name: str
    entity: str
    label: str
    kind: str
    role: str
    external: bool
    layer: int
    marks: Marks
    level: int = 0


@dataclass(frozen=True, order=True)
class GraphEdge:
    """A ``provides``, ``serves`` or ``depends_on`` edge."""

    source: str
    target: str
    relation: str


@dataclass(frozen=True)
class RankedFinding:
    """A finding with its area, remediation and documentation link."""

    finding: Finding
    area: str
    remediation: str
    help_uri: str | None


@dataclass(frozen=True)
class Scope:
    """What the check covered, and what the report does not show: files,
    catalogue, rules not run or re-graded, findings hidden.

    ``facts`` are (topic, plain text) lines; ``tables`` the details, only
    those with rows. File names, patterns and selectors are user text.
    """

    facts: tuple[tuple[str, str], ...]
    tables: tuple[Table, ...]


@dataclass(frozen=True)
class Report:
    """Everything the gap report shows."""

    title: str
    architecture_id: str | None
    domain: str | None
    date: str
    version: str
    files: int
    by_severity: dict[str, int]
    coverage: Coverage
    areas: tuple[AreaScore, ...]
    unattributed: int
    suppressions: int
    nodes: tuple[GraphNode, ...]
    edges: tuple[GraphEdge, ...]
    process_matrix: Matrix
    workflow_matrix: Matrix
    services: Table
    bindings: tuple[Table, ...]
    findings: tuple[RankedFinding, ...]
    actions: tuple[Action, ...]
    scope: Scope
    # "Since the last report": only with `report --compare PREVIOUS`.
    progress: Progress | None = None


def finding_area(finding: Finding, result: RunResult) -> str | None:
    """The area a finding belongs to.

    A rule says what its gap is about (USM201, a provider that runs no
    process, is a processes gap though it points at the profile); structural
    findings (USM0xx) and custom rules go by the section of their path.
    """
    rule = result.rule(finding.code)
    if rule is not None and rule.area in AREAS:
        return str(rule.area)
    section = finding_section(finding)
    return SECTION_AREA[section] if section is not None else None


def finding_section(finding: Finding) -> str | None:
    """The model section named by the finding's path (``services[x].support``)."""
    match = SECTION_PATH.match(finding.path)
    if match and match.group(1) in SECTION_AREA:
        return match.group(1)
    return None


def build_report(result: RunResult, *, date: str, previous: Previous | None = None) -> Report:
    """Compute the report's content; ``date`` is given so output is reproducible;
    ``previous``: the earlier run to compare with (`progress`)."""
    arch, catalogue = result.model()
    indexes = result.indexes()
    supply_chain = SupplyChain.build(arch)
    info = arch.info
    title = (info.name or info.id) if info is not None else "Unnamed architecture"
    areas = _areas(result)
    covered = coverage(result)
    nodes, edges = graph_data(result, supply_chain, indexes=indexes)
    ranked = _ranked(result)
    return Report(
        title=title,
        architecture_id=info.id if info is not None else None,
        domain=info.domain if info is not None else None,
        date=date,
        version=__version__,
        files=len(result.files),
        by_severity=result.by_severity(),
        coverage=covered,
        areas=areas,
        # every finding with an area is counted in exactly one area's findings;
        # USM011 is about the suppression comments, not an unreadable file
        unattributed=len(result.findings)
        - sum(area.findings for area in areas)
        - _suppression_findings(result),
        suppressions=_suppression_findings(result),
        nodes=nodes,
        edges=edges,
        process_matrix=process_matrix(indexes),
        workflow_matrix=workflow_matrix(indexes, catalogue),
        services=services_table(indexes),
        bindings=bindings(arch),
        findings=ranked,
        actions=_actions(result, areas),
        scope=scope(result),
        progress=compare(result, previous, covered) if previous is not None else None,
    )


# --- summary -----------------------------------------------------------------


def _entity_keys(arch: Architecture) -> dict[str, set[tuple[str, str]]]:
    """Area -> (section, label) of every entity declared, valid or not."""
    keys: dict[str, set[tuple[str, str]]] = defaultdict(set)
    for section, entity in arch.all_entities():
        keys[SECTION_AREA[section]].add((section, entity.origin.label))
    for section, ids in arch.known_ids.items():
        if section in SECTION_AREA:
            keys[SECTION_AREA[section]].update((section, entity_id) for entity_id in ids)
    # Every service is a link of the supply chain.
    keys["supply_chain"] = {key for key in keys["services"] if key[0] == "services"}
    return keys


def _areas(result: RunResult) -> tuple[AreaScore, ...]:
    keys = _entity_keys(result.model()[0])
    counts: Counter[str] = Counter()
    for finding in result.findings:
        area = finding_area(finding, result)
        if area is not None:
            counts[area] += 1
            # an entity only an error or warning names still counts
            if finding.entity is not None and finding.severity is not Severity.INFO:
                section = finding_section(finding) or (
                    "services" if area == "supply_chain" else area
                )
                keys[area].add((section, finding.entity))
    return tuple(AreaScore(key, title, len(keys[key]), counts[key]) for key, title in AREAS.items())


# --- graph -------------------------------------------------------------------


def _node_owners(indexes: Indexes, finding: Finding) -> list[str]:
    """The graph nodes a finding is shown on."""
    section = finding_section(finding)
    entity = finding.entity
    if section is None or entity is None:
        return []
    if section == "services":
        return [service_node(entity)]
    if section == "profiles":
        profile = indexes.profile(entity)
        if profile is not None and profile.kind == "operator" and profile.of:
            return [profile_node(profile.of)]
        return [profile_node(entity)]
    if section == "processes":
        return [profile_node(entity.partition(":")[0])]
    if section == "workflows":
        workflow = indexes.workflow(entity)
        return [profile_node(workflow.provider)] if workflow and workflow.provider else []
    if section == "agreements":
        agreement = indexes.agreement(entity)
        if agreement is None:
            return []
        return [service_node(item) for item in agreement.services] or [
            profile_node(agreement.provider)
        ]
    return []


def graph_data(
    result: RunResult,
    supply_chain: SupplyChain | None = None,
    *,
    indexes: Indexes | None = None,
) -> tuple[tuple[GraphNode, ...], tuple[GraphEdge, ...]]:
    """The supply chain's nodes (with layers and finding marks) and edges."""
    arch, _ = result.model()
    if supply_chain is None:
        supply_chain = SupplyChain.build(arch)
    if indexes is None:
        indexes = result.indexes()
    counts: dict[str, Counter[Severity]] = defaultdict(Counter)
    for finding in result.findings:
        for node in _node_owners(indexes, finding):
            counts[node][finding.severity] += 1
    placed = placements(supply_chain.graph)
    nodes = tuple(
        GraphNode(
            name=printable(name, exact=True),
            entity=printable(str(data["entity"]), exact=True),
            label=printable(str(data["label"])),
            kind=str(data["kind"]),
            role=str(data["role"]),
            external=bool(data["external"]),
            layer=placed[name].rank,
            marks=Marks(
                counts[name][Severity.ERROR],
                counts[name][Severity.WARNING],
                counts[name][Severity.INFO],
            ),
            level=placed[name].level,
        )
        for name, data in supply_chain.node_data()
    )
    edges = tuple(
        sorted(
            GraphEdge(printable(source, exact=True), printable(target, exact=True), key)
            for source, target, key in supply_chain.graph.edges(keys=True)
        )
    )
    return nodes, edges


# --- findings and actions ----------------------------------------------------


def _ranked(result: RunResult) -> tuple[RankedFinding, ...]:
    ordered = sorted(
        result.findings,
        key=lambda finding: (finding.severity.rank, finding.code, *finding.sort_key),
    )
    ranked = []
    for finding in ordered:
        rule = result.rule(finding.code)
        remediation, help_uri = (rule.remediation, rule.help_uri) if rule else ("", None)
        area = finding_area(finding, result)
        shown = AREAS[area] if area else "files"
        if finding.code == UNUSED_SUPPRESSION:
            shown = "suppressions"
        ranked.append(RankedFinding(finding, shown, remediation, help_uri))
    return tuple(ranked)


def _actions(result: RunResult, areas: tuple[AreaScore, ...]) -> tuple[Action, ...]:
    """Every next action (`actions`: ranked by USM impact, each clearing
    findings); an area that declares nothing after those with errors or
    warnings, before those with information only; "keep it clean" when none."""
    ranked = next_actions(result)
    serious = [action for action in ranked if action.severity is not Severity.INFO]
    empty = [
        Action(f"{area.title}: nothing declared", advice=EMPTY_AREA_ACTIONS[area.key])
        for area in areas
        if area.entities == 0 and area.key in EMPTY_AREA_ACTIONS
    ]
    informational = [action for action in ranked if action.severity is Severity.INFO]
    actions = [*serious, *empty, *informational]
    if not actions:
        actions.append(
            Action(
                "Keep it clean",
                advice="No gaps found. Run ``usmctl validate`` in CI so that the architecture "
                "stays consistent as it grows.",
            )
        )
    return tuple(actions)


# --- scope -------------------------------------------------------------------


def _suppression_findings(result: RunResult) -> int:
    """USM011: suppression comments unused, without a reason or malformed."""
    return sum(1 for finding in result.findings if finding.code == UNUSED_SUPPRESSION)


def scope(result: RunResult) -> Scope:
    """What the check covered and what it left out or hid."""
    arch, catalogue = result.model()
    facts = [
        ("Files", _files_fact(result.files, arch.failed_files)),
        ("Catalogue", _catalogue_fact(catalogue)),
    ]
    tables: list[Table] = []
    if result.settings is None or result.enabled is None:
        facts.append(("Rules", "not recorded: this result does not come from a run."))
    else:
        rule_facts, rule_tables = _rules_scope(result, result.settings, result.enabled)
        facts += rule_facts
        tables += rule_tables
    facts.append(
        (
            "Inline suppressions",
            f"{counted(result.suppressed, 'finding')} hidden by usmctl: ignore comments in the "
            "files (each comment names the rules it hides)."
            if result.suppressed
            else "none hid a finding.",
        )
    )
    faulty = _suppression_findings(result)
    if faulty:
        facts.append(
            (
                "Suppressions to fix",
                f"{counted(faulty, 'suppression comment')} unused, without a reason or "
                f"malformed ({UNUSED_SUPPRESSION}, area suppressions in the findings).",
            )
        )
    facts.append(("Baseline", _baseline_fact(result)))
    hidden = Counter((finding.code, finding.name) for finding in result.baselined_findings)
    tables.append(
        Table(
            "Findings hidden by the baseline",
            ("rule", "name", "findings"),
            tuple((code, name, str(count)) for (code, name), count in sorted(hidden.items())),
            empty="",
        )
    )
    return Scope(tuple(facts), tuple(table for table in tables if table.rows))


def _files_fact(files: tuple[str, ...], failed: Sequence[str]) -> str:
    if not files:
        return "no architecture file was found."
    named = ", ".join(files[:SHOWN_FILES])
    more = f" and {len(files) - SHOWN_FILES} more" if len(files) > SHOWN_FILES else ""
    text = f"{counted(len(files), 'file')} checked: {named}{more}."
    if failed:
        text += (
            f" {counted(len(failed), 'file')} could not be read or parsed, so neither the "
            "coverage nor a finding covers "
            f"what {'it holds' if len(failed) == 1 else 'they hold'}: {', '.join(failed)}."
        )
    return text


def _catalogue_fact(catalogue: Catalogue) -> str:
    if catalogue.source == BUILT_IN:
        source = "the built-in USM workflow catalogue"
    else:  # its name only: a report is shared, the checker's folders are not
        source = PurePath(catalogue.source).name
    return (
        f"{source} (usm-catalogue {catalogue.version}), "
        f"{counted(len(catalogue.types), 'workflow type')}: "
        "the workflow matrix and the workflow rules judge against it."
    )


def _rules_scope(
    result: RunResult, settings: Settings, enabled: frozenset[str]
) -> tuple[list[tuple[str, str]], list[Table]]:
    """Rules not run, severities changed and per-file ignores."""
    metas = {info.code: info for info in result.rules()}
    custom = {rule.code: rule for rule in settings.custom_rules}
    names = {code: info.name for code, info in metas.items()}
    names.update({code: rule.rule_name for code, rule in custom.items()})
    ignored = resolve_selectors(settings.ignore, names.items())
    not_run = tuple(
        (
            code,
            name,
            AREAS.get(str(metas[code].area), "Structure") if code in metas else "custom",
            "ignored" if code in ignored else "not selected",
        )
        for code, name in names.items()
        if code not in enabled
    )
    if not not_run:  # no count: a new rule would change every clean report
        text = "every built-in rule ran" + (" and every custom rule." if custom else ".")
    else:
        text = f"{sum(code in enabled for code in metas)} of {len(metas)} built-in rules ran"
        if custom:
            text += f", {sum(code in enabled for code in custom)} of {len(custom)} custom ones"
        text += "; those below did not, so no finding covers what they check."
    defaults = {code: info.severity for code, info in metas.items()}
    defaults.update({code: rule.severity for code, rule in custom.items()})
    regraded = tuple(
        (code, names[code], defaults[code].value, severity.value)
        for code, severity in sorted(settings.severity.items())
        if code in defaults and severity is not defaults[code]
    )
    severities = (
        f"{counted(len(regraded), 'rule')} {'reports' if len(regraded) == 1 else 'report'} "
        "at a severity the configuration changed (below); the USM coverage does not depend on "
        "severities."
        if regraded
        else "every rule reports at its own severity."
    )
    per_file = tuple(
        (pattern, ", ".join(selectors))
        for pattern, selectors in sorted(settings.per_file_ignores.items())
    )
    if per_file:
        text += " The configuration turns some rules off for some files (below)."
    tables = [
        Table("Rules not run", ("rule", "name", "area", "why"), not_run, empty=""),
        Table(
            "Severities changed by the configuration",
            ("rule", "name", "rule's severity", "in this report"),
            regraded,
            empty="",
        ),
        Table("Rules turned off for some files", ("files matching", "rules"), per_file, empty=""),
    ]
    return [("Rules", text), ("Severities", severities)], tables


def _baseline_fact(result: RunResult) -> str:
    path = result.settings.baseline if result.settings is not None else None
    if path is None:
        return "none: no known finding is hidden."
    text = f"{path.name} hid {counted(result.baselined, 'known finding')}"
    text += " (per rule below)." if result.baselined else "."
    stale = result.stale_baseline
    if stale:
        text += (
            f" {stale} of its entries {'matches' if stale == 1 else 'match'} no finding any "
            "more: fixed since, or no longer checked."
        )
    return text
