"""Diagnostics from `usmctl server`, end to end over stdio (pytest-lsp)."""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path

import pytest
import pytest_lsp
from lsprotocol import types
from pytest_lsp import LanguageClient

from tests.server.support import SERVER, Document, copy_example, find, start, uri
from usmctl.core.findings import rule_url

pytestmark = pytest.mark.asyncio(loop_scope="module")


@pytest.fixture(scope="module")
def root(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return copy_example(tmp_path_factory.mktemp("workspace") / "siam")


@pytest_lsp.fixture(scope="module", config=SERVER)
async def client(lsp_client: LanguageClient, root: Path) -> AsyncIterator[None]:
    await start(lsp_client, root)
    yield
    await lsp_client.shutdown_session()


async def test_a_defect_is_a_diagnostic_and_its_fix_clears_it(
    client: LanguageClient, root: Path
) -> None:
    document = Document(client, root / "globex-it.usm.yaml")
    document.open()
    assert await document.diagnostics() == []

    document.replace("depends_on: [wan-connectivity]", "depends_on: [wan-conectivity]")
    (found,) = await document.diagnostics()

    assert found.code == "USM006"
    assert found.range == find(document.text, "depends_on: [wan-con", "wan-conectivity")
    assert found.severity == types.DiagnosticSeverity.Error
    assert found.source == "usmctl"
    assert found.code_description is not None
    assert found.code_description.href == rule_url("USM006", "unresolved-reference")
    assert "wan-conectivity" in found.message

    document.replace("[wan-conectivity]", "[wan-connectivity]")
    assert await document.diagnostics() == []


async def test_a_duplicate_id_names_the_first_declaration(
    client: LanguageClient, root: Path
) -> None:
    document = Document(client, root / "netlink.usm.yaml")
    document.open()
    await document.diagnostics()
    document.replace("- id: wan-connectivity", "- id: cloud-hosting")

    duplicates = [item for item in await document.diagnostics() if item.code == "USM005"]

    assert [item.range for item in duplicates] == [
        find(document.text, "- id: cloud-hosting", "cloud-hosting")
    ]
    (related,) = duplicates[0].related_information or []
    cloudco = root / "cloudco.usm.yaml"
    assert related.location.uri == uri(cloudco)
    text = cloudco.read_text(encoding="utf-8")
    assert related.location.range == find(text, "- id: cloud-hosting", "cloud-hosting")

    document.replace("- id: cloud-hosting", "- id: wan-connectivity")
    assert await document.diagnostics() == []


async def test_an_id_declared_in_an_unsaved_buffer_of_another_file_resolves(
    client: LanguageClient, root: Path
) -> None:
    services = Document(client, root / "globex-it.usm.yaml")
    supplier = Document(client, root / "netlink.usm.yaml")
    services.open()
    supplier.open()
    await supplier.diagnostics()

    services.replace("[wan-connectivity]", "[wan-connectivity, backup-links]")
    (unresolved,) = await services.diagnostics()
    assert unresolved.code == "USM006"

    # Declared in the other file's buffer, never saved: the reference resolves,
    # and the diagnostics of the file that did not change are cleared too.
    supplier.replace(
        "agreements:",
        "  - id: backup-links\n"
        "    provider: netlink\n"
        "    customers: [globex-it]\n"
        "    agreement: ct-netlink\n\n"
        "agreements:",
    )
    supplier.replace("services: [wan-connectivity]", "services: [wan-connectivity, backup-links]")
    await supplier.diagnostics()
    assert list(client.diagnostics[services.uri]) == []
    assert "backup-links" not in (root / "netlink.usm.yaml").read_text(encoding="utf-8")


async def test_a_malformed_buffer_is_a_diagnostic_and_the_server_goes_on(
    client: LanguageClient, root: Path
) -> None:
    document = Document(client, root / "value-streams.usm.yaml")
    document.open()
    original = document.text
    document.replace("usm:", "usm: [\n")

    codes = [item.code for item in await document.diagnostics()]

    assert codes == ["USM001"]
    document.replace(document.text, original)
    assert await document.diagnostics() == []
    assert client.log_messages == [] or all(
        message.type != types.MessageType.Error for message in client.log_messages
    )
