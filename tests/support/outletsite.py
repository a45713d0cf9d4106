"""Sixteen news outlets on sixteen loopback hosts (127.0.0.2 ... 127.0.0.17), for the
shared-frontier tests: per-site state keys on the host without the port, so separate
sites need separate addresses.

Each outlet has its own template (a masthead and a footer paragraph on every page), a
sitemap (its start URL) and about 34 articles; each story runs on 3 outlets, nearly word
for word, so dedup has copies to find across workers. One outlet's sitemap answers
slowly (a slow start page). Every request is logged with its time, host, path and
User-Agent, so tests count fetches per page and per host.
"""

from __future__ import annotations

import random
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import datetime, timedelta, timezone
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

from support.sitegen import paragraph

OUTLETS = 16
STORIES = 180
COPIES = 3  # outlets per story: 540 article pages
SLOW_OUTLET = 5  # its sitemap takes SLOW_SECONDS
SLOW_SECONDS = 2.0
HTML = "text/html; charset=utf-8"


@dataclass(frozen=True)
class Hit:
    at: float
    host: str
    path: str
    agent: str


@dataclass
class AccessLog:
    hits: list[Hit] = field(default_factory=list)
    lock: threading.Lock = field(default_factory=threading.Lock)

    def add(self, hit: Hit) -> None:
        with self.lock:
            self.hits.append(hit)

    def articles(self) -> list[Hit]:
        with self.lock:
            return [h for h in self.hits if "/story/" in h.path]


def story_outlets(story: int) -> list[int]:
    return [(story * 5 + k * 7) % OUTLETS for k in range(COPIES)]


def build_pages(outlet: int, base: str) -> dict[str, bytes]:
    """The pages of one outlet: /sitemap.xml and /story/<n>.html for its stories."""
    name = f"Outlet {outlet:02d}"
    masthead = paragraph(random.Random(1000 + outlet))
    footer = paragraph(random.Random(2000 + outlet))
    start = datetime(2025, 12, 1, 6, 0, tzinfo=timezone.utc)
    pages: dict[str, bytes] = {}
    for story in range(STORIES):
        if outlet not in story_outlets(story):
            continue
        rng = random.Random(story)
        title = " ".join(
            rng.choice(
                [
                    "Talks",
                    "Markets",
                    "Storm",
                    "Vote",
                    "Court",
                    "Strike",
                    "Budget",
                    "Summit",
                    "Rates",
                    "Floods",
                ]
            )
            for _ in range(5)
        )
        body = "\n".join(f"<p>{paragraph(rng)}</p>" for _ in range(6))
        when = start + timedelta(minutes=11 * story)
        pages[f"/story/{story:04d}.html"] = f"""<!doctype html><html lang="en"><head>
<meta charset="utf-8"><title>{title} | {name}</title><meta property="og:type" content="article">
<meta property="article:published_time" content="{when.isoformat()}"></head>
<body><header><p>{masthead}</p></header><main><article><h1>{title}</h1>
{body}</article></main><footer><p>{footer}</p></footer></body></html>""".encode()
    urls = "".join(f"<url><loc>{base}{path}</loc></url>" for path in sorted(pages))
    pages["/sitemap.xml"] = (
        f'<?xml version="1.0"?><urlset xmlns="http://www.sitemaps.org/'
        f'schemas/sitemap/0.9">{urls}</urlset>'
    ).encode()
    return pages


def _handler(pages: dict[str, bytes], log: AccessLog, slow: float) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        def do_GET(self) -> None:
            host = self.server.server_address[0]  # type: ignore[index]
            log.add(Hit(time.time(), str(host), self.path, self.headers.get("User-Agent") or ""))
            body = pages.get(self.path)
            if body is None:
                self.send_error(404)
                return
            if slow and self.path == "/sitemap.xml":
                time.sleep(slow)
            self.send_response(200)
            self.send_header(
                "Content-Type", "application/xml" if self.path.endswith(".xml") else HTML
            )
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, format: str, *args: Any) -> None:
            pass

    return Handler


@dataclass
class Outlets:
    bases: list[str]
    log: AccessLog

    @property
    def start_urls(self) -> str:
        return ",".join(f"{b}/sitemap.xml" for b in self.bases)


@contextmanager
def serve_outlets(slow: float = SLOW_SECONDS) -> Iterator[Outlets]:
    log = AccessLog()
    servers: list[ThreadingHTTPServer] = []
    bases: list[str] = []
    try:
        for n in range(OUTLETS):
            host = f"127.0.0.{n + 2}"
            pages: dict[str, bytes] = {}
            server = ThreadingHTTPServer(
                (host, 0), _handler(pages, log, slow if n == SLOW_OUTLET else 0.0)
            )
            base = f"http://{host}:{server.server_port}"
            pages.update(build_pages(n, base))
            threading.Thread(target=server.serve_forever, daemon=True).start()
            servers.append(server)
            bases.append(base)
        yield Outlets(bases, log)
    finally:
        for server in servers:
            server.shutdown()
            server.server_close()
