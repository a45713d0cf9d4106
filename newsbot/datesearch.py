"""Page-level date search: published and modified dates of an article page, and its site's zone.

Sources are read in order of trust (JSON-LD, meta tags, <time>, the feed and sitemap entries
that led to the page, the date line near the headline, the URL), and the first plausible
value wins, except that a less trusted value with a time of day replaces a date-only one of
the same day: sites often put only the day in their metadata and the time in the date line.
Candidates printing the same moment are read as one (`_same_moment`): a zone one of them
states applies to the others. Dates in captions, related-story lists, comments and sidebars
are not read. Where no source gives a date, htmldate's extensive search has the last word.
The tree is only read, never changed: the caller hands it to trafilatura afterwards.
"""

from __future__ import annotations

import dataclasses
import json
import logging
import re
from dataclasses import dataclass
from datetime import date, datetime, timedelta, timezone
from typing import TYPE_CHECKING, Any, Literal
from urllib.parse import urlsplit

from lxml import etree

from newsbot.dates import ParsedDate, parse_date
from newsbot.schemaorg import ARTICLE_TYPES
from newsbot.sitezones import evidence
from newsbot.timezones import get_zone, guess_site_timezone

if TYPE_CHECKING:
    from collections.abc import Iterable, Iterator, Mapping

    from lxml.html import HtmlElement

__all__ = ["find_dates", "guess_site_timezone"]

logger = logging.getLogger(__name__)

Kind = Literal["published", "modified"]
Source = Literal["jsonld", "meta", "time", "feed", "sitemap", "text", "url", "htmldate"]  # most trusted first
META_KEYS: dict[Kind, tuple[str, ...]] = {  # lower-cased name/property/itemprop, best first
    "published": (
        "article:published_time", "og:article:published_time", "article:published",
        "datepublished", "og:published_time", "published_time", "publishdate", "publish-date",
        "publish_date", "pubdate", "parsely-pub-date", "sailthru.date", "dc.date.issued",
        "dcterms.issued", "dc.date", "dcterms.date", "dcterms.created", "dc.date.created",
        "dc.created", "datecreated", "article.published", "citation_publication_date",
        "citation_date", "originalpublicationdate", "publication_date", "pub_date",
        "cxenseparse:recs:publishtime", "rnews:datepublished", "og:pubdate", "displaydate", "date",
    ),
    "modified": (
        "article:modified_time", "og:article:modified_time", "og:updated_time", "datemodified",
        "article:updated_time", "modified_time", "updated_time", "dc.date.modified",
        "dcterms.modified", "article.updated", "lastmod", "revised", "last-modified",
    ),
}


def meta_key(name: str) -> str:
    """A meta name as compared: case-insensitive, with ':', '_', '-' and '.' alike
    ("article:published:time", "article_published_time", "Article.Published-Time")."""
    return _KEY_SEPARATORS.sub(":", name.strip().lower())


_KEY_SEPARATORS = re.compile(r"[:_.\-]+")
_META_KEYS = {kind: tuple(dict.fromkeys(meta_key(k) for k in keys)) for kind, keys in META_KEYS.items()}
TEXT_LIMIT = 200  # longer text around the headline is body copy, not a date line
NEAR_H1_NODES = 40  # text nodes read after the headline (10 before)
DATEISH_HITS = 30  # date-ish elements read at most

_JSONLD = etree.XPath("//script[contains(@type, 'ld+json')]/text()")
_META = etree.XPath("//meta[@content]")
_ITEMPROP = etree.XPath(
    "//*[@itemprop='datePublished' or @itemprop='dateModified' or @itemprop='dateCreated']"
    "[not(self::meta) and not(self::time)]"
)
_TIME = etree.XPath("//time")
_H1 = etree.XPath("//h1")
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


def _select(xpath: etree.XPath, node: HtmlElement) -> list[Any]:
    """An XPath's node-set (lxml types results as a union of everything XPath can return)."""
    result = xpath(node)
    return result if isinstance(result, list) else []


@dataclass(frozen=True)
class _Candidate:
    kind: Kind
    source: Source
    parsed: ParsedDate


def find_dates(
    tree: HtmlElement,
    url: str,
    *,
    tz: str | None = None,
    hints: Mapping[str, str] | None = None,
    now: datetime | None = None,
) -> dict[str, Any]:
    """Published and modified dates of a page, normalized with parse_date in the site's zone;
    with the zone-less wall times (``*_wall``), which a zone learnt for the site may
    re-read, and the zones the page's printed offsets fit (``zone_evidence``)."""
    now = _aware(now)
    best: dict[Kind, _Candidate | None] = {"published": None, "modified": None}
    found = [c for c in _candidates(tree, url, tz, hints or {}, now) if _plausible(c.parsed, now, tz)]
    for candidate in found:
        best[candidate.kind] = _better(best[candidate.kind], candidate, tz)
    best["published"] = best["published"] or _last_resort(tree, url, now)
    published, modified = (_same_moment(best[kind], found) for kind in ("published", "modified"))
    if published and modified and _earlier(modified.parsed, published.parsed, tz):
        modified = None
    return {
        **_walls(published, modified),
        "zone_evidence": evidence(c.parsed for c in found),
        "published": published.parsed.value if published else None,
        "published_precision": published.parsed.precision if published else None,
        "published_raw": published.parsed.raw if published else None,
        "published_source": published.source if published else None,
        "modified": modified.parsed.value if modified else None,
        "modified_raw": modified.parsed.raw if modified else None,
        "modified_source": modified.source if modified else None,
    }


def _walls(published: _Candidate | None, modified: _Candidate | None) -> dict[str, str | None]:
    """The printed wall times of chosen values read without a zone of their own."""
    def wall(chosen: _Candidate | None) -> str | None:
        parsed = chosen.parsed if chosen else None
        if parsed is None or parsed.zoned or parsed.precision == "day":
            return None
        return parsed.wall
    return {"published_wall": wall(published), "modified_wall": wall(modified)}


def _same_moment(chosen: _Candidate | None, found: list[_Candidate]) -> _Candidate | None:
    """The chosen value, read as the page's other candidates read the same printed time.

    Candidates that print the same date and wall time are one: a zone stated by one (an
    "IST" in the dateline, an offset in JSON-LD) applies to a zone-less other. A zone-less
    time of 1..12 without am/pm that is another's time modulo 12 hours on the same day is
    that time ("3:48 Uhr" beside 15:48): the 24-hour one is kept.
    """
    if chosen is None or chosen.parsed.wall is None or chosen.parsed.zoned:
        return chosen
    mine = chosen.parsed
    for other in found:
        theirs = other.parsed
        if theirs.wall is None or other is chosen:
            continue
        same_wall = theirs.wall == mine.wall and theirs.zoned
        half_day = mine.ambiguous and not theirs.ambiguous and _twelve_hours_apart(mine, theirs)
        if same_wall or half_day:
            parsed = dataclasses.replace(
                mine, value=theirs.value, wall=theirs.wall, zoned=theirs.zoned, ambiguous=False
            )
            return dataclasses.replace(chosen, parsed=parsed)
    return chosen


def _last_resort(tree: HtmlElement, url: str, now: datetime) -> _Candidate | None:
    """htmldate's extensive search (a day), for pages where none of our sources gave one:
    it reads many more places (copyright lines, any element's text, scripts) at more cost
    and more risk, so it runs only where we found nothing."""
    from htmldate import find_date  # imported on first use: most pages never need it

    try:
        day = find_date(tree, extensive_search=True, original_date=True, url=url,
                        max_date=now.strftime("%Y-%m-%d"))
    except (ValueError, TypeError, AttributeError) as exc:
        logger.debug("htmldate failed on %s: %s", url, exc)
        return None
    return _Candidate("published", "htmldate", ParsedDate(day, "day", day)) if day else None


def _twelve_hours_apart(mine: ParsedDate, theirs: ParsedDate) -> bool:
    """Same day and minute, hours 12 apart: '2024-10-23T03:48' and '2024-10-23T15:48'."""
    a, b = mine.wall or "", theirs.wall or ""
    return a[:10] == b[:10] and a[13:] == b[13:] and abs(int(a[11:13]) - int(b[11:13])) == 12


def _aware(now: datetime | None) -> datetime:
    if now is None:
        return datetime.now(timezone.utc)
    return now if now.tzinfo else now.replace(tzinfo=timezone.utc)


def _candidates(
    tree: HtmlElement, url: str, tz: str | None, hints: Mapping[str, str], now: datetime
) -> Iterator[_Candidate]:
    """Every date the page offers, most trusted source first, parsed lazily."""
    sources: list[tuple[Source, Iterable[tuple[Kind, str]]]] = [
        ("jsonld", _from_jsonld(tree)),
        ("meta", _from_meta(tree)),
        ("time", _from_time(tree)),
        ("feed", [("published", hints["feed"])] if hints.get("feed") else []),
        ("sitemap", [("published", hints["sitemap"])] if hints.get("sitemap") else []),
        ("text", _from_text(tree)),
        ("url", _from_url(url)),
    ]
    for source, raws in sources:
        for kind, raw in raws:
            parsed = parse_date(raw, tz=tz, now=now)
            if parsed:
                yield _Candidate(kind, source, parsed)


def _better(best: _Candidate | None, candidate: _Candidate, tz: str | None) -> _Candidate:
    """The kept value: the first one, unless it is date-only and the candidate adds a time."""
    if best is None:
        return candidate
    adds_time = best.parsed.precision == "day" and candidate.parsed.precision != "day"
    if adds_time and _local_day(candidate.parsed, tz) == best.parsed.value:
        return candidate
    return best


def _local_day(parsed: ParsedDate, tz: str | None) -> str:
    """The day of a value in the site's zone (date-only values are already local)."""
    if parsed.precision == "day":
        return parsed.value
    moment = datetime.strptime(parsed.value, "%Y-%m-%dT%H:%M:%SZ").replace(tzinfo=timezone.utc)
    return moment.astimezone(get_zone(tz) or timezone.utc).date().isoformat()


def _plausible(parsed: ParsedDate, now: datetime, tz: str | None) -> bool:
    """Not more than a day in the future (embargoed or mis-zoned values are)."""
    limit = now + timedelta(days=1)
    if parsed.precision == "day":
        return parsed.value <= limit.astimezone(get_zone(tz) or timezone.utc).date().isoformat()
    return parsed.value <= limit.astimezone(timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")


def _earlier(modified: ParsedDate, published: ParsedDate, tz: str | None) -> bool:
    """Whether modified is before published, by the day when either has no time."""
    if "day" in (modified.precision, published.precision):
        return _local_day(modified, tz) < _local_day(published, tz)
    return modified.value < published.value


def _from_jsonld(tree: HtmlElement) -> Iterator[tuple[Kind, str]]:
    """datePublished / dateModified, from article objects first, then any other object."""
    objects = [obj for text in _select(_JSONLD, tree) for obj in _walk(load_json_ld(text))]
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


def _from_meta(tree: HtmlElement) -> Iterator[tuple[Kind, str]]:
    """Meta tags by the preference of META_KEYS, then microdata on other elements."""
    found: dict[str, str] = {}
    for meta in _select(_META, tree):
        for attribute in ("property", "name", "itemprop", "http-equiv"):
            key = meta_key(meta.get(attribute) or "")
            if key and key not in found:
                found[key] = meta.get("content", "")
    for kind, keys in _META_KEYS.items():
        for key in keys:
            if found.get(key):
                yield kind, found[key]
    for element in _select(_ITEMPROP, tree):
        value = element.get("content") or element.get("datetime") or _short_text(element)
        if value:
            yield ("modified" if element.get("itemprop") == "dateModified" else "published"), value


def _from_time(tree: HtmlElement) -> Iterator[tuple[Kind, str]]:
    """<time> elements: marked as the publication date, else in the article's header."""
    times = _select(_TIME, tree)
    marked: list[tuple[Kind, HtmlElement]] = []
    in_article: list[tuple[Kind, HtmlElement]] = []
    for element in times:
        if _in_furniture(element):
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
        value = element.get("datetime") or _short_text(element)
        if value:
            yield kind, value


def _from_text(tree: HtmlElement) -> Iterator[tuple[Kind, str]]:
    """Date lines just around the headline, then small date-ish elements of its region."""
    h1 = _headline(tree)
    region = _region(tree, h1)
    near = _near_headline(h1) if h1 is not None else []
    dateish = _select(_DATEISH, region)[:DATEISH_HITS] if region is not None else []
    seen: set[HtmlElement] = set()
    for element in near + dateish:
        if element in seen or element.tag in _SKIP_TAGS or _in_furniture(element):
            continue
        seen.add(element)
        text = _short_text(element)
        if text and any(c.isdigit() for c in text):
            yield from _split_updated(text)


def _headline(tree: HtmlElement) -> HtmlElement | None:
    """The article's h1: the first inside <article> or <main>, else the first."""
    headings = _select(_H1, tree)
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
    for node in _select(_AFTER_H1, h1) + _select(_BEFORE_H1, h1)[::-1]:  # nearest first
        owner = node.getparent()
        if owner is not None and node.is_tail:
            owner = owner.getparent()
        if owner is not None:
            elements.append(owner)
    return elements


def _in_furniture(element: HtmlElement) -> bool:
    """In a caption, a sidebar, a list of other stories or a comment: their dates are not
    the article's. Tags count at any depth (an <article> teaser inside an <aside> or a list
    item is another story); class and id words only close to the date."""
    ancestors = list(element.iterancestors())
    for depth, node in enumerate((element, *ancestors)):
        if node.tag in _FURNITURE_TAGS:
            return True
        if node.tag == "article":
            return any(a.tag == "li" for a in node.iterancestors())
        if node.tag in ("main", "body"):
            return False
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


def _from_url(url: str) -> Iterator[tuple[Kind, str]]:
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
