"""A tiny stand-in for the agent's HTTP API (http.server), for tests of the client's parsing."""

from __future__ import annotations

import json
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any, Callable, Dict, List, Optional, Tuple
from urllib.parse import parse_qsl, urlsplit

Handler = Callable[["FakeRequest"], None]


class FakeRequest:
    """One request as the fake saw it, with helpers to answer it."""

    def __init__(self, handler: BaseHTTPRequestHandler, body: bytes):
        self._h = handler
        parts = urlsplit(handler.path)
        self.method = handler.command
        self.path = parts.path
        self.query: List[Tuple[str, str]] = parse_qsl(parts.query, keep_blank_values=True)
        self.headers = handler.headers
        self.body = body
        self.json: Any = json.loads(body) if body else None

    def reply(self, status: int, obj: Any, content_type: str = "application/json") -> None:
        data = obj if isinstance(obj, bytes) else json.dumps(obj).encode("utf-8")
        self._h.send_response(status)
        self._h.send_header("Content-Type", content_type)
        self._h.send_header("Content-Length", str(len(data)))
        self._h.end_headers()
        self._h.wfile.write(data)

    def error(self, status: int, code: str, message: str) -> None:
        self.reply(status, {"code": code, "message": message})

    def start_chunked(self, content_type: str) -> None:
        self._h.send_response(200)
        self._h.send_header("Content-Type", content_type)
        self._h.send_header("Transfer-Encoding", "chunked")
        self._h.end_headers()

    def chunk(self, data: bytes) -> None:
        self._h.wfile.write(b"%x\r\n%s\r\n" % (len(data), data))
        self._h.wfile.flush()

    def end_chunked(self) -> None:
        self._h.wfile.write(b"0\r\n\r\n")
        self._h.wfile.flush()


class FakeAgent:
    """Serves routes registered as ``fake.routes[("GET", "/v1/members")] = handler``.

    Unregistered routes answer 404 ``not_found``. Every request is recorded in ``requests``.
    """

    def __init__(self) -> None:
        self.routes: Dict[Tuple[str, str], Handler] = {}
        self.requests: List[FakeRequest] = []
        fake = self

        class _H(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def log_message(self, *args: Any) -> None:
                pass

            def _handle(self) -> None:
                length = int(self.headers.get("Content-Length") or 0)
                body = self.rfile.read(length) if length else b""
                req = FakeRequest(self, body)
                fake.requests.append(req)
                route = fake.routes.get((req.method, req.path))
                try:
                    if route is None:
                        req.error(404, "not_found", f"no route {req.method} {req.path}")
                    else:
                        route(req)
                except (BrokenPipeError, ConnectionResetError):
                    pass
                self.close_connection = True

            do_GET = do_POST = do_PUT = do_DELETE = _handle

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), _H)
        self.server.daemon_threads = True
        self.url = "http://127.0.0.1:%d" % self.server.server_address[1]
        self._thread = threading.Thread(target=self.server.serve_forever, args=(0.05,), daemon=True)
        self._thread.start()

    def last(self) -> FakeRequest:
        return self.requests[-1]

    def close(self) -> None:
        self.server.shutdown()
        self.server.server_close()

    def answer(self, method: str, path: str, obj: Any, status: int = 200) -> None:
        self.routes[(method, path)] = lambda r: r.reply(status, obj)

    def on(self, method: str, path: str, fn: Optional[Handler]) -> None:
        if fn is None:
            self.routes.pop((method, path), None)
        else:
            self.routes[(method, path)] = fn
