"""A local stand-in for Sotkanet's REST API: serves tests/fixtures/sotkanet/ from 127.0.0.1 (no network).

``faults`` makes one indicator (or the regions list) answer badly: an HTTP status, a file from
``bad/``, a delay longer than the client's timeout, or a 404 for a missing indicator.
"""

from __future__ import annotations

import json
import threading
import time
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from urllib.parse import parse_qs, urlparse

FIXTURES = Path(__file__).resolve().parent / "fixtures" / "sotkanet"


@dataclass
class Fault:
    """How one answer goes wrong: a status, a stored bad body, or a delay (seconds)."""

    status: int = 200
    body_file: str | None = None
    delay: float = 0.0


@dataclass
class SotkanetStub:
    """The running server: its base URL, the requests it got, and the faults to answer with."""

    url: str = ""
    requests: list[str] = field(default_factory=list)
    user_agents: list[str] = field(default_factory=list)
    faults: dict[str, Fault] = field(default_factory=dict)  # "regions", "data:289", "indicator:289"

    def fault(self, where: str, **kw: object) -> None:
        self.faults[where] = Fault(**kw)  # type: ignore[arg-type]


def start(stub: SotkanetStub | None = None) -> tuple[SotkanetStub, ThreadingHTTPServer]:
    """Start the server on a free port in a daemon thread."""
    stub = stub or SotkanetStub()
    regions = (FIXTURES / "regions.json").read_bytes()
    indicators = json.loads((FIXTURES / "indicators.json").read_text(encoding="utf-8"))
    data = json.loads((FIXTURES / "data.json").read_text(encoding="utf-8"))

    class Handler(BaseHTTPRequestHandler):
        def log_message(self, *args: object) -> None:  # quiet
            pass

        def _send(self, status: int, body: bytes, kind: str = "application/json") -> None:
            self.send_response(status)
            self.send_header("Content-Type", kind)
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def _faulty(self, where: str) -> bool:
            f = stub.faults.get(where)
            if f is None:
                return False
            if f.delay:
                time.sleep(f.delay)
            if f.body_file:
                body = (FIXTURES / "bad" / f.body_file).read_bytes()
                self._send(f.status, body, "text/html" if f.body_file.endswith(".html") else "application/json")
            else:
                self._send(f.status, b'{"error": "stub"}')
            return True

        def do_GET(self) -> None:
            stub.requests.append(self.path)
            stub.user_agents.append(self.headers.get("User-Agent", ""))
            parsed = urlparse(self.path)
            query = parse_qs(parsed.query)
            path = parsed.path
            if path == "/rest/1.1/regions":
                if not self._faulty("regions"):
                    self._send(200, regions)
                return
            if path.startswith("/rest/1.1/indicators/"):
                sid = path.rsplit("/", 1)[-1]
                if self._faulty(f"indicator:{sid}"):
                    return
                if sid not in indicators:
                    self._send(404, b'{"error": "not found"}')
                    return
                self._send(200, json.dumps(indicators[sid]).encode())
                return
            if path == "/rest/1.1/json":
                sid = (query.get("indicator") or [""])[0]
                if self._faulty(f"data:{sid}"):
                    return
                if sid not in data:
                    self._send(404, b'{"error": "not found"}')
                    return
                years = {int(y) for y in query.get("years", [])}
                # every gender, whatever was asked: the fetch must leave the others out itself
                rows = [r for r in data[sid] if r["year"] in years]
                self._send(200, json.dumps(rows).encode())
                return
            self._send(404, b"{}")

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    server.daemon_threads = True
    threading.Thread(target=server.serve_forever, daemon=True).start()
    stub.url = f"http://127.0.0.1:{server.server_address[1]}"
    return stub, server


if __name__ == "__main__":  # for screenshots: python -m tests.sotkanet_server
    s, srv = start()
    print(s.url, flush=True)
    try:
        while True:
            time.sleep(3600)
    except KeyboardInterrupt:
        srv.shutdown()
