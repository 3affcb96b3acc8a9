"""A local HTTP server on 127.0.0.1 that records each POST and answers like a group bot."""

from __future__ import annotations

import json
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer


@dataclass(frozen=True)
class Request:
    path: str  # with the query string
    body: dict


@contextmanager
def bot_server(answers: dict[str, dict]) -> Iterator[tuple[str, list[Request]]]:
    """(base URL, requests): a POST to /<name> is answered with `answers[name]` as JSON."""
    requests: list[Request] = []

    class Handler(BaseHTTPRequestHandler):
        def do_POST(self) -> None:
            length = int(self.headers["Content-Length"])
            requests.append(Request(self.path, json.loads(self.rfile.read(length))))
            name = self.path.split("?")[0].strip("/")
            body = json.dumps(answers.get(name, {"errcode": 404})).encode()
            self.send_response(200)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, *args) -> None:  # keep the test output clean
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}", requests
    finally:
        server.shutdown()
        server.server_close()
        thread.join(timeout=10)
