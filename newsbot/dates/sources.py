"""Where an article page prints its dates, read source by source (newsbot.dates.search chooses).

Each reader yields (kind, raw string) pairs, most trusted first within its source: JSON-LD
article objects, meta tags (names compared with ``:``, ``_``, ``-`` and ``.`` alike),
``<time>`` elements, the date line around the headline, the URL. What is not the
article's is skipped: captions, sidebars, related-story lists, comments, and teasers in
other ``<article>`` elements than the main one (`Layout`). The tree is only read.
"""

from __future__ import annotations

import json
import logging
import re
from dataclasses import dataclass
from datetime import date, timedelta
from typing import TYPE_CHECKING, Any, Literal
from urllib.parse import urlsplit

from lxml import etree

from newsbot.dates.parse import parse_date
from newsbot.schemaorg import ARTICLE_TYPES

if TYPE_CHECKING:
    from collections.abc import Callable, Iterator

    from lxml.html import HtmlElement

logger = logging.getLogger(__name__)

Kind = Literal["published", "modified"]
Source = Literal[
    "jsonld", "meta", "time", "feed", "sitemap", "text", "url", "htmldate"
]  # most trusted first
META_KEYS: dict[Kind, tuple[str, ...]] = {  # lower-cased name/property/itemprop, best first
    "published": (
        "article:published_time",
        "og:article:published_time",
        "article:published",
        "datepublished",
        "og:published_time",
        "published_time",
        "publishdate",
        "publish-date",
        "publish_date",
        "pubdate",
        "parsely-pub-date",
        "sailthru.date",
        "dc.date.issued",
        "dcterms.issued",
        "dc.date",
        "dcterms.date",
        "dcterms.created",
        "dc.date.created",
        "dc.created",
        "datecreated",
        "article.published",
        "citation_publication_date",
        "citation_date",
        "originalpublicationdate",
        "publication_date",
        "pub_date",
        "cxenseparse:recs:publishtime",
        "rnews:datepublished",
        "og:pubdate",
        "displaydate",
        "date",
    ),
    "modified": (
        "article:modified_time",
        "og:article:modified_time",
        "og:updated_time",
        "datemodified",
        "article:updated_time",
        "modified_time",
        "updated_time",
        "dc.date.modified",
        "dcterms.modified",
        "article.updated",
        "lastmod",
        "revised",
        "last-modified",
    ),
}


def meta_key(name: str) -> str:
    """A meta name as compared: case-insensitive, with ':', '_', '-' and '.' alike
    ("article:published:time", "article_published_time", "Article.Published-Time")."""
    return _KEY_SEPARATORS.sub(":", name.strip().lower())


_KEY_SEPARATORS = re.compile(r"[:_.\-]+")
_META_KEYS = {
    kind: tuple(dict.fromkeys(meta_key(k) for k in keys)) for kind, keys in META_KEYS.items()
}
TEXT_LIMIT = 200  # longer text around the headline is body copy, not a date line
NEAR_H1_NODES = 40  # text nodes read after the headline (10 before)
DATEISH_HITS = 30  # date-ish elements read at most

JSONLD = etree.XPath("//script[contains(@type, 'ld+json')]/text()")  # also read by titles
_META = etree.XPath("//meta[@content]")
_ITEMPROP = etree.XPath(
    "//*[@itemprop='datePublished' or @itemprop='dateModified' or @itemprop='dateCreated']"
    "[not(self::meta) and not(self::time)]"
)
_TIME = etree.XPath("//time")
H1 = etree.XPath("//h1")
_ARTICLES = etree.XPath("//article")
_AFTER_H1 = etree.XPath(f"following::text()[normalize-space()][position() <= {NEAR_H1_NODES}]")
_BEFORE_H1 = etree.XPath("preceding::text()[normalize-space()][position() <= 10]")
_DATE_WORDS = ("date", "time", "publish", "byline", "meta", "posted", "updated")
_DATE_CLASS = " or ".join(  # translate() to lower case is 10x slower than both spellings
    f"contains(., '{word}') or contains(., '{word.capitalize()}')" for word in _DATE_WORDS
)
_DATEISH = etree.XPath(f".//@class[{_DATE_CLASS}]/.. | .//@id[{_DATE_CLASS}]/.. | .//time")
_UPDATED = re.compile(  # the label of a modification date in a date line
    r"updated|modified|mis à jour|actualizad|aktualisiert|aggiornat|atualizad|अपडेट|更新|수정",
    re.IGNORECASE,
)
_UPDATE_CLASS = re.compile(r"updat|modif", re.IGNORECASE)
_PUBLISH_CLASS = re.compile(r"publish|creat|posted", re.IGNORECASE)
_URL_DATE = re.compile(  # /2025/12/16/, 2025-12-16, 20251216
    r"(?<!\d)(?P<y>(?:19|20)\d\d)"
    r"(?:[/_-](?P<m>\d{1,2})[/_-](?P<d>\d{1,2})|(?P<m2>\d\d)(?P<d2>\d\d))(?!\d)"
)
_JSON_WRAPPER = re.compile(r"^(?://\s*)?(?:<!--|<!\[CDATA\[)|(?://\s*)?(?:-->|\]\]>)$")
_SKIP_TAGS = frozenset({"script", "style", "noscript", "template"})
FURNITURE_DEPTH = 4  # a caption or teaser wraps its date closely
_FURNITURE_TAGS = frozenset({"figure", "figcaption", "aside", "nav"})
# class or id words that open with these: "related-posts", "comment-list", "wp-caption"
_FURNITURE_LABEL = re.compile(
    r"(?:^|\s)(?:wp-)?(?:caption|related|comments?(?![\w-]*(?:count|link|number))|recommend|sidebar)",
    re.IGNORECASE,
)


def select(xpath: etree.XPath, node: HtmlElement) -> list[Any]:
    """An XPath's node-set (lxml types results as a union of everything XPath can return)."""
    result = xpath(node)
    return result if isinstance(result, list) else []


def from_jsonld(tree: HtmlElement) -> Iterator[tuple[Kind, str]]:
    """datePublished / dateModified, from article objects first, then any other object."""
    objects = [obj for text in select(JSONLD, tree) for obj in _walk(load_json_ld(text))]
    articles = [obj for obj in objects if _types(obj) & ARTICLE_TYPES]
    keys: dict[Kind, str] = {"published": "datePublished", "modified": "dateModified"}
    for obj in articles + [obj for obj in objects if not _types(obj) & ARTICLE_TYPES]:
        for kind, key in keys.items():
            value = obj.get(key)
            if isinstance(value, list) and value:
                value = value[0]
            if isinstance(value, str):
                yield kind, value


def load_json_ld(text: str) -> Any:
    """A JSON-LD script's data, comment or CDATA wrappers removed; None when unreadable."""
    text = _JSON_WRAPPER.sub("", text.strip())  # <!-- -->, //<![CDATA[ //]]>, <![CDATA[ ]]>
    try:
        return json.loads(text)
    except ValueError:
        logger.debug("unreadable JSON-LD: %.80r", text)
        return None


def _walk(data: Any, depth: int = 0) -> Iterator[dict[str, Any]]:
    """Dicts of a JSON-LD document, in @graph and nested objects too (mainEntity...)."""
    if depth > 5:
        return
    if isinstance(data, list):
        for item in data:
            yield from _walk(item, depth + 1)
    elif isinstance(data, dict):
        yield data
        for value in data.values():
            if isinstance(value, (dict, list)):
                yield from _walk(value, depth + 1)


def _types(obj: dict[str, Any]) -> set[str]:
    kind = obj.get("@type")
    names = kind if isinstance(kind, list) else [kind]
    return {name.rsplit("/", 1)[-1] for name in names if isinstance(name, str)}


def from_meta(tree: HtmlElement) -> Iterator[tuple[Kind, str]]:
    """Meta tags by the preference of META_KEYS, then microdata on other elements."""
    found: dict[str, str] = {}
    for meta in select(_META, tree):
        for attribute in ("property", "name", "itemprop", "http-equiv"):
            key = meta_key(meta.get(attribute) or "")
            if key and key not in found:
                found[key] = meta.get("content", "")
    for kind, keys in _META_KEYS.items():
        for key in keys:
            if found.get(key):
                yield kind, found[key]
    for element in select(_ITEMPROP, tree):
        value = element.get("content") or element.get("datetime") or _short_text(element)
        if value:
            yield ("modified" if element.get("itemprop") == "dateModified" else "published"), value


def from_time(tree: HtmlElement, layout: Callable[[], Layout]) -> Iterator[tuple[Kind, str]]:
    """<time> elements: marked as the publication date, else in the article's header. An
    element whose text prints another day than its ``datetime`` gives its text: what the
    reader saw ("Publié le 29 juin 2019" over a datetime of the last edit)."""
    times = select(_TIME, tree)
    page = layout() if times else None
    marked: list[tuple[Kind, HtmlElement]] = []
    in_article: list[tuple[Kind, HtmlElement]] = []
    for element in times:
        if page is None or _in_furniture(element, page):
            continue
        label = f"{element.get('itemprop', '')} {element.get('class', '')} {element.get('id', '')}"
        published = element.get("pubdate") is not None or _PUBLISH_CLASS.search(label)
        if published:  # WordPress: class="entry-date published updated"
            marked.append(("published", element))
        if _UPDATE_CLASS.search(label):
            marked.append(("modified", element))
        elif not published and (len(times) == 1 or _in_article(element)):
            in_article.append(("published", element))
    for kind, element in marked + in_article:
        value = _printed(element.get("datetime"), _short_text(element))
        if value:
            yield kind, value


def _printed(machine: str | None, text: str | None) -> str | None:
    """The ``datetime`` of a <time>, unless its text prints a day more than a day away."""
    if not machine or not text or not any(c.isdigit() for c in text):
        return machine or text
    shown, stated = parse_date(text), parse_date(machine)
    if shown is None or stated is None or shown.raw == stated.raw:
        return machine
    try:
        apart = abs(date.fromisoformat(shown.value[:10]) - date.fromisoformat(stated.value[:10]))
    except ValueError:
        return machine
    return text if apart > timedelta(days=1) else machine


def from_text(tree: HtmlElement, layout: Callable[[], Layout]) -> Iterator[tuple[Kind, str]]:
    """Date lines just around the headline, then small date-ish elements of its region."""
    page = layout()
    h1 = page.h1
    region = _region(tree, h1)
    near = _near_headline(h1) if h1 is not None else []
    dateish = select(_DATEISH, region)[:DATEISH_HITS] if region is not None else []
    seen: set[HtmlElement] = set()
    for element in near + dateish:
        if element in seen or element.tag in _SKIP_TAGS or _in_furniture(element, page):
            continue
        seen.add(element)
        text = _short_text(element)
        if text and any(c.isdigit() for c in text):
            yield from _split_updated(text)


@dataclass(frozen=True)
class Layout:
    """Where the article is on the page: its headline, the elements holding it, and the
    main <article> (the headline's, else the longest of several)."""

    h1: HtmlElement | None
    holders: frozenset[HtmlElement]  # the main article and every element holding it or the h1
    main: HtmlElement | None

    @classmethod
    def of(cls, tree: HtmlElement) -> Layout:
        h1 = _headline(tree)
        main = next(h1.iterancestors("article"), None) if h1 is not None else None
        if main is None:
            articles = select(_ARTICLES, tree)
            if articles:
                main = max(articles, key=lambda a: len(a.text_content()))
        holders = {*h1.iterancestors()} if h1 is not None else set()
        if main is not None:
            holders |= {main, *main.iterancestors()}
        return cls(h1, frozenset(holders), main)

    @classmethod
    def lazily(cls, tree: HtmlElement) -> Callable[[], Layout]:
        """The layout, worked out on the first call only."""
        found: list[Layout] = []

        def get() -> Layout:
            if not found:
                found.append(cls.of(tree))
            return found[0]

        return get


def _headline(tree: HtmlElement) -> HtmlElement | None:
    """The article's h1: the first inside <article> or <main>, else the first."""
    headings = [h for h in select(H1, tree) if h.text_content().strip()]
    in_article = [h for h in headings if _in_article(h)]
    return (in_article or headings or [None])[0]


def _region(tree: HtmlElement, h1: HtmlElement | None) -> HtmlElement | None:
    """Where the date line can be: the headline's article, or three levels above it."""
    if h1 is None:
        return tree.find("body") if tree.tag == "html" else tree
    for depth, ancestor in enumerate(h1.iterancestors(), 1):
        if ancestor.tag in ("article", "main") or depth == 3 or ancestor.tag == "body":
            return ancestor
    return h1


def _near_headline(h1: HtmlElement) -> list[HtmlElement]:
    """Elements holding the text nodes just after (then just before) the headline."""
    elements = []
    for node in select(_AFTER_H1, h1) + select(_BEFORE_H1, h1)[::-1]:  # nearest first
        owner = node.getparent()
        if owner is not None and node.is_tail:
            owner = owner.getparent()
        if owner is not None:
            elements.append(owner)
    return elements


def _in_furniture(element: HtmlElement, page: Layout) -> bool:
    """In a caption, a sidebar, a list of other stories, a comment or another <article>
    than the main one (a teaser): their dates are not the article's. Tags count at any
    depth (an <article> teaser inside an <aside> or a list item is another story); class
    and id words only close to the date, and never on an element holding the headline (a
    page's whole column may be id="sidebar")."""
    ancestors = list(element.iterancestors())
    for depth, node in enumerate((element, *ancestors)):
        if node.tag in _FURNITURE_TAGS:
            return True
        if node.tag == "article":
            teaser = page.main is not None and node not in page.holders
            return teaser or any(a.tag == "li" for a in node.iterancestors())
        if node.tag in ("main", "body"):
            return False
        if node in page.holders:
            continue
        label = f"{node.get('class', '')} {node.get('id', '')}"
        if depth <= FURNITURE_DEPTH and label.strip() and _FURNITURE_LABEL.search(label):
            return True
    return False


def _in_article(element: HtmlElement) -> bool:
    return next(element.iterancestors("article", "header", "main"), None) is not None


def _short_text(element: HtmlElement, limit: int = TEXT_LIMIT) -> str | None:
    """The element's text, or None once it grows past limit (read no further)."""
    parts, size = [], 0
    for part in element.itertext():
        size += len(part)
        if size > limit:
            return None
        parts.append(part)
    return " ".join(" ".join(parts).split()) or None


def _split_updated(text: str) -> Iterator[tuple[Kind, str]]:
    """'Published: X | Updated: Y' -> X is published, Y is modified."""
    label = _UPDATED.search(text)
    if label is None:
        yield "published", text
        return
    if any(c.isdigit() for c in text[: label.start()]):
        yield "published", text[: label.start()]
    yield "modified", text[label.start() :]


def from_url(url: str) -> Iterator[tuple[Kind, str]]:
    """/2025/12/16/, 2025-12-16 or /20251216/ in the path: a day, never a time."""
    try:
        path = urlsplit(url).path
    except (ValueError, AttributeError):
        return
    for match in _URL_DATE.finditer(path):
        month, day = match["m"] or match["m2"], match["d"] or match["d2"]
        try:
            yield "published", date(int(match["y"]), int(month), int(day)).isoformat()
            return
        except ValueError:
            continue
