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
# Declarations that settle it when no article type is declared beside them.
STRONG_OTHER = {b"video", b"videoobject", b"collectionpage", b"profilepage", b"itemlist",
                b"searchresultspage", b"profile", b"book", b"product", b"music", b"mediagallery"}
# Declarations that many article pages carry by mistake: they defer to the URL.
WEAK_OTHER = {b"website", b"webpage"}


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
    """'article', 'other' or 'weak-other' from og:type / JSON-LD @type in the page's head."""
    found = set()
    for match in HEAD_TYPE.finditer(head):
        value = next(g for g in match.groups() if g).lower().strip()
        found.add(value.split(b".")[0])
    if found & STRONG_OTHER and not found & ARTICLE_TYPES:
        return "other"
    if found & ARTICLE_TYPES:
        return "article"
    if found & WEAK_OTHER:
        return "weak-other"
    return None


def page_kind(url: str, body: bytes, *, listed: bool = False) -> str:
    """'article' or 'listing' for an HTML page.

    A strong declaration (article, video, collection) decides; a weak one
    ('website', which many article pages carry) defers to the URL's shape; an
    unknown shape is an article when a sitemap or feed listed the page.
    """
    declared = declared_kind(body[:200_000])
    kind = url_kind(url)
    if declared == "other":
        return "listing"
    if declared == "article":  # unless the URL says video, tag, author...: sections carry it too
        return "listing" if NON_ARTICLE_PATH.search(urlsplit(url).path) else "article"
    if kind == "article" or (kind == "unknown" and listed and declared is None):
        return "article"
    return "listing"
