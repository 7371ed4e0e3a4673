"""Fixtures every test folder shares; the helpers themselves live in tests/support/."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.support.factories import WriteFiles, file_writer


@pytest.fixture
def write_files(tmp_path: Path) -> WriteFiles:
    """Write ``{relative name: dedented text}`` under tmp_path; return tmp_path."""
    return file_writer(tmp_path)
