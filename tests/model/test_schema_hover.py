"""Editors show the schema's descriptions: yaml-language-server (the YAML
language server of VS Code's YAML extension, also used from Neovim, Helix and
Emacs), given the committed schema through the ``# yaml-language-server:
$schema=`` modeline the examples carry, answers a hover on a key with that
key's description.

Needs ``node`` and the npm package ``yaml-language-server``, on PATH or in the
repository's ``node_modules`` (``npm install --global yaml-language-server``);
skipped otherwise. The server runs as its own process on stdio, stopped after
the test.
"""

from __future__ import annotations

import json
import re
import shutil
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import pytest
import pytest_lsp
from lsprotocol import types
from pytest_lsp import ClientServerConfig, LanguageClient

from tests.support.paths import EXAMPLES, ROOT
from usmctl.model.schema import SCHEMA_FILE

PILOT_SERVICES = EXAMPLES / "pilot" / "services.usm.yaml"
MODELINE = re.compile(r"^# yaml-language-server: \$schema=\S+", flags=re.M)


def _yaml_language_server() -> Path | None:
    """The server's entry script: on PATH, else in the repository's node_modules."""
    on_path = shutil.which("yaml-language-server")
    candidate = (
        Path(on_path) if on_path else ROOT / "node_modules" / ".bin" / "yaml-language-server"
    )
    return candidate.resolve() if candidate.exists() else None


NODE = shutil.which("node")
SERVER = _yaml_language_server()

pytestmark = [
    pytest.mark.skipif(NODE is None, reason="node is not installed"),
    pytest.mark.skipif(
        SERVER is None,
        reason="yaml-language-server is not on PATH or in node_modules "
        "(npm install --global yaml-language-server)",
    ),
]


@pytest_lsp.fixture(
    config=ClientServerConfig(server_command=[NODE or "node", str(SERVER), "--stdio"])
)
async def client(lsp_client: LanguageClient) -> AsyncIterator[None]:
    await lsp_client.initialize_session(
        types.InitializeParams(capabilities=types.ClientCapabilities())
    )
    yield
    await lsp_client.shutdown_session()


def _plain(markdown: str) -> str:
    """Hover text without Markdown escapes (the server escapes plain descriptions)."""
    return re.sub(r"\\(.)", r"\1", markdown)


async def _hover(client: LanguageClient, uri: str, lines: list[str], key: str) -> str:
    """The hover text at the first ``key:`` of the document."""
    line = next(n for n, text in enumerate(lines) if re.match(rf"\s*(- )?{key}:", text))
    hover = await client.text_document_hover_async(
        types.HoverParams(
            text_document=types.TextDocumentIdentifier(uri=uri),
            position=types.Position(line=line, character=lines[line].index(key) + 1),
        )
    )
    assert hover is not None, f"no hover on {key!r}"
    assert isinstance(hover.contents, types.MarkupContent)
    return _plain(hover.contents.value)


@pytest.mark.asyncio
async def test_a_hover_on_a_key_shows_its_description(
    client: LanguageClient, tmp_path: Path
) -> None:
    schema: dict[str, Any] = json.loads((ROOT / SCHEMA_FILE).read_text(encoding="utf-8"))
    service = schema["$defs"]["Service"]["properties"]
    expected = {
        "services": schema["properties"]["services"]["description"],  # a section
        "provider": service["provider"]["description"],  # a required field
        "agreement": service["agreement"]["description"],  # an optional field
        "support": schema["$defs"]["Support"]["description"],  # a field holding a model
        "hours": schema["$defs"]["Support"]["properties"]["hours"]["description"],
    }
    original = PILOT_SERVICES.read_text(encoding="utf-8")
    assert MODELINE.search(original), "the example lost its schema modeline"
    modeline = f"# yaml-language-server: $schema={(ROOT / SCHEMA_FILE).as_uri()}"
    text = MODELINE.sub(modeline, original)
    document = tmp_path / PILOT_SERVICES.name
    document.write_text(text, encoding="utf-8")
    uri = document.as_uri()
    client.text_document_did_open(
        types.DidOpenTextDocumentParams(
            text_document=types.TextDocumentItem(uri=uri, language_id="yaml", version=1, text=text)
        )
    )

    lines = text.splitlines()
    shown = {key: await _hover(client, uri, lines, key) for key in expected}
    missing = {
        key: shown[key] for key, description in expected.items() if description not in shown[key]
    }
    assert not missing, f"hovers without the key's description: {missing}"
