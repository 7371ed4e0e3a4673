"""Content-addressed caches in ``.usmctl_cache/`` (issue 6).

Two levels. The *parse cache* holds what parsing one file produced: its data
and its problems, keyed by a hash of the file's bytes, its reported name and
kind, the parse limits and the code that parses (tool version plus the
parsing modules' own stamps, so a development checkout never reads stale
entries); it serves any run, also one whose other files or rules changed. The
*findings cache* (`FindingsCache`) holds a whole ``validate`` run's findings,
checked against every file's bytes, the catalogue, the settings and the whole
package's code: a re-run on unchanged files reads the files, hashes them and
runs nothing else.

Entries are plain data as JSON: a cache directory found in an untrusted
checkout can never construct objects or feed a native decoder crafted bytes
(pickle and marshal are out for that reason; JSON costs 25 ms more per 10,000
services). They are written atomically (a temporary file renamed into place,
so concurrent runs at worst both write the same entry) and checked on reading:
a truncated, damaged or foreign entry is a miss. Every cache failure is
silent; the cache only ever saves time.

Entries are signed with a key kept outside the working tree
(``$XDG_CACHE_HOME/usmctl/cache-key``, created on first use, mode 0600): an
entry planted in a repository (a pull request claiming its broken file parses
clean) fails the check on any machine that did not write it, so CI never trusts
a cache it finds in a checkout. Without a usable key there is no cache.
"""

from __future__ import annotations

import contextlib
import hashlib
import hmac
import json
import os
import stat
import sys
import tempfile
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any, TypeVar

from usmctl import __version__
from usmctl.core.findings import Finding, Severity
from usmctl.core.fixes import Edit, Fix
from usmctl.core.positions import Position
from usmctl.load.limits import Limits, Problem
from usmctl.load.loader import LoadedFile, Progress, SourceFile, decode_text, load_all, load_bytes
from usmctl.load.marks import Marks

CACHE_DIR = ".usmctl_cache"
# Bounds (docs/hardening.md, "Writes and the cache"): an entry larger than
# MAX_ENTRY_BYTES is neither written nor read; past MAX_CACHE_ENTRIES entries
# or MAX_CACHE_BYTES in all, the oldest entries go (checked on a run's first
# write and every _PRUNE_EVERY writes after it).
MAX_ENTRY_BYTES = 64 * 1024 * 1024
MAX_CACHE_ENTRIES = 20_000
MAX_CACHE_BYTES = 512 * 1024 * 1024
_PRUNE_EVERY = 1_000
_FORMAT = 3  # 3: the parse's marks (usmctl.load.marks)
_MAGIC = b"usmctl-cache\x01"
_DIGEST = 16
_SECRET_BYTES = 32
# Dotted paths under the package (``load.loader`` is src/usmctl/load/loader.py).
_STAMPED_MODULES = (
    "load.loader",
    "load.yamlio",
    "load.limits",
    "load.locate",
    "load.marks",
    "core.codes",
    "core.findings",
    "core.fixes",
    "core.errors",
    "core.positions",
    "check.cache",
    "core.writing",
)


_HERE = Path(__file__).resolve().parent.parent  # the package, src/usmctl


def _stamp(cache_format: int, modules: Iterable[Path], libraries: Iterable[str]) -> str:
    """The tool and Python versions, and the size and mtime of each of our
    ``modules`` and of each library's module file (found, not imported:
    networkx alone takes 0.1 s), so an edit or an upgrade misses."""
    from importlib.util import find_spec

    parts = [__version__, sys.version, str(cache_format)]
    for path in modules:
        try:
            mine = path.stat()
            parts.append(f"{path.relative_to(_HERE)}:{mine.st_size}:{mine.st_mtime_ns}")
        except OSError:
            parts.append(f"{path.name}:?")
    for name in libraries:
        try:
            spec = find_spec(name)
            found = os.stat(spec.origin) if spec is not None and spec.origin else None
        except (OSError, ImportError, ValueError):
            found = None
        parts.append(f"{name}:{found.st_size}:{found.st_mtime_ns}" if found else f"{name}:-")
    return "|".join(parts)


def _code_stamp() -> str:
    """The stamp of the code that parses: a parse cache entry depends on no more."""
    modules = (_HERE.joinpath(*name.split(".")).with_suffix(".py") for name in _STAMPED_MODULES)
    return _stamp(_FORMAT, modules, ("yaml", "yaml._yaml"))


class SignedStore:
    """Signed, atomically written blobs in folder ``name`` of the cache
    directory ``base``; every failure is a miss.

    A blob is ``_MAGIC``, a keyed BLAKE2b tag of the payload, the payload.
    Without a usable key (``secret`` None) nothing is read or written. Every
    directory is opened relative to its parent and never through a link, and
    only regular files up to `MAX_ENTRY_BYTES` are read (docs/hardening.md,
    "Writes and the cache").
    """

    def __init__(self, base: Path, name: str, *, secret: bytes | None = None) -> None:
        self.base = base
        self.name = name
        self.root = base / name
        self.secret = secret if secret is not None else local_secret()
        self.written = 0

    def _sign(self, payload: bytes) -> bytes:
        assert self.secret is not None
        return hashlib.blake2b(payload, digest_size=_DIGEST, key=self.secret).digest()

    def read(self, key: str) -> bytes | None:
        """The payload stored under ``key`` when present, whole and signed here."""
        if self.secret is None:
            return None
        with _folder(self.base, (self.name, key[:2]), create=False) as folder:
            blob = None if folder is None else _read_entry(folder, key)
        if blob is None:
            return None
        header = len(_MAGIC) + _DIGEST
        if len(blob) < header or not blob.startswith(_MAGIC):
            return None
        payload = blob[header:]
        if not hmac.compare_digest(self._sign(payload), blob[len(_MAGIC) : header]):
            return None
        return payload

    def write(self, key: str, payload: bytes) -> None:
        """Store ``payload`` under ``key`` (temporary file, then rename), now and
        then pruning the cache to its bounds; failures (read-only disk, races,
        links) are ignored."""
        if self.secret is None:
            return
        blob = _MAGIC + self._sign(payload) + payload
        if len(blob) > MAX_ENTRY_BYTES:
            return
        with _folder(self.base, (self.name, key[:2]), create=True) as folder:
            if folder is None or not _write_entry(folder, key, blob):
                return
        self.written += 1
        if self.written == 1 or self.written % _PRUNE_EVERY == 0:
            prune(self.base)


# Flags absent from a platform are 0 there; without dir_fd support (Windows)
# there is no cache at all (`_folder`).
_NO_FOLLOW = getattr(os, "O_NOFOLLOW", 0) | getattr(os, "O_CLOEXEC", 0)
_DIR_FLAGS = os.O_RDONLY | getattr(os, "O_DIRECTORY", 0) | _NO_FOLLOW
_FILE_FLAGS = os.O_RDONLY | getattr(os, "O_NONBLOCK", 0) | _NO_FOLLOW
_CREATE_FLAGS = os.O_WRONLY | os.O_CREAT | os.O_EXCL | _NO_FOLLOW


def _open_dir(name: str, parent: int | None, *, create: bool) -> int | None:
    """A directory's descriptor, opened relative to ``parent`` and never through
    a link; created when missing and ``create``; None when absent or refused."""
    for attempt in range(2):
        try:
            return os.open(name, _DIR_FLAGS, dir_fd=parent)
        except FileNotFoundError:
            if not create or attempt:
                return None
            try:
                os.mkdir(name, 0o777, dir_fd=parent)
            except FileExistsError:
                pass  # a race, or a dangling link: the open decides
            except OSError:
                return None
        except OSError:  # ELOOP: a link; ENOTDIR: a file
            return None
    return None


@contextlib.contextmanager
def _folder(base: Path, names: tuple[str, ...], *, create: bool) -> Iterator[int | None]:
    """The descriptor of ``base/names...``, each level checked by `_open_dir`;
    creating ``base`` writes its ``.gitignore``."""
    if os.open not in os.supports_dir_fd:
        yield None
        return
    opened: list[int] = []
    try:
        handle = _open_dir(str(base), None, create=create)
        if handle is not None:
            opened.append(handle)
            if create:
                _ensure_ignored(handle)
            for name in names:
                handle = _open_dir(name, opened[-1], create=create)
                if handle is None:
                    break
                opened.append(handle)
        yield opened[-1] if len(opened) == len(names) + 1 else None
    finally:
        for handle in opened:
            os.close(handle)


def _read_entry(folder: int, name: str) -> bytes | None:
    """An entry's bytes when it is a regular file (no link, FIFO or device)
    of at most `MAX_ENTRY_BYTES`."""
    try:
        handle = os.open(name, _FILE_FLAGS, dir_fd=folder)
    except OSError:
        return None
    with os.fdopen(handle, "rb") as stream:
        found = os.fstat(handle)
        if not stat.S_ISREG(found.st_mode) or found.st_size > MAX_ENTRY_BYTES:
            return None
        try:
            blob = stream.read(MAX_ENTRY_BYTES + 1)
        except OSError:
            return None
    return blob if len(blob) <= MAX_ENTRY_BYTES else None


def _write_entry(folder: int, name: str, blob: bytes) -> bool:
    """Write ``blob`` to a new temporary file and rename it to ``name``; a
    link or anything else at ``name`` is replaced, never followed."""
    # start-up: writing costs 5 ms (signal, threading); the warm path never writes
    from usmctl.core.writing import terminate_cleanly

    temporary = f".tmp-{os.getpid()}-{os.urandom(6).hex()}"
    with terminate_cleanly():
        try:
            handle = os.open(temporary, _CREATE_FLAGS, 0o600, dir_fd=folder)
        except OSError:
            return False
        try:
            with os.fdopen(handle, "wb") as stream:
                stream.write(blob)
            os.replace(temporary, name, src_dir_fd=folder, dst_dir_fd=folder)
        except BaseException as error:
            with contextlib.suppress(OSError):
                os.unlink(temporary, dir_fd=folder)
            if isinstance(error, OSError):
                return False
            raise
    return True


def prune(base: Path) -> None:
    """Delete the oldest entries (by modification time) until the cache holds
    at most three quarters of `MAX_CACHE_ENTRIES` and of `MAX_CACHE_BYTES`,
    when it holds more than either. Only regular files are counted or deleted."""
    with _folder(base, (), create=False) as root:
        if root is None:
            return
        entries: list[tuple[int, int, int, str]] = []  # mtime, size, folder descriptor, name
        opened: list[int] = []
        try:
            for store in _subdirectories(root, opened):
                for shard in _subdirectories(store, opened):
                    with contextlib.suppress(OSError), os.scandir(shard) as listing:
                        for entry in listing:
                            found = entry.stat(follow_symlinks=False)
                            if stat.S_ISREG(found.st_mode):
                                entries.append(
                                    (found.st_mtime_ns, found.st_size, shard, entry.name)
                                )
            total = sum(size for _, size, _, _ in entries)
            if len(entries) <= MAX_CACHE_ENTRIES and total <= MAX_CACHE_BYTES:
                return
            entries.sort()
            count = len(entries)
            for _, size, folder, name in entries:
                if count <= MAX_CACHE_ENTRIES * 3 // 4 and total <= MAX_CACHE_BYTES * 3 // 4:
                    break
                with contextlib.suppress(OSError):
                    os.unlink(name, dir_fd=folder)
                count -= 1
                total -= size
        finally:
            for handle in opened:
                os.close(handle)


def _subdirectories(parent: int, opened: list[int]) -> list[int]:
    """Descriptors of the directories in ``parent`` (no links), added to ``opened``."""
    found: list[int] = []
    with contextlib.suppress(OSError), os.scandir(parent) as listing:
        for entry in listing:
            if entry.is_dir(follow_symlinks=False):
                handle = _open_dir(entry.name, parent, create=False)
                if handle is not None:
                    opened.append(handle)
                    found.append(handle)
    return found


class ParseCache:
    """Parsed files by content hash, under ``root`` (usually ``.usmctl_cache``)."""

    def __init__(self, root: Path, limits: Limits, *, secret: bytes | None = None) -> None:
        self.store = SignedStore(root, f"v{_FORMAT}", secret=secret)
        self.limits = limits
        self.salt = f"{_code_stamp()}|{limits}".encode()
        self.hits = 0
        self.misses = 0

    def key(self, source: SourceFile, raw: bytes) -> str:
        """The entry name of a file's bytes as read for ``source``."""
        digest = hashlib.blake2b(raw, digest_size=_DIGEST)
        digest.update(b"\0" + self.salt)
        digest.update(f"\0{source.display}\0{source.kind}".encode())
        return digest.hexdigest()

    def get(self, key: str, source: SourceFile, raw: bytes) -> LoadedFile | None:
        """The cached parse of a file's bytes, or None (absent, corrupt or foreign).

        Only bytes that decoded and parsed before have an entry, so a hit
        decodes them again without the loader's checks.
        """
        payload = self.store.read(key)
        loaded = None if payload is None else self._decode(payload, source, raw)
        if loaded is None:
            self.misses += 1
        else:
            self.hits += 1
        return loaded

    def _decode(self, payload: bytes, source: SourceFile, raw: bytes) -> LoadedFile | None:
        try:
            text = decode_text(source, raw)
            entry: Any = json.loads(payload)
            version, data, raw_problems, raw_marks = entry
            if version != _FORMAT or not (data is None or isinstance(data, dict)):
                return None
            problems = problems_from_plain(raw_problems)
            marks = None if raw_marks is None else Marks.from_plain(raw_marks)
        except (ValueError, TypeError, RecursionError):  # UnicodeDecodeError is a ValueError
            return None
        return LoadedFile(source, text, data, tuple(problems), marks)

    def load(self, source: SourceFile, raw: bytes) -> LoadedFile:
        """`load_bytes` through the cache: bytes parsed before are not parsed again."""
        key = self.key(source, raw)
        cached = self.get(key, source, raw)
        if cached is not None:
            return cached
        loaded = load_bytes(source, raw, self.limits)
        self.put(key, loaded)
        return loaded

    def load_all(
        self,
        read: Sequence[tuple[SourceFile, bytes]],
        *,
        jobs: int = 0,
        progress: Progress | None = None,
        meanwhile: Callable[[bool], object] | None = None,
    ) -> list[LoadedFile]:
        """`load` of every file, in order: the entries found are read here, the
        rest parsed by `usmctl.load.loader.load_all` (in worker processes when
        there are many; ``meanwhile`` as there) and stored."""
        loaded: list[LoadedFile | None] = []
        missed: list[tuple[int, str]] = []
        for source, raw in read:
            key = self.key(source, raw)
            loaded.append(self.get(key, source, raw))
            if loaded[-1] is None:
                missed.append((len(loaded) - 1, key))
            elif progress is not None:
                progress(len(loaded) - len(missed), len(read))
        hits = len(read) - len(missed)

        def advanced(done: int, total: int) -> None:
            if progress is not None:
                progress(hits + done, hits + total)

        parsed = load_all(
            [read[index] for index, _ in missed],
            self.limits,
            jobs=jobs,
            progress=advanced,
            meanwhile=meanwhile,
        )
        for (index, key), item in zip(missed, parsed, strict=True):
            loaded[index] = item
            self.put(key, item)
        return [item for item in loaded if item is not None]

    def put(self, key: str, loaded: LoadedFile) -> None:
        """Store a parse. Only files that decoded are stored (one without text
        was unreadable)."""
        if loaded.text is None:
            return
        payload = json.dumps(
            [
                _FORMAT,
                loaded.data,
                plain_problems(loaded.problems),
                None if loaded.marks is None else loaded.marks.to_plain(),
            ],
            ensure_ascii=False,
            separators=(",", ":"),
        ).encode()
        self.store.write(key, payload)


def _ensure_ignored(root: int) -> None:
    """A ``.gitignore`` of ``*`` in the cache root, as ruff and pytest do; an
    existing one (a link too) is left alone."""
    try:
        handle = os.open(".gitignore", _CREATE_FLAGS, 0o666, dir_fd=root)
    except OSError:
        return
    with os.fdopen(handle, "wb") as stream:
        stream.write(b"# written by usmctl: the cache is never committed\n*\n")


def local_secret() -> bytes | None:
    """This user's cache-signing key, created on first use; None when unusable."""
    base = os.environ.get("XDG_CACHE_HOME") or os.path.join(os.path.expanduser("~"), ".cache")
    folder = Path(base) / "usmctl"
    path = folder / "cache-key"
    try:
        secret = path.read_bytes()
        if len(secret) == _SECRET_BYTES:
            return secret
    except OSError:
        pass
    try:
        folder.mkdir(parents=True, exist_ok=True)
        secret = os.urandom(_SECRET_BYTES)
        handle, temporary = tempfile.mkstemp(dir=folder, prefix=".tmp-")  # mode 0600
        with os.fdopen(handle, "wb") as stream:
            stream.write(secret)
        os.replace(temporary, path)  # two first runs at once: the last key wins
    except OSError:
        return None
    return secret


PlainProblem = tuple[str, str, int, int, tuple[str | int, ...]]


def plain_problems(problems: Iterable[Problem]) -> list[PlainProblem]:
    """Problems as plain tuples, as the cache stores them."""
    return [(p.code, p.message, p.position.line, p.position.column, p.path) for p in problems]


def problems_from_plain(plain: Any) -> list[Problem]:
    """The inverse of `plain_problems` (raises TypeError/ValueError on bad input)."""
    return [
        Problem(str(code), str(message), Position(int(line), int(column)), tuple(path))
        for code, message, line, column, path in plain
    ]


# --- findings of a whole run --------------------------------------------------

_RUN_FORMAT = 2  # 2: findings keep their fix


_FINDING_DEPENDENCIES = ("yaml", "pydantic", "pydantic_core", "jsonschema", "networkx")


def _package_stamp() -> str:
    """The stamp of everything that shapes findings: every module and data file
    of usmctl (the rules, the model, the catalogue) and the libraries."""
    modules = sorted([*_HERE.rglob("*.py"), *_HERE.joinpath("data").rglob("*.yaml")])
    return _stamp(_RUN_FORMAT, modules, _FINDING_DEPENDENCIES)


@dataclass(frozen=True)
class CachedRun:
    """What a run found before the baseline: the findings, how many inline
    suppressions hid, and the codes it had enabled (for the baseline's stale count)."""

    findings: tuple[Finding, ...]
    suppressed: int
    enabled: frozenset[str]


class FindingsCache:
    """A run's findings, so a re-run on unchanged files runs nothing (issue 6).

    One entry per kind of run: the name hashes the code (`_package_stamp`) and
    ``identity`` (the settings, working directory and paths asked for); inside,
    ``state`` hashes every file read (name, kind, bytes) and the catalogue. A
    run whose files changed misses and replaces the entry, so the cache does
    not grow with edits. Signed and written like the parse cache.
    """

    def __init__(self, root: Path, identity: str, *, secret: bytes | None = None) -> None:
        self.store = SignedStore(root, f"runs-v{_RUN_FORMAT}", secret=secret)
        digest = hashlib.blake2b(_package_stamp().encode(), digest_size=_DIGEST)
        digest.update(b"\0" + identity.encode("utf-8", "surrogateescape"))
        self.key = digest.hexdigest()

    @staticmethod
    def state(files: Iterable[tuple[SourceFile, bytes]], catalogue: bytes) -> str:
        """A digest of everything a run reads: each file's name, kind and bytes."""
        digest = hashlib.blake2b(catalogue, digest_size=_DIGEST)
        for source, raw in files:
            name = f"\0{source.display}\0{source.kind}\0".encode("utf-8", "surrogateescape")
            digest.update(name + hashlib.blake2b(raw, digest_size=_DIGEST).digest())
        return digest.hexdigest()

    def get(self, state: str) -> CachedRun | None:
        """The run stored for exactly this state, or None."""
        payload = self.store.read(self.key)
        if payload is None:
            return None
        try:
            entry: Any = json.loads(payload)
            version, stored_state, findings, suppressed, enabled = entry
            if version != _RUN_FORMAT or stored_state != state:
                return None
            return CachedRun(
                tuple(_finding_from_plain(item) for item in findings),
                _strict(int, suppressed),
                frozenset(_strict(str, code) for code in enabled),
            )
        except (ValueError, TypeError, RecursionError):
            return None

    def put(self, state: str, run: CachedRun) -> None:
        """Store a run's findings for this state (failures are ignored)."""
        payload = json.dumps(
            [
                _RUN_FORMAT,
                state,
                [_finding_to_plain(finding) for finding in run.findings],
                run.suppressed,
                sorted(run.enabled),
            ],
            ensure_ascii=False,
            separators=(",", ":"),
        ).encode("utf-8", "surrogateescape")
        self.store.write(self.key, payload)


T = TypeVar("T")


def _strict(kind: type[T], value: Any) -> T:
    """``value`` when it is exactly of ``kind`` (no bool for int), else TypeError."""
    if type(value) is not kind:
        raise TypeError(f"expected {kind.__name__}, got {type(value).__name__}")
    return value


def _finding_to_plain(finding: Finding) -> list[Any]:
    return [
        finding.code,
        finding.name,
        finding.severity.value,
        finding.message,
        finding.file,
        finding.line,
        finding.column,
        finding.entity,
        finding.path,
        finding.fingerprint,
        None
        if finding.fix is None
        else [
            finding.fix.title,
            [
                [edit.line, edit.column, edit.end_line, edit.end_column, edit.new_text]
                for edit in finding.fix.edits
            ],
        ],
    ]


def _fix_from_plain(plain: Any) -> Fix | None:
    if plain is None:
        return None
    title, edits = plain
    return Fix(
        _strict(str, title),
        tuple(
            Edit(
                _strict(int, line),
                _strict(int, column),
                _strict(int, end_line),
                _strict(int, end_column),
                _strict(str, new_text),
            )
            for line, column, end_line, end_column, new_text in edits
        ),
    )


def _finding_from_plain(plain: Any) -> Finding:
    code, name, severity, message, file, line, column, entity, path, print_, fix = plain
    return Finding(
        code=_strict(str, code),
        name=_strict(str, name),
        severity=Severity(severity),
        message=_strict(str, message),
        file=_strict(str, file),
        line=_strict(int, line),
        column=_strict(int, column),
        entity=None if entity is None else _strict(str, entity),
        path=_strict(str, path),
        fingerprint=_strict(str, print_),
        fix=_fix_from_plain(fix),
    )
