"""`usmctl init`: write the pilot architecture (package data) into a directory.

The pilot (README, "Commands") is one customer, one provider with three operator
profiles, one service with facility, support and agreement, the five
processes, the eight catalogue workflows, a practice, a tool, a policy and a
value stream; `examples/pilot/` is a copy of it. It never clobbers a file
unless told to: commands that write files write atomically and never
overwrite without ``--force``.
"""

from __future__ import annotations

import os
from importlib import resources
from pathlib import Path

from usmctl.core.errors import UsageError, UsmctlError
from usmctl.core.writing import check_output, write_atomic

PILOT_DATA = "data/pilot"
# The pilot's (empty) configuration: it marks the folder as one architecture,
# so `usmctl validate FILE` reads the files beside FILE and nothing above. A
# configuration already there is the user's and is kept.
CONFIG = "usmctl.toml"


def pilot_files() -> dict[str, str]:
    """The pilot architecture shipped as package data: file name -> text, by name."""
    root = resources.files("usmctl").joinpath(PILOT_DATA)
    files = {
        entry.name: entry.read_text(encoding="utf-8")
        for entry in root.iterdir()
        if entry.is_file() and (entry.name.endswith(".usm.yaml") or entry.name == CONFIG)
    }
    if not files:
        raise UsmctlError("the pilot architecture is missing from this installation of usmctl")
    return dict(sorted(files.items()))


def init(directory: Path, *, force: bool = False) -> list[Path]:
    """Write the pilot files into ``directory`` (created if missing); return their paths.

    Without ``force`` nothing is written when any of the files exists: the
    error names the first one. A ``usmctl.toml`` already in ``directory`` is
    kept (it is the user's configuration, not part of the pilot).
    """
    targets = [
        (directory / name, text)
        for name, text in pilot_files().items()
        if not (name == CONFIG and os.path.lexists(directory / name))
    ]
    for target, _ in targets:  # existing files, links on the way, names too long
        check_output(target, force=force)
    if os.path.exists(directory) and not os.path.isdir(directory):
        raise UsageError(f'"{directory}" exists and is not a directory')
    try:
        directory.mkdir(parents=True, exist_ok=True)
    except OSError as error:
        raise UsageError(f"cannot create {directory}: {error.strerror or error}") from None
    for target, text in targets:
        write_atomic(target, text, force=force)
    return [target for target, _ in targets]
