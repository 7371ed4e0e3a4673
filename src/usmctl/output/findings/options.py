"""What a findings format may be asked besides the result (kept apart from the
registry in ``__init__``, so a format never imports the registry that imports it)."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from usmctl.output.formats import JunitFlavor


@dataclass(frozen=True)
class ReportOptions:
    """Presentation choices a reporter may honour."""

    color: bool = False
    statistics: bool = False
    quiet: bool = False
    junit_flavor: JunitFlavor = "strict"
    # At most this many findings in the formats a service limits (sarif,
    # github, markdown); 0: each service's own limit (`limits`).
    max_results: int = 0
    # The github format's findings left out are in the job summary.
    step_summary: bool = False
    # The repository root (SARIF's %SRCROOT%) and the directory the findings'
    # relative paths start from; None: the paths are left as they are.
    source_root: Path | None = None
    working_directory: Path | None = None
