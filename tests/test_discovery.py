from __future__ import annotations

import gzip

import pytest

from newsbot.discovery import (DiscoveryError, maybe_gunzip, parse_feed, parse_sitemap,
                               robots_sitemaps, xml_root_name)

NEWS_SITEMAP = b"""<?xml version="1.0" encoding="UTF-8"?>
<urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9"
        xmlns:news="http://www.google.com/schemas/sitemap-news/0.9">
  <url><loc>https://x.in/news/a-1.html</loc>
    <news:news><news:publication><news:name>X</news:name><news:language>en</news:language></news:publication>
    <news:publication_date>2025-12-16T01:13:00+05:30</news:publication_date><news:title>A</news:title></news:news>
  </url>
  <url><loc>https://x.in/news/b-2.html</loc><lastmod>2025-12-15</lastmod></url>
</urlset>"""

INDEX = b"""<?xml version="1.0"?><sitemapindex xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">
<sitemap><loc>https://x.in/news.xml</loc><lastmod>2025-12-16</lastmod></sitemap>
<sitemap><loc>https://x.in/old.xml.gz</loc></sitemap></sitemapindex>"""


def test_news_sitemap_dates_and_plain_lastmod() -> None:
    entries = parse_sitemap(NEWS_SITEMAP)
    assert [(e.url, e.date, e.kind) for e in entries] == [
        ("https://x.in/news/a-1.html", "2025-12-16T01:13:00+05:30", "page"),
        ("https://x.in/news/b-2.html", "2025-12-15", "page"),
    ]


def test_sitemap_index_and_gzip() -> None:
    entries = parse_sitemap(gzip.compress(INDEX))
    assert [e.kind for e in entries] == ["sitemap", "sitemap"]
    assert entries[1].url.endswith("old.xml.gz")
    assert xml_root_name(INDEX) == "sitemapindex"


def test_rss_atom_and_rdf_feeds() -> None:
    rss = b"""<rss version="2.0"><channel><item><title>T</title><link>https://x.com/a-b-c-d</link>
    <pubDate>Tue, 16 Dec 2025 01:13:00 +0530</pubDate></item>
    <item><guid isPermaLink="true">https://x.com/e-f-g-h</guid></item></channel></rss>"""
    atom = b"""<feed xmlns="http://www.w3.org/2005/Atom"><entry><title>T</title>
    <link rel="alternate" href="https://x.co.uk/a"/><link rel="enclosure" href="https://x.co.uk/a.mp3"/>
    <published>2025-12-16T09:30:00Z</published><updated>2025-12-16T10:00:00Z</updated></entry></feed>"""
    assert [(e.url, e.date) for e in parse_feed(rss)] == [
        ("https://x.com/a-b-c-d", "Tue, 16 Dec 2025 01:13:00 +0530"), ("https://x.com/e-f-g-h", None)]
    assert [(e.url, e.date) for e in parse_feed(atom)] == [("https://x.co.uk/a", "2025-12-16T09:30:00Z")]


def test_entities_are_not_expanded() -> None:
    bomb = b"""<?xml version="1.0"?><!DOCTYPE lolz [<!ENTITY lol "lol">
    <!ENTITY lol2 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;">
    <!ENTITY lol3 "&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;">
    <!ENTITY xxe SYSTEM "file:///etc/passwd">]>
    <urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9"><url><loc>https://x.in/&lol3;&xxe;</loc></url></urlset>"""
    for entry in parse_sitemap(bomb):
        assert "root:" not in entry.url and "lollol" not in entry.url


def test_gzip_bomb_is_refused() -> None:
    with pytest.raises(DiscoveryError):
        maybe_gunzip(gzip.compress(b"\0" * (2 * 1024 * 1024)), limit=1024 * 1024)


def test_not_a_sitemap() -> None:
    with pytest.raises(DiscoveryError):
        parse_sitemap(b"<html><body>hi</body></html>")


def test_robots_sitemap_lines() -> None:
    body = b"User-agent: *\nDisallow: /private/\nSitemap: https://x.in/sitemap.xml\nsitemap:https://x.in/news.xml\n"
    assert robots_sitemaps(body) == ["https://x.in/sitemap.xml", "https://x.in/news.xml"]
