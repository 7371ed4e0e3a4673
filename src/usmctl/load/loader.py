"""Discover architecture files, read and decode them, parse them safely.

USM001/002/008/009/010 come from here, each with an exact position.
"""

from __future__ import annotations

import dataclasses
import errno
import fnmatch
import marshal
import os
import re
import stat
import sys
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Literal

from usmctl.core.codes import (
    AMBIGUOUS_SCALAR,
    SCHEMA_VIOLATION,
    UNREADABLE_FILE,
    UNSAFE_YAML,
    UNSUPPORTED_VERSION,
    YAML_SYNTAX,
)
from usmctl.core.errors import UsageError
from usmctl.core.findings import printable, quote
from usmctl.core.positions import START, Anchor, DataPath, Position
from usmctl.load.limits import MAX_NUMBER_CHARS, Limits, Problem, type_name
from usmctl.load.locate import SourceMap
from usmctl.load.marks import Marks

SUPPORTED_VERSIONS = ("1",)
YAML_SUFFIXES = (".usm.yaml", ".usm.yml")
WIF_SUFFIXES = (".workflow.json", ".workflow-template.json")
SKIP_DIRS = frozenset({"node_modules", "__pycache__", "site-packages"})
# A virtualenv or conda environment is known by what it holds, not by its name
# (a folder "env" of per-environment architecture files is read).
ENV_MARKERS = ("pyvenv.cfg", "conda-meta")

FileKind = Literal["yaml", "wif", "wif-template"]


@dataclass(frozen=True, slots=True)
class SourceFile:
    """One architecture file: where it is and how to show it."""

    path: Path
    display: str
    kind: FileKind
    # Named on the command line (read as given: ``<(cmd)`` is a pipe), not
    # found by walking a directory (only regular files are read).
    named: bool = True


@dataclass(frozen=True, slots=True)
class LoadedFile:
    """A read and parsed file: its text (for locating and suppressions), its
    data, where its keys and values are when the parse kept that (`marks`,
    for locating without reading the text again). Frozen: a check that finds
    a problem builds a new one."""

    source: SourceFile
    text: str | None
    data: Any
    problems: tuple[Problem, ...] = ()
    marks: Marks | None = field(default=None, compare=False, repr=False)

    @property
    def failed(self) -> bool:
        """Whether the file could not be read as an architecture file at all
        (USM001, USM008, USM009, USM010): whatever it declares is unknown."""
        return self.data is None and any(problem.code in LOAD_FAILURES for problem in self.problems)


LOAD_FAILURES = frozenset({YAML_SYNTAX, UNSUPPORTED_VERSION, UNSAFE_YAML, UNREADABLE_FILE})


def file_kind(name: str) -> FileKind | None:
    """The kind of an architecture file by its name, or None if it is not one."""
    lower = name.lower()
    if lower.endswith(YAML_SUFFIXES) or lower == "usm.yaml":
        return "yaml"
    if lower.endswith(".workflow-template.json"):
        return "wif-template"
    if lower.endswith(".workflow.json"):
        return "wif"
    return None


def display_path(path: Path, cwd: Path) -> str:
    """The path as reported: relative to the working directory when inside it."""
    try:
        shown = path.relative_to(cwd).as_posix()
    except ValueError:
        shown = path.as_posix()
    return printable(shown, exact=True)


def discover(
    paths: Iterable[str],
    *,
    cwd: Path,
    include: tuple[str, ...] = (),
    exclude: tuple[str, ...] = (),
    follow_links: bool = False,
) -> tuple[list[SourceFile], list[LoadedFile]]:
    """Expand PATHs into architecture files, sorted and unique.

    Returns the files to read and the ones already known broken (a broken
    symlink found while walking gives USM010). A PATH that does not exist is a
    usage error. Files named explicitly are always read, whatever their name.
    A file link found while walking is read only when its target lies inside
    one of the directories named, unless ``follow_links``.
    """
    paths = list(paths)
    roots = None if follow_links else _roots(paths, cwd)
    # Keyed by the real path: a file reached twice (``a a/../a``, a link to a
    # folder named beside it) is read once, or its ids would clash with themselves.
    found: dict[str, SourceFile] = {}
    broken: dict[Path, LoadedFile] = {}
    named: set[Path] = set()
    for raw in paths:
        if not raw:
            raise UsageError("empty path: name a file or directory (. for this one)")
        given = Path(raw)
        absolute = given if given.is_absolute() else cwd / given
        try:
            if absolute.is_symlink() and not absolute.exists():
                source = SourceFile(absolute, display_path(absolute, cwd), "yaml")
                broken[absolute] = _unreadable(source, "broken symbolic link")
                continue
            if not absolute.exists():
                raise UsageError(f"path does not exist: {raw}")
            is_dir = absolute.is_dir()
        except OSError as error:  # a name too long, a component that is a file, ...
            raise UsageError(f"cannot read path {raw}: {error.strerror or error}") from None
        if is_dir:
            for file_path, kind, why in _walk(absolute, roots):
                shown = display_path(file_path, cwd)
                if not _selected(shown, file_path, include, exclude):
                    continue
                if why is not None:
                    broken[file_path] = _unreadable(SourceFile(file_path, shown, kind), why)
                else:
                    found.setdefault(
                        os.path.realpath(file_path),
                        SourceFile(file_path, shown, kind, named=False),
                    )
        else:
            kind = file_kind(absolute.name) or (
                "wif" if absolute.name.lower().endswith(".json") else "yaml"
            )
            found.setdefault(
                os.path.realpath(absolute),
                SourceFile(absolute, display_path(absolute, cwd), kind),
            )
            named.add(absolute)
    for path in named:  # also met walking a folder named: read as named, links too
        broken.pop(path, None)
    files = sorted(found.values(), key=lambda source: source.display)
    return files, sorted(broken.values(), key=lambda loaded: loaded.source.display)


def matches_any(shown: str, file_path: Path, patterns: Iterable[str]) -> bool:
    """True when a glob matches the file's path as shown or its absolute path.

    Globs from a config file are made absolute (relative to the file), so they
    match whatever the working directory; a pattern without a ``/`` also
    matches the file's name in any folder (``services.usm.yaml``).
    """
    names = (shown, Path(os.path.normpath(file_path)).as_posix())
    return any(
        any(fnmatch.fnmatch(name, pattern) for name in names)
        or ("/" not in pattern and fnmatch.fnmatch(file_path.name, pattern))
        for pattern in patterns
    )


def _selected(
    shown: str, file_path: Path, include: tuple[str, ...], exclude: tuple[str, ...]
) -> bool:
    if include and not matches_any(shown, file_path, include):
        return False
    return not matches_any(shown, file_path, exclude)


def _roots(paths: Iterable[str], cwd: Path) -> tuple[str, ...]:
    """The real paths of the directories named: where walked links may point."""
    roots = []
    for raw in paths:
        absolute = os.path.join(cwd, raw)
        if raw and os.path.isdir(absolute):
            roots.append(os.path.realpath(absolute))
    return tuple(roots)


def _inside(path: str, roots: tuple[str, ...]) -> bool:
    return any(path == root or path.startswith(root.rstrip(os.sep) + os.sep) for root in roots)


OUTSIDE_LINK = (
    "symbolic link to a file outside the directories checked: not read "
    "(name it, or pass --follow-links to read it)"
)


def _walk(
    root: Path, roots: tuple[str, ...] | None = None
) -> Iterator[tuple[Path, FileKind, str | None]]:
    """Architecture files under ``root``, with why one cannot be read (else None).

    Symbolic links to directories are not followed, so link loops cannot hang
    us; a broken link, a FIFO or device (opening a FIFO would block), a link to
    a file outside ``roots`` (when given) and a directory we may not list are
    reported rather than skipped in silence.
    """
    unlistable: list[OSError] = []
    for directory, dirnames, filenames in os.walk(
        root, followlinks=False, onerror=unlistable.append
    ):
        yield from _unlistable(unlistable)
        dirnames[:] = sorted(
            name
            for name in dirnames
            if not name.startswith(".")
            and name not in SKIP_DIRS
            and not any(os.path.exists(os.path.join(directory, name, m)) for m in ENV_MARKERS)
        )
        for name in sorted(filenames):
            kind = file_kind(name)
            if kind is None:
                continue
            file_path = Path(directory, name)
            try:  # a folder we may list but not enter: lstat fails too
                mode = os.lstat(file_path).st_mode
            except OSError as error:
                yield file_path, kind, _why(error)
                continue
            if stat.S_ISLNK(mode):
                try:
                    mode = os.stat(file_path).st_mode
                except OSError as error:
                    loop = " (a loop of links)" if error.errno == errno.ELOOP else ""
                    yield file_path, kind, f"broken symbolic link{loop}"
                    continue
                if roots is not None and not _inside(os.path.realpath(file_path), roots):
                    yield file_path, kind, OUTSIDE_LINK
                    continue
            if not stat.S_ISREG(mode):
                yield file_path, kind, NOT_REGULAR
            else:
                yield file_path, kind, None
    yield from _unlistable(unlistable)


def _unlistable(errors: list[OSError]) -> Iterator[tuple[Path, FileKind, str | None]]:
    while errors:
        error = errors.pop(0)
        yield Path(str(error.filename)), "yaml", f"cannot list directory: {error.strerror or error}"


def _why(error: OSError) -> str:
    return f"cannot read file: {error.strerror or error}"


def _unreadable(source: SourceFile, why: str, position: Position = START) -> LoadedFile:
    return LoadedFile(source, None, None, (Problem(UNREADABLE_FILE, why, position),))


def read_source(source: SourceFile, limits: Limits) -> LoadedFile:
    """Read, decode and parse one file; every failure becomes a problem."""
    raw = read_raw(source, limits)
    if isinstance(raw, LoadedFile):
        return raw
    return load_bytes(source, raw, limits)


# How architecture and side files (`usmctl.load.sidefiles`) are opened; flags
# a platform lacks are 0 there.
OPEN_FLAGS = os.O_RDONLY | getattr(os, "O_CLOEXEC", 0)
NO_WAIT = getattr(os, "O_NONBLOCK", 0)


def read_raw(source: SourceFile, limits: Limits) -> bytes | LoadedFile:
    """A file's bytes, or the unreadable file (USM009/USM010) as loaded.

    A file found by walking is opened without blocking and checked once open:
    one replaced by a FIFO (or a device) after discovery is USM010, not a hang.
    The size limit is that of the file opened. A file named on the command line
    is read as given, a pipe too (``usmctl validate <(cmd)``; a FIFO with no
    writer waits, as ``cat`` would), up to the size limit.
    """
    flags = OPEN_FLAGS if source.named else OPEN_FLAGS | NO_WAIT
    try:
        descriptor = os.open(source.path, flags)
    except OSError as error:
        return _unreadable(source, _why(error))
    try:
        with os.fdopen(descriptor, "rb") as handle:
            status = os.fstat(descriptor)
            mode, size = status.st_mode, status.st_size
            if stat.S_ISDIR(mode):
                return _unreadable(source, "is a directory, not a file")
            if not stat.S_ISREG(mode):
                if not source.named:
                    return _unreadable(source, NOT_REGULAR)
            elif size > limits.max_file_bytes:
                return LoadedFile(
                    source,
                    None,
                    None,
                    (
                        Problem(
                            UNSAFE_YAML,
                            f"file is {size} bytes, over the {limits.max_file_bytes}-byte limit",
                            START,
                        ),
                    ),
                )
            return handle.read(limits.max_file_bytes + 1)
    except OSError as error:
        return _unreadable(source, _why(error))


NOT_REGULAR = "not a regular file (a FIFO, device or socket)"


def load_bytes(source: SourceFile, raw: bytes, limits: Limits) -> LoadedFile:
    """Decode and parse a file's bytes (stdin comes here directly); every
    failure becomes a problem. The parse cache (`usmctl.check.cache`) wraps this."""
    if len(raw) > limits.max_file_bytes:
        return LoadedFile(
            source,
            None,
            None,
            (Problem(UNSAFE_YAML, f"input is over the {limits.max_file_bytes}-byte limit", START),),
        )
    nul = raw.find(b"\0")
    if nul >= 0:
        return _unreadable(
            source, "binary file (NUL byte); expected UTF-8 text", _offset_position(raw, nul)
        )
    try:
        decoded = raw.decode("utf-8-sig")
    except UnicodeDecodeError as error:
        return _unreadable(
            source,
            f"not UTF-8: byte 0x{raw[error.start]:02x} cannot be decoded",
            _offset_position(raw, error.start),
        )
    text = _as_parsed(source, decoded)
    if source.kind != "yaml":
        # Read on the text as written: the surrogate rewrite shifts columns.
        read = _read_json(decoded, text, limits)
        if isinstance(read, Problem):
            return LoadedFile(source, text, None, (read,))
        if read is not _ASK_YAML:
            return _check_document(LoadedFile(source, text, read))
    # start-up: PyYAML only when something is parsed (a warm run parses nothing)
    from usmctl.load.yamlio import parse

    result = parse(text, limits)
    problems = tuple(result.problems)
    if source.kind != "yaml":  # JSON's scalars mean one thing: no YAML 1.1/1.2 question
        problems = tuple(problem for problem in problems if problem.code != AMBIGUOUS_SCALAR)
    if any(problem.code in (YAML_SYNTAX, UNSAFE_YAML) for problem in result.problems):
        return LoadedFile(source, text, None, problems)
    return _check_document(LoadedFile(source, text, result.data, problems, result.marks))


# --- many files at once: worker processes (issue 17) -------------------------

# The bytes from which an automatic run (``jobs = 0``) parses in worker
# processes. Starting the pool costs about 12 ms (forks, the first results
# back) and parsing about 0.1 s per MB, of which a second idle core saves
# half: the pool pays from about 0.3 MB; at 1 MB it broke even on a 2-core
# machine whose cores other work kept busy (benchmarks/startup.py --parallel).
# A small run never starts it.
PARALLEL_FROM_BYTES = 1_000_000
_CHUNKS_PER_WORKER = 4
Progress = Callable[[int, int], None]
# What the forked workers parse: set before the pool starts, inherited by
# fork (the bytes are never sent), cleared after.
_PENDING: list[tuple[Sequence[tuple[SourceFile, bytes]], Limits]] = []


def load_all(
    read: Sequence[tuple[SourceFile, bytes]],
    limits: Limits,
    *,
    jobs: int = 0,
    progress: Progress | None = None,
    meanwhile: Callable[[bool], object] | None = None,
) -> list[LoadedFile]:
    """`load_bytes` of every file, in order; ``progress(done, total)`` as they finish.

    Many files are parsed in forked worker processes (`workers`); the result is
    the serial one: what a worker returns is the `LoadedFile` it would have
    built here, and when the pool cannot start or a worker fails (dies, or
    raises) the files not yet returned are parsed here, one by one, as without
    a pool.

    ``meanwhile(pooled)``: called once, before any file is parsed here: while
    the workers parse, when there are any (``pooled``; a run's imports of the
    model and the rules, overlapped with the parse). What it raises stops the
    pool and is raised.
    """
    done: list[LoadedFile] = []
    count = workers(jobs, len(read), sum(len(raw) for _, raw in read))
    if count > 1:
        done = _in_pool(read, limits, count, progress, meanwhile)
    elif meanwhile is not None:
        meanwhile(False)
    for source, raw in read[len(done) :]:
        done.append(load_bytes(source, raw, limits))
        if progress is not None:
            progress(len(done), len(read))
    return done


def workers(jobs: int, files: int, size: int) -> int:
    """How many processes parse ``files`` files of ``size`` bytes in all: 1
    (this one) for ``jobs`` 1, for fewer than `PARALLEL_FROM_BYTES` when
    ``jobs`` is 0 (automatic), and where no process can be forked safely (not
    Linux, or threads running: the language server); else ``jobs``, or with 0
    the cores this process may run on, at most one per file."""
    if jobs == 1 or files < 2 or (jobs == 0 and size < PARALLEL_FROM_BYTES):
        return 1
    if not sys.platform.startswith("linux"):
        return 1
    # start-up: threading and multiprocessing only for a run of many files
    import multiprocessing
    import threading

    if threading.active_count() > 1 or "fork" not in multiprocessing.get_all_start_methods():
        return 1
    cores = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count()
    return min(jobs or cores or 1, files)


def _in_pool(
    read: Sequence[tuple[SourceFile, bytes]],
    limits: Limits,
    count: int,
    progress: Progress | None,
    meanwhile: Callable[[bool], object] | None = None,
) -> list[LoadedFile]:
    """The files parsed in ``count`` forked processes, in order, up to the first
    chunk a worker failed to return (the caller parses the rest); ``meanwhile``
    called once, here, while they parse (or before, if no pool starts)."""
    # start-up: the pool only for a run of many files
    import multiprocessing
    from concurrent.futures import ProcessPoolExecutor

    # start-up: the parser is imported before forking, so no worker imports it
    import usmctl.load.yamlio  # noqa: F401

    done: list[LoadedFile] = []
    _PENDING[:] = [(read, limits)]
    try:
        pool = ProcessPoolExecutor(
            count, mp_context=multiprocessing.get_context("fork"), initializer=_worker_start
        )
        futures = [pool.submit(_load_chunk, start, stop) for start, stop in _chunks(read, count)]
    except (OSError, ValueError, RuntimeError):  # no process to be had: the caller parses
        _PENDING.clear()
        if meanwhile is not None:
            meanwhile(False)
        return done
    try:
        if meanwhile is not None:
            meanwhile(True)  # what it raises stops the pool (below) and is raised
        try:
            futures.reverse()
            while (
                futures
            ):  # each chunk let go once unpacked: its marshal blob is a copy of its data
                done.extend(_unpacked(futures.pop().result()))
                if progress is not None:
                    progress(len(done), len(read))
        except Exception:  # a worker died or raised: the caller parses the rest, as without one
            pass
    finally:
        pool.shutdown(wait=True, cancel_futures=True)
        _PENDING.clear()
    return done


def _chunks(read: Sequence[tuple[SourceFile, bytes]], count: int) -> list[tuple[int, int]]:
    """``read`` cut into about ``count`` × 4 runs of consecutive files of
    about equal bytes: (start, stop) index pairs."""
    target = sum(len(raw) for _, raw in read) / (count * _CHUNKS_PER_WORKER) or 1
    chunks: list[tuple[int, int]] = []
    start, size = 0, 0
    for index, (_, raw) in enumerate(read):
        size += len(raw)
        if size >= target:
            chunks.append((start, index + 1))
            start, size = index + 1, 0
    if start < len(read):
        chunks.append((start, len(read)))
    return chunks


def _worker_start() -> None:
    """A worker leaves Ctrl-C to the parent (which stops the pool) and dies
    of SIGTERM without a word: no traceback of its own on the terminal."""
    import signal

    signal.signal(signal.SIGINT, signal.SIG_IGN)
    signal.signal(signal.SIGTERM, signal.SIG_DFL)


Chunk = tuple[list[LoadedFile], bytes | None]


def _load_chunk(start: int, stop: int) -> Chunk:
    """In a worker: the files ``start`` to ``stop`` of the run, parsed; their
    data apart as one `marshal` blob (written and read in a third of pickle's
    time: plain dicts, lists and scalars, from our own process), unless some
    value is not marshal's (then pickle sends it all)."""
    assert _PENDING, "a worker forked without the files to parse"
    read, limits = _PENDING[0]
    loaded = [load_bytes(source, raw, limits) for source, raw in read[start:stop]]
    try:
        blob = marshal.dumps([item.data for item in loaded])
    except ValueError:
        return loaded, None
    return [dataclasses.replace(item, data=None) for item in loaded], blob


def _unpacked(chunk: Chunk) -> list[LoadedFile]:
    """In the parent: a worker's files whole again."""
    loaded, blob = chunk
    if blob is None:
        return loaded
    return [
        dataclasses.replace(item, data=data)
        for item, data in zip(loaded, marshal.loads(blob), strict=True)
    ]


def decode_text(source: SourceFile, raw: bytes) -> str:
    """A file's text as parsed (raises UnicodeDecodeError when not UTF-8)."""
    return _as_parsed(source, raw.decode("utf-8-sig"))


def _as_parsed(source: SourceFile, text: str) -> str:
    if source.kind != "yaml" and "\\u" in text:
        text = _JSON_SURROGATE_PAIR.sub(_astral_escape, text)
    return text


class _NonStandardConstantError(ValueError):
    pass


def _refuse_constant(name: str) -> Any:
    raise _NonStandardConstantError(name)


# A JSON string, or a constant Python's json accepts and JSON does not.
_JSON_STRING_OR_CONSTANT = re.compile(r'"(?:[^"\\]|\\.)*"|-?Infinity|NaN')


class _AskYamlError(Exception):
    """The JSON reader leaves a file to the YAML parser, which places the problem."""


_ASK_YAML: Any = object()
# JSON's escape of a lone surrogate (one the pair rewrite left): no UTF-8 text
# holds it; the YAML parser reports it.
_LONE_SURROGATE = re.compile(r"\\u[dD][89a-fA-F][0-9a-fA-F]{2}")


def _json_int(text: str) -> int:
    if len(text) > MAX_NUMBER_CHARS:
        raise _AskYamlError
    return int(text)


def _json_float(text: str) -> float:
    if len(text) > MAX_NUMBER_CHARS:
        raise _AskYamlError
    return float(text)


def _json_object(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
    mapping = dict(pairs)
    if len(mapping) != len(pairs):
        raise _AskYamlError  # a duplicate key: USM002 needs both positions
    return mapping


def _too_deep(data: Any, max_depth: int) -> bool:
    """Whether containers nest deeper than ``max_depth`` (iterative)."""
    level: list[Any] = [data]
    for _ in range(max_depth):
        level = [
            child
            for node in level
            if isinstance(node, (dict, list))
            for child in (node.values() if isinstance(node, dict) else node)
            if isinstance(child, (dict, list))
        ]
        if not level:
            return False
    return True


def _read_json(written: str, text: str, limits: Limits) -> Any:
    """A USM-WIF file read as strict JSON (docs/format.md): its data, USM001 as
    a `Problem` when it is not JSON, or `_ASK_YAML`.

    JSON is read as JSON: keys of any length and characters YAML refuses raw
    (U+007F, U+0080, U+FFFE) are valid. The YAML parser reads what needs exact
    positions (a duplicate key, a number over the length limit, nesting past
    the depth limit, a lone surrogate escape).
    """
    import json

    if "\\u" in text and _LONE_SURROGATE.search(text):
        return _ASK_YAML
    try:
        data = json.loads(
            written,
            object_pairs_hook=_json_object,
            parse_constant=_refuse_constant,
            parse_int=_json_int,
            parse_float=_json_float,
        )
    except (_AskYamlError, RecursionError):
        return _ASK_YAML
    except json.JSONDecodeError as error:
        # "Unterminated string starting at": the position is given as line:col.
        message = error.msg.removesuffix(" at")
        message = message[:1].lower() + message[1:]
        return Problem(YAML_SYNTAX, f"invalid JSON: {message}", Position(error.lineno, error.colno))
    except _NonStandardConstantError as error:
        constants = (
            match.start()
            for match in _JSON_STRING_OR_CONSTANT.finditer(text)
            if not match.group().startswith('"')
        )
        return Problem(
            YAML_SYNTAX,
            f"invalid JSON: {error} is not a JSON value (JSON has no NaN or Infinity)",
            Position.at_offset(text, next(constants, 0)),
        )
    if _too_deep(data, limits.max_depth):
        return _ASK_YAML
    return data


# JSON writes a character past U+FFFF as a surrogate pair (Python's json.dumps
# does by default: "\ud83d\ude00"); YAML refuses surrogate escapes, so a valid
# USM-WIF file would be USM001. The pair becomes YAML's "\U0001f600" (two
# characters shorter: columns later on that line shift by two).
_JSON_SURROGATE_PAIR = re.compile(
    r"(?<!\\)((?:\\\\)*)\\u(d[89ab][0-9a-f]{2})\\u(d[c-f][0-9a-f]{2})", re.IGNORECASE
)


def _astral_escape(match: re.Match[str]) -> str:
    high, low = int(match.group(2), 16), int(match.group(3), 16)
    code_point = 0x10000 + ((high - 0xD800) << 10) + (low - 0xDC00)
    return f"{match.group(1)}\\U{code_point:08x}"


def _offset_position(raw: bytes, offset: int) -> Position:
    line = raw.count(b"\n", 0, offset) + 1
    start = raw.rfind(b"\n", 0, offset) + 1
    return Position(line, len(raw[start:offset].decode("utf-8", "replace")) + 1)


def _check_document(loaded: LoadedFile) -> LoadedFile:
    """Top-level shape and the `usm` version (USM003, USM008): the file as
    loaded, or a new one with the problem (and without its data)."""
    data = loaded.data
    if loaded.source.kind != "yaml":
        if not isinstance(data, dict):
            return _failed(
                loaded,
                Problem(
                    SCHEMA_VIOLATION,
                    f"a USM-WIF workflow file must hold a JSON object, found {type_name(data)}",
                    START,
                ),
            )
        return loaded
    if data is None:
        return _failed(
            loaded,
            Problem(SCHEMA_VIOLATION, 'file is empty: expected a mapping with usm: "1"', START),
        )
    if not isinstance(data, dict):
        return _failed(
            loaded,
            Problem(
                SCHEMA_VIOLATION,
                f'the top level must be a mapping with usm: "1", found {type_name(data)}',
                START,
            ),
        )
    if "usm" not in data:
        return _failed(
            loaded,
            Problem(
                UNSUPPORTED_VERSION,
                'missing usm version: add usm: "1" at the top of the file',
                _locate(loaded, ()),
            ),
        )
    version = data["usm"]
    if version not in SUPPORTED_VERSIONS:
        shown = quote(version) if isinstance(version, str) else f"{version} ({type_name(version)})"
        hint = ' (write it as a quoted string: usm: "1")' if version in (1, 1.0) else ""
        return _failed(
            loaded,
            Problem(
                UNSUPPORTED_VERSION,
                f"unsupported usm version {shown}: supported is "
                + ", ".join(quote(v) for v in SUPPORTED_VERSIONS)
                + hint,
                _locate(loaded, ("usm",)),
                ("usm",),
            ),
        )
    return loaded


def _failed(loaded: LoadedFile, problem: Problem) -> LoadedFile:
    """The file with one more problem, which leaves it without data."""
    return dataclasses.replace(loaded, data=None, problems=(*loaded.problems, problem))


def _locate(loaded: LoadedFile, path: DataPath) -> Position:
    """Where a data path's value is in the file (rare: only for file-level problems)."""
    if loaded.text is None:
        return START
    anchor = Anchor(path)
    return SourceMap(loaded.text, loaded.marks).locate_all([anchor])[anchor]
