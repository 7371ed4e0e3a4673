"""Completion from `usmctl server`, end to end over stdio (pytest-lsp): ids of
the kinds a field accepts, the catalogue's workflow types, RACI letters and
the keys a mapping lacks, on text being typed (which may not parse)."""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path

import pytest
import pytest_asyncio
import pytest_lsp
from lsprotocol import types
from pygls.workspace.position_codec import PositionCodec
from pytest_lsp import LanguageClient

from tests.server.support import (
    EXAMPLE,
    SERVER,
    Client,
    Document,
    copy_example,
    editing,
    position,
    start,
)
from usmctl.api import check
from usmctl.check.settings import Settings
from usmctl.model.catalogue import load_catalogue
from usmctl.model.entities import Service
from usmctl.server.completion import complete
from usmctl.server.workspace import Workspace

pytestmark = pytest.mark.asyncio(loop_scope="module")

FILE = "globex-it.usm.yaml"
# The first service's provider and customers, as the example writes them.
PROVIDER = "    provider: globex-it\n    customers: [globex-business]"
LAST_LINE = "    depends_on: [wan-connectivity]\n"  # the first service's last line


@pytest.fixture(scope="module")
def root(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return copy_example(tmp_path_factory.mktemp("workspace") / "siam")


@pytest_lsp.fixture(scope="module", config=SERVER)
async def client(lsp_client: LanguageClient, root: Path) -> AsyncIterator[None]:
    await start(lsp_client, root)
    yield
    await lsp_client.shutdown_session()


@pytest_asyncio.fixture(loop_scope="module")
async def document(client: LanguageClient, root: Path) -> AsyncIterator[Document]:
    """The file open in the editor; its text as on disk again after the test."""
    async with editing(client, root / FILE) as opened:
        yield opened


async def typed(document: Document, old: str, new: str) -> types.CompletionList:
    """Edit ``old`` into ``new`` (its ``|`` is the cursor) and ask for completion
    there at once, as an editor does while the user types."""
    cursor = document.text.index(old) + new.index("|")
    document.replace(old, new.replace("|", "", 1))
    found = await document.client.text_document_completion_async(
        types.CompletionParams(
            text_document=types.TextDocumentIdentifier(uri=document.uri),
            position=position(document.text, cursor),
        )
    )
    assert isinstance(found, types.CompletionList)
    return found


def labels(found: types.CompletionList) -> list[str]:
    return [item.label for item in found.items]


def profiles(root: Path, *kinds: str) -> dict[str, str]:
    """The example's profiles of these kinds: id -> name."""
    architecture = check(["."], Settings(), cwd=root).architecture
    assert architecture is not None
    return {
        profile.id: str(profile.name) for profile in architecture.profiles if profile.kind in kinds
    }


async def test_the_server_offers_completion_after_the_characters_that_start_a_value(
    client: Client,
) -> None:
    assert client.server_capabilities is not None
    options = client.server_capabilities.completion_provider
    assert options is not None
    assert {":", " ", "-", "[", ","} <= set(options.trigger_characters or ())


async def test_a_services_provider_offers_providers_and_suppliers_only(
    document: Document, root: Path
) -> None:
    found = await typed(document, PROVIDER, PROVIDER.replace("globex-it", "|"))

    expected = profiles(root, "provider", "supplier")
    assert sorted(labels(found)) == sorted(expected)
    assert "globex-business" not in labels(found)  # a customer: no provider of services
    for item in found.items:
        assert item.kind == types.CompletionItemKind.Reference
        assert item.detail is not None and expected[item.label] in item.detail


async def test_an_item_replaces_the_prefix_typed(document: Document) -> None:
    found = await typed(document, PROVIDER, PROVIDER.replace("globex-it", "glo|"))

    (item,) = found.items
    assert item.label == "globex-it"
    assert isinstance(item.text_edit, types.TextEdit)
    assert item.text_edit.new_text == "globex-it"
    line = document.text.index("    provider: glo\n")
    typed_range = types.Range(
        start=position(document.text, line + len("    provider: ")),
        end=position(document.text, line + len("    provider: glo")),
    )
    assert item.text_edit.range == typed_range


async def test_positions_are_utf16_code_units(document: Document) -> None:
    """Before the cursor, a character outside the Basic Multilingual Plane
    counts two UTF-16 code units, and one character of the parser."""
    found = await typed(
        document, LAST_LINE, LAST_LINE + '  - {id: music, name: "𝄞 notes ☕", provider: glo|\n'
    )

    (item,) = found.items
    assert isinstance(item.text_edit, types.TextEdit)
    line = document.text.index("  - {id: music")
    start = document.text.index("glo", line)
    assert item.text_edit.range.start == position(document.text, start)
    assert item.text_edit.range.start.character == start - line + 1  # 𝄞: two units


async def test_a_workflow_type_offers_the_catalogues_types(document: Document) -> None:
    found = await typed(document, "    type: wish\n", "    type: |\n")

    assert labels(found) == list(load_catalogue().ids)
    assert {item.kind for item in found.items} == {types.CompletionItemKind.EnumMember}
    wish = found.items[0]
    assert wish.detail is not None and "agree > change > operate" in wish.detail


async def test_a_raci_table_offers_the_letters(document: Document) -> None:
    found = await typed(
        document,
        "{it-service-manager: [R, A], integration-manager: [C]}",
        "{it-service-manager: [R, |",
    )

    assert labels(found) == ["R", "A", "C", "I"]


async def test_a_service_mapping_offers_the_keys_it_lacks(document: Document) -> None:
    found = await typed(document, LAST_LINE, LAST_LINE + "    |\n")

    written = {"id", "name", "provider", "customers", "agreement", "facility", "support"}
    assert set(labels(found)) == set(Service.model_fields) - written - {"depends_on"}
    (item,) = found.items  # the example's service lacks its description only
    assert item.kind == types.CompletionItemKind.Property
    assert isinstance(item.text_edit, types.TextEdit)
    assert item.text_edit.new_text == "description: "


async def test_a_half_typed_line_that_does_not_parse_is_completed_from_the_last_model(
    document: Document, root: Path
) -> None:
    """Half a key (no colon yet) breaks the file's YAML: its profiles still
    count, from the last analysis in which the file parsed."""
    found = await typed(document, LAST_LINE, LAST_LINE + "  - id: new\n    prov|\n")
    (diagnostic,) = await document.diagnostics()
    assert diagnostic.code == "USM001"  # the buffer does not parse
    assert labels(found) == ["provider"]

    found = await typed(
        document, "    prov\n", "    provider: glo|\n    customers: [globex-business\n"
    )
    assert labels(found) == ["globex-it"]  # declared in this very file
    assert [item.code for item in await document.diagnostics()] == ["USM001"]


async def test_a_client_taking_item_defaults_gets_the_range_once() -> None:
    """In process: the range replaced is the list's default, and an item says
    its text only where it is not its label (a key and its colon)."""
    workspace = Workspace(EXAMPLE)
    text = (EXAMPLE / FILE).read_text(encoding="utf-8")
    codec = PositionCodec(types.PositionEncodingKind.Utf16)

    def at(old: str, new: str) -> types.CompletionList:
        cursor = text.index(old) + new.index("|")
        edited = text.replace(old, new.replace("|", "", 1), 1)
        found = complete(
            edited,
            position(edited, cursor),
            codec=codec,
            indexes=workspace.completing().indexes,
            catalogue=workspace.catalogue,
            shared_range=True,
        )
        assert found is not None and found.item_defaults is not None
        assert all(item.text_edit is None for item in found.items)
        return found

    ids = at(PROVIDER, PROVIDER.replace("globex-it", "glo|"))
    (item,) = ids.items
    assert item.label == "globex-it" and item.text_edit_text is None
    line = text.index(PROVIDER) + len("    provider: ")
    assert ids.item_defaults is not None
    assert ids.item_defaults.edit_range == types.Range(
        start=position(text, line), end=position(text, line + len("glo"))
    )

    keys = at(LAST_LINE, LAST_LINE + "    desc|\n")
    assert [(item.label, item.text_edit_text) for item in keys.items] == [
        ("description", "description: ")
    ]
