"""Latency of `usmctl server`: from an edit to its diagnostics (issue 13).

    python benchmarks/lsp_latency.py --services 1000 --edits 30

Generates a synthetic architecture (benchmarks/generate.py) in a temporary
folder, starts the real server (``python -m usmctl server``) over stdio with a
pygls client, opens one provider's file and edits it ``--edits`` times, each
edit alternately breaking and repairing a reference (so each one changes the
diagnostics: a USM006 appears, then goes). For each edit it measures the time
from sending ``textDocument/didChange`` to receiving the
``textDocument/publishDiagnostics`` of that document version, and prints the
minimum, median and maximum. The target is 150 ms at 1,000 services. Each
edit follows the previous one's diagnostics, so the server checks it at once
(its ``GRACE``, 10 ms, later); edits closer together than its ``DEBOUNCE``
(50 ms) would be checked once, that long after the last.

With ``--completions N`` (default 30) it then measures completion as typing
asks for it: each time, after a pause, it types ``, p`` into a ``depends_on``
list (``textDocument/didChange``) and at once asks for completion after it
(``textDocument/completion``, as an editor does for a typed character; every
service id of the architecture starts with ``p``, so each answer lists about
1,000 services). It prints the time from the request to its answer, and the
number of items; then it removes what it typed. The client takes the list's
``itemDefaults.editRange`` as VS Code does (``--no-item-defaults``: each item
carries its range).
"""

from __future__ import annotations

import argparse
import asyncio
import statistics
import sys
import tempfile
import time
from pathlib import Path

from lsprotocol import types
from pygls import uris
from pygls.lsp.client import LanguageClient

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))
from generate import generate  # noqa: E402

BROKEN = ("depends_on: [p00001-s00000]", "depends_on: [p00001-s0000x]")
TYPED = ("depends_on: [p00001-s00000]", "depends_on: [p00001-s00000, p")
PAUSE = 0.1  # seconds before each keystroke that asks for completion: a quiet spell
# A client that takes a completion list's item defaults, as VS Code does: the
# range each item replaces is said once for all.
EDITOR = types.ClientCapabilities(
    text_document=types.TextDocumentClientCapabilities(
        completion=types.CompletionClientCapabilities(
            completion_list=types.CompletionListCapabilities(item_defaults=["editRange"])
        )
    )
)


def _position(text: str, offset: int) -> types.Position:
    line = text.count("\n", 0, offset)
    return types.Position(line=line, character=offset - (text.rfind("\n", 0, offset) + 1))


class Editor:
    """One open document of a client session: its text, its version, and when
    the diagnostics of each version arrived."""

    def __init__(self, client: LanguageClient, path: Path) -> None:
        self.client = client
        uri = uris.from_fs_path(str(path))
        assert uri is not None
        self.uri = uri
        self.text = path.read_text(encoding="utf-8")
        self.version = 1
        self.arrived: dict[int | None, float] = {}
        self.event = asyncio.Event()

    def published(self, params: types.PublishDiagnosticsParams) -> None:
        if params.uri == self.uri:
            self.arrived[params.version] = time.perf_counter()
            self.event.set()

    async def diagnostics(self) -> float:
        """When the diagnostics of the current version arrived."""
        while self.version not in self.arrived:
            self.event.clear()
            await asyncio.wait_for(self.event.wait(), 60)
        return self.arrived[self.version]

    def open(self) -> None:
        item = types.TextDocumentItem(
            uri=self.uri, language_id="yaml", version=self.version, text=self.text
        )
        self.client.text_document_did_open(types.DidOpenTextDocumentParams(text_document=item))

    def edit(self, old: str, new: str) -> int:
        """Replace the first ``old`` by ``new``; the offset just after it."""
        offset = self.text.index(old)
        change = types.TextDocumentContentChangePartial(
            range=types.Range(
                start=_position(self.text, offset), end=_position(self.text, offset + len(old))
            ),
            text=new,
        )
        self.text = self.text[:offset] + new + self.text[offset + len(old) :]
        self.version += 1
        self.client.text_document_did_change(
            types.DidChangeTextDocumentParams(
                text_document=types.VersionedTextDocumentIdentifier(
                    uri=self.uri, version=self.version
                ),
                content_changes=[change],
            )
        )
        return offset + len(new)


async def measure(
    root: Path, edits: int, completions: int, *, item_defaults: bool
) -> tuple[list[float], list[float], int]:
    """Seconds from each edit to its diagnostics; from each completion request
    (sent with a keystroke) to its answer; the items of the last answer."""
    client = LanguageClient("usmctl-latency", "1")
    editor = Editor(client, root / "p00000.usm.yaml")

    @client.feature(types.TEXT_DOCUMENT_PUBLISH_DIAGNOSTICS)
    def published(params: types.PublishDiagnosticsParams) -> None:
        editor.published(params)

    await client.start_io(sys.executable, "-m", "usmctl", "server")
    root_uri = uris.from_fs_path(str(root))
    assert root_uri is not None
    await client.initialize_async(
        types.InitializeParams(
            capabilities=EDITOR if item_defaults else types.ClientCapabilities(),
            root_uri=root_uri,
            workspace_folders=[types.WorkspaceFolder(uri=root_uri, name=root.name)],
        )
    )
    client.initialized(types.InitializedParams())
    editor.open()
    await editor.diagnostics()
    timings: list[float] = []
    for count in range(edits):
        old, new = BROKEN if count % 2 == 0 else BROKEN[::-1]
        sent = time.perf_counter()
        editor.edit(old, new)
        timings.append(await editor.diagnostics() - sent)
    answered: list[float] = []
    items = 0
    for _ in range(completions):
        await asyncio.sleep(PAUSE)  # the user pauses, then types a character
        cursor = editor.edit(*TYPED)
        sent = time.perf_counter()
        found = await client.text_document_completion_async(
            types.CompletionParams(
                text_document=types.TextDocumentIdentifier(uri=editor.uri),
                position=_position(editor.text, cursor),
            )
        )
        answered.append(time.perf_counter() - sent)
        assert isinstance(found, types.CompletionList)
        items = len(found.items)
        await editor.diagnostics()
        editor.edit(*TYPED[::-1])
        await editor.diagnostics()
    await client.shutdown_async(None)
    client.exit(None)
    await client.stop()
    return timings, answered, items


def _summary(seconds: list[float]) -> str:
    ms = sorted(1000 * each for each in seconds)
    return f"min {ms[0]:.0f} ms, median {statistics.median(ms):.0f} ms, max {ms[-1]:.0f} ms"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--services", type=int, default=1000, help="services in the architecture")
    parser.add_argument("--edits", type=int, default=30, help="edits to measure")
    parser.add_argument(
        "--completions", type=int, default=30, help="completion requests to measure"
    )
    parser.add_argument(
        "--no-item-defaults",
        action="store_true",
        help="a client without itemDefaults: each completion item has its own range",
    )
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as folder:
        root = Path(folder) / f"services-{args.services}"
        generate(root, services=args.services)
        timings, answered, items = asyncio.run(
            measure(root, args.edits, args.completions, item_defaults=not args.no_item_defaults)
        )
    print(
        f"{args.services} services, {len(timings)} edits: edit -> diagnostics {_summary(timings)}"
    )
    if answered:
        print(
            f"{args.services} services, {len(answered)} completions ({items} items): "
            f"keystroke -> completion {_summary(answered)}"
        )


if __name__ == "__main__":
    main()
