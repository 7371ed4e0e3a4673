"""Run the selected rules and turn violations into sorted, located findings."""

from __future__ import annotations

import dataclasses
from collections import defaultdict
from collections.abc import Collection, Iterable, Iterator
from dataclasses import dataclass

from usmctl.check import custom_rules, suppressions
from usmctl.check.selection import resolve_selectors
from usmctl.check.settings import Settings
from usmctl.core.codes import AMBIGUOUS_SCALAR, SCHEMA_VIOLATION, UNRESOLVED_REFERENCE
from usmctl.core.errors import UsageError
from usmctl.core.findings import (
    Finding,
    Locus,
    Related,
    Severity,
    Violation,
    fingerprint,
    numbered,
    printable,
    quote,
)
from usmctl.core.fixes import Fix, FixPlan, quoting
from usmctl.core.positions import START, Anchor, Position
from usmctl.load.edits import locate_and_fix
from usmctl.load.loader import LOAD_FAILURES, LoadedFile, matches_any
from usmctl.load.locate import SourceMap
from usmctl.load.marks import Marks
from usmctl.model.architecture import SINGULAR, Architecture
from usmctl.model.build import CodedViolation, build, logical_locus
from usmctl.model.catalogue import Catalogue
from usmctl.rules import ALL_RULES, BY_CODE, meta
from usmctl.rules.base import LoadStageRule, RuleContext
from usmctl.rules.indexes import Indexes


@dataclass(frozen=True)
class EngineResult:
    """Findings and what they were found in."""

    findings: tuple[Finding, ...]
    architecture: Architecture
    suppressed: int
    enabled: frozenset[str]
    indexes: Indexes  # the run's lookups, for the report and the language server


def known_rules(settings: Settings) -> list[tuple[str, str]]:
    """(code, name) of every rule a selector may name: built-in and custom."""
    return [(rule.code, rule.name) for rule in ALL_RULES] + [
        (rule.code, rule.rule_name) for rule in settings.custom_rules
    ]


def enabled_codes(settings: Settings, extra: Iterable[tuple[str, str]] = ()) -> set[str]:
    """The codes a run reports, after --select, --extend-select and --ignore."""
    known = known_rules(settings) + list(extra)
    if not any(selector.strip() for selector in settings.select):
        # ``--select ''`` (an unset variable in a CI script) would check nothing and pass
        raise UsageError(
            "--select names no rule: give codes, names or prefixes (ALL for every rule)"
        )
    selected = resolve_selectors(settings.select, known)
    selected |= resolve_selectors(settings.extend_select, known)
    return selected - resolve_selectors(settings.ignore, known)


def run(
    files: list[LoadedFile],
    catalogue: Catalogue,
    settings: Settings,
    *,
    focus: frozenset[str] | None = None,
    with_fixes: bool = True,
    release: bool = False,
) -> EngineResult:
    """Build the architecture, run every enabled rule, return sorted findings.

    ``with_fixes``: each finding carries its safe fix (the editor's quick fixes,
    the report's "what to write"); a run that shows findings only (``usmctl
    validate``) plans none, and so never reads a file again to place an edit.

    ``focus``: the files (as shown) being checked in the context of the rest
    of ``files``: only the findings located in them, or whose related
    location is in them (the first of two duplicate ids), are returned and
    count as suppressed.

    ``release``: the caller hands ``files`` over (`usmctl.api.check`): once
    the model is built, each file in the list is replaced by one without its
    parsed data unless a custom rule reads it (JSONPath over the data). The
    text and marks stay: locating and the suppressions read them. The
    language server keeps its files whole.
    """
    enabled = enabled_codes(settings)
    architecture, built = build(files, catalogue)
    coded = _load_problems(files, enabled)
    coded.extend(item for item in built if item.code in enabled)
    if release and not settings.custom_rules:
        files[:] = [_without_data(loaded) for loaded in files]
    indexes = Indexes(architecture)  # built once per run, shared by every rule
    context = RuleContext(architecture, catalogue, indexes=indexes, max_depth=settings.max_depth)
    found: list[CodedViolation] = []
    for rule_class in ALL_RULES:
        if rule_class.code not in enabled or issubclass(rule_class, LoadStageRule):
            continue
        rule = rule_class()
        found.extend(
            CodedViolation(rule.code, violation)
            for violation in rule.check(context)
            if not architecture.repeats_salvage(violation.at)
        )
    absent = _absence_held_back(found, architecture)
    held = _held_back(found, indexes)
    coded = _with_failed_files_note(coded, architecture, held, absent)
    coded.extend(found)
    if settings.custom_rules:
        data = {loaded.source.display: loaded.data for loaded in files}
        coded.extend(custom_rules.check(settings.custom_rules, architecture, data, enabled=enabled))
    texts = {loaded.source.display: loaded.text for loaded in files}
    marks = {loaded.source.display: loaded.marks for loaded in files if loaded.marks is not None}
    ignored = per_file_ignored(files, settings)
    findings = [
        finding
        for finding in _one_per_scalar(
            locate(coded, texts, settings, marks=marks, with_fixes=with_fixes)
        )
        if finding.code not in ignored.get(finding.file, ())
    ]
    if focus is not None:
        findings = _in_focus(findings, focus)
    findings, suppressed = suppress(findings, files, settings, enabled=enabled, ignored=ignored)
    if focus is not None:
        # What the suppressions of other files say: that one is unused may
        # only mean its finding was left out above.
        findings = _in_focus(findings, focus)
    return EngineResult(
        tuple(numbered(sorted(findings, key=lambda finding: finding.sort_key))),
        architecture,
        suppressed,
        frozenset(enabled),
        indexes,
    )


def _load_problems(files: list[LoadedFile], enabled: Collection[str]) -> list[CodedViolation]:
    """The problems the loader found, as violations naming their entity (a
    function of its own: no loop variable outlives it holding a file's data)."""
    coded: list[CodedViolation] = []
    for loaded in files:
        for problem in loaded.problems:
            if problem.code in enabled:
                logical, label = logical_locus(loaded.data, problem.path)
                locus = Locus(loaded.source.display, logical, label, None, problem.position)
                message = problem.message
                if label is not None:  # name the entity, as the model's findings do
                    message = f"{SINGULAR[str(problem.path[0])]} {quote(label)}: {message}"
                fix = quoting(problem.path) if problem.code == AMBIGUOUS_SCALAR else None
                coded.append(CodedViolation(problem.code, Violation(message, locus, fix=fix)))
    return coded


def _without_data(loaded: LoadedFile) -> LoadedFile:
    """The file without its parsed data: the model holds what the rules read
    (at 10k services the data beside the model is 16 MB at the peak)."""
    if loaded.data is None:
        return loaded
    return dataclasses.replace(loaded, data=None)


def _in_focus(findings: list[Finding], focus: frozenset[str]) -> list[Finding]:
    """The findings located in ``focus`` or naming a place in it (a related
    location: the first of two duplicate ids), whose edit may fix them."""
    return [
        finding
        for finding in findings
        if finding.file in focus or any(place.file in focus for place in finding.related)
    ]


def _held_back(found: list[CodedViolation], indexes: Indexes) -> list[str]:
    """Drop the findings that only repeat an unresolved reference (in place);
    the ids held back because a file failed to load, for its note.

    One defect, one finding (docs/format.md): a finding of another rule about
    an entity that names the id its unresolved reference names (USM309's
    "expected an operator of "hr-servics"" after USM006 on that provider) says
    the same thing again. When a file failed to load, any id the loaded files
    do not declare may be declared there: the USM006 findings and every
    finding naming such an id (RACI keys included) are held back, and the
    failed file's finding says how many ids went unchecked.
    """
    arch = indexes.arch
    unresolved = [
        reference
        for reference in indexes.references
        if reference.target is None and not reference.known
    ]
    if not arch.failed_files:
        if not unresolved:
            return []
        named: dict[tuple[str, str], set[str]] = defaultdict(set)
        for reference in unresolved:
            origin = reference.entity.origin
            named[(origin.file, f"{origin.section}[{origin.label}]")].add(quote(reference.value))
        found[:] = [item for item in found if not _names_any(item, named)]
        return []
    declared = set().union(*arch.known_ids.values())
    doubtful = {reference.value for reference in unresolved}
    doubtful |= {name for name in indexes.referenced_ids if name not in declared}
    quoted = {quote(name) for name in doubtful}
    found[:] = [
        item
        for item in found
        if item.code != UNRESOLVED_REFERENCE
        and not any(name in item.violation.message for name in quoted)
    ]
    return sorted(doubtful)


def _names_any(item: CodedViolation, named: dict[tuple[str, str], set[str]]) -> bool:
    """Whether a finding (not USM006's own) names an id its entity fails to resolve."""
    if item.code == UNRESOLVED_REFERENCE:
        return False
    at = item.violation.at
    end = at.path.find("]")  # "workflows[hr-wish]" of "workflows[hr-wish].steps[0]"
    names = named.get((at.file, at.path[: end + 1] if end >= 0 else at.path))
    return names is not None and any(name in item.violation.message for name in names)


def _absence_held_back(found: list[CodedViolation], arch: Architecture) -> list[str]:
    """While a file fails to load, drop (in place) the findings of rules that
    report what the architecture lacks: what they miss may be in that file
    (``usm: 1`` in the services file is one USM008, not USM008 + USM101 +
    USM102). The codes held back, for the failed file's note."""
    if not arch.failed_files:
        return []
    codes = sorted({item.code for item in found if BY_CODE[item.code].judges_absence})
    if codes:
        found[:] = [item for item in found if item.code not in codes]
    return codes


def _with_failed_files_note(
    coded: list[CodedViolation], arch: Architecture, held: list[str], absent: list[str]
) -> list[CodedViolation]:
    """The failed files' findings, each saying what went unchecked: the ids
    no other file declares, and the rules that report what is missing."""
    parts = []
    if held:
        shown = ", ".join(quote(name) for name in held[:3]) + (", ..." if len(held) > 3 else "")
        ids = "id" if len(held) == 1 else "ids"
        parts.append(f"references to {len(held)} {ids} no other file declares, {shown}")
    if absent:
        verb = "looks" if len(absent) == 1 else "look"
        parts.append(f"{', '.join(absent)}, which {verb} for what is missing")
    if not parts:
        return coded
    note = f" (not checked until it loads: {'; '.join(parts)})"
    failed = set(arch.failed_files)
    noted: set[str] = set()
    out: list[CodedViolation] = []
    for item in coded:
        at = item.violation.at
        if item.code in LOAD_FAILURES and at.file in failed and at.file not in noted:
            noted.add(at.file)
            message = item.violation.message + note
            out.append(
                CodedViolation(item.code, dataclasses.replace(item.violation, message=message))
            )
        else:
            out.append(item)
    return out


def _one_per_scalar(findings: list[Finding]) -> list[Finding]:
    """USM013 (read differently by YAML 1.1 and 1.2) stays silent at a scalar
    that USM003 already reports as a YAML 1.1 boolean or number."""
    if not any(finding.code == AMBIGUOUS_SCALAR for finding in findings):
        return findings
    schema = {(f.file, f.line, f.column) for f in findings if f.code == SCHEMA_VIOLATION}
    return [
        finding
        for finding in findings
        if finding.code != AMBIGUOUS_SCALAR
        or (finding.file, finding.line, finding.column) not in schema
    ]


def per_file_ignored(files: list[LoadedFile], settings: Settings) -> dict[str, set[str]]:
    """File (as shown) -> codes that ``per-file-ignores`` turns off for it."""
    if not settings.per_file_ignores:
        return {}
    known = known_rules(settings)
    ignored: dict[str, set[str]] = {}
    for loaded in files:
        shown = loaded.source.display
        for pattern, selectors in settings.per_file_ignores.items():
            if matches_any(shown, loaded.source.path, (pattern,)):
                ignored.setdefault(shown, set()).update(resolve_selectors(selectors, known))
    return ignored


def suppress(
    findings: list[Finding],
    files: list[LoadedFile],
    settings: Settings,
    *,
    enabled: set[str],
    ignored: dict[str, set[str]],
) -> tuple[list[Finding], int]:
    """Apply inline suppressions; add USM011 findings about the suppressions."""

    found: dict[str, list[suppressions.Suppression]] = {}
    coded: list[CodedViolation] = []
    for loaded in files:
        if loaded.text is None:
            continue
        items, malformed = suppressions.scan(loaded.source.display, loaded.text)
        if items:
            found[loaded.source.display] = items
        coded.extend(malformed)
    if not found and not coded:
        return findings, 0
    applied = suppressions.apply(findings, found, known=known_rules(settings), enabled=enabled)
    coded.extend(applied.violations)
    extra = [
        finding
        for finding in locate(coded, {}, settings)
        if finding.code in enabled and finding.code not in ignored.get(finding.file, ())
    ]
    return applied.kept + extra, applied.suppressed


def locate(
    coded: list[CodedViolation],
    texts: dict[str, str | None],
    settings: Settings,
    *,
    marks: dict[str, Marks] | None = None,
    with_fixes: bool = True,
) -> list[Finding]:
    """Resolve every violation's position and fix (``with_fixes``) and stamp
    findings. A file's positions come from its parse's ``marks``; its fixes,
    and the positions of a file parsed without marks, from one walk of its text."""
    wanted: dict[str, set[Anchor]] = defaultdict(set)
    planned: dict[str, list[int]] = defaultdict(list)
    for number, item in enumerate(coded):
        for locus in (item.violation.at, *item.violation.related):
            if locus.position is None and locus.anchor is not None:
                wanted[locus.file].add(locus.anchor)
        if with_fixes and item.violation.fix is not None:
            planned[item.violation.at.file].append(number)
    positions: dict[tuple[str, Anchor], Position] = {}
    fixes: dict[int, Fix] = {}
    for file in wanted.keys() | planned.keys():
        text = texts.get(file)
        if text is None:
            continue
        numbers = planned.get(file)
        if numbers:
            found, resolved = locate_and_fix(text, wanted[file], _plans(coded, numbers))
            fixes.update((n, fix) for n, fix in zip(numbers, resolved, strict=True) if fix)
        else:
            found = SourceMap(text, (marks or {}).get(file)).locate_all(wanted[file])
        for anchor, position in found.items():
            positions[(file, anchor)] = position

    def position_of(locus: Locus) -> Position:
        if locus.position is not None:
            return locus.position
        if locus.anchor is None:
            return START
        return positions.get((locus.file, locus.anchor), START)

    custom = {rule.code: (rule.rule_name, rule.severity) for rule in settings.custom_rules}
    findings: list[Finding] = []
    for number, item in enumerate(coded):
        violation = item.violation
        rule = BY_CODE.get(item.code)
        name = rule.name if rule is not None else item.code.lower()
        default = rule.default_severity if rule is not None else Severity.WARNING
        if rule is None and item.code in custom:
            name, default = custom[item.code]
        severity = settings.severity.get(item.code, default)
        message = violation.message
        if violation.related and "{related}" in message:
            first = violation.related[0]
            where = position_of(first)
            shown = f"{first.file}:{where.line}:{where.column}"
            if first.file == violation.at.file:
                shown = f"{where.line}:{where.column}"
            message = message.replace("{related}", shown)
        at = position_of(violation.at)
        findings.append(
            Finding(
                code=item.code,
                name=name,
                severity=severity,
                message=printable(message),
                file=violation.at.file,
                line=at.line,
                column=at.column,
                entity=None if violation.at.entity is None else printable(violation.at.entity),
                path=violation.at.path,
                fingerprint=fingerprint(
                    item.code, violation.at.file, violation.at.entity, violation.at.path
                ),
                related=tuple(
                    Related(locus.file, where.line, where.column, locus.path)
                    for locus in violation.related
                    for where in (position_of(locus),)
                ),
                fix=fixes.get(number),
            )
        )
    return findings


def _plans(
    coded: list[CodedViolation], numbers: list[int]
) -> Iterator[tuple[FixPlan, Anchor | Position]]:
    """The fix plans of these violations, each with where its violation is."""
    for number in numbers:
        violation = coded[number].violation
        assert violation.fix is not None
        at = violation.at
        yield violation.fix, at.position or at.anchor or START


__all__ = [
    "EngineResult",
    "enabled_codes",
    "known_rules",
    "locate",
    "meta",
    "per_file_ignored",
    "run",
    "suppress",
]
