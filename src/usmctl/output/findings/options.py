"""What a findings format may be asked besides the result (kept apart from the
registry in ``__init__``, so a format never imports the registry that imports it)."""

from __future__ import annotations

from dataclasses import dataclass

from usmctl.core.findings import FailOn
from usmctl.output.formats import JunitFlavor


@dataclass(frozen=True)
class ReportOptions:
    """Presentation choices a reporter may honour."""

    color: bool = False
    statistics: bool = False
    quiet: bool = False
    # The run's --fail-on: the junit format makes info findings failures only at "info".
    fail_on: FailOn = "error"
    junit_flavor: JunitFlavor = "strict"
