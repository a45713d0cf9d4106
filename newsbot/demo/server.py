"""Serve site folders over HTTP on loopback: the demo news site and test fixtures.

Stdlib only, so tests, benchmarks and ``python -m newsbot.demo.server`` share it
without Scrapy. One folder is one outlet on its own port (``serve_folder``); a
folder of folders is a group of outlets (``serve_sites``) that can link to each
other.

Text files (``.html .htm .xml .txt .rss .atom .json``, and extensionless files,
served as HTML, XML or plain text after a look at their first bytes, so URLs
like ``/en/europe/20251215-some-slug`` can be files) are templates, rendered on
every request:

- ``{{base}}`` becomes the serving outlet's base URL (``http://127.0.0.1:PORT``);
- ``{{base:NAME}}`` becomes the base URL of outlet NAME of the same group
  (an outlet always knows its own folder name). Unknown names are left as they
  are, so a test looking for ``{{`` in served text finds them.

A file named ``NAME.gz.in`` is a text template served at ``NAME.gz``: rendered,
then gzipped (with a fixed gzip mtime, so the bytes and ETag are stable). Other
files, ``.gz`` ones included, are served as they are on disk.

Responses carry ``Last-Modified`` (the file's mtime) and an ``ETag`` of the body
as served; ``If-None-Match`` and ``If-Modified-Since`` answer 304, with
``If-None-Match`` taking precedence (RFC 9110). Directory paths serve their
``index.html`` (a directory path without its trailing slash is redirected),
missing files are 404, and nothing is logged per request.
"""

from __future__ import annotations

import argparse
import email.utils
import gzip
import hashlib
import ipaddress
import logging
import mimetypes
import re
import socket
import sys
import threading
import time
from http import HTTPStatus
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import TYPE_CHECKING, cast
from urllib.parse import unquote, urlsplit

if TYPE_CHECKING:
    from collections.abc import Iterator, Mapping
    from typing_extensions import Self  # typing.Self is 3.11+

logger = logging.getLogger(__name__)

DEMO_SITE = Path(__file__).with_name("site")
TEMPLATE_SUFFIXES = frozenset({".html", ".htm", ".xml", ".txt", ".rss", ".atom", ".json"})
GZIP_TEMPLATE_SUFFIX = ".in"  # NAME.gz.in on disk is served, rendered and gzipped, at NAME.gz

CONTENT_TYPES = {
    ".html": "text/html; charset=utf-8",
    ".htm": "text/html; charset=utf-8",
    ".xml": "application/xml",
    ".rss": "application/rss+xml",
    ".atom": "application/atom+xml",
    ".txt": "text/plain; charset=utf-8",
    ".json": "application/json",
    ".gz": "application/gzip",
    ".css": "text/css; charset=utf-8",
    ".js": "text/javascript; charset=utf-8",
    ".svg": "image/svg+xml",
    ".png": "image/png",
}
_TEMPLATE = re.compile(r"\{\{base(?::([A-Za-z0-9_.-]+))?\}\}")
_FEED_ROOT = re.compile(rb"<(rss|feed)[\s>]")


def render_template(text: str, base: str, bases: Mapping[str, str] | None = None) -> str:
    """Replace ``{{base}}`` by `base` and ``{{base:NAME}}`` by ``bases[NAME]``.

    Also what the crawl uses on ``sources.toml.in``, where `base` may be "".
    """
    others = bases or {}

    def substitute(match: re.Match[str]) -> str:
        name = match.group(1)
        if name is None:
            return base
        return others.get(name, match.group(0))

    return _TEMPLATE.sub(substitute, text)


def content_type(path: Path, body: bytes = b"") -> str:
    """The Content-Type for a file served from `path` (the name as served).

    ``.xml`` files whose root is ``<rss>`` or ``<feed>`` are served as feeds.
    """
    suffix = path.suffix.lower()
    if suffix == "":
        return _sniff(body)
    if suffix == ".xml":
        match = _FEED_ROOT.search(body[:1024])
        if match is not None:
            return "application/rss+xml" if match.group(1) == b"rss" else "application/atom+xml"
    if suffix in CONTENT_TYPES:
        return CONTENT_TYPES[suffix]
    guessed, _ = mimetypes.guess_type(path.name)
    return guessed or "application/octet-stream"


def _sniff(body: bytes) -> str:
    """The Content-Type of an extensionless file, from its first bytes."""
    start = body[:256].lstrip().lower()
    if start.startswith((b"<!doctype html", b"<html")):
        return "text/html; charset=utf-8"
    if start.startswith(b"<?xml"):
        return content_type(Path("x.xml"), body)
    return "text/plain; charset=utf-8"


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


def _served_name(target: Path) -> Path:
    """The name `target` is served under: NAME.gz for NAME.gz.in, else its own."""
    if target.name.endswith(".gz" + GZIP_TEMPLATE_SUFFIX):
        return target.with_name(target.name[: -len(GZIP_TEMPLATE_SUFFIX)])
    return target


class _SiteHTTPServer(ThreadingHTTPServer):
    daemon_threads = True
    block_on_close = False

    def __init__(self, address: tuple[str, int], folder: Path, bases: dict[str, str]) -> None:
        if ":" in address[0]:
            self.address_family = socket.AF_INET6
        super().__init__(address, _SiteRequestHandler)
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


class _SiteRequestHandler(BaseHTTPRequestHandler):
    server_version = "newsbot-demo/1"
    protocol_version = "HTTP/1.1"

    def log_message(self, format: str, *args: object) -> None:
        pass

    def do_HEAD(self) -> None:
        self._respond(send_body=False)

    def do_GET(self) -> None:
        self._respond(send_body=True)

    def _respond(self, send_body: bool) -> None:
        server = cast(_SiteHTTPServer, self.server)
        server.requests.append(self.path)
        url_path = unquote(urlsplit(self.path).path)
        target = self._resolve(server.folder, url_path)
        if target is None:
            self._send_plain(HTTPStatus.NOT_FOUND, b"404 Not Found\n", send_body)
            return
        if target.is_dir():
            query = urlsplit(self.path).query
            location = url_path + "/" + ("?" + query if query else "")
            self.send_response(HTTPStatus.MOVED_PERMANENTLY)
            self.send_header("Location", location)
            self.send_header("Content-Length", "0")
            self.end_headers()
            return
        body = self._body(server, target)
        mtime = int(target.stat().st_mtime)
        etag = '"' + hashlib.sha1(body).hexdigest()[:20] + '"'
        if self._not_modified(etag, mtime):
            self.send_response(HTTPStatus.NOT_MODIFIED)
            self.send_header("ETag", etag)
            self.send_header("Last-Modified", email.utils.formatdate(mtime, usegmt=True))
            self.end_headers()
            return
        self.send_response(HTTPStatus.OK)
        self.send_header("Content-Type", content_type(_served_name(target), body))
        self.send_header("Content-Length", str(len(body)))
        self.send_header("Last-Modified", email.utils.formatdate(mtime, usegmt=True))
        self.send_header("ETag", etag)
        self.send_header("Cache-Control", "max-age=60")
        self.end_headers()
        if send_body:
            self.wfile.write(body)

    @staticmethod
    def _resolve(folder: Path, url_path: str) -> Path | None:
        """The file (or directory, to redirect) serving `url_path`, None if absent."""
        root = folder.resolve()
        candidate = (root / url_path.lstrip("/")).resolve()
        if candidate != root and root not in candidate.parents:
            return None  # ../ escapes
        if candidate.is_dir():
            if not url_path.endswith("/"):
                return candidate
            index = candidate / "index.html"
            return index if index.is_file() else None
        if candidate.is_file():
            # a NAME.gz.in template has one URL, NAME.gz
            return None if _served_name(candidate) != candidate else candidate
        template = candidate.with_name(candidate.name + GZIP_TEMPLATE_SUFFIX)
        if candidate.suffix == ".gz" and template.is_file():
            return template
        return None

    @staticmethod
    def _body(server: _SiteHTTPServer, target: Path) -> bytes:
        data = target.read_bytes()
        gzipped = _served_name(target) != target
        if gzipped or target.suffix.lower() in TEMPLATE_SUFFIXES or not target.suffix:
            text = render_template(data.decode("utf-8"), server.base_url, server.bases)
            data = text.encode("utf-8")
        if gzipped:
            data = gzip.compress(data, mtime=0)
        return data

    def _not_modified(self, etag: str, mtime: int) -> bool:
        if_none_match = self.headers.get("If-None-Match")
        if if_none_match is not None:
            tags = {tag.strip().removeprefix("W/") for tag in if_none_match.split(",")}
            return etag in tags or "*" in tags
        if_modified_since = self.headers.get("If-Modified-Since")
        if if_modified_since is None:
            return False
        try:
            since = email.utils.parsedate_to_datetime(if_modified_since)
        except (TypeError, ValueError):
            return False
        return mtime <= since.timestamp()

    def _send_plain(self, status: HTTPStatus, body: bytes, send_body: bool) -> None:
        self.send_response(status)
        self.send_header("Content-Type", "text/plain; charset=utf-8")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        if send_body:
            self.wfile.write(body)


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
