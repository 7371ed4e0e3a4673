"""usmctl.api as a library: what a caller's interpreter sees of a check."""

from __future__ import annotations

import gc

from tests.support.paths import EXAMPLES
from usmctl.api import check, gc_paused


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


def test_a_paused_run_can_leave_its_objects_to_the_permanent_generation() -> None:
    """``gc_paused(freeze=True)`` (a process that exits after its run) moves
    what the run allocated out of the collector's sight before it resumes;
    without it nothing is frozen."""
    frozen = gc.get_freeze_count()
    with gc_paused():
        assert not gc.isenabled()
        kept = [{"n": n} for n in range(1000)]
    assert gc.isenabled() and gc.get_freeze_count() == frozen
    try:
        with gc_paused(freeze=True):
            assert not gc.isenabled()
            kept += [{"n": n} for n in range(1000)]
        assert gc.isenabled()
        assert gc.get_freeze_count() >= frozen + len(kept)
    finally:
        gc.unfreeze()
