"""Serve site folders over HTTP on loopback: the demo news site and test fixtures.

Stdlib only, so tests, benchmarks and ``python -m newsbot.demo.server`` share it
without Scrapy. One folder is one outlet on its own port (``serve_folder``); a
folder of folders is a group of outlets (``serve_sites``) that can link to each
other.

What each path serves (templates, gzip, ETags, 304s, 404s): `newsbot.demo.routes`.
"""

from __future__ import annotations

import argparse
import ipaddress
import logging
import socket
import sys
import threading
import time
from http.server import ThreadingHTTPServer
from pathlib import Path
from typing import TYPE_CHECKING

from newsbot.demo.routes import SiteRequestHandler, render_template

if TYPE_CHECKING:
    from collections.abc import Iterator

    from typing_extensions import Self  # typing.Self is 3.11+

logger = logging.getLogger(__name__)

DEMO_SITE = Path(__file__).with_name("site")


def _loopback_host(host: str) -> str:
    """`host` if it is a loopback IP address ("localhost" means 127.0.0.1)."""
    if host == "localhost":
        return "127.0.0.1"
    try:
        address = ipaddress.ip_address(host)
    except ValueError:
        raise ValueError(f"host must be a loopback IP address, got {host!r}") from None
    if not address.is_loopback:
        raise ValueError(f"refusing to serve on non-loopback address {host!r}")
    return host


class RequestLog:
    """The paths (with query) requested from a server, in order; thread-safe."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._paths: list[str] = []

    def append(self, path: str) -> None:
        with self._lock:
            self._paths.append(path)

    def count(self, path: str) -> int:
        """How many times `path` was requested."""
        with self._lock:
            return self._paths.count(path)

    def clear(self) -> None:
        with self._lock:
            self._paths.clear()

    def snapshot(self) -> list[str]:
        with self._lock:
            return list(self._paths)

    def __len__(self) -> int:
        with self._lock:
            return len(self._paths)

    def __iter__(self) -> Iterator[str]:
        return iter(self.snapshot())

    def __contains__(self, path: object) -> bool:
        with self._lock:
            return path in self._paths

    def __repr__(self) -> str:
        return f"RequestLog({self.snapshot()!r})"


class _SiteHTTPServer(ThreadingHTTPServer):
    daemon_threads = True
    block_on_close = False

    def __init__(self, address: tuple[str, int], folder: Path, bases: dict[str, str]) -> None:
        if ":" in address[0]:
            self.address_family = socket.AF_INET6
        super().__init__(address, SiteRequestHandler)
        self.folder = folder
        self.bases = bases  # shared by a group, filled in before serving starts
        self.requests = RequestLog()
        host, port = self.server_address[:2]
        host = str(host)
        self.base_url = f"http://[{host}]:{port}" if ":" in host else f"http://{host}:{port}"

    def handle_error(self, request: object, client_address: object) -> None:
        # Clients hanging up mid-response are normal for crawlers; stay quiet.
        # (socketserver calls this from inside its except block)
        logger.debug("error serving %s: %r", client_address, sys.exc_info()[1])


class SiteServer:
    """One folder served on one loopback port, in a daemon thread."""

    def __init__(self, httpd: _SiteHTTPServer) -> None:
        self._httpd = httpd
        self._thread: threading.Thread | None = None

    @property
    def base_url(self) -> str:
        """``http://127.0.0.1:PORT``, no trailing slash."""
        return self._httpd.base_url

    @property
    def folder(self) -> Path:
        return self._httpd.folder

    @property
    def requests(self) -> RequestLog:
        """Every path requested so far (404s and 304s included)."""
        return self._httpd.requests

    def url(self, path: str = "/") -> str:
        return self.base_url + "/" + path.lstrip("/")

    def start(self) -> None:
        if self._thread is None:
            self._thread = threading.Thread(
                target=self._httpd.serve_forever,
                kwargs={"poll_interval": 0.1},
                name=f"site-server {self.base_url}",
                daemon=True,
            )
            self._thread.start()

    def stop(self) -> None:
        if self._thread is not None:
            self._httpd.shutdown()
            self._thread.join()
            self._thread = None
        self._httpd.server_close()

    def __enter__(self) -> Self:
        return self

    def __exit__(self, *exc: object) -> None:
        self.stop()

    def __repr__(self) -> str:
        return f"SiteServer({str(self.folder)!r}, {self.base_url!r})"


def _bind(folder: Path, host: str, port: int, bases: dict[str, str]) -> SiteServer:
    folder = Path(folder)
    if not folder.is_dir():
        raise FileNotFoundError(f"site folder {folder} does not exist")
    return SiteServer(_SiteHTTPServer((_loopback_host(host), port), folder, bases))


def serve_folder(folder: Path, host: str = "127.0.0.1", port: int = 0) -> SiteServer:
    """Serve `folder` on `host`:`port` (0: a free port) until ``.stop()``.

    ``{{base:NAME}}`` resolves only for NAME = the folder's own name; use
    `serve_sites` for outlets that link to each other.
    """
    server = _bind(folder, host, port, {})
    server._httpd.bases[Path(folder).name] = server.base_url
    server.start()
    return server


class SiteGroup:
    """Several outlets, each on its own port, sharing their base URLs."""

    def __init__(self, servers: dict[str, SiteServer]) -> None:
        self.servers = servers

    @property
    def bases(self) -> dict[str, str]:
        """Outlet name (its folder name) -> base URL."""
        return {name: server.base_url for name, server in self.servers.items()}

    def __getitem__(self, name: str) -> SiteServer:
        return self.servers[name]

    def render(self, text: str) -> str:
        """Substitute ``{{base:NAME}}`` in `text`, e.g. a ``sources.toml.in``."""
        return render_template(text, "", self.bases)

    def stop(self) -> None:
        for server in self.servers.values():
            server.stop()

    def __enter__(self) -> Self:
        return self

    def __exit__(self, *exc: object) -> None:
        self.stop()


def serve_sites(root: Path, host: str = "127.0.0.1") -> SiteGroup:
    """Serve every subfolder of `root` as an outlet on its own port of `host`."""
    bases: dict[str, str] = {}
    servers: dict[str, SiteServer] = {}
    try:
        folders = (p for p in Path(root).iterdir() if p.is_dir() and p.name[0] not in "._")
        for folder in sorted(folders):
            servers[folder.name] = _bind(folder, host, 0, bases)
    except BaseException:
        for server in servers.values():
            server.stop()
        raise
    if not servers:
        raise FileNotFoundError(f"no site folders under {root}")
    bases.update({name: server.base_url for name, server in servers.items()})
    for server in servers.values():
        server.start()
    return SiteGroup(servers)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m newsbot.demo.server",
        description="Serve a folder of outlets (one port each) on 127.0.0.1 until Ctrl-C.",
    )
    parser.add_argument(
        "root",
        nargs="?",
        type=Path,
        default=DEMO_SITE,
        help="folder of outlet folders (default: the bundled demo site)",
    )
    parser.add_argument("--host", default="127.0.0.1", help="loopback address to bind")
    args = parser.parse_args(argv)
    try:
        group = serve_sites(args.root, host=args.host)
    except (OSError, ValueError) as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    with group:
        for name, base in group.bases.items():
            print(f"{name:12} {base}/", flush=True)
        print("Ctrl-C to stop.", flush=True)
        try:
            while True:
                time.sleep(3600)
        except KeyboardInterrupt:
            pass
    return 0


if __name__ == "__main__":
    sys.exit(main())
