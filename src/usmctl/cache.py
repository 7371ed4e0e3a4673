"""A content-addressed cache of parsed files in ``.usmctl_cache/`` (issue 6).

An entry holds what parsing one file produced: its data and its problems. It
is keyed by a hash of the file's bytes, its reported name and kind, the
parse limits and the code that parses (tool version plus the parsing
modules' own stamps, so a development checkout never reads stale entries).
The catalogue and the rule selection do not shape parsing, so they are not
part of the key: the rules always run again on a warm run.

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

import hashlib
import hmac
import json
import os
import sys
import tempfile
from pathlib import Path
from typing import Any

from usmctl import __version__
from usmctl.loader import LoadedFile, SourceFile, decode_text
from usmctl.source import Position
from usmctl.yamlio import Limits, Problem

CACHE_DIR = ".usmctl_cache"
_FORMAT = 2
_MAGIC = b"usmctl-cache\x01"
_DIGEST = 16
_SECRET_BYTES = 32
_STAMPED_MODULES = ("loader", "yamlio", "source", "cache")


def _code_stamp() -> str:
    """The tool version and the size and mtime of the modules that parse."""
    here = Path(__file__).resolve().parent
    parts = [__version__, sys.version, str(_FORMAT)]
    for name in _STAMPED_MODULES:
        try:
            stat = (here / f"{name}.py").stat()
            parts.append(f"{name}:{stat.st_size}:{stat.st_mtime_ns}")
        except OSError:
            parts.append(f"{name}:?")
    try:
        import yaml

        parts.append(f"pyyaml:{yaml.__version__}:{getattr(yaml, '__with_libyaml__', False)}")
    except ImportError:  # pragma: no cover - yaml is a dependency
        pass
    return "|".join(parts)


class ParseCache:
    """Parsed files by content hash, under ``root`` (usually ``.usmctl_cache``)."""

    def __init__(self, root: Path, limits: Limits, *, secret: bytes | None = None) -> None:
        self.root = root / f"v{_FORMAT}"
        self.salt = f"{_code_stamp()}|{limits}".encode()
        self.secret = secret if secret is not None else local_secret()
        self.hits = 0
        self.misses = 0

    def _sign(self, payload: bytes) -> bytes:
        assert self.secret is not None
        return hashlib.blake2b(payload, digest_size=_DIGEST, key=self.secret).digest()

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
        if self.secret is None:
            self.misses += 1
            return None
        try:
            blob = (self.root / key[:2] / key).read_bytes()
            text = decode_text(source, raw)
        except (OSError, UnicodeDecodeError):
            self.misses += 1
            return None
        loaded = self._decode(blob, source, text)
        if loaded is None:
            self.misses += 1
        else:
            self.hits += 1
        return loaded

    def _decode(self, blob: bytes, source: SourceFile, text: str) -> LoadedFile | None:
        header = len(_MAGIC) + _DIGEST
        if len(blob) < header or not blob.startswith(_MAGIC):
            return None
        payload = blob[header:]
        if not hmac.compare_digest(self._sign(payload), blob[len(_MAGIC) : header]):
            return None
        try:
            entry: Any = json.loads(payload)
            version, data, raw_problems = entry
            if version != _FORMAT or not (data is None or isinstance(data, dict)):
                return None
            problems = problems_from_plain(raw_problems)
        except (ValueError, TypeError, RecursionError):
            return None
        return LoadedFile(source, text, data, problems)

    def put(self, key: str, loaded: LoadedFile) -> None:
        """Store a parse; failures (read-only disk, races) are ignored.

        Only files that decoded are stored (one without text was unreadable).
        """
        if loaded.text is None or self.secret is None:
            return
        payload = json.dumps(
            [_FORMAT, loaded.data, plain_problems(loaded.problems)],
            ensure_ascii=False,
            separators=(",", ":"),
        ).encode()
        blob = _MAGIC + self._sign(payload) + payload
        folder = self.root / key[:2]
        try:
            folder.mkdir(parents=True, exist_ok=True)
            _ensure_ignored(self.root.parent)
            handle, temporary = tempfile.mkstemp(dir=folder, prefix=".tmp-")
            try:
                with os.fdopen(handle, "wb") as stream:
                    stream.write(blob)
                os.replace(temporary, folder / key)
            except BaseException:
                Path(temporary).unlink(missing_ok=True)
                raise
        except OSError:
            return


def _ensure_ignored(root: Path) -> None:
    """A ``.gitignore`` of ``*`` in the cache root, as ruff and pytest do."""
    marker = root / ".gitignore"
    if not marker.exists():
        marker.write_text("# written by usmctl: the cache is never committed\n*\n")


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


def plain_problems(problems: list[Problem]) -> list[PlainProblem]:
    """Problems as plain tuples, as the cache stores them."""
    return [(p.code, p.message, p.position.line, p.position.column, p.path) for p in problems]


def problems_from_plain(plain: Any) -> list[Problem]:
    """The inverse of `plain_problems` (raises TypeError/ValueError on bad input)."""
    return [
        Problem(str(code), str(message), Position(int(line), int(column)), tuple(path))
        for code, message, line, column, path in plain
    ]
