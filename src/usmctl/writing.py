"""Safe file writes: atomic (temp file + rename in the same directory)."""

from __future__ import annotations

import contextlib
import os
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
    or over an existing file when ``force`` is false.
    """
    target = path.resolve()
    for item in protected:
        with contextlib.suppress(OSError):
            if item.resolve() == target:
                raise UsageError(f"refusing to overwrite an input file: {path}")
    if not force and target.exists():
        raise UsageError(f"{path} exists; use --force to overwrite it")
    data = content.encode("utf-8") if isinstance(content, str) else content
    directory = target.parent
    if not directory.is_dir():
        raise UsageError(f"directory does not exist: {directory}")
    mode = _mode_for(target)
    handle, temporary = tempfile.mkstemp(prefix=f".{target.name}.", suffix=".tmp", dir=directory)
    try:
        # mkstemp creates 0600; give the file the mode a plain open() would.
        os.chmod(temporary, mode)
        with os.fdopen(handle, "wb") as stream:
            stream.write(data)
            stream.flush()
            os.fsync(stream.fileno())
        os.replace(temporary, target)
    except BaseException:
        with contextlib.suppress(OSError):
            os.unlink(temporary)
        raise


def _mode_for(target: Path) -> int:
    """The existing file's permissions, or the umask's default for a new file."""
    try:
        return target.stat().st_mode & 0o7777
    except OSError:
        umask = os.umask(0)
        os.umask(umask)
        return 0o666 & ~umask
