"""A workspace holding several architectures (a repository of examples, a
monorepo): the server checks each file in the architecture it belongs to."""

from __future__ import annotations

import shutil
from collections.abc import AsyncIterator
from pathlib import Path

import pytest
import pytest_lsp
from pytest_lsp import LanguageClient

from tests.server.support import SERVER, Document, start
from tests.support.paths import EXAMPLES

pytestmark = pytest.mark.asyncio(loop_scope="module")


@pytest.fixture(scope="module")
def root(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A repository with two examples, each marked as one architecture by
    its usmctl.toml; read as one, their shared ids would be duplicates."""
    repository = tmp_path_factory.mktemp("monorepo")
    (repository / ".git").mkdir()
    for name in ("pilot", "siam-multi-provider"):
        shutil.copytree(EXAMPLES / name, repository / name)
    assert (repository / "pilot" / "usmctl.toml").is_file()
    return repository


@pytest_lsp.fixture(scope="module", config=SERVER)
async def client(lsp_client: LanguageClient, root: Path) -> AsyncIterator[None]:
    await start(lsp_client, root)
    yield
    await lsp_client.shutdown_session()


async def test_each_file_is_checked_in_its_own_architecture(
    client: LanguageClient, root: Path
) -> None:
    pilot = Document(client, root / "pilot" / "services.usm.yaml")
    pilot.open()
    assert await pilot.diagnostics() == []

    siam = Document(client, root / "siam-multi-provider" / "globex-it.usm.yaml")
    siam.open()
    assert await siam.diagnostics() == []

    # An edit in the pilot is checked against the pilot again.
    pilot.replace("provider: it-department", "provider: it-departmnt")
    (found,) = await pilot.diagnostics()
    assert found.code == "USM006"
