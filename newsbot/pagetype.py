"""Is a page an article candidate, or plainly something else? The cheap first look.

Decided in the crawl process on every HTML response, before any parsing: the
page's own declaration in its head (og:type, JSON-LD @type) and, for pages only
reached by following a link, the URL's shape. A candidate goes to the workers,
where `newsbot.pagecontent` judges the parsed page itself (mostly links, a login
form, no main text...). Path words (`archive`, `page`, `people`) and
`og:type=website` decide nothing for a page that a sitemap, a feed, a start URL
or another tool's WARC gave us, or that declares an article type: such a page is
an article unless its content shows otherwise.
"""

from __future__ import annotations

import re
from typing import TYPE_CHECKING
from urllib.parse import urlsplit

from newsbot import schemaorg
from newsbot.schemaorg import lower

if TYPE_CHECKING:
    from newsbot.items import CaptureContext

NON_ARTICLE_PATH = re.compile(
    r"/(tags?|topics?|category|categories|section|sections|authors?|writers?|people|profile|"
    r"videos?|video-news|watch|live-tv|podcasts?|audio|photos?|gallery|galleries|photo-gallery|"
    r"search|login|register|subscribe|newsletters?|about|contact|privacy|terms|cookies?|"
    r"feeds?|rss|archive|page|sitemap)(/|$|\.)",
    re.IGNORECASE,
)
NON_HTML_EXT = re.compile(
    r"\.(jpe?g|png|gif|webp|svg|ico|css|js|json|pdf|zip|gz|mp[34]|m4a|webm|avi|mov|xml|rss|"
    r"atom|txt|woff2?|ttf|eot)$",
    re.IGNORECASE,
)
ARTICLE_PATH = re.compile(
    r"(/\d{4}/\d{1,2}/(\d{1,2}/)?[^/]+|[-_]\d{5,}(\.\w+)?/?$|\.(html?|php|aspx?|cms)$|"
    r"/[a-z0-9]+(-[a-z0-9]+){3,}/?$|/(article|story|news)[s]?/[^/]+)",
    re.IGNORECASE,
)
DATE_ARCHIVE = re.compile(r"^/(?:19|20)\d{2}(?:/\d{1,2}){0,2}/?$")
# A numeric id in the query is a permalink (WordPress `?p=123`, `article.php?id=4521`).
ARTICLE_QUERY = re.compile(
    r"(^|&)(p|id|article|story|storyid|articleid|newsid|sid)=\d+(&|$)", re.IGNORECASE
)
CONTENT_ATTR = re.compile(rb"""(?:content|value)\s*=\s*["']([^"']*)""", re.IGNORECASE)
LD_TYPE_VALUE = re.compile(rb'\s*:\s*\[?\s*"(?:https?://schema\.org/)?([A-Za-z]+)')
ITEMTYPE = re.compile(rb"""itemtype\s*=\s*["']https?://schema\.org/([A-Za-z]+)""", re.IGNORECASE)

ARTICLE = lower(schemaorg.ARTICLE_TYPES) | schemaorg.OG_ARTICLE
# What a declaration without any article type beside it says the page is.
DECLARED_OTHER: dict[bytes, str] = {
    **dict.fromkeys(lower(schemaorg.LISTING_TYPES) | schemaorg.OG_PROFILE, "listing"),
    **dict.fromkeys(lower(schemaorg.PRODUCT_TYPES) | schemaorg.OG_PRODUCT, "product"),
    **dict.fromkeys(
        lower(schemaorg.MEDIA_TYPES) | schemaorg.OG_MEDIA | schemaorg.OG_MUSIC, "media"
    ),
}
HEAD_BYTES = 200_000
# WordPress names the kind of page in the classes of <body> (`body_class()`): its front
# page of posts, archives, search results and 404 pages; a post says `single`.
BODY_CLASS = re.compile(rb"""<body\b[^>]*?\bclass\s*=\s*["']([^"']*)""", re.IGNORECASE)
WP_LISTING = frozenset(
    {b"archive", b"category", b"tag", b"author", b"date", b"search", b"search-results", b"paged"}
)
WP_SINGLE = frozenset({b"single", b"singular", b"single-post"})


def is_candidate(context: CaptureContext) -> bool:
    """Whether the page was given to us as an article candidate: listed by a sitemap or
    feed, a start URL, or a capture of another tool's WARC (older newsbot contexts say
    `listed`, or carry the sitemap or feed date as `hints`)."""
    return bool(context.get("candidate") or context.get("listed") or context.get("hints"))


def url_kind(url: str) -> str:
    """'article', 'listing', 'skip' (not HTML) or 'unknown', from the URL alone."""
    parts = urlsplit(url)
    path = parts.path
    if NON_HTML_EXT.search(path):
        return "skip"
    if ARTICLE_QUERY.search(parts.query):
        return "article"
    if path in ("", "/") or NON_ARTICLE_PATH.search(path):
        return "listing"
    if ARTICLE_PATH.search(path):
        return "article"
    segments = [s for s in path.split("/") if s]
    return "listing" if len(segments) <= 1 and "-" not in path else "unknown"


def is_front_page(url: str) -> bool:
    """A site's home page (no path, no query), or a date archive (a path of a year, month
    and day only: `/2011/`, `/2011/05/`): a front page, whatever it declares."""
    parts = urlsplit(url)
    return (parts.path in ("", "/") and not parts.query) or bool(DATE_ARCHIVE.match(parts.path))


def body_class_kind(head: bytes) -> str | None:
    """'listing' or 'error_page' where WordPress's <body> classes say so, else None."""
    match = BODY_CLASS.search(head)
    if match is None:
        return None
    classes = set(match.group(1).lower().split())
    if classes & WP_SINGLE:
        return None
    if b"error404" in classes:
        return "error_page"
    if classes & WP_LISTING or {b"home", b"blog"} <= classes:
        return "listing"
    return None


def declared_kind(head: bytes) -> str | None:
    """'article', a no-record reason ('listing', 'product', 'media'), 'weak-other'
    (og:type website, WebPage: declared by many article pages too) or None."""
    found = declared_types(head)
    if found & ARTICLE:
        return "article"
    for value in sorted(found):
        if value in DECLARED_OTHER:
            return DECLARED_OTHER[value]
    if found & {b"website", b"webpage"}:
        return "weak-other"
    return None


def declared_types(head: bytes) -> set[bytes]:
    """og:type contents (before the dot), JSON-LD @type and microdata itemtype values,
    lower case, found by plain substring search: this runs on every page in the crawl's
    main thread, a regex scan of the whole head costs 10x."""
    found = set()
    at = head.find(b"og:type")
    while at >= 0:
        start, end = head.rfind(b"<", 0, at), head.find(b">", at)
        content = CONTENT_ATTR.search(head, start, end) if start >= 0 and end >= 0 else None
        if content:
            found.add(content.group(1).lower().strip().split(b".")[0])
        at = head.find(b"og:type", at + 7)
    at = head.find(b'"@type"')
    while at >= 0:
        value = LD_TYPE_VALUE.match(head, at + 7)
        if value:
            found.add(value.group(1).lower())
        at = head.find(b'"@type"', at + 7)
    if b"itemtype" in head:
        found.update(m.group(1).lower() for m in ITEMTYPE.finditer(head))
    return found


def page_kind(url: str, body: bytes, *, candidate: bool = False) -> str:
    """'article' (a candidate for the workers to judge) or why the page is none.

    `candidate`: a sitemap, a feed, a start URL or another tool's WARC gave the page.
    A site's home page or date archive is a listing; a declaration of a listing, product or media type
    without an article type decides, and so do WordPress's body classes of listings; an
    article type makes a candidate; otherwise a
    given page is a candidate, and a page reached by a link is one when its URL has an
    article's shape.
    """
    if is_front_page(url):
        return "listing"
    head = body[:HEAD_BYTES]
    declared = declared_kind(head) or body_class_kind(head)
    if declared == "article":
        return "article"
    if declared not in (None, "weak-other"):
        return declared
    if candidate or url_kind(url) == "article":
        return "article"
    return "listing"
