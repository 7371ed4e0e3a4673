"""usmctl.api as a library: what a caller's interpreter sees of a check."""

from __future__ import annotations

import gc
import shutil
import weakref
from dataclasses import replace
from pathlib import Path
from typing import Any

import pytest

from tests.support.paths import EXAMPLES
from usmctl import api
from usmctl.api import check, gc_paused
from usmctl.check import engine
from usmctl.check.settings import Settings
from usmctl.load.loader import LoadedFile


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


def test_a_findings_run_holds_no_parsed_data_once_the_model_is_built(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """`check` hands its files to the engine: by the time findings are located
    nothing refers to a file's parsed data any more (its peak memory)."""
    shutil.copytree(EXAMPLES / "pilot", tmp_path / "pilot")
    alive: list[weakref.ref[Any]] = []
    checked_then: list[list[bool]] = []
    real_parse, real_locate = api.parse_files, engine.locate

    def parse_files(*args: Any, **kwargs: Any) -> list[LoadedFile]:
        loaded = real_parse(*args, **kwargs)
        watched = [replace(item, data=_Watched(item.data)) for item in loaded]
        alive.extend(weakref.ref(item.data) for item in watched)
        return watched

    def locate(*args: Any, **kwargs: Any) -> Any:
        checked_then.append([ref() is not None for ref in alive])
        return real_locate(*args, **kwargs)

    monkeypatch.setattr(api, "parse_files", parse_files)
    monkeypatch.setattr(engine, "locate", locate)
    result = check(["."], Settings(use_cache=False), cwd=tmp_path / "pilot", findings_only=True)
    assert result.files and len(alive) == len(result.files)
    assert checked_then == [[False] * len(alive)]


class _Watched(dict[str, Any]):
    """A file's data that can be watched for being let go (a plain dict cannot)."""
