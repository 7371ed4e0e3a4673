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
edit follows the previous one's diagnostics, so the server checks it at once;
edits closer together than its ``DEBOUNCE`` (50 ms) would be checked once,
that long after the last.
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


def _position(text: str, offset: int) -> types.Position:
    line = text.count("\n", 0, offset)
    return types.Position(line=line, character=offset - (text.rfind("\n", 0, offset) + 1))


async def measure(root: Path, edits: int) -> list[float]:
    """Seconds from each edit to its diagnostics."""
    client = LanguageClient("usmctl-latency", "1")
    arrived: dict[tuple[str, int | None], float] = {}
    event = asyncio.Event()

    @client.feature(types.TEXT_DOCUMENT_PUBLISH_DIAGNOSTICS)
    def published(params: types.PublishDiagnosticsParams) -> None:
        arrived[(params.uri, params.version)] = time.perf_counter()
        event.set()

    async def wait_for(key: tuple[str, int | None]) -> float:
        while key not in arrived:
            event.clear()
            await asyncio.wait_for(event.wait(), 60)
        return arrived[key]

    await client.start_io(sys.executable, "-m", "usmctl", "server")
    root_uri = uris.from_fs_path(str(root))
    assert root_uri is not None
    await client.initialize_async(
        types.InitializeParams(
            capabilities=types.ClientCapabilities(),
            root_uri=root_uri,
            workspace_folders=[types.WorkspaceFolder(uri=root_uri, name=root.name)],
        )
    )
    client.initialized(types.InitializedParams())
    path = root / "p00000.usm.yaml"
    uri = uris.from_fs_path(str(path))
    assert uri is not None
    text = path.read_text(encoding="utf-8")
    client.text_document_did_open(
        types.DidOpenTextDocumentParams(
            text_document=types.TextDocumentItem(uri=uri, language_id="yaml", version=1, text=text)
        )
    )
    await wait_for((uri, 1))
    timings: list[float] = []
    for version in range(2, edits + 2):
        old, new = BROKEN if version % 2 == 0 else BROKEN[::-1]
        offset = text.index(old)
        change = types.TextDocumentContentChangePartial(
            range=types.Range(
                start=_position(text, offset), end=_position(text, offset + len(old))
            ),
            text=new,
        )
        text = text[:offset] + new + text[offset + len(old) :]
        sent = time.perf_counter()
        client.text_document_did_change(
            types.DidChangeTextDocumentParams(
                text_document=types.VersionedTextDocumentIdentifier(uri=uri, version=version),
                content_changes=[change],
            )
        )
        timings.append(await wait_for((uri, version)) - sent)
    await client.shutdown_async(None)
    client.exit(None)
    await client.stop()
    return timings


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--services", type=int, default=1000, help="services in the architecture")
    parser.add_argument("--edits", type=int, default=30, help="edits to measure")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as folder:
        root = Path(folder) / f"services-{args.services}"
        generate(root, services=args.services)
        timings = asyncio.run(measure(root, args.edits))
    ms = sorted(1000 * seconds for seconds in timings)
    print(
        f"{args.services} services, {len(ms)} edits: edit -> diagnostics "
        f"min {ms[0]:.0f} ms, median {statistics.median(ms):.0f} ms, max {ms[-1]:.0f} ms"
    )


if __name__ == "__main__":
    main()
