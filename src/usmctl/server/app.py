"""The language server: LSP over standard input and output (pygls).

Diagnostics follow every change: the edited buffer is re-parsed, the model
built and the rules run over the whole workspace (`usmctl.server.workspace`).
A change after a quiet spell is checked at once (`GRACE` later: the request
an editor sends with a keystroke, completion after a typed character, is
answered first); changes that follow each other within `DEBOUNCE` (a burst
of keystrokes) are checked once, that long after the last, with its text. A
request (hover, definition, references, code actions) first takes in any edit
not yet checked, so it always reads the text the editor shows; completion
reads the text as typed and offers from the last model that parsed, without
waiting for its check.

No handler's failure reaches the client as a traceback: it is one line of
``window/logMessage``, and the server goes on. A malformed file is
diagnostics, as for ``usmctl validate``.
"""

from __future__ import annotations

import asyncio
import functools
import gc
from collections.abc import Callable
from pathlib import Path
from typing import Any, Concatenate, ParamSpec, TypeVar

from lsprotocol import types
from pygls.lsp.server import LanguageServer

from usmctl import __version__
from usmctl.check.config import architecture_root
from usmctl.load.loader import file_kind
from usmctl.server import actions, completion, navigation
from usmctl.server.positions import Here
from usmctl.server.protocol import Places, path_of
from usmctl.server.workspace import Analysis, Workspace, is_architecture_file

# Seconds: changes closer together than this are checked once, this long after the last.
DEBOUNCE = 0.05
# Seconds a change after a quiet spell waits: pygls reads each message through
# a thread, so a check started at once would run before the request sent with
# the change is even read (and that request would wait the whole check).
GRACE = 0.01

P = ParamSpec("P")
T = TypeVar("T")


class UsmServer(LanguageServer):
    """The server's state: the workspace, the pending check, what was published."""

    def __init__(self) -> None:
        super().__init__("usmctl", __version__)
        self.model: Workspace | None = None
        self._timer: asyncio.TimerHandle | None = None
        self._last_change = float("-inf")  # loop time of the last change
        self._changed: set[str] = set()  # URIs edited since the last publish
        self._shown: dict[str, list[types.Diagnostic]] = {}

    def log(self, message: str, kind: types.MessageType = types.MessageType.Info) -> None:
        """One line in the editor's log of this server."""
        self.window_log_message(types.LogMessageParams(type=kind, message=message))

    def report_server_error(self, error: Exception, source: Any) -> None:
        """pygls's own failures (a message it cannot read): a line in the log."""
        self.log(f"usmctl server: {type(error).__name__}: {error}", types.MessageType.Error)

    # -- the workspace -------------------------------------------------------

    def open_workspace(self, root: Path, model: Workspace | None = None) -> Workspace:
        """Load the architecture under ``root`` (or take ``model``, loaded) and
        publish its diagnostics; those of the architecture before it are cleared."""
        self.model = model or Workspace(root)
        # The parsed files stay while this architecture is edited: out of the
        # collector's sight, so the collections that follow each check scan
        # only that check's objects (at 1,000 services, 15-35 ms instead of
        # 50-110 ms). Switching architectures first gives the collector back
        # what the last one froze, so its cycles can be freed.
        gc.unfreeze()
        gc.collect()
        gc.freeze()
        for problem in self.model.problems:
            self.log(problem, types.MessageType.Warning)
        self.log(f"usmctl server: checking {root}")
        self.publish()
        return self.model

    def root(self) -> Path | None:
        """The workspace root the client named (its first folder)."""
        for folder in self.workspace.folders.values():
            path = path_of(folder.uri)
            if path is not None:
                return path
        root = self.workspace.root_path
        return Path(root) if root else None

    def model_for(self, path: Path) -> Workspace:
        """The architecture the file at ``path`` belongs to, loaded: the one
        `usmctl validate FILE` reads (the nearest folder above it with a
        usmctl.toml, a [tool.usmctl] table or .git). One architecture is
        checked at a time; a file of another one (another example, another
        architecture of a monorepo) switches to it, with its open buffers."""
        root = architecture_root(path.parent)
        if self.model is not None and self.model.root == root:
            return self.model
        model = Workspace(root)
        for uri, document in self.workspace.text_documents.items():
            other = path_of(uri)
            if other is not None and other.is_relative_to(root) and is_architecture_file(other):
                model.set_text(other, document.source)
        return self.open_workspace(root, model)

    def document_changed(self, uri: str) -> None:
        """An open document's text changed (or it opened, or was saved)."""
        path = path_of(uri)
        if path is None or not is_architecture_file(path):
            return
        model = self.model_for(path)
        model.set_text(path, self.workspace.get_text_document(uri).source)
        self._changed.add(uri)
        self.schedule()

    def schedule(self) -> None:
        """Check the workspace: at once after a quiet spell, else once the
        burst of changes pauses (its last change is never lost)."""
        loop = asyncio.get_running_loop()
        now = loop.time()
        quiet = now - self._last_change >= DEBOUNCE and self._timer is None
        self._last_change = now
        if self._timer is not None:
            self._timer.cancel()
        if quiet:
            self._timer = loop.call_later(GRACE, self._publish_guarded)
        else:
            self._timer = loop.call_later(DEBOUNCE, self._publish_guarded)

    def _publish_guarded(self) -> None:
        self._timer = None
        try:
            self.publish()
        except Exception as error:  # the loop's callback: the one place it can go
            self.log(f"usmctl server: check failed: {_summary(error)}", types.MessageType.Error)

    def publish(self) -> None:
        """Check now; publish diagnostics for every edited document and every
        file whose diagnostics changed (an empty list clears a file)."""
        if self.model is None:
            return
        if self._timer is not None:
            self._timer.cancel()
            self._timer = None
        analysis = self.model.analyse()
        found = Places(analysis, self.workspace.position_codec).diagnostics()
        for uri in self._shown.keys() - found.keys():
            found[uri] = []  # a file gone from the workspace
        changed, self._changed = self._changed, set()
        for uri, diagnostics in found.items():
            if uri not in changed and self._shown.get(uri, []) == diagnostics:
                continue
            document = self.workspace.text_documents.get(uri)
            self.text_document_publish_diagnostics(
                types.PublishDiagnosticsParams(
                    uri=uri,
                    diagnostics=diagnostics,
                    version=None if document is None else document.version,
                )
            )
            if diagnostics:
                self._shown[uri] = diagnostics
            else:
                self._shown.pop(uri, None)

    def current(self) -> Analysis | None:
        """The analysis of the text the editor shows (any pending edit checked now)."""
        if self.model is None:
            return None
        if self.model.dirty:
            self.publish()
        return self.model.analyse()

    def places(self, uri: str) -> tuple[Path, str, Places] | None:
        """A document's path, its name in findings and the places of the
        current analysis (None: a document that is not checked)."""
        path = path_of(uri)
        if path is None:
            return None
        if is_architecture_file(path):
            self.model_for(path)
        analysis = self.current()
        if analysis is None:
            return None
        file = analysis.display(path)
        if file is None:
            return None
        return path, file, Places(analysis, self.workspace.position_codec)

    def here(self, uri: str, position: types.Position) -> tuple[Here, Places] | None:
        """What is at a client's position, and the places of that analysis."""
        found = self.places(uri)
        if found is None:
            return None
        path, file, places = found
        here = places.analysis.here(path, places.point(file, position))
        return None if here is None else (here, places)

    def complete_at(self, uri: str, position: types.Position) -> types.CompletionList | None:
        """What may be written at a position of a YAML architecture file: read
        from the text as typed, offered from the last model that parsed."""
        path = path_of(uri)
        if path is None or file_kind(path.name) != "yaml":
            return None  # USM-WIF (JSON) files name their keys otherwise
        model = self.model_for(path)
        asked = self.client_capabilities.text_document
        completing = None if asked is None else asked.completion
        listed = None if completing is None else completing.completion_list
        return completion.complete(
            self.workspace.get_text_document(uri).source,
            position,
            codec=self.workspace.position_codec,
            indexes=model.completing().indexes,
            catalogue=model.catalogue,
            shared_range=listed is not None and "editRange" in (listed.item_defaults or ()),
        )

    def code_actions(self, params: types.CodeActionParams) -> list[types.CodeAction] | None:
        """The quick fixes for the diagnostics the client sends back."""
        uri = params.text_document.uri
        found = self.places(uri)
        if found is None:
            return None
        _path, file, places = found
        document = self.workspace.text_documents.get(uri)
        workspace = self.client_capabilities.workspace
        edit = None if workspace is None else workspace.workspace_edit
        return actions.quick_fixes(
            params,
            places=places,
            file=file,
            version=None if document is None else document.version,
            document_changes=bool(edit and edit.document_changes),
        )


def _summary(error: Exception) -> str:
    return f"{type(error).__name__}: {error}".splitlines()[0][:300]


def guarded(
    handler: Callable[Concatenate[UsmServer, P], T],
) -> Callable[Concatenate[UsmServer, P], T | None]:
    """A handler whose failure is a line in the log and no answer, never a
    traceback to the client; the server goes on."""

    # functools.wraps keeps the signature pygls reads (its first parameter, ls)
    @functools.wraps(handler)
    def wrapper(ls: UsmServer, *args: P.args, **kwargs: P.kwargs) -> T | None:
        try:
            return handler(ls, *args, **kwargs)
        except Exception as error:
            name = handler.__name__.replace("_", " ")
            ls.log(f"usmctl server: {name} failed: {_summary(error)}", types.MessageType.Error)
            return None

    return wrapper  # type: ignore[return-value]


def build() -> UsmServer:
    """The server with its features registered."""
    server = UsmServer()

    @server.feature(types.INITIALIZED)
    @guarded
    def initialized(ls: UsmServer, params: types.InitializedParams) -> None:
        root = ls.root()
        if root is not None and root.is_dir():
            ls.open_workspace(architecture_root(root))

    @guarded
    def text_changed(
        ls: UsmServer,
        params: types.DidOpenTextDocumentParams
        | types.DidChangeTextDocumentParams
        | types.DidSaveTextDocumentParams,
    ) -> None:
        ls.document_changed(params.text_document.uri)

    for method in (
        types.TEXT_DOCUMENT_DID_OPEN,
        types.TEXT_DOCUMENT_DID_CHANGE,
        types.TEXT_DOCUMENT_DID_SAVE,
    ):
        server.feature(method)(text_changed)

    @server.feature(types.TEXT_DOCUMENT_DID_CLOSE)
    @guarded
    def did_close(ls: UsmServer, params: types.DidCloseTextDocumentParams) -> None:
        path = path_of(params.text_document.uri)
        if ls.model is not None and path is not None:
            ls.model.close(path)
            ls.schedule()

    @server.feature(types.WORKSPACE_DID_CHANGE_WATCHED_FILES)
    @guarded
    def watched_files_changed(ls: UsmServer, params: types.DidChangeWatchedFilesParams) -> None:
        if ls.model is None:
            return
        for change in params.changes:
            path = path_of(change.uri)
            if path is not None and is_architecture_file(path):
                ls.model.reload(path)
        ls.schedule()

    @server.feature(types.TEXT_DOCUMENT_HOVER)
    @guarded
    def hover(ls: UsmServer, params: types.HoverParams) -> types.Hover | None:
        found = ls.here(params.text_document.uri, params.position)
        if found is None:
            return None
        here, places = found
        assert ls.model is not None
        return navigation.hover(here, places, ls.model.settings)

    @server.feature(types.TEXT_DOCUMENT_DEFINITION)
    @guarded
    def definition(ls: UsmServer, params: types.DefinitionParams) -> types.Location | None:
        found = ls.here(params.text_document.uri, params.position)
        return None if found is None else navigation.definition(*found)

    @server.feature(types.TEXT_DOCUMENT_REFERENCES)
    @guarded
    def references(ls: UsmServer, params: types.ReferenceParams) -> list[types.Location] | None:
        found = ls.here(params.text_document.uri, params.position)
        if found is None:
            return None
        here, places = found
        return navigation.references(here, places, declaration=params.context.include_declaration)

    @server.feature(
        types.TEXT_DOCUMENT_COMPLETION,
        types.CompletionOptions(trigger_characters=completion.TRIGGERS),
    )
    @guarded
    def complete(ls: UsmServer, params: types.CompletionParams) -> types.CompletionList | None:
        return ls.complete_at(params.text_document.uri, params.position)

    @server.feature(
        types.TEXT_DOCUMENT_CODE_ACTION,
        types.CodeActionOptions(code_action_kinds=actions.KINDS),
    )
    @guarded
    def code_action(ls: UsmServer, params: types.CodeActionParams) -> list[types.CodeAction] | None:
        return ls.code_actions(params)

    return server


def serve() -> None:
    """Run the server over standard input and output until the client exits."""
    build().start_io()
