"""Safe file writes: atomic (temp file + rename in the same directory), never
through a link, never over a file the run reads (docs/hardening.md, "Writes
and the cache")."""

from __future__ import annotations

import contextlib
import os
import signal
import stat
import tempfile
import threading
from collections.abc import Iterable, Iterator
from pathlib import Path
from types import FrameType
from typing import BinaryIO

from usmctl.core.errors import Terminated, UsageError

# Links the system makes for a process's own streams (``-o /dev/stdout``,
# ``/dev/fd/1``, ``/proc/self/fd/1``, bash's ``>(cmd)``): written through. Every
# other link at an output path is replaced, never followed.
SYSTEM_LINK_DIRS = ("/dev", "/proc")


@contextlib.contextmanager
def terminate_cleanly() -> Iterator[None]:
    """While the block runs, SIGTERM raises `Terminated` (as Ctrl-C raises
    KeyboardInterrupt), so the caller's cleanup removes its temporary file.

    Only where Python lets us (the main thread) and only when nobody else
    handles SIGTERM; the previous handler is restored afterwards.
    """
    if (
        threading.current_thread() is not threading.main_thread()
        or signal.getsignal(signal.SIGTERM) is not signal.SIG_DFL
    ):
        yield
        return

    def handler(_signum: int, _frame: FrameType | None) -> None:
        raise Terminated

    signal.signal(signal.SIGTERM, handler)
    try:
        yield
    finally:
        signal.signal(signal.SIGTERM, signal.SIG_DFL)


def cannot_write(path: Path, error: OSError) -> UsageError:
    """The one-line error for an output that cannot be written."""
    return UsageError(f'cannot write "{path}": {error.strerror or error}')


def input_named_by(path: Path, protected: Iterable[Path]) -> Path | None:
    """The one of ``protected`` that ``path`` names, through any link or ``..``."""
    try:
        target = os.path.realpath(path)
    except (OSError, ValueError):
        return None
    if not os.path.exists(target):
        return None  # what does not exist was not read
    name = os.path.basename(target)
    for item in protected:
        # Compare only same-named files: thousands of inputs cost nothing.
        if os.path.basename(item) == name or os.path.islink(item):
            with contextlib.suppress(OSError, ValueError):
                if os.path.realpath(item) == target:
                    return item
    return None


def check_output(
    path: Path, *, force: bool = True, protected: Iterable[Path] = (), parents: bool = False
) -> None:
    """Refuse what `write_atomic` would refuse, before a run spends its time.

    An input (``protected``) named by any path or link; a directory; an
    existing entry (a dangling link too) without ``force``; a link among the
    directories below the working directory; a name the file system refuses;
    with ``parents``, a file where a missing parent folder would go.
    """
    located, _existing, _through = _inspect(path, force=force, protected=protected)
    if parents:
        _missing_parents(located, path)


def write_atomic(
    path: Path,
    content: str | bytes,
    *,
    force: bool = True,
    protected: Iterable[Path] = (),
    parents: bool = False,
) -> None:
    """Write ``content`` to ``path`` so readers see the old file or the new one.

    Refuses (UsageError, see `check_output`) an input, a directory, or an
    existing file when ``force`` is false. A link at ``path`` is replaced by
    the new file, never written through, except the system's own stream links
    (``/dev/stdout``). A character device or pipe (``-o /dev/null``) is
    written to directly: renaming over it would replace the device node
    itself. Any failure, SIGTERM included, leaves the old file as it was and
    no temporary file behind. With ``parents``, missing parent folders are
    created first (`make_parents`).
    """
    located, existing, through = _inspect(path, force=force, protected=protected)
    data = content.encode("utf-8") if isinstance(content, str) else content
    if through:
        _write_through(located, path, data)
        return
    directory = located.parent
    if parents:
        make_parents(located, path)
    if not directory.is_dir():
        raise UsageError(f'directory does not exist: "{directory}"')
    regular = existing is not None and stat.S_ISREG(existing.st_mode)
    mode = existing.st_mode & 0o7777 if existing is not None and regular else _default_mode()
    with terminate_cleanly():
        try:
            handle, temporary = tempfile.mkstemp(
                prefix=f".{located.name}.", suffix=".tmp", dir=directory
            )
        except OSError as error:
            raise cannot_write(path, error) from None
        try:
            # mkstemp creates 0600; give the file the mode a plain open() would.
            os.chmod(temporary, mode)
            with os.fdopen(handle, "wb") as stream:
                stream.write(data)
                stream.flush()
                os.fsync(stream.fileno())
            os.replace(temporary, located)  # replaces a link, never follows it
        except BaseException as error:
            with contextlib.suppress(OSError):
                os.unlink(temporary)
            if isinstance(error, OSError):
                raise cannot_write(path, error) from None
            raise


@contextlib.contextmanager
def appending(
    path: Path, *, protected: Iterable[Path] = (), tree: Path | None = None
) -> Iterator[BinaryIO]:
    """``path`` opened to add to its end (created when missing), for a file
    another program hands over, such as a CI service's job summary.

    Never an input (``protected``), never through a link: not one at ``path``
    (the system's stream links aside, as in `write_atomic`), nor among the
    directories between the working directory, or ``tree`` (the repository),
    and the file. UsageError when refused or when it cannot be opened.
    """
    if input_named_by(path, protected) is not None:
        raise UsageError(f'refusing to write to an input file: "{path}"')
    located = _located(path, tree=tree)
    existing = _lstat(located, path)
    follow = existing is not None and stat.S_ISLNK(existing.st_mode) and _is_system_link(located)
    if existing is not None and stat.S_ISLNK(existing.st_mode) and not follow:
        raise UsageError(f'refusing to write through a link: "{path}"')
    stream = _open_appending(located, path, create=True, follow=follow)
    with stream:
        try:
            kind = os.fstat(stream.fileno()).st_mode
            if stat.S_ISBLK(kind) or stat.S_ISSOCK(kind):
                raise UsageError(f'"{path}" is not a regular file')
            yield stream
        except OSError as error:
            raise cannot_write(path, error) from None


def _inspect(
    path: Path, *, force: bool, protected: Iterable[Path]
) -> tuple[Path, os.stat_result | None, bool]:
    """Where ``path`` writes (absolute, links not followed), what is there now,
    and whether to write into it rather than replace it: a pipe, a character
    device, or what the system's stream links name (``-o /dev/stdout > file``
    appends to the shell's file)."""
    if input_named_by(path, protected) is not None:
        raise UsageError(f'refusing to overwrite an input file: "{path}"')
    located = _located(path)
    existing = _lstat(located, path)
    if existing is None:
        return located, None, False
    system_link = stat.S_ISLNK(existing.st_mode) and _is_system_link(located)
    if system_link:
        try:
            existing = os.stat(located)
        except OSError as error:
            raise cannot_write(path, error) from None
    if stat.S_ISDIR(existing.st_mode):
        raise UsageError(f'"{path}" is a directory: name a file to write')
    if stat.S_ISBLK(existing.st_mode) or stat.S_ISSOCK(existing.st_mode):
        raise UsageError(f'"{path}" is not a regular file')
    through = system_link or stat.S_ISCHR(existing.st_mode) or stat.S_ISFIFO(existing.st_mode)
    if not force and not through:  # a pipe or a terminal holds nothing to clobber
        raise UsageError(f'"{path}" exists; use --force to overwrite it')
    return located, existing, through


def _located(path: Path, *, tree: Path | None = None) -> Path:
    """``path`` made absolute without following links; a link among the
    directories between the working directory (or ``tree``) and the file is
    refused."""
    located = Path(os.path.abspath(path))
    for top in (Path(os.path.abspath(os.curdir)), *([] if tree is None else [tree])):
        if top in located.parents:
            for directory in located.parents:
                if directory == top:
                    break
                found = _lstat(directory, path)
                if found is not None and stat.S_ISLNK(found.st_mode):
                    raise UsageError(f'refusing to write through a link: "{directory}"')
    return located


def make_parents(located: Path, shown: Path) -> None:
    """Create the missing folders above ``located`` (absolute), top down, as
    ``mkdir -p`` would, but never through a link: each folder is made with
    `os.mkdir` (which does not follow a link at its own name) and checked
    afterwards, so a link planted meanwhile is refused, not entered."""
    for directory in _missing_parents(located, shown):
        try:
            os.mkdir(directory, 0o777)
        except FileExistsError:
            pass
        except OSError as error:
            raise cannot_write(shown, error) from None
        found = _lstat(directory, shown)
        if found is None or stat.S_ISLNK(found.st_mode):
            raise UsageError(f'refusing to write through a link: "{directory}"')
        if not stat.S_ISDIR(found.st_mode):
            raise UsageError(f'not a directory: "{directory}"')


def _missing_parents(located: Path, shown: Path) -> list[Path]:
    """The folders above ``located`` that do not exist yet, top down; a file
    (or anything but a folder) where the nearest existing one is, refused."""
    missing: list[Path] = []
    for directory in located.parents:
        found = _lstat(directory, shown)
        if found is None:
            missing.append(directory)
            continue
        if stat.S_ISLNK(found.st_mode):
            try:
                found = os.stat(directory)  # outside the tree a linked folder is fine
            except OSError as error:
                raise cannot_write(shown, error) from None
        if not stat.S_ISDIR(found.st_mode):
            raise UsageError(f'not a directory: "{directory}"')
        break
    return missing[::-1]


def _lstat(located: Path, shown: Path) -> os.stat_result | None:
    """The entry at ``located`` (not followed), None when absent."""
    try:
        return os.lstat(located)
    except (FileNotFoundError, NotADirectoryError):
        return None
    except OSError as error:
        raise cannot_write(shown, error) from None


def _is_system_link(located: Path) -> bool:
    return any(located.is_relative_to(directory) for directory in SYSTEM_LINK_DIRS)


def _write_through(located: Path, shown: Path, data: bytes) -> None:
    """Write into a pipe or character device; a pipe nobody reads is an error,
    not a hang."""
    stream = _open_appending(located, shown, create=False, follow=True)
    try:
        with stream:  # closing flushes: a write error may come from there
            stream.write(data)
    except OSError as error:
        raise cannot_write(shown, error) from None


def _open_appending(located: Path, shown: Path, *, create: bool, follow: bool) -> BinaryIO:
    """``located`` opened to add to its end: created when missing (``create``),
    a link at it followed only when ``follow``; opened without waiting (a pipe
    nobody reads is an error, not a hang), blocking once open."""
    flags = os.O_WRONLY | os.O_APPEND | getattr(os, "O_NOCTTY", 0) | getattr(os, "O_CLOEXEC", 0)
    flags |= (os.O_CREAT if create else 0) | (0 if follow else getattr(os, "O_NOFOLLOW", 0))
    flags |= getattr(os, "O_NONBLOCK", 0)
    try:
        handle = os.open(located, flags, 0o666)
        os.set_blocking(handle, True)
    except OSError as error:
        raise cannot_write(shown, error) from None
    return os.fdopen(handle, "ab")


def _default_mode() -> int:
    """The permissions a plain open() gives a new file (0666 less the umask)."""
    umask = os.umask(0)
    os.umask(umask)
    return 0o666 & ~umask
