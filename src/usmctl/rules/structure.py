"""USM001–USM013: well-formedness, schema and references (docs/format.md).

Most of these are reported by the loader and the model builder, which see the
raw text (USM013 by the parser, at the scalar); the reference rules (USM006,
USM007) and USM012 run here over the merged model.
"""

from __future__ import annotations

from collections.abc import Iterator

from usmctl.core.codes import (
    AMBIGUOUS_SCALAR,
    DUPLICATE_ID,
    DUPLICATE_KEY,
    EMPTY_ARCHITECTURE,
    SCHEMA_VIOLATION,
    UNKNOWN_FIELD,
    UNREADABLE_FILE,
    UNRESOLVED_REFERENCE,
    UNSAFE_YAML,
    UNSUPPORTED_VERSION,
    UNUSED_SUPPRESSION,
    WRONG_KIND_REFERENCE,
    YAML_SYNTAX,
)
from usmctl.core.findings import Locus, Severity, Violation, quote
from usmctl.core.positions import START
from usmctl.core.suggest import closest
from usmctl.rules.base import Area, LoadStageRule, Rule, RuleContext, describe


class YamlSyntax(LoadStageRule):
    """A file is not well-formed YAML or JSON.

    Rationale:
        Nothing in a file that does not parse can be checked; the parser's
        position is the fastest way to the fix.
        Source: docs/format.md, "Files"; the YAML 1.2 specification (yaml.org).

    Remediation:
        Fix the syntax at the reported line and column (an unclosed bracket,
        a bad indent, a tab used for indentation).

    Bad:
        usm: "1"
        profiles: [

    Good:
        usm: "1"
        profiles: []
    """

    code = YAML_SYNTAX
    name = "yaml-syntax"
    default_severity = Severity.ERROR
    area = Area.STRUCTURE


class DuplicateKey(LoadStageRule):
    """A mapping repeats a key.

    Rationale:
        YAML parsers silently keep the last value of a repeated key, so half
        of what the author wrote is lost without a word.
        Source: docs/format.md, "Strict scalars"; the YAML 1.2
        specification (yaml.org), which requires unique keys.

    Remediation:
        Remove or rename one of the two keys; the message gives both positions.

    Bad:
        usm: "1"
        architecture:
          id: acme
          id: acme2

    Good:
        usm: "1"
        architecture:
          id: acme
    """

    code = DUPLICATE_KEY
    name = "duplicate-key"
    default_severity = Severity.ERROR
    area = Area.STRUCTURE


class SchemaViolation(LoadStageRule):
    """A value has the wrong type or enum value, or a required field is missing.

    Rationale:
        The architecture format is typed; YAML 1.1 silently turns ``on``,
        ``no`` or ``1.0`` into booleans and numbers, which usmctl reports
        rather than coerces.
        Source: docs/format.md, "Sections and fields"; JSON Schema (json-schema.org).

    Remediation:
        Give the field a value of the documented type; quote text that YAML
        would read as a boolean or number.

    Bad:
        usm: "1"
        profiles:
          - id: acme-it
            kind: vendor

    Good:
        usm: "1"
        profiles:
          - id: acme-it
            kind: provider
    """

    code = SCHEMA_VIOLATION
    name = "schema-violation"
    default_severity = Severity.ERROR
    area = Area.STRUCTURE


class UnknownField(LoadStageRule):
    """A mapping has a key the format does not define.

    Rationale:
        A misspelt key (``custmers``) is otherwise silently ignored and the
        data it carries is lost. Keys starting with ``x-`` are extensions and
        allowed.
        Source: docs/format.md, "Extensions"; JSON Schema (json-schema.org).

    Remediation:
        Use the suggested key, or prefix your own keys with ``x-``.

    Bad:
        usm: "1"
        profiles:
          - id: acme-it
            kind: provider
            nmae: ACME IT

    Good:
        usm: "1"
        profiles:
          - id: acme-it
            kind: provider
            name: ACME IT
            x-cost-centre: "4711"
    """

    code = UNKNOWN_FIELD
    name = "unknown-field"
    default_severity = Severity.ERROR
    area = Area.STRUCTURE


class DuplicateId(LoadStageRule):
    """An id repeats within a section, in one file or across files.

    Rationale:
        Every reference names an entity by id; two entities with one id make
        every reference to it ambiguous.
        Source: docs/format.md, "Ids"; JSON Schema (json-schema.org).

    Remediation:
        Rename one of the two entities (the message gives both positions) and
        update the references to it.

    Bad:
        usm: "1"
        profiles:
          - {id: acme-it, kind: provider}
          - {id: acme-it, kind: customer}

    Good:
        usm: "1"
        profiles:
          - {id: acme-it, kind: provider}
          - {id: acme-business, kind: customer}
    """

    code = DUPLICATE_ID
    name = "duplicate-id"
    default_severity = Severity.ERROR
    area = Area.STRUCTURE


class UnresolvedReference(Rule):
    """A reference names no entity.

    Rationale:
        A dangling reference breaks the chain USM relies on: service to
        agreement to provider to process.
        Source: docs/format.md, "References"; JSON Schema (json-schema.org).

    Remediation:
        Fix the id (the message suggests the closest one) or declare the
        missing entity.

    Bad:
        usm: "1"
        profiles:
          - {id: acme-it, kind: provider}
          - {id: desk-agent, kind: operator, of: acme-itt}

    Good:
        usm: "1"
        profiles:
          - {id: acme-it, kind: provider}
          - {id: desk-agent, kind: operator, of: acme-it}
    """

    code = UNRESOLVED_REFERENCE
    name = "unresolved-reference"
    default_severity = Severity.ERROR
    area = Area.STRUCTURE

    def check(self, ctx: RuleContext) -> Iterator[Violation]:
        for reference in ctx.indexes.references:
            if reference.target is not None or reference.known:
                continue
            meant = closest(reference.value, ctx.indexes.choices(reference))
            yield ctx.violation(
                reference.entity,
                f"{describe(reference.entity)}: {reference.field_name} names "
                f"{reference.noun} {quote(reference.value)}, which does not exist"
                + ("" if meant is None else f" (did you mean {quote(meant)}?)"),
                *reference.fields,
                fix=None
                if meant is None
                else ctx.replacing(reference.entity, reference.fields, meant, was=reference.value),
            )


class WrongKindReference(Rule):
    """A reference names an entity of the wrong kind.

    Rationale:
        USM roles are not interchangeable: a service is provided by a provider
        or supplier, never by a customer; a process is owned by an operator.
        Source: docs/format.md, "References"; JSON Schema (json-schema.org).

    Remediation:
        Point the reference at an entity of the expected kind, or correct the
        referenced profile's ``kind``.

    Bad:
        usm: "1"
        profiles:
          - {id: acme-business, kind: customer}
        services:
          - id: workplace
            provider: acme-business

    Good:
        usm: "1"
        profiles:
          - {id: acme-it, kind: provider}
        services:
          - id: workplace
            provider: acme-it
    """

    code = WRONG_KIND_REFERENCE
    name = "wrong-kind-reference"
    default_severity = Severity.ERROR
    area = Area.STRUCTURE

    def check(self, ctx: RuleContext) -> Iterator[Violation]:
        for reference in ctx.indexes.references:
            if reference.kinds is None:
                continue  # any kind will do: the target's kind is not looked up
            kind = reference.target_kind
            if kind is None or kind in reference.kinds:
                continue
            yield ctx.violation(
                reference.entity,
                f"{describe(reference.entity)}: {reference.field_name} names "
                f"{kind} {quote(reference.value)}, expected {reference.expected}",
                *reference.fields,
            )


class UnsupportedVersion(LoadStageRule):
    """The ``usm`` version key is missing or not a supported version.

    Rationale:
        The version tells usmctl (and the next reader) which format the file
        follows; without it a file is not known to be an architecture file.
        Source: docs/format.md, "Files"; JSON Schema (json-schema.org).

    Remediation:
        Add ``usm: "1"`` as the first key of the file (quoted: it is a string).

    Bad:
        profiles: []

    Good:
        usm: "1"
        profiles: []
    """

    code = UNSUPPORTED_VERSION
    name = "unsupported-version"
    default_severity = Severity.ERROR
    area = Area.STRUCTURE


class UnsafeYaml(LoadStageRule):
    """A tag would construct objects, aliases explode, or nesting or size is past the limits.

    Rationale:
        Architecture repositories take pull requests from many hands and CI
        runs on them: a YAML file must never execute code or exhaust memory.
        Source: docs/format.md, "Strict scalars"; the YAML 1.2 specification (yaml.org).

    Remediation:
        Remove language-specific tags (``!!python/...``), expand the aliases
        by hand, flatten the nesting or split the file.

    Bad:
        usm: "1"
        architecture: !!python/object/apply:os.getcwd []

    Good:
        usm: "1"
        architecture:
          id: acme
    """

    code = UNSAFE_YAML
    name = "unsafe-yaml"
    default_severity = Severity.ERROR
    area = Area.STRUCTURE


class UnreadableFile(LoadStageRule):
    """A file is not UTF-8 text, is binary, unreadable, or a broken link.

    Rationale:
        usmctl reads UTF-8 text; anything else cannot be checked and must not
        pass silently.
        Source: docs/format.md, "Files"; the YAML 1.2 specification
        (yaml.org), whose streams are Unicode text.

    Remediation:
        Save the file as UTF-8, fix its permissions, or remove the broken link.

    Bad:
        usm: "1"

    Good:
        usm: "1"
    """

    code = UNREADABLE_FILE
    name = "unreadable-file"
    default_severity = Severity.ERROR
    area = Area.STRUCTURE


class UnusedSuppression(LoadStageRule):
    """An inline suppression matched no finding.

    Rationale:
        Stale ``# usmctl: ignore[...]`` comments hide nothing today but will
        hide tomorrow's real finding. The same rule reports a suppression
        without a reason (the next reader cannot judge it), one naming an
        unknown rule, and a malformed one.
        Source: docs/format.md, "Findings"; the YAML 1.2 specification
        (yaml.org), whose comments carry no data.

    Remediation:
        Remove the suppression comment, fix its rule code, or say why after
        the closing bracket: ``# usmctl: ignore[USM404] internal service``.

    Bad:
        usm: "1"
        # usmctl: ignore[USM401] nothing on the next line has a facility
        profiles: []

    Good:
        usm: "1"
        profiles: []
    """

    code = UNUSED_SUPPRESSION  # reported by `usmctl.check.suppressions`
    name = "unused-suppression"
    default_severity = Severity.WARNING
    area = Area.STRUCTURE


class EmptyArchitecture(Rule):
    """The files found declare no profile and no service.

    Rationale:
        An architecture is providers delivering services to customers: files
        with neither (only workflows, say, or an ``architecture`` header) are
        usually the wrong directory or a glob that missed the files, and every
        other rule then passes for want of anything to check. Source:
        docs/format.md, "Files"; JSON Schema (json-schema.org).

    Remediation:
        Point usmctl at the directory holding the ``*.usm.yaml`` files, or
        declare the provider, its customers and its services
        (``usmctl init`` writes a starting point).

    Bad:
        usm: "1"
        architecture:
          id: acme

    Good:
        usm: "1"
        architecture:
          id: acme
        profiles:
          - {id: acme-it, kind: provider}
    """

    code = EMPTY_ARCHITECTURE
    name = "empty-architecture"
    default_severity = Severity.WARNING
    area = Area.STRUCTURE

    def check(self, ctx: RuleContext) -> Iterator[Violation]:
        arch = ctx.arch
        if not arch.read_files or arch.failed_files:
            return  # nothing was read, or a file that failed may hold them: said already
        if arch.known_ids.get("profiles") or arch.known_ids.get("services"):
            return  # declared, even if invalid (USM003 said so)
        count = len(arch.files)
        what = "the file found declares" if count == 1 else f"the {count} files found declare"
        yield Violation(
            f"{what} no profile and no service: expected at least a provider and its services",
            Locus(arch.read_files[0], "", position=START),
        )


class AmbiguousScalar(LoadStageRule):
    """An unquoted scalar that YAML 1.1 and YAML 1.2 read differently.

    Rationale:
        usmctl (PyYAML) reads YAML 1.1; editors, yaml-language-server and most
        other tools read YAML 1.2's core schema. They disagree about some plain
        scalars: ``yes``, ``no``, ``on``, ``off`` (1.1: booleans, 1.2: text);
        ``010`` (1.1: octal 8, 1.2: 10); ``0800``, ``0o17``, ``1e3``, ``+.5``
        (1.1: text, 1.2: numbers); ``1_000``, ``0b101``, ``0x_1F``, ``1:30``
        (1.1: numbers, 1.2: text). The file then means one thing to usmctl
        and another to the editor that checks it against the schema. Where a
        string is expected the scalar is USM003 instead; timestamps are text
        to both (usmctl does not read dates). Source: docs/format.md, "Strict
        scalars"; the YAML 1.2 specification (yaml.org), its core schema.

    Remediation:
        Quote the scalar if it is text (``"0800"``, ``"on"``); write a number
        in the form both read alike (``1000``, ``15``) or a boolean as
        ``true``/``false``.

    Bad:
        usm: "1"
        profiles:
          - id: payroll-bureau
            kind: supplier
            external: yes

    Good:
        usm: "1"
        profiles:
          - id: payroll-bureau
            kind: supplier
            external: true
    """

    code = AMBIGUOUS_SCALAR
    name = "ambiguous-scalar"
    default_severity = Severity.WARNING
    area = Area.STRUCTURE


STRUCTURE_RULES: tuple[type[Rule], ...] = (
    YamlSyntax,
    DuplicateKey,
    SchemaViolation,
    UnknownField,
    DuplicateId,
    UnresolvedReference,
    WrongKindReference,
    UnsupportedVersion,
    UnsafeYaml,
    UnreadableFile,
    UnusedSuppression,
    EmptyArchitecture,
    AmbiguousScalar,
)
