"""The server's error boundary, in process: a failing handler is one line in
the client's log and no answer, never a traceback."""

from __future__ import annotations

from lsprotocol import types

from usmctl.server.app import UsmServer, guarded


class _Recording(UsmServer):
    def __init__(self) -> None:
        super().__init__()
        self.lines: list[tuple[types.MessageType, str]] = []

    def log(self, message: str, kind: types.MessageType = types.MessageType.Info) -> None:
        self.lines.append((kind, message))


def test_a_failing_handler_is_one_line_in_the_log_and_no_answer() -> None:
    server = _Recording()

    @guarded
    def hover(ls: UsmServer, params: object) -> str:
        raise ValueError("bad state\nTraceback (most recent call last): ...")

    assert hover(server, None) is None
    assert server.lines == [
        (types.MessageType.Error, "usmctl server: hover failed: ValueError: bad state")
    ]
