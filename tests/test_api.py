"""usmctl.api as a library: what a caller's interpreter sees of a check."""

from __future__ import annotations

import gc

from tests.support.paths import EXAMPLES
from usmctl.api import check


def test_check_leaves_the_callers_garbage_collector_alone() -> None:
    """A check neither switches the collector off nor freezes objects: only
    a process that owns its interpreter (the CLI, the server) does that."""
    assert gc.isenabled()
    frozen = gc.get_freeze_count()
    seen: list[bool] = []

    def progress(done: int, total: int) -> None:
        seen.append(gc.isenabled())

    result = check([str(EXAMPLES / "broken")], cwd=EXAMPLES.parent, progress=progress)
    assert result.findings
    assert gc.isenabled() and gc.get_freeze_count() == frozen
    assert seen and all(seen), "the collector was paused during the check"
