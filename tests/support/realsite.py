"""A news site the tests did not write: the benchmark's real article pages,
served locally under their original paths, with a sitemap, an RSS feed, a
home page and section pages generated around them."""

from __future__ import annotations

import gzip
import json
import re
from datetime import datetime, timedelta, timezone
from email.utils import format_datetime
from pathlib import Path
from urllib.parse import urlsplit
from xml.sax.saxutils import escape


def _local_path(url: str, taken: set[str]) -> str:
    path = urlsplit(url).path or "/"
    path = re.sub(r"[^A-Za-z0-9/._-]", "-", path).rstrip("/")
    if not path or path == "/":
        path = "/article"
    if not re.search(r"\.html?$", path):
        path += "/index.html" if not re.search(r"[-_]", path.rsplit("/", 1)[-1]) else ".html"
    while path in taken:
        path = path.replace(".html", "-2.html")
    taken.add(path)
    return path


def build(bench: Path, target: Path, limit: int | None = None) -> dict[str, str]:
    """Write the site into `target`; returns {local path: original url} of the articles."""
    truth = json.loads((bench / "ground-truth.json").read_text(encoding="utf-8"))
    keys = sorted(truth)[:limit]
    pages: dict[str, str] = {}
    taken: set[str] = set()
    for key in keys:
        path = _local_path(truth[key]["url"], taken)
        html = gzip.decompress((bench / "html" / f"{key}.html.gz").read_bytes())
        out = target / path.lstrip("/")
        out.parent.mkdir(parents=True, exist_ok=True)
        out.write_bytes(html)
        pages[path] = truth[key]["url"]
    _write_indexes(target, list(pages))
    return pages


def _write_indexes(target: Path, paths: list[str]) -> None:
    start = datetime(2025, 12, 1, 8, 0, tzinfo=timezone.utc)
    half = len(paths) // 2
    urls = "".join(
        f"<url><loc>{{{{base}}}}{escape(p)}</loc><lastmod>{(start + timedelta(hours=i)).isoformat()}</lastmod></url>"
        for i, p in enumerate(paths[:half])
    )
    (target / "sitemap.xml").write_text(
        '<?xml version="1.0" encoding="UTF-8"?>\n'
        f'<urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">{urls}</urlset>\n'
    )
    items = "".join(
        f"<item><title>Story {i}</title><link>{{{{base}}}}{escape(p)}</link>"
        f"<pubDate>{format_datetime(start + timedelta(hours=i))}</pubDate></item>"
        for i, p in enumerate(paths[half:])
    )
    (target / "rss.xml").write_text(
        '<?xml version="1.0" encoding="UTF-8"?>\n<rss version="2.0"><channel><title>Local news</title>'
        f"<link>{{{{base}}}}/</link>{items}</channel></rss>\n"
    )
    sections = ["world", "business", "politics"]
    links = "".join(f'<li><a href="/{s}/">{s.title()}</a></li>' for s in sections)
    (target / "index.html").write_text(
        f"<!doctype html><html><head><title>Local news</title>"
        f'<meta property="og:type" content="website"></head><body><nav><ul>{links}</ul></nav>'
        f"<h1>Local news</h1></body></html>\n"
    )
    for n, section in enumerate(sections):
        chunk = paths[n :: len(sections)][:20]
        items_html = "".join(f'<li><a href="{p}">Story {i}</a></li>' for i, p in enumerate(chunk))
        folder = target / section
        folder.mkdir(parents=True, exist_ok=True)
        (folder / "index.html").write_text(
            f"<!doctype html><html><head><title>{section.title()}</title>"
            f'<meta property="og:type" content="website"></head><body><nav>{links}</nav>'
            f"<h1>{section.title()}</h1><ul>{items_html}</ul></body></html>\n"
        )
