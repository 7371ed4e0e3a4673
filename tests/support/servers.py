"""A local HTTP server that records requests: proves usmctl fetched nothing."""

from __future__ import annotations

import threading
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer


class _Recorder(BaseHTTPRequestHandler):
    """Answers every GET with ``body`` (a JSON schema) and records the request."""

    requests: list[str]
    body: bytes

    def do_GET(self) -> None:
        type(self).requests.append(f"{self.command} {self.path}")
        self.send_response(200)
        self.send_header("Content-Type", "application/schema+json")
        self.send_header("Content-Length", str(len(self.body)))
        self.end_headers()
        self.wfile.write(self.body)

    def log_message(self, *args: object) -> None:
        """Quiet: the test reads ``requests``."""


@contextmanager
def recording_server(body: bytes = b"{}") -> Iterator[tuple[str, list[str]]]:
    """A server on 127.0.0.1: its base URL and the requests it received, which
    starts empty after one request from the test proves it answers."""
    handler = type("Handler", (_Recorder,), {"requests": [], "body": body})
    httpd = ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    base = f"http://127.0.0.1:{httpd.server_address[1]}"
    try:
        opener = urllib.request.build_opener(urllib.request.ProxyHandler({}))
        with opener.open(f"{base}/probe.json", timeout=5) as answer:
            assert answer.read() == body
        assert handler.requests == ["GET /probe.json"]
        handler.requests.clear()
        yield base, handler.requests
    finally:
        httpd.shutdown()
        httpd.server_close()
        thread.join(5)
