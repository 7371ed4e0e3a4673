"""Build `Settings` from the config file and the command line (docs/ci.md, "Configuration").

The config file is ``usmctl.toml`` (keys at the top level) or the
``[tool.usmctl]`` table of ``pyproject.toml``, found from the working
directory upwards (the first directory holding either wins; a
``pyproject.toml`` without the table is passed over), or named with
``--config``. Keys are kebab-case. Every key and value is checked here, so a
typo is a `ConfigError` (exit 2) naming the file, the key and the reason,
never a silently ignored setting. Paths and globs in the file are relative to
the file's directory. The command line wins over the file: ``--select``,
``--fail-on`` and ``--catalogue`` replace, ``--extend-select`` and
``--ignore`` add.
"""

from __future__ import annotations

import difflib
import glob
import os
import tomllib
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from usmctl.check.selection import resolve_selectors
from usmctl.check.settings import CustomRule, Settings
from usmctl.core.errors import ConfigError, UsageError
from usmctl.core.findings import FAIL_ON, Severity
from usmctl.core.positions import format_path
from usmctl.load.limits import Limits
from usmctl.load.sidefiles import read_side_file, repository_root, within

if TYPE_CHECKING:
    from usmctl.check.rulesets import Known

SEVERITIES = tuple(severity.value for severity in Severity)

CONFIG_FILE = "usmctl.toml"
PYPROJECT = "pyproject.toml"
LIST_KEYS = ("select", "ignore", "extend-select", "include", "exclude")
KEYS = (
    *LIST_KEYS,
    "severity",
    "per-file-ignores",
    "fail-on",
    "catalogue",
    "max-depth",
    "max-file-size",
    "custom-rules",
    "rulesets",
    "max-results",
    "jobs",
)
# The keys whose values name rules (checked against every rule's code and name).
_SELECTING_KEYS = ("select", "ignore", "extend-select", "severity", "per-file-ignores")
# The largest max-file-size: 1 GiB (a bigger number overflows a read size).
MAX_FILE_SIZE = 1024**3


@dataclass(frozen=True)
class CliOptions:
    """Options given on the command line; None means "not given"."""

    select: tuple[str, ...] | None = None
    extend_select: tuple[str, ...] = ()
    ignore: tuple[str, ...] = ()
    fail_on: str | None = None
    catalogue: Path | None = None
    config: Path | None = None
    baseline: Path | None = None
    no_cache: bool = False
    max_results: int | None = None
    jobs: int | None = None


def split_list(values: list[str] | None) -> tuple[str, ...] | None:
    """``--select A,B --select C`` -> ("A", "B", "C"); None when not given."""
    if not values:
        return None
    return tuple(part.strip() for value in values for part in value.split(",") if part.strip())


def find_config(start: Path, *, repository: Path | None = None) -> Path | None:
    """The nearest ``usmctl.toml``, or ``pyproject.toml`` with ``[tool.usmctl]``;
    ``repository``: `repository_root` of ``start``, when the caller has it."""
    repository = repository or repository_root(start)
    return next((config for _, config in _upwards(start, repository) if config), None)


def architecture_root(start: Path) -> Path:
    """The folder an architecture file at ``start`` (a folder) belongs to: the
    nearest one holding a config file (as `find_config` finds it) or a ``.git``
    entry; else ``start`` itself."""
    start = Path(os.path.normpath(start.absolute()))
    for directory, config in _upwards(start, repository_root(start)):
        if config is not None or os.path.lexists(directory / ".git"):
            return directory
    return start


def _upwards(start: Path, repository: Path) -> Iterator[tuple[Path, Path | None]]:
    """``start`` and each folder above it, with the config file it holds, if any."""
    for directory in (start, *start.parents):
        candidate = directory / CONFIG_FILE
        if candidate.is_file():
            yield directory, candidate
            continue
        candidate = directory / PYPROJECT
        found = candidate.is_file() and _has_tool_table(candidate, repository)
        yield directory, candidate if found else None


def _has_tool_table(path: Path, repository: Path) -> bool:
    try:
        raw = read_side_file(path, what="config file", shown=str(path), repository=repository)
        data = _toml(raw)
    except (ConfigError, UnicodeDecodeError, ValueError, RecursionError):
        # A broken pyproject.toml that is not ours is not our error.
        return False
    tool = data.get("tool")
    return isinstance(tool, dict) and "usmctl" in tool


def _toml(raw: bytes) -> dict[str, Any]:
    """Parse TOML; ValueError (TOMLDecodeError, or a number past Python's
    4,300 digits) or RecursionError (nested too deeply) when it cannot be."""
    return tomllib.loads(raw.decode("utf-8"))


def read_config(path: Path, *, cwd: Path, repository: Path | None = None) -> dict[str, Any]:
    """The config file's settings as `Settings` field values; ConfigError if invalid.

    ``repository``: the tree a pull request controls (`usmctl.load.sidefiles`); a
    config inside it may name a catalogue only inside it.
    """
    shown = _display(path, cwd)
    raw = read_side_file(path, what="config file", shown=shown, repository=repository)
    try:
        data = _toml(raw)
    except UnicodeDecodeError as error:
        raise ConfigError(f"{shown}: cannot read config file: {error}") from None
    except RecursionError:
        raise ConfigError(f"{shown}: not valid TOML: nested too deeply") from None
    except ValueError as error:
        raise ConfigError(f"{shown}: not valid TOML: {error}") from None
    where = shown
    if path.name == PYPROJECT:
        tool = data.get("tool", {})
        data = tool.get("usmctl", {}) if isinstance(tool, dict) else {}
        where = f"{shown} [tool.usmctl]"
        if not isinstance(data, dict):
            raise ConfigError(f"{where}: must be a table")
    # Not resolve(): discovered files are matched by their unresolved absolute paths.
    root = Path(os.path.normpath(path.absolute())).parent
    values = _Parser(where, root, cwd=cwd, repository=repository).parse(data)
    if "catalogue" in values and repository is not None:
        # A config the tree holds may not send usmctl out of the tree.
        values["catalogue_named"] = not within(root, repository)
    return values


def _display(path: Path, cwd: Path) -> str:
    try:
        return path.resolve().relative_to(cwd.resolve()).as_posix()
    except ValueError:
        return path.as_posix()


class _Parser:
    """Checks one config table key by key; errors name the file and the key."""

    def __init__(
        self, where: str, root: Path, *, cwd: Path | None = None, repository: Path | None = None
    ) -> None:
        self.where = where
        self.root = root
        self.cwd = cwd or root
        self.repository = repository

    def fail(self, key: str, reason: str) -> ConfigError:
        return ConfigError(f"{self.where}: {key}: {reason}")

    def parse(self, data: dict[str, Any]) -> dict[str, Any]:
        for key in data:
            if key not in KEYS:
                close = difflib.get_close_matches(key.replace("_", "-"), KEYS, n=1, cutoff=0.6)
                hint = f' (did you mean "{close[0]}"?)' if close else ""
                raise self.fail(key, f"unknown key{hint}; known keys: {', '.join(KEYS)}")
        values: dict[str, Any] = {}
        # Each only when its keys are there: both import the rules (pydantic,
        # jsonschema), which a warm run with a config file never needs otherwise.
        has_rules = "custom-rules" in data or "rulesets" in data
        custom = self.custom_rules(data) if has_rules else ()
        if custom:
            values["custom_rules"] = custom
        known = _known_rules(custom) if any(key in data for key in _SELECTING_KEYS) else []
        for key in ("select", "ignore", "extend-select"):
            if key in data:
                selectors = self.strings(key, data[key])
                self.selectors(key, selectors, known)
                values[key.replace("-", "_")] = selectors
        for key in ("include", "exclude"):
            if key in data:
                values[key] = tuple(self.glob(item) for item in self.strings(key, data[key]))
        if "severity" in data:
            values["severity"] = self.severity(data["severity"], known)
        if "per-file-ignores" in data:
            values["per_file_ignores"] = self.per_file_ignores(data["per-file-ignores"], known)
        if "fail-on" in data:
            value = data["fail-on"]
            if value not in FAIL_ON:
                raise self.fail("fail-on", f"must be one of {', '.join(FAIL_ON)}, not {value!r}")
            values["fail_on"] = value
        if "catalogue" in data:
            value = data["catalogue"]
            if not isinstance(value, str) or not value:
                raise self.fail("catalogue", f"must be a file path (a string), not {value!r}")
            values["catalogue"] = self.root / value
        if "max-depth" in data:
            value = data["max-depth"]
            if isinstance(value, bool) or not isinstance(value, int) or value < 1:
                raise self.fail("max-depth", f"must be an integer of at least 1, not {value!r}")
            values["max_depth"] = value
        if "max-file-size" in data:
            value = data["max-file-size"]
            if (
                isinstance(value, bool)
                or not isinstance(value, int)
                or not 1 <= value <= MAX_FILE_SIZE
            ):
                raise self.fail(
                    "max-file-size",
                    f"must be a number of bytes from 1 to {MAX_FILE_SIZE:,}, not {value!r}",
                )
            values["limits"] = Limits(max_file_bytes=value)
        if "max-results" in data:
            value = data["max-results"]
            if isinstance(value, bool) or not isinstance(value, int) or value < 0:
                raise self.fail(
                    "max-results",
                    f"must be an integer of at least 0 (0: each service's limit), not {value!r}",
                )
            values["max_results"] = value
        if "jobs" in data:
            value = data["jobs"]
            if isinstance(value, bool) or not isinstance(value, int) or value < 0:
                raise self.fail(
                    "jobs",
                    f"must be an integer of at least 0 (0: one process per core for many "
                    f"files), not {value!r}",
                )
            values["jobs"] = value
        return values

    def strings(self, key: str, value: Any) -> tuple[str, ...]:
        if isinstance(value, str):
            value = [value]
        if not isinstance(value, list) or not all(isinstance(item, str) for item in value):
            raise self.fail(key, f"must be a list of strings, not {value!r}")
        return tuple(value)

    def selectors(self, key: str, selectors: tuple[str, ...], known: list[tuple[str, str]]) -> None:

        try:
            resolve_selectors(selectors, known)
        except UsageError as error:
            raise self.fail(key, str(error)) from None

    def glob(self, pattern: str) -> str:
        """A glob relative to the config file, made absolute so it matches any cwd."""
        if pattern.startswith("/") or "/" not in pattern:
            return pattern  # absolute, or a bare file-name pattern matching in any folder
        # Normalised like the paths it is matched against (``../shared/*``).
        return os.path.normpath(glob.escape(self.root.as_posix()) + "/" + pattern)

    def severity(self, value: Any, known: list[tuple[str, str]]) -> dict[str, Severity]:

        if not isinstance(value, dict):
            raise self.fail("severity", f'must be a table like {{USM404 = "error"}}, not {value!r}')
        out: dict[str, Severity] = {}
        for selector, level in value.items():
            if level not in SEVERITIES:
                raise self.fail(
                    f"severity.{selector}", f"must be one of {', '.join(SEVERITIES)}, not {level!r}"
                )
            try:
                codes = resolve_selectors([selector], known)
            except UsageError as error:
                raise self.fail(f"severity.{selector}", str(error)) from None
            for code in sorted(codes):
                out[code] = Severity(level)
        return out

    def per_file_ignores(
        self, value: Any, known: list[tuple[str, str]]
    ) -> dict[str, tuple[str, ...]]:
        if not isinstance(value, dict):
            raise self.fail(
                "per-file-ignores",
                f'must be a table like {{"legacy/*" = ["USM104"]}}, not {value!r}',
            )
        out: dict[str, tuple[str, ...]] = {}
        for pattern, selectors in value.items():
            key = f"per-file-ignores.{pattern!r}"
            codes = self.strings(key, selectors)
            self.selectors(key, codes, known)
            out[self.glob(pattern)] = codes
        return out

    def custom_rules(self, data: dict[str, Any]) -> tuple[CustomRule, ...]:
        """The rules of ``rulesets`` then ``custom-rules`` (a rule of the config
        replaces a rule set's with its code)."""
        # start-up: rule sets bring JSONPath, RE2 and JSON Schema; most configs have none
        from usmctl.check.rulesets import Known, merged, parse_rules

        known = Known.load()
        from_sets: tuple[CustomRule, ...] = ()
        if "rulesets" in data:
            from_sets = self.rulesets(data["rulesets"], known)
        own: tuple[CustomRule, ...] = ()
        if "custom-rules" in data:
            value = data["custom-rules"]
            if not isinstance(value, list) or not all(isinstance(item, dict) for item in value):
                raise self.fail("custom-rules", "must be an array of tables ([[custom-rules]])")
            own = parse_rules(
                value,
                fail=lambda path, reason, key=False: self.fail(
                    format_path(("custom-rules", *path)), reason
                ),
                defined_in=self.where,
                known=known,
                key="custom-rules",
            )
        try:
            return merged(from_sets, own)
        except ConfigError as error:
            raise self.fail("custom-rules", str(error)) from None

    def rulesets(self, value: Any, known: Known) -> tuple[CustomRule, ...]:
        """The rules of the rule set files named (and of what they extend)."""
        names = value if isinstance(value, list) else [value]
        # A config the tree holds names rule sets in the tree only.
        named = self.repository is None or not within(self.root, self.repository)
        # start-up: rule sets bring JSONPath, RE2 and JSON Schema; most configs have none
        from usmctl.check.rulesets import RulesetReader, merged

        reader = RulesetReader(repository=self.repository, cwd=self.cwd, known=known)
        groups = []
        for index, name in enumerate(names):
            key = f"rulesets[{index}]" if isinstance(value, list) else "rulesets"
            path = reader.resolve(
                name,
                base=self.root,
                named=named,
                fail=lambda reason, key=key: self.fail(key, reason),  # type: ignore[misc]
            )
            groups.append(reader.load(path, named=named))
        return merged(*groups)


def _known_rules(custom: tuple[CustomRule, ...]) -> list[tuple[str, str]]:
    # start-up: model and rules import pydantic; a warm run reads the config without them
    from usmctl.rules import ALL_RULES

    return [(rule.code, rule.name) for rule in ALL_RULES] + [
        (rule.code, rule.rule_name) for rule in custom
    ]


def build_settings(options: CliOptions, *, cwd: Path) -> Settings:
    """Defaults, then the config file, then the command line."""
    repository = repository_root(cwd)
    config_path = options.config or find_config(cwd, repository=repository)
    if config_path is not None and not config_path.is_absolute():
        config_path = cwd / config_path
    values: dict[str, Any] = {
        "repository": repository,
        "source_root": source_root(cwd, repository=repository, config=config_path),
    }
    if config_path is not None:
        values.update(read_config(config_path, cwd=cwd, repository=repository))
    if options.select is not None:
        values["select"] = options.select
    if options.extend_select:
        values["extend_select"] = (*values.get("extend_select", ()), *options.extend_select)
    if options.ignore:
        values["ignore"] = (*values.get("ignore", ()), *options.ignore)
    if options.fail_on is not None:
        values["fail_on"] = options.fail_on
    if options.catalogue is not None:
        values["catalogue"] = options.catalogue
        values["catalogue_named"] = True
    if options.baseline is not None:
        values["baseline"] = options.baseline
    if options.no_cache:
        values["use_cache"] = False
    if options.max_results is not None:
        values["max_results"] = options.max_results
    if options.jobs is not None:
        values["jobs"] = options.jobs
    return Settings(**values)


def source_root(cwd: Path, *, repository: Path, config: Path | None) -> Path:
    """The root the repository's paths start from: the git top level (the
    nearest directory with ``.git``, found without running git), else the
    config file's folder when the working directory lies in it, else the
    working directory."""
    if os.path.lexists(repository / ".git"):
        return repository
    start = Path(os.path.normpath(cwd.absolute()))
    if config is not None:
        folder = Path(os.path.normpath(config.absolute())).parent
        if within(start, folder):
            return folder
    return start
