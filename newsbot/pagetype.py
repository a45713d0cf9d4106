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
CONTENT_ATTR = re.compile(rb"""content\s*=\s*["']([^"']*)""", re.IGNORECASE)
LD_TYPE_VALUE = re.compile(rb'\s*:\s*\[?\s*"([A-Za-z]+)')
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
    found = {value.split(b".")[0] for value in _declared_types(head)}
    if found & STRONG_OTHER and not found & ARTICLE_TYPES:
        return "other"
    if found & ARTICLE_TYPES:
        return "article"
    if found & WEAK_OTHER:
        return "weak-other"
    return None


def _declared_types(head: bytes) -> set[bytes]:
    """og:type contents and JSON-LD @type values (lower case), found by plain substring
    search: this runs on every page in the crawl's main thread, a regex scan costs 10x."""
    found = set()
    at = head.find(b"og:type")
    while at >= 0:
        start, end = head.rfind(b"<", 0, at), head.find(b">", at)
        content = CONTENT_ATTR.search(head, start, end) if 0 <= start and end >= 0 else None
        if content:
            found.add(content.group(1).lower().strip())
        at = head.find(b"og:type", at + 7)
    at = head.find(b'"@type"')
    while at >= 0:
        value = LD_TYPE_VALUE.match(head, at + 7)
        if value:
            found.add(value.group(1).lower())
        at = head.find(b'"@type"', at + 7)
    return found


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
