"""Counting the walks of a file's YAML events: the second reading of a file
that locating a finding once cost (issue 17)."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import pytest

from usmctl.load import edits, locate


@contextmanager
def counted_walks(monkeypatch: pytest.MonkeyPatch, *, fixes: bool = True) -> Iterator[list[str]]:
    """Within the block, every text whose events are walked to locate a
    finding (and, with ``fixes``, to place a fix's edit) is appended to the
    list yielded."""
    walked: list[str] = []
    real_nodes = locate.nodes

    def counting(text: str) -> Iterator[tuple[Any, bool, Any]]:
        walked.append(text)
        return real_nodes(text)

    with monkeypatch.context() as patch:
        patch.setattr(locate, "nodes", counting)
        if fixes:
            patch.setattr(edits, "nodes", counting)
        yield walked
