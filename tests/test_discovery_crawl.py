"""A crawl of real-world discovery documents, served on loopback: a robots.txt with odd
Sitemap lines, a sitemap behind a BOM, a UTF-16 feed with xml:base, an Atom feed with
nested xml:base. Every entry link becomes a request or is counted under its reason."""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Any

import pytest

from support.crawls import records, run_scrapy
from support.pagesite import Pages, serve_pages

pytestmark = pytest.mark.slow  # end to end: real crawls in subprocesses

sys.path.insert(0, str(Path(__file__).resolve().parent / "data"))
import make_archives  # noqa: E402

HTML = "text/html; charset=utf-8"
ARTICLES = (
    (50, "news"),
    (51, "news"),
    (52, "news"),
    (53, "world"),
    (54, "world"),
    (55, "news"),
    (56, "news"),
)


def article(n: int, section: str) -> tuple[str, bytes]:
    url, body = make_archives.article(n)
    return url.replace(make_archives.HOST, "").replace("/news/", f"/{section}/"), body


def documents(base: str) -> Pages:
    arts = {n: article(n, section) for n, section in ARTICLES}
    pages: Pages = {path: (HTML, body) for path, body in arts.values()}
    pages["/"] = (HTML, b"<html><head><title>Home</title></head><body><h1>Home</h1></body></html>")
    pages["/robots.txt"] = (
        "text/plain",
        (
            "User-agent: *\nAllow: /\n   Sitemap: /sitemap.xml   \n"
            f"SITEMAP:{base}/feed.xml # the RSS feed\nsitemap: http://[::1/broken.xml\n"
            "Sitemap: atom.xml\nSitemap: /sitemap.txt\n"
        ).encode(),
    )
    pages["/sitemap.txt"] = ("text/plain", f"{base}{arts[56][0]}\nnot a URL\n".encode())
    pages["/sitemap.xml"] = (
        "application/xml",
        b"\xef\xbb\xbf\r\n"
        + (
            '<?xml version="1.0" encoding="UTF-8"?>\n<!-- cms 4.2 -->\n'
            '<urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">'
            f"<url><loc>{base}{arts[50][0]}</loc><lastmod>2025-12-15</lastmod></url>"
            f"<url><loc>{base}/news/2024/01/01/old-story-9.html</loc><lastmod>2024-01-01</lastmod></url>"
            "<url><loc>http://elsewhere.example/news/2025/12/15/other-site-9.html</loc></url>"
            f"<url><loc>{base}/private/2025/12/15/embargoed-story-9.html</loc></url>"
            f"<url><loc>{base}/files/annual-report.pdf</loc></url>"
            "</urlset>"
        ).encode(),
    )
    channel = "".join(
        f"<item><link>{p.split('/news/', 1)[1]}</link>"
        "<pubDate>Mon, 15 Dec 2025 09:00:00 GMT</pubDate></item>"
        for p, _ in (arts[51], arts[52])
    )
    pages["/feed.xml"] = (
        "application/rss+xml",
        (
            '<?xml version="1.0" encoding="UTF-16"?>\n<rss version="2.0">'
            f'<channel xml:base="{base}/news/"><title>News</title>{channel}'
            "<item><link>mailto:desk@herald.example</link></item>"
            "<item><title>A linkless item</title></item></channel></rss>"
        ).encode("utf-16"),
    )
    pages["/atom.xml"] = (
        HTML,
        (  # a feed sent as text/html, as many servers do
            f'<feed xmlns="http://www.w3.org/2005/Atom" xml:base="{base}/world/"><title>World</title>'
            f'<entry xml:base="2025/12/"><link href="{arts[53][0].split("/2025/12/", 1)[1]}"/></entry>'
            f'<entry><link href="{arts[54][0].split("/world/", 1)[1]}"/></entry>'
            f'<entry><link href="{arts[55][0]}"/></entry></feed>'
        ).encode(),
    )
    return pages


def test_every_entry_link_is_a_request_or_a_counted_reason(tmp_path: Path) -> None:
    archive = tmp_path / "archive"
    with serve_pages("127.0.0.7", documents) as base:
        sources = tmp_path / "sources.toml"
        sources.write_text(
            f'[[source]]\nname = "herald"\nstart_urls = ["{base}/"]\n'
            'allowed_domains = ["127.0.0.7"]\ndeny = ["/private/"]\n'
        )
        proc = run_scrapy(
            "crawl",
            "news",
            "-a",
            f"sources={sources}",
            "-a",
            "since=2025-12-01",
            archive=archive,
            settings={"LOG_LEVEL": "DEBUG"},
        )
    assert "Traceback" not in proc.stderr
    got = sorted(r["url"] for r in records(archive) + records(archive, "duplicates"))
    assert got == sorted(base + article(n, s)[0] for n, s in ARTICLES)
    [path] = (archive / "runs").glob("news-*.summary.json")
    stats: dict[str, Any] = json.loads(path.read_text())["stats"]
    skipped = {
        k.rsplit("/", 1)[1]: v
        for k, v in stats.items()
        if k.startswith("newsbot/discovery/skipped/")
    }
    assert skipped == {
        "bad_url": 2,
        "denied": 1,
        "not_html": 1,
        "no_link": 1,
        "offsite": 1,
        "older_than_since": 1,
    }
    assert stats["newsbot/discovery/sitemaps"] == 2 and stats["newsbot/discovery/feeds"] == 2
    for reason, url in (
        ("offsite", "http://elsewhere.example/news/2025/12/15/other-site-9.html"),
        ("bad_url", "mailto:desk@herald.example"),
        ("denied", f"{base}/private/2025/12/15/embargoed-story-9.html"),
    ):
        assert f"entry not followed ({reason}): {url}" in proc.stderr
