"""The fault site's HTTP server: a threading server whose handler serves the routes."""

from __future__ import annotations

import shutil
import tempfile
import threading
from collections import Counter
from collections.abc import Callable
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import TYPE_CHECKING, Any
from urllib.parse import unquote, urlsplit

from support.faultsite.content import SECRET, listing_html
from support.faultsite.routes import build_routes, chain_hop, page
from support.faultsite.traps import Trap

if TYPE_CHECKING:
    from types import TracebackType
    from typing import Self

Route = Callable[["FaultHandler"], None]


class FaultHandler(BaseHTTPRequestHandler):
    server: FaultServer
    protocol_version = "HTTP/1.1"

    def log_message(self, format: str, *args: Any) -> None:  # quiet
        pass

    def do_GET(self) -> None:
        path = unquote(urlsplit(self.path).path)
        site = self.server.site
        with site.lock:
            site.hits[path] += 1
        route = site.route(path)
        if route is None:
            self.send_body(404, b"<html><body><h1>Not found</h1></body></html>")
        else:
            route(self)

    def send_body(
        self,
        status: int,
        body: bytes,
        ctype: str = "text/html; charset=utf-8",
        headers: dict[str, str] | None = None,
    ) -> None:
        self.send_response(status)
        self.send_header("Content-Type", ctype)
        self.send_header("Content-Length", str(len(body)))
        for key, value in (headers or {}).items():
            self.send_header(key, value)
        self.end_headers()
        try:
            self.wfile.write(body)
        except OSError:  # the crawler gave up (size limit, timeout): expected
            self.close_connection = True


class FaultServer(ThreadingHTTPServer):
    daemon_threads = True
    site: FaultSite

    def handle_error(self, request: Any, client_address: Any) -> None:
        """Clients that hang up mid-response are part of the game: no traceback."""


class FaultSite:
    """The hostile news site, with a trap beside it; a context manager."""

    def __init__(self, host: str = "127.0.0.1", *, remote_links: bool = True) -> None:
        self.host = host
        self.remote_links = remote_links  # link to hosts outside 127.0.0.0/8 (isolated crawls only)
        self.hits: Counter[str] = Counter()
        self.lock = threading.Lock()
        self.stop = threading.Event()
        self.trap = Trap()
        self.port_trap = Trap(host)  # the site's own host, another port: a service nobody named
        self.tmp = Path(tempfile.mkdtemp(prefix="faultsite-"))
        self.secret = self.tmp / "secret.txt"
        self.secret.write_text(SECRET + "\n", encoding="utf-8")
        self.server = FaultServer((host, 0), FaultHandler)
        self.server.site = self
        self.routes: dict[str, Route] = {}
        self._thread: threading.Thread | None = None

    # lifecycle
    def __enter__(self) -> Self:
        self.trap.start()
        self.port_trap.start()
        self.routes = build_routes(self)
        self._thread = threading.Thread(
            target=self.server.serve_forever,
            kwargs={"poll_interval": 0.1},
            name="faultsite",
            daemon=True,
        )
        self._thread.start()
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.stop.set()
        self.server.shutdown()
        self.server.server_close()
        self.trap.stop()
        self.port_trap.stop()
        shutil.rmtree(self.tmp, ignore_errors=True)

    @property
    def base(self) -> str:
        return f"http://{self.host}:{self.server.server_address[1]}"

    @property
    def port(self) -> int:
        return int(self.server.server_address[1])

    def url(self, path: str) -> str:
        return self.base + path

    def route(self, path: str) -> Route | None:
        if path in self.routes:
            return self.routes[path]
        if path.startswith("/section/bulk-"):
            return page(listing_html("Bulk section", []))
        if path.startswith("/redirect/chain/"):
            return chain_hop
        return None

    def render(self, text: str) -> str:
        return (
            text.replace("@BASE@", self.base)
            .replace("@TRAP@", self.trap.base)
            .replace("@PORTTRAP@", self.port_trap.base)
            .replace("@SECRET@", str(self.secret))
        )

    def report(self) -> dict[str, Any]:
        with self.lock:
            hits = dict(self.hits)
        return {
            "base": self.base,
            "trap": self.trap.base,
            "port_trap": self.port_trap.base,
            "hits": hits,
            "trap_connections": self.trap.connections,
            "port_trap_connections": self.port_trap.connections,
        }
