"""Hover, go to definition and find references from `usmctl server`, end to
end over stdio (pytest-lsp)."""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path

import pytest
import pytest_lsp
from lsprotocol import types
from pytest_lsp import LanguageClient

from tests.server.support import SERVER, Document, copy_example, find, start, uri
from usmctl.model.entities import ArchitectureFile, Facility, Profile, Service
from usmctl.rules import meta

pytestmark = pytest.mark.asyncio(loop_scope="module")

SUPPRESSION = "# usmctl: ignore-file[USM104] the devops engineer is named in the tools file\n"


@pytest.fixture(scope="module")
def root(tmp_path_factory: pytest.TempPathFactory) -> Path:
    found = copy_example(tmp_path_factory.mktemp("workspace") / "siam")
    services = found / "globex-it.usm.yaml"
    services.write_text(SUPPRESSION + services.read_text(encoding="utf-8"), encoding="utf-8")
    return found


@pytest_lsp.fixture(scope="module", config=SERVER)
async def client(lsp_client: LanguageClient, root: Path) -> AsyncIterator[None]:
    await start(lsp_client, root)
    for name in ("globex-it.usm.yaml", "netlink.usm.yaml"):
        Document(lsp_client, root / name).open()
    yield
    await lsp_client.shutdown_session()


def _text(root: Path, name: str) -> str:
    return (root / name).read_text(encoding="utf-8")


async def _hover(client: LanguageClient, path: Path, where: types.Range) -> types.Hover:
    found = await client.text_document_hover_async(
        types.HoverParams(
            text_document=types.TextDocumentIdentifier(uri=uri(path)), position=where.start
        )
    )
    assert found is not None
    assert isinstance(found.contents, types.MarkupContent)
    return found


async def test_hover_explains_a_rule_code_a_key_and_an_id(
    client: LanguageClient, root: Path
) -> None:
    path = root / "globex-it.usm.yaml"
    text = _text(root, "globex-it.usm.yaml")

    code = await _hover(client, path, find(text, "ignore-file", "USM104"))
    rule = meta("USM104")
    assert code.range == find(text, "ignore-file", "USM104")
    assert isinstance(code.contents, types.MarkupContent)
    assert rule.summary in code.contents.value
    assert rule.remediation in code.contents.value
    assert rule.help_uri in code.contents.value

    key = await _hover(client, path, find(text, "    facility:", "facility"))
    described = Service.model_fields["facility"].description or (Facility.__doc__ or "")
    assert isinstance(key.contents, types.MarkupContent)
    assert described.splitlines()[0] in key.contents.value

    section = await _hover(client, path, find(text, "profiles:", "profiles"))
    described = ArchitectureFile.model_fields["profiles"].description or (Profile.__doc__ or "")
    assert isinstance(section.contents, types.MarkupContent)
    assert described.splitlines()[0] in section.contents.value

    reference = await _hover(client, path, find(text, "depends_on: [wan", "wan-connectivity"))
    assert isinstance(reference.contents, types.MarkupContent)
    assert 'service "wan-connectivity"' in reference.contents.value
    assert "Office network connectivity" in reference.contents.value
    assert "netlink.usm.yaml:12" in reference.contents.value


async def test_definition_of_an_id_is_its_declaration(client: LanguageClient, root: Path) -> None:
    text = _text(root, "globex-it.usm.yaml")
    where = find(text, "depends_on: [wan", "wan-connectivity")

    found = await client.text_document_definition_async(
        types.DefinitionParams(
            text_document=types.TextDocumentIdentifier(uri=uri(root / "globex-it.usm.yaml")),
            position=where.start,
        )
    )

    assert found == types.Location(
        uri=uri(root / "netlink.usm.yaml"),
        range=find(_text(root, "netlink.usm.yaml"), "- id: wan", "wan-connectivity"),
    )


async def test_references_of_an_id_are_every_field_naming_it(
    client: LanguageClient, root: Path
) -> None:
    cloudco = root / "cloudco.usm.yaml"
    declared = find(_text(root, "cloudco.usm.yaml"), "- id: cloud-hosting", "cloud-hosting")

    found = await client.text_document_references_async(
        types.ReferenceParams(
            text_document=types.TextDocumentIdentifier(uri=uri(cloudco)),
            position=declared.start,
            context=types.ReferenceContext(include_declaration=True),
        )
    )

    assert found is not None
    expected = [
        (cloudco, declared),
        (
            root / "architecture.usm.yaml",
            find(
                _text(root, "architecture.usm.yaml"),
                "applies_to: [claims-platform",
                "cloud-hosting",
            ),
        ),
        (
            cloudco,
            find(_text(root, "cloudco.usm.yaml"), "services: [cloud-hosting]", "cloud-hosting"),
        ),
        (
            root / "globex-it.usm.yaml",
            find(_text(root, "globex-it.usm.yaml"), "depends_on: [claims-app", "cloud-hosting"),
        ),
    ]
    assert [(item.uri, item.range) for item in found] == [
        (uri(path), where) for path, where in expected
    ]
