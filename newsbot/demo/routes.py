"""What the demo server answers for a path: files of the outlet's folder, rendered.

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

import email.utils
import gzip
import hashlib
import mimetypes
import re
from http import HTTPStatus
from http.server import BaseHTTPRequestHandler
from pathlib import Path
from typing import TYPE_CHECKING, cast
from urllib.parse import unquote, urlsplit

if TYPE_CHECKING:
    from collections.abc import Mapping

    from newsbot.demo.server import _SiteHTTPServer

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


def _served_name(target: Path) -> Path:
    """The name `target` is served under: NAME.gz for NAME.gz.in, else its own."""
    if target.name.endswith(".gz" + GZIP_TEMPLATE_SUFFIX):
        return target.with_name(target.name[: -len(GZIP_TEMPLATE_SUFFIX)])
    return target


class SiteRequestHandler(BaseHTTPRequestHandler):
    server_version = "newsbot-demo/1"
    protocol_version = "HTTP/1.1"

    def log_message(self, format: str, *args: object) -> None:
        pass

    def do_HEAD(self) -> None:
        self._respond(send_body=False)

    def do_GET(self) -> None:
        self._respond(send_body=True)

    def _respond(self, send_body: bool) -> None:
        server = cast("_SiteHTTPServer", self.server)
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
