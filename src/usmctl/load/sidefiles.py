"""Side files: the config, the catalogue and the baseline (docs/hardening.md,
"Side files and custom rules").

A pull request controls every file in the tree, so a side file is read only
through `read_side_file`: a regular file (not a FIFO, a device or a
directory: never opened to find out), at most `MAX_SIDE_FILE_BYTES`, and a
link in the repository is followed only while its target stays in the
repository. A path named on the command line may point anywhere the
operator likes; a path the tree names (a config's ``catalogue = ...``) must
lie in the repository.
"""

from __future__ import annotations

import os
import stat
from pathlib import Path

from usmctl.core.errors import ConfigError
from usmctl.load.loader import NO_WAIT, OPEN_FLAGS

MAX_SIDE_FILE_BYTES = 20 * 1024 * 1024


def repository_root(start: Path) -> Path:
    """The repository holding ``start``: the nearest directory with a ``.git``
    entry, else ``start`` itself."""
    start = Path(os.path.normpath(start.absolute()))
    for directory in (start, *start.parents):
        if os.path.lexists(directory / ".git"):
            return directory
    return start


def within(path: Path, root: Path) -> bool:
    """True when ``path`` is ``root`` or lies under it (as written, no links)."""
    return path == root or root in path.parents


def read_side_file(
    path: Path,
    *,
    what: str,
    shown: str,
    repository: Path | None,
    named: bool = True,
) -> bytes:
    """The bytes of a side file; ConfigError (one line, exit 2) when it may not be read.

    ``repository``: the tree a pull request controls (None: the caller's own
    path, only the file checks apply). ``named``: the operator named the path
    (on the command line, or a config file outside the repository named it);
    otherwise it must lie in the repository.
    """
    absolute = Path(os.path.normpath(path.absolute()))
    if repository is not None:
        inside = within(absolute, repository)
        if not named and not inside:
            raise ConfigError(f"{shown}: cannot read {what}: outside the repository")
        real = Path(os.path.realpath(absolute))
        if inside and not within(real, Path(os.path.realpath(repository))):
            raise ConfigError(
                f"{shown}: cannot read {what}: a link out of the repository "
                f'(to "{real}"); name the target itself on the command line'
            )
    try:
        before = os.stat(absolute)
        _check_regular(before, what=what, shown=shown)
        # NO_WAIT: a FIFO swapped in since the stat cannot block the open.
        descriptor = os.open(absolute, OPEN_FLAGS | NO_WAIT)
    except FileNotFoundError:
        raise ConfigError(f"{what} not found: {shown}") from None
    except OSError as error:
        raise ConfigError(f"{shown}: cannot read {what}: {error.strerror or error}") from None
    with os.fdopen(descriptor, "rb") as handle:
        _check_regular(os.fstat(descriptor), what=what, shown=shown)
        try:
            data = handle.read(MAX_SIDE_FILE_BYTES + 1)
        except OSError as error:
            raise ConfigError(f"{shown}: cannot read {what}: {error.strerror or error}") from None
    if len(data) > MAX_SIDE_FILE_BYTES:
        raise ConfigError(_too_large(what, shown))
    return data


def _check_regular(status: os.stat_result, *, what: str, shown: str) -> None:
    if not stat.S_ISREG(status.st_mode):
        raise ConfigError(f"{shown}: cannot read {what}: not a regular file")
    if status.st_size > MAX_SIDE_FILE_BYTES:
        raise ConfigError(_too_large(what, shown))


def _too_large(what: str, shown: str) -> str:
    return f"{shown}: cannot read {what}: larger than {MAX_SIDE_FILE_BYTES:,} bytes"
