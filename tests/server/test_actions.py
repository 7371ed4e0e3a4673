"""Code actions from `usmctl server`, end to end over stdio (pytest-lsp): a
finding's one safe fix is a quick fix whose edit, applied by the editor,
clears the diagnostic."""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path

import pytest
import pytest_asyncio
import pytest_lsp
from lsprotocol import types
from pygls.workspace.position_codec import PositionCodec
from pytest_lsp import LanguageClient

from tests.server.support import SERVER, Client, Document, copy_example, editing, start
from usmctl.server.actions import quick_fixes
from usmctl.server.protocol import Places
from usmctl.server.workspace import Workspace

pytestmark = pytest.mark.asyncio(loop_scope="module")

FILE = "globex-it.usm.yaml"
FACILITY = (
    "    facility:\n"
    "      description: A laptop, the office suite and network access from every Globex office\n"
    "      goods: [laptop, office-suite]\n"
    "      actions: [account-provisioning, office-connectivity]\n"
)
# (rule, the example's text, the defect written instead, the fix's title)
DEFECTS = [
    pytest.param(
        "USM203",
        "    process: recover\n    owner: it-desk-agent",
        "    process: INC\n    owner: it-desk-agent",
        'Replace "INC" by "recover"',
        id="process-alias",
    ),
    pytest.param(
        "USM006",
        "depends_on: [wan-connectivity]",
        "depends_on: [wan-conectivity]",
        'Replace "wan-conectivity" by "wan-connectivity"',
        id="did-you-mean-reference",
    ),
    pytest.param(
        "USM004",
        "    name: Digital workplace",
        "    nmae: Digital workplace",
        'Replace "nmae" by "name"',
        id="unknown-key",
    ),
    pytest.param(
        "USM305",
        "type: incident\n    owner_process: recover",
        "type: incident\n    owner_process: change",
        'Replace "change" by "recover"',
        id="owner-process",
    ),
    pytest.param(
        "USM013",
        'hours: "Mon-Fri 07:00-19:00"',
        "hours: 0800",
        "Quote it (text to YAML 1.1 and 1.2 alike)",
        id="ambiguous-scalar",
    ),
    pytest.param(
        "USM401", FACILITY, "", "Add a facility description to write", id="missing-facility"
    ),
]
# What a fix writes that the example does not have, and the findings left: a
# quoted scalar; the skeleton's placeholder description (USM407 asks for one).
LEFT = {
    "USM013": ('    hours: "0800"\n', set()),
    "USM401": ("    facility:\n      description: TBD\n", {"USM407"}),
}

# An editor that takes versioned document changes (VS Code, Neovim, Helix).
VERSIONED = types.ClientCapabilities(
    workspace=types.WorkspaceClientCapabilities(
        workspace_edit=types.WorkspaceEditClientCapabilities(document_changes=True)
    )
)


@pytest.fixture(scope="module")
def root(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return copy_example(tmp_path_factory.mktemp("workspace") / "siam")


@pytest_lsp.fixture(scope="module", config=SERVER)
async def client(lsp_client: LanguageClient, root: Path) -> AsyncIterator[None]:
    await start(lsp_client, root, VERSIONED)
    yield
    await lsp_client.shutdown_session()


@pytest_asyncio.fixture(loop_scope="module")
async def document(client: LanguageClient, root: Path) -> AsyncIterator[Document]:
    """The file open in the editor; its text as on disk again after the test."""
    async with editing(client, root / FILE) as opened:
        yield opened


async def actions_for(
    document: Document, diagnostic: types.Diagnostic, *, only: list[str] | None = None
) -> list[types.CodeAction]:
    """The code actions offered for one diagnostic, as an editor asks at it."""
    found = await document.client.text_document_code_action_async(
        types.CodeActionParams(
            text_document=types.TextDocumentIdentifier(uri=document.uri),
            range=diagnostic.range,
            context=types.CodeActionContext(diagnostics=[diagnostic], only=only),
        )
    )
    assert found is not None
    return [action for action in found if isinstance(action, types.CodeAction)]


async def test_the_server_offers_quick_fixes(client: Client) -> None:
    assert client.server_capabilities is not None
    options = client.server_capabilities.code_action_provider
    assert isinstance(options, types.CodeActionOptions)
    assert list(options.code_action_kinds or ()) == [types.CodeActionKind.QuickFix]


@pytest.mark.parametrize(("code", "good", "bad", "title"), DEFECTS)
async def test_a_quick_fix_applied_clears_its_diagnostic(
    document: Document, code: str, good: str, bad: str, title: str
) -> None:
    original = document.text
    document.replace(good, bad)
    (diagnostic,) = await document.diagnostics()
    assert diagnostic.code == code

    (action,) = await actions_for(document, diagnostic)

    assert action.title == title
    assert action.kind == types.CodeActionKind.QuickFix
    assert list(action.diagnostics or ()) == [diagnostic]
    assert action.is_preferred
    assert action.edit is not None and action.edit.changes is None
    (change,) = action.edit.document_changes or []
    assert isinstance(change, types.TextDocumentEdit)
    assert change.text_document.uri == document.uri
    assert change.text_document.version == document.version
    document.apply([edit for edit in change.edits if isinstance(edit, types.TextEdit)])
    after = await document.diagnostics()
    written, remaining = LEFT.get(code, (original, set()))
    assert code not in {item.code for item in after}
    assert {item.code for item in after} == remaining
    assert written in document.text  # the example again, but for what the fix writes


async def test_a_diagnostic_of_an_older_text_is_offered_nothing(document: Document) -> None:
    document.replace("depends_on: [wan-connectivity]", "depends_on: [wan-conectivity]")
    (stale,) = await document.diagnostics()
    document.replace("    name: Digital workplace\n", "")  # the reference moves up a line
    (moved,) = await document.diagnostics()
    assert moved.range.start.line == stale.range.start.line - 1

    assert await actions_for(document, stale) == []
    assert [action.title for action in await actions_for(document, moved)] == [
        'Replace "wan-conectivity" by "wan-connectivity"'
    ]


async def test_only_quick_fixes_are_offered_and_only_when_asked_for(
    document: Document,
) -> None:
    document.replace("depends_on: [wan-connectivity]", "depends_on: [wan-conectivity]")
    (diagnostic,) = await document.diagnostics()

    assert await actions_for(document, diagnostic, only=[types.CodeActionKind.Refactor]) == []
    assert len(await actions_for(document, diagnostic, only=[types.CodeActionKind.QuickFix])) == 1


async def test_a_finding_without_a_fix_is_offered_nothing(document: Document) -> None:
    document.replace("  - id: claims-platform", "  - id: digital-workplace")
    duplicates = [item for item in await document.diagnostics() if item.code == "USM005"]
    assert duplicates

    assert await actions_for(document, duplicates[0]) == []


async def test_a_client_without_versioned_changes_gets_plain_changes(tmp_path: Path) -> None:
    """Quick fixes in process: several at once, none preferred, as ``changes``
    by URI when the client takes no ``documentChanges``."""
    root = copy_example(tmp_path / "siam")
    path = root / FILE
    text = path.read_text(encoding="utf-8")
    path.write_text(
        text.replace("    name: Digital workplace", "    nmae: Digital workplace").replace(
            "depends_on: [wan-connectivity]", "depends_on: [wan-conectivity]"
        ),
        encoding="utf-8",
    )
    analysis = Workspace(root).analyse()
    places = Places(analysis, PositionCodec(types.PositionEncodingKind.Utf16))
    diagnostics = list(places.diagnostics()[places.uri(FILE) or ""])
    assert sorted(str(item.code) for item in diagnostics) == ["USM004", "USM006"]
    whole = types.Range(
        start=types.Position(line=0, character=0), end=types.Position(line=999, character=0)
    )
    params = types.CodeActionParams(
        text_document=types.TextDocumentIdentifier(uri=places.uri(FILE) or ""),
        range=whole,
        context=types.CodeActionContext(diagnostics=diagnostics),
    )

    found = quick_fixes(params, places=places, file=FILE, version=3, document_changes=False)

    assert [action.diagnostics for action in found] == [[item] for item in diagnostics]
    assert not any(action.is_preferred for action in found)
    for action in found:
        assert action.edit is not None and action.edit.document_changes is None
        assert list((action.edit.changes or {}).keys()) == [places.uri(FILE)]
