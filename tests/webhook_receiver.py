"""A real webhook receiver for tests: an HTTP server in a thread on 127.0.0.1 that records every POST."""

from __future__ import annotations

import json
import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer


class Receiver:
    """An HTTP server in a thread that records every POST and answers with the statuses it is told (then 200)."""

    def __init__(self) -> None:
        self.requests: list[tuple[dict[str, str], bytes]] = []
        self.answers: list[int] = []
        self.received = threading.Condition()
        receiver = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:
                body = self.rfile.read(int(self.headers["Content-Length"]))
                with receiver.received:
                    receiver.requests.append((dict(self.headers), body))
                    status = receiver.answers.pop(0) if receiver.answers else 200
                    receiver.received.notify_all()
                self.send_response(status)
                self.send_header("Content-Length", "0")
                self.end_headers()

            def log_message(self, *args: object) -> None:
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_port}/hooks/preplan"
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)
        self.thread.start()

    def bodies(self) -> list[dict]:
        return [json.loads(body) for _, body in self.requests]

    def wait_for(self, count: int, timeout: float = 20.0) -> bool:
        with self.received:
            return self.received.wait_for(lambda: len(self.requests) >= count, timeout)

    def close(self) -> None:
        if self.thread.is_alive():
            self.server.shutdown()
            self.server.server_close()
            self.thread.join()


def serving() -> Iterator[Receiver]:
    server = Receiver()
    try:
        yield server
    finally:
        server.close()
