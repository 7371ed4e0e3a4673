"""What the language server's tests share: a copy of an example, a client
talking to a real `usmctl server` process over stdio, and waits on its
notifications."""

from __future__ import annotations

import asyncio
import contextlib
import shutil
import sys
from collections.abc import AsyncIterator
from pathlib import Path

from lsprotocol import types
from pygls import uris
from pygls.protocol import default_converter
from pytest_lsp import ClientServerConfig, LanguageClient
from pytest_lsp.client import DEFAULT_CLIENT_FEATURES, register_lsp_features

from tests.support.paths import EXAMPLES

EXAMPLE = EXAMPLES / "siam-multi-provider"
PUBLISH = types.TEXT_DOCUMENT_PUBLISH_DIAGNOSTICS
TIMEOUT = 30  # seconds: a server that never answers fails the test, not the suite


class Client(LanguageClient):
    """pytest-lsp's client, which also keeps the document version of the
    diagnostics last published for each document (two notifications read at
    once would slip past `wait_for_notification`), and what the server said
    it can do."""

    def __init__(self) -> None:
        super().__init__(converter_factory=default_converter)
        self.versions: dict[str, int | None] = {}
        self.arrived = asyncio.Event()
        self.server_capabilities: types.ServerCapabilities | None = None


def _record(client: Client, params: types.PublishDiagnosticsParams) -> None:
    client.diagnostics[params.uri] = params.diagnostics
    client.versions[params.uri] = params.version
    client.arrived.set()


def _client() -> Client:
    client = Client()
    register_lsp_features(client, {**DEFAULT_CLIENT_FEATURES, PUBLISH: _record})
    return client


SERVER = ClientServerConfig(
    server_command=[sys.executable, "-m", "usmctl", "server"], client_factory=_client
)


def copy_example(target: Path) -> Path:
    """The multi-provider example copied to ``target`` (a fresh workspace)."""
    shutil.copytree(EXAMPLE, target)
    return target


def uri(path: Path) -> str:
    found = uris.from_fs_path(str(path))
    assert found is not None
    return found


async def start(
    client: LanguageClient, root: Path, capabilities: types.ClientCapabilities | None = None
) -> None:
    """Initialize a session with ``root`` as the workspace."""
    result = await client.initialize_session(
        types.InitializeParams(
            capabilities=capabilities or types.ClientCapabilities(),
            root_uri=uri(root),
            workspace_folders=[types.WorkspaceFolder(uri=uri(root), name=root.name)],
        )
    )
    if isinstance(client, Client):
        client.server_capabilities = result.capabilities


async def published(
    client: LanguageClient, document: str, version: int | None
) -> list[types.Diagnostic]:
    """The diagnostics the server published for ``document`` at ``version``."""
    assert isinstance(client, Client)

    async def wait() -> list[types.Diagnostic]:
        while True:
            client.arrived.clear()
            if document in client.versions and client.versions[document] == version:
                return list(client.diagnostics[document])
            await client.arrived.wait()

    return await asyncio.wait_for(wait(), TIMEOUT)


class Document:
    """An open document the test edits: its text and version on the client side."""

    def __init__(self, client: LanguageClient, path: Path) -> None:
        self.client = client
        self.path = path
        self.uri = uri(path)
        self.text = path.read_text(encoding="utf-8")
        self.version = 1

    def open(self) -> None:
        if isinstance(self.client, Client):  # what was published before is stale
            self.client.versions.pop(self.uri, None)
        self.client.text_document_did_open(
            types.DidOpenTextDocumentParams(
                text_document=types.TextDocumentItem(
                    uri=self.uri, language_id="yaml", version=self.version, text=self.text
                )
            )
        )

    def replace(self, old: str, new: str) -> None:
        """Edit the first ``old`` into ``new``, as an incremental change."""
        offset = self.text.index(old)
        start = position(self.text, offset)
        end = position(self.text, offset + len(old))
        self.text = self.text[:offset] + new + self.text[offset + len(old) :]
        self.version += 1
        self.client.text_document_did_change(
            types.DidChangeTextDocumentParams(
                text_document=types.VersionedTextDocumentIdentifier(
                    uri=self.uri, version=self.version
                ),
                content_changes=[
                    types.TextDocumentContentChangePartial(
                        range=types.Range(start=start, end=end), text=new
                    )
                ],
            )
        )

    def apply(self, edits: list[types.TextEdit]) -> None:
        """Apply a workspace edit's text edits (all against the current text,
        as LSP has them) as one change of the document."""
        ordered = sorted(
            edits, key=lambda edit: (edit.range.start.line, edit.range.start.character)
        )
        changes: list[types.TextDocumentContentChangeEvent] = []
        for edit in reversed(ordered):  # the last first: the earlier ranges stay valid
            start, end = (
                offset_of(self.text, edit.range.start),
                offset_of(self.text, edit.range.end),
            )
            self.text = self.text[:start] + edit.new_text + self.text[end:]
            changes.append(
                types.TextDocumentContentChangePartial(range=edit.range, text=edit.new_text)
            )
        self.version += 1
        self.client.text_document_did_change(
            types.DidChangeTextDocumentParams(
                text_document=types.VersionedTextDocumentIdentifier(
                    uri=self.uri, version=self.version
                ),
                content_changes=changes,
            )
        )

    async def diagnostics(self) -> list[types.Diagnostic]:
        """The diagnostics published for this version of the document."""
        return await published(self.client, self.uri, self.version)


@contextlib.asynccontextmanager
async def editing(client: LanguageClient, path: Path) -> AsyncIterator[Document]:
    """A file opened in the editor, without diagnostics; its text as on disk
    again (and its diagnostics cleared) when the test is done with it."""
    opened = Document(client, path)
    opened.open()
    original = opened.text
    assert await opened.diagnostics() == []
    yield opened
    if opened.text != original:
        opened.replace(opened.text, original)
        assert await opened.diagnostics() == []


def position(text: str, offset: int) -> types.Position:
    """The LSP position of an offset into a text (lines end with ``\\n``;
    characters in UTF-16 code units, as clients count them by default)."""
    line = text.count("\n", 0, offset)
    before = text[text.rfind("\n", 0, offset) + 1 : offset]
    return types.Position(line=line, character=len(before.encode("utf-16-le")) // 2)


def offset_of(text: str, where: types.Position) -> int:
    """The offset into a text of an LSP position (`position` undone)."""
    start = 0
    for _ in range(where.line):
        start = text.index("\n", start) + 1
    units = 0
    index = start
    while units < where.character:
        units += 2 if ord(text[index]) > 0xFFFF else 1
        index += 1
    return index


def find(text: str, line_with: str, word: str) -> types.Range:
    """The range of ``word`` on the first line containing ``line_with``."""
    offset = text.index(line_with)
    offset = text.index(word, offset)
    return types.Range(start=position(text, offset), end=position(text, offset + len(word)))
