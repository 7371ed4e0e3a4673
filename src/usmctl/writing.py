"""Safe file writes: atomic (temp file + rename in the same directory)."""

from __future__ import annotations

import contextlib
import os
import stat
import tempfile
from collections.abc import Iterable
from pathlib import Path

from usmctl.errors import UsageError


def write_atomic(
    path: Path,
    content: str | bytes,
    *,
    force: bool = True,
    protected: Iterable[Path] = (),
) -> None:
    """Write ``content`` to ``path`` so readers see the old file or the new one.

    Refuses (UsageError) to write over one of ``protected`` (the run's inputs),
    over a directory, or over an existing file when ``force`` is false. A
    device or pipe (``-o /dev/null``, ``-o /dev/stdout``) is written to
    directly: renaming over it would replace the device node itself. Any
    failure leaves the old file as it was and no temporary file behind.
    """
    target = path.resolve()
    for item in protected:
        with contextlib.suppress(OSError):
            if item.resolve() == target:
                raise UsageError(f"refusing to overwrite an input file: {path}")
    data = content.encode("utf-8") if isinstance(content, str) else content
    try:
        existing: int | None = path.stat().st_mode  # follows links, /dev/stdout too
    except FileNotFoundError:
        existing = None
    except OSError as error:
        raise UsageError(f"cannot write {path}: {error.strerror or error}") from None
    if existing is not None:
        if stat.S_ISDIR(existing):
            raise UsageError(f"{path} is a directory: name a file to write")
        if not force:
            raise UsageError(f"{path} exists; use --force to overwrite it")
        if not stat.S_ISREG(existing):
            _write_through(path, data)
            return
    directory = target.parent
    if not directory.is_dir():
        raise UsageError(f"directory does not exist: {directory}")
    mode = _mode_for(target)
    try:
        handle, temporary = tempfile.mkstemp(
            prefix=f".{target.name}.", suffix=".tmp", dir=directory
        )
    except OSError as error:
        raise UsageError(f"cannot write {path}: {error.strerror or error}") from None
    try:
        # mkstemp creates 0600; give the file the mode a plain open() would.
        os.chmod(temporary, mode)
        with os.fdopen(handle, "wb") as stream:
            stream.write(data)
            stream.flush()
            os.fsync(stream.fileno())
        os.replace(temporary, target)
    except BaseException as error:
        with contextlib.suppress(OSError):
            os.unlink(temporary)
        if isinstance(error, OSError):
            raise UsageError(f"cannot write {path}: {error.strerror or error}") from None
        raise


def _write_through(path: Path, data: bytes) -> None:
    try:
        with path.open("wb") as stream:
            stream.write(data)
    except OSError as error:
        raise UsageError(f"cannot write {path}: {error.strerror or error}") from None


def _mode_for(target: Path) -> int:
    """The existing file's permissions, or the umask's default for a new file."""
    try:
        return target.stat().st_mode & 0o7777
    except OSError:
        umask = os.umask(0)
        os.umask(umask)
        return 0o666 & ~umask
