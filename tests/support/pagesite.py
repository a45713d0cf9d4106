"""A site of pages held in memory, served for real on a loopback address (port 0, threads).

For tests that need a few exact documents (a feed with a BOM, a robots.txt with odd
lines, pages served in zstd) rather than a site folder on disk.
"""

from __future__ import annotations

import sys
import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

if sys.version_info >= (3, 14):
    from compression import zstd
else:
    from backports import zstd

Pages = dict[str, tuple[str, bytes]]  # path -> (Content-Type, body)


def _handler(pages: Pages, zstd_bodies: bool) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        def do_GET(self) -> None:
            if self.path not in pages:
                self.send_error(404)
                return
            ctype, body = pages[self.path]
            self.send_response(200)
            if zstd_bodies and "zstd" in (self.headers.get("Accept-Encoding") or ""):
                body = zstd.compress(body)
                self.send_header("Content-Encoding", "zstd")
            self.send_header("Content-Type", ctype)
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, format: str, *args: Any) -> None:
            pass

    return Handler


@contextmanager
def serve_pages(
    host: str, make_pages: Callable[[str], Pages], *, zstd_bodies: bool = False
) -> Iterator[str]:
    """Serve the pages `make_pages(base_url)` returns on `host`; yields the base URL."""
    pages: Pages = {}
    server = ThreadingHTTPServer((host, 0), _handler(pages, zstd_bodies))
    base = f"http://{host}:{server.server_port}"
    pages.update(make_pages(base))
    threading.Thread(target=server.serve_forever, daemon=True).start()
    try:
        yield base
    finally:
        server.shutdown()
        server.server_close()
