"""Custom rules' definitions: the config's ``[[custom-rules]]`` and rule set
files with ``extends`` (docs/custom-rules.md).

One parser checks a rule wherever it is written, so a rule reads the same in
TOML and in YAML, and every mistake is a `ConfigError` (exit 2, one line)
naming the file, the key and the reason, never a silently ignored rule.

A pull request controls every file in the tree, rule sets included: a rule
set is read through `usmctl.load.sidefiles.read_side_file` (a regular file,
inside the repository unless the operator's own config outside it names it,
no link out of it), never fetched from a URL, at most `MAX_RULESET_BYTES`;
``extends`` may not loop, nor nest deeper than `MAX_EXTENDS_DEPTH`, nor reach
more than `MAX_RULESET_FILES` files. Nothing in a rule is code: ``given`` is a
JSONPath and ``then`` a choice of `FUNCTIONS`.
"""

from __future__ import annotations

import math
import os
import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Protocol

from usmctl.check.functions import FUNCTIONS
from usmctl.check.query import query_problem
from usmctl.check.regex import regex_problem
from usmctl.check.schemas import schema_problem
from usmctl.check.settings import CustomRule, Then
from usmctl.core.errors import ConfigError
from usmctl.core.findings import Severity
from usmctl.core.positions import Anchor, DataPath, format_path
from usmctl.load.locate import SourceMap
from usmctl.load.sidefiles import read_side_file, within

SEVERITIES = tuple(severity.value for severity in Severity)
RULE_KEYS = (
    "code",
    "name",
    "severity",
    "message",
    "description",
    "url",
    "section",
    "schema",
    "given",
    "then",
)
THEN_KEYS = ("field", "function", "functionOptions")
RULESET_KEYS = ("extends", "rules", "description")
MAX_RULESET_BYTES = 1024 * 1024
MAX_RULESET_FILES = 32
MAX_EXTENDS_DEPTH = 8
MAX_CUSTOM_RULES = 1_000
MAX_LIST = 16  # given paths and then checks per rule
MAX_URL_CHARS = 2_000
_CODE = re.compile(r"^[A-Z][A-Z0-9]*[0-9]+$")
# Printable ASCII, no quote or angle bracket: safe in SARIF, Markdown and HTML.
_URL = re.compile(r"^https?://[!#-;=?-~]+$")
_SCHEME = re.compile(r"^[A-Za-z][A-Za-z0-9+.-]*:")
_SLASHED = re.compile(r"^/(.*)/([ims]*)$", re.DOTALL)


class Fail(Protocol):
    """Reports a mistake at a path inside the rules (``(0, "then", "function")``),
    at the value, or at the key (``key``: an unknown key)."""

    def __call__(self, path: DataPath, reason: str, *, key: bool = False) -> ConfigError: ...


@dataclass(frozen=True)
class Known:
    """What a rule may name: the model's sections, the built-in rules' codes
    and names (imported once, when some rule is parsed)."""

    sections: tuple[str, ...]
    codes: frozenset[str]
    names: frozenset[str]

    @staticmethod
    def load() -> Known:
        # start-up: model and rules import pydantic; a warm run reads the config without them
        from usmctl.model.entities import SECTIONS
        from usmctl.rules import ALL_RULES

        return Known(
            tuple(SECTIONS),
            frozenset(rule.code for rule in ALL_RULES),
            frozenset(rule.name for rule in ALL_RULES),
        )


def parse_rules(
    items: Any, *, fail: Fail, defined_in: str, known: Known, key: str
) -> tuple[CustomRule, ...]:
    """The rules of one list (the config's or a rule set's); ``fail`` takes a
    path from the list (``(0, "code")``)."""
    if not isinstance(items, list) or not all(isinstance(item, dict) for item in items):
        raise fail((), f"must be a list of rules (tables with code, message, ...), not {items!r}")
    if len(items) > MAX_CUSTOM_RULES:
        raise fail((), f"at most {MAX_CUSTOM_RULES:,} rules, not {len(items):,}")
    rules: list[CustomRule] = []
    for index, item in enumerate(items):

        def fail_in_rule(
            path: DataPath, reason: str, *, key: bool = False, index: int = index
        ) -> ConfigError:
            return fail((index, *path), reason, key=key)

        rule = parse_rule(item, fail=fail_in_rule, defined_in=defined_in, known=known)
        if any(other.code == rule.code for other in rules):
            raise fail((index, "code"), f"{rule.code!r} is defined twice in {key}")
        rules.append(rule)
    return tuple(rules)


def parse_rule(item: dict[str, Any], *, fail: Fail, defined_in: str, known: Known) -> CustomRule:
    """One custom rule, every key checked."""
    for field in item:
        if field not in RULE_KEYS:
            raise fail((field,), f"unknown key; known keys: {', '.join(RULE_KEYS)}", key=True)
    v2 = "given" in item or "then" in item
    required = ("code", "message", "given", "then") if v2 else ("code", "section", "message")
    for field in (*required, *(() if v2 else ("schema",))):
        if field not in item:
            raise fail((), f'missing required key "{field}"')
    if v2:
        for field in ("section", "schema"):
            if field in item:
                raise fail(
                    (field,),
                    'a rule with "given" and "then" checks what its JSONPath matches: '
                    'no "section" or "schema" (use function "schema" in "then")',
                )
    code = item["code"]
    if isinstance(code, str) and (code.upper() in known.codes or code.startswith("USM")):
        raise fail(("code",), f"{code!r}: codes starting USM are reserved")
    if not isinstance(code, str) or not _CODE.match(code):
        raise fail(("code",), f"must be upper-case letters then digits, like ACME001, not {code!r}")
    for field in ("message", "name", "description"):
        if field in item and not isinstance(item[field], str):
            raise fail((field,), f"must be a string, not {item[field]!r}")
    name = item.get("name")
    if name is not None and name in known.names:
        raise fail(("name",), f"{name!r} is the name of a built-in rule")
    severity = item.get("severity", Severity.WARNING.value)
    if severity not in SEVERITIES:
        raise fail(("severity",), f"must be one of {', '.join(SEVERITIES)}, not {severity!r}")
    url = item.get("url")
    if url is not None and (
        not isinstance(url, str) or len(url) > MAX_URL_CHARS or not _URL.match(url)
    ):
        raise fail(("url",), f"must be an http or https link, not {url!r}")
    common: dict[str, Any] = {
        "code": code,
        "message": item["message"],
        "severity": Severity(severity),
        "name": name,
        "description": item.get("description"),
        "url": url,
        "defined_in": defined_in,
    }
    if not v2:
        section = item["section"]
        if not isinstance(section, str) or section not in known.sections:
            raise fail(("section",), f"must be one of {', '.join(known.sections)}, not {section!r}")
        schema = _schema(item["schema"], fail=fail, at=("schema",))
        return CustomRule(section=section, schema=schema, **common)
    given = _given(item["given"], fail)
    then = _then(item["then"], fail, known)
    return CustomRule(section=None, schema=None, given=given, then=then, **common)


def _listed(value: Any, kind: type, fail: Fail, at: DataPath, what: str) -> list[Any]:
    values = value if isinstance(value, list) else [value]
    if not values or not all(isinstance(each, kind) for each in values):
        raise fail(at, f"must be {what} or a list of them, not {value!r}")
    if len(values) > MAX_LIST:
        raise fail(at, f"at most {MAX_LIST} entries, not {len(values)}")
    return values


def _given(value: Any, fail: Fail) -> tuple[str, ...]:
    paths = _listed(value, str, fail, ("given",), "a JSONPath")
    for index, path in enumerate(paths):
        problem = query_problem(path)
        if problem is not None:
            raise fail(("given", index) if isinstance(value, list) else ("given",), problem)
    return tuple(paths)


def _then(value: Any, fail: Fail, known: Known) -> tuple[Then, ...]:
    checks = _listed(value, dict, fail, ("then",), "a table with a function")
    out = []
    for index, check in enumerate(checks):
        at: DataPath = ("then", index) if isinstance(value, list) else ("then",)
        for key in check:
            if key not in THEN_KEYS:
                raise fail((*at, key), f"unknown key; known keys: {', '.join(THEN_KEYS)}", key=True)
        function = check.get("function")
        if function not in FUNCTIONS:
            raise fail(
                (*at, "function"), f"must be one of {', '.join(FUNCTIONS)}, not {function!r}"
            )
        field = check.get("field")
        if field is not None and (not isinstance(field, str) or not field):
            raise fail((*at, "field"), f"must be a key (a string) or @key, not {field!r}")
        options = check.get("functionOptions", {})
        if not isinstance(options, dict):
            raise fail((*at, "functionOptions"), f"must be a table, not {options!r}")
        checked = _options(function, options, fail, (*at, "functionOptions"), known)
        out.append(Then(function=function, field=field, options=checked))
    return tuple(out)


def _options(
    function: str, options: dict[str, Any], fail: Fail, at: DataPath, known: Known
) -> dict[str, Any]:
    """A function's options, checked; patterns as RE2 reads them."""
    allowed = {
        "truthy": (),
        "falsy": (),
        "unique": (),
        "pattern": ("match", "notMatch"),
        "enum": ("values",),
        "length": ("min", "max"),
        "reference-exists": ("section", "kind", "in"),
        "schema": ("schema",),
    }[function]
    for key in options:
        if key not in allowed:
            known_keys = f"; known options: {', '.join(allowed)}" if allowed else ""
            raise fail((*at, key), f"not an option of {function}{known_keys}", key=True)
    if function == "pattern":
        if not options:
            raise fail(at, "pattern needs match or notMatch (or both)")
        return {key: _pattern(value, fail, (*at, key)) for key, value in options.items()}
    if function == "enum":
        values = options.get("values")
        if not isinstance(values, list) or not values or not all(_scalar(v) for v in values):
            raise fail((*at, "values"), f"must be a list of strings or numbers, not {values!r}")
    elif function == "length":
        if not options:
            raise fail(at, "length needs min or max (or both)")
        for key, number in options.items():
            if not _number(number) or number < 0:
                raise fail((*at, key), f"must be a number of at least 0, not {number!r}")
        if "min" in options and "max" in options and options["min"] > options["max"]:
            raise fail(at, f"min {options['min']!r} is more than max {options['max']!r}")
    elif function == "reference-exists":
        if ("in" in options) == ("section" in options) or ("kind" in options and "in" in options):
            raise fail(at, 'reference-exists needs either "section" (and "kind") or "in"')
        if "in" in options:
            problem = query_problem(options["in"])
            if problem is not None:
                raise fail((*at, "in"), problem)
        elif options["section"] not in known.sections:
            raise fail(
                (*at, "section"),
                f"must be one of {', '.join(known.sections)}, not {options['section']!r}",
            )
        if "kind" in options and not isinstance(options["kind"], str):
            raise fail((*at, "kind"), f"must be a string, not {options['kind']!r}")
    elif function == "schema":
        if "schema" not in options:
            raise fail(at, "schema needs a schema")
        _schema(options["schema"], fail=fail, at=(*at, "schema"))
    return dict(options)


def _scalar(value: Any) -> bool:
    return value is None or isinstance(value, (str, bool, int, float))


def _number(value: Any) -> bool:
    return isinstance(value, (int, float)) and not isinstance(value, bool) and math.isfinite(value)


def _pattern(value: Any, fail: Fail, at: DataPath) -> str:
    """A pattern as written (``^[A-Z]`` or ``/^[a-z]/i``) as RE2 reads it."""
    if not isinstance(value, str) or not value:
        raise fail(at, f"must be a regular expression (a string), not {value!r}")
    slashed = _SLASHED.match(value)
    pattern = value
    if slashed is not None:
        flags = "".join(sorted(set(slashed.group(2))))
        pattern = f"(?{flags}){slashed.group(1)}" if flags else slashed.group(1)
    problem = regex_problem(pattern)
    if problem is not None:
        raise fail(at, problem)
    return pattern


def _schema(value: Any, *, fail: Fail, at: DataPath) -> dict[str, Any]:
    from jsonschema.exceptions import SchemaError
    from jsonschema.validators import validator_for

    if not isinstance(value, dict):
        raise fail(at, "must be a table holding a JSON Schema")
    try:
        validator_for(value).check_schema(value)
    except SchemaError as error:
        where = "/".join(str(part) for part in error.path)
        raise fail(
            at, f"invalid JSON Schema{f' at {where}' if where else ''}: {error.message}"
        ) from None
    problem = schema_problem(value)
    if problem is not None:
        raise fail(at, problem)
    return value


def merged(*groups: Iterable[CustomRule]) -> tuple[CustomRule, ...]:
    """Rules by code, a later group's rule replacing an earlier one's (an
    extending rule set redefines what it extends)."""
    by_code: dict[str, CustomRule] = {}
    for group in groups:
        for rule in group:
            by_code.pop(rule.code, None)
            by_code[rule.code] = rule
    if len(by_code) > MAX_CUSTOM_RULES:
        raise ConfigError(f"more than {MAX_CUSTOM_RULES:,} custom rules")
    return tuple(by_code.values())


class RulesetReader:
    """Reads rule set files and what they extend, each file once."""

    def __init__(self, *, repository: Path | None, cwd: Path, known: Known) -> None:
        self.repository = repository
        self.cwd = cwd
        self.known = known
        self.read: dict[str, tuple[CustomRule, ...]] = {}

    def resolve(
        self, name: Any, *, base: Path, named: bool, fail: Callable[[str], ConfigError]
    ) -> Path:
        """The file a ``rulesets`` or ``extends`` entry names, relative to ``base``."""
        if not isinstance(name, str) or not name.strip():
            raise fail(f"must be a rule set file (a path), not {name!r}")
        if _SCHEME.match(name) and not (os.name == "nt" and len(name) > 1 and name[1] == ":"):
            raise fail(f"{name!r}: a rule set is a file in the repository, never a URL")
        path = Path(os.path.normpath(base / name))
        if not named and self.repository is not None and not within(path, self.repository):
            raise fail(f"{name!r}: outside the repository ({self.repository})")
        return path

    def load(
        self, path: Path, *, named: bool, chain: tuple[str, ...] = ()
    ) -> tuple[CustomRule, ...]:
        """The rules of one rule set: what it extends, then its own."""
        identity = os.path.realpath(path)
        shown = self._shown(path)
        if identity in chain:
            loop = [self._shown(Path(each)) for each in chain[chain.index(identity) :]]
            raise ConfigError(f"{shown}: rule sets extend in a loop: {' -> '.join([*loop, shown])}")
        if len(chain) >= MAX_EXTENDS_DEPTH:
            raise ConfigError(
                f"{shown}: rule sets extend more than {MAX_EXTENDS_DEPTH} deep "
                f"({' -> '.join(self._shown(Path(each)) for each in chain[:3])} -> ...)"
            )
        if identity in self.read:
            return self.read[identity]
        if len(self.read) >= MAX_RULESET_FILES:
            raise ConfigError(f"{shown}: more than {MAX_RULESET_FILES} rule set files")
        raw = read_side_file(
            path, what="rule set", shown=shown, repository=self.repository, named=named
        )
        if len(raw) > MAX_RULESET_BYTES:
            raise ConfigError(
                f"{shown}: cannot read rule set: larger than {MAX_RULESET_BYTES:,} bytes"
            )
        # start-up: PyYAML only when a config names a rule set
        from usmctl.load.yamlio import parse_side_file

        text, data = parse_side_file(raw, shown, "rule set")
        locate = _Locator(shown, text)
        if not isinstance(data, dict):
            raise ConfigError(f"{shown}:1:1: a rule set is a mapping with rules (and extends)")
        for key in data:
            if key not in RULESET_KEYS:
                raise locate.fail(
                    (key,), f"unknown key; known keys: {', '.join(RULESET_KEYS)}", key=True
                )
        if not isinstance(data.get("description", ""), str):
            raise locate.fail(("description",), "must be a string")
        # What this file names lies in the repository unless the file itself does not.
        inside = self.repository is None or within(
            Path(os.path.normpath(path.absolute())), self.repository
        )
        extended: list[tuple[CustomRule, ...]] = []
        extends = data.get("extends", [])
        names = extends if isinstance(extends, list) else [extends]
        for index, name in enumerate(names):
            at: DataPath = ("extends", index) if isinstance(extends, list) else ("extends",)
            target = self.resolve(
                name,
                base=path.parent,
                named=not inside,
                fail=lambda reason, at=at: locate.fail(at, reason),  # type: ignore[misc]
            )
            extended.append(self.load(target, named=not inside, chain=(*chain, identity)))
        own = parse_rules(
            data.get("rules", []),
            fail=lambda where, reason, key=False: locate.fail(("rules", *where), reason, key=key),
            defined_in=shown,
            known=self.known,
            key="rules",
        )
        rules = merged(*extended, own)
        self.read[identity] = rules
        return rules

    def _shown(self, path: Path) -> str:
        try:
            return path.resolve().relative_to(self.cwd.resolve()).as_posix()
        except ValueError:
            return path.as_posix()


class _Locator:
    """``file:line:col: key: reason`` for a mistake in a rule set."""

    def __init__(self, shown: str, text: str) -> None:
        self.shown = shown
        self.text = text

    def fail(self, path: DataPath, reason: str, *, key: bool = False) -> ConfigError:
        anchor = Anchor(path, key)
        position = SourceMap(self.text).locate_all([anchor])[anchor]
        where = format_path(path) or "top level"
        return ConfigError(f"{self.shown}:{position.line}:{position.column}: {where}: {reason}")
