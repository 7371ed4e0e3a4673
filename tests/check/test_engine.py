"""The engine's run when the caller hands its files over (`run(..., release=True)`):
the same findings, the parsed data gone once the model is built."""

from __future__ import annotations

from pathlib import Path

from tests.support.paths import EXAMPLES
from usmctl.api import parse_files, read_files
from usmctl.check.engine import run
from usmctl.check.settings import Settings
from usmctl.load.loader import LoadedFile
from usmctl.model.catalogue import load_catalogue

SUPPRESSED = """\
usm: "1"
profiles:
  - {id: acme-it, kind: provider}
  - {id: nobody, kind: customer}  # usmctl: ignore[USM104]
services:
  - id: desk
    provider: acme-it
    customers: [acme-business]
    depends_on: [desk]
"""


def _files(root: Path, settings: Settings) -> list[LoadedFile]:
    read, unreadable = read_files(["."], settings, cwd=root)
    files = unreadable + parse_files(read, settings, cwd=root, cached=False)
    files.sort(key=lambda item: item.source.display)
    return files


def test_a_run_that_releases_the_data_finds_the_same(tmp_path: Path) -> None:
    (tmp_path / "a.usm.yaml").write_text(SUPPRESSED, encoding="utf-8")
    settings = Settings(use_cache=False, jobs=1)
    for root in (EXAMPLES / "broken", tmp_path):
        catalogue = load_catalogue(settings.catalogue)
        kept = _files(root, settings)
        handed = _files(root, settings)
        whole = run(kept, catalogue, settings)
        released = run(handed, catalogue, settings, release=True)
        assert released.findings == whole.findings
        assert released.suppressed == whole.suppressed
        assert whole.findings and all(loaded.data is not None for loaded in kept)
        assert all(loaded.data is None for loaded in handed)
        assert [loaded.text for loaded in handed] == [loaded.text for loaded in kept]
    assert released.suppressed == 1  # the suppression comment was read from the text
