"""Is a page an article, a listing (home, section, tag) or something else?

Decided from cheap signals before any extraction: the URL's shape, and the
page's own declaration in its head (og:type, JSON-LD @type), which news sites
set reliably. Pure functions; the spider calls them on every HTML response.
"""

from __future__ import annotations

import re
from urllib.parse import urlsplit

NON_ARTICLE_PATH = re.compile(
    r"/(tags?|topics?|category|categories|section|sections|authors?|writers?|people|profile|"
    r"videos?|video-news|watch|live-tv|podcasts?|audio|photos?|gallery|galleries|photo-gallery|"
    r"search|login|register|subscribe|newsletters?|about|contact|privacy|terms|cookies?|"
    r"feeds?|rss|archive|page|sitemap)(/|$|\.)",
    re.IGNORECASE,
)
NON_HTML_EXT = re.compile(
    r"\.(jpe?g|png|gif|webp|svg|ico|css|js|json|pdf|zip|gz|mp[34]|m4a|webm|avi|mov|xml|rss|"
    r"atom|txt|woff2?|ttf|eot)$", re.IGNORECASE)
ARTICLE_PATH = re.compile(
    r"(/\d{4}/\d{1,2}/(\d{1,2}/)?[^/]+|[-_]\d{5,}(\.\w+)?/?$|\.(html?|php|aspx?|cms)$|"
    r"/[a-z0-9]+(-[a-z0-9]+){3,}/?$|/(article|story|news)[s]?/[^/]+)",
    re.IGNORECASE,
)
HEAD_TYPE = re.compile(
    rb"""<meta[^>]+(?:property|name)\s*=\s*["']og:type["'][^>]*content\s*=\s*["']([^"']+)|"""
    rb"""<meta[^>]+content\s*=\s*["']([^"']+)["'][^>]*(?:property|name)\s*=\s*["']og:type["']|"""
    rb""""@type"\s*:\s*\[?\s*"([A-Za-z]+)""",
    re.IGNORECASE,
)
ARTICLE_TYPES = {b"article", b"newsarticle", b"reportagenewsarticle", b"analysisnewsarticle",
                 b"opinionnewsarticle", b"blogposting", b"liveblogposting", b"backgroundnewsarticle",
                 b"reviewnewsarticle", b"report", b"socialmediaposting"}
NON_ARTICLE_TYPES = {b"website", b"videoobject", b"collectionpage", b"profilepage", b"webpage",
                     b"itemlist", b"searchresultspage", b"profile", b"book", b"product"}


def url_kind(url: str) -> str:
    """'article', 'listing', 'skip' (not HTML) or 'unknown', from the URL alone."""
    path = urlsplit(url).path
    if NON_HTML_EXT.search(path):
        return "skip"
    if path in ("", "/") or NON_ARTICLE_PATH.search(path):
        return "listing"
    if ARTICLE_PATH.search(path):
        return "article"
    segments = [s for s in path.split("/") if s]
    return "listing" if len(segments) <= 1 and "-" not in path else "unknown"


def declared_kind(head: bytes) -> str | None:
    """'article' or 'other' from og:type / JSON-LD @type in the page's first bytes; None if silent."""
    found = set()
    for match in HEAD_TYPE.finditer(head):
        value = next(g for g in match.groups() if g).lower().strip()
        found.add(value.split(b".")[0] if value.startswith(b"video") else value)
    if any(v.startswith(b"video") or v in (b"videoobject",) for v in found) and not (
        found & ARTICLE_TYPES - {b"article"}
    ):
        return "other"
    if found & ARTICLE_TYPES:
        return "article"
    if found & NON_ARTICLE_TYPES:
        return "other"
    return None


def page_kind(url: str, body: bytes) -> str:
    """'article' or 'listing' for an HTML page: the page's declaration first, then its URL."""
    declared = declared_kind(body[:200_000])
    kind = url_kind(url)
    if declared == "article" and kind != "listing":
        return "article"
    if declared == "article" and kind == "listing" and ARTICLE_PATH.search(urlsplit(url).path):
        return "article"
    if declared == "other":
        return "listing"
    return "article" if kind == "article" else "listing"
