"""The displayed headline of a page: what a reader sees as the title, without the site's name.

Pages name their headline several times: `og:title`, `twitter:title`, JSON-LD `headline`,
`<title>` and the `<h1>` elements. Each can be wrong on its own: `<title>` and `og:title`
carry the site's name ("Headline | eHow", "r/Showerthoughts - Headline"), an `<h1>` can be
the site's logo or a section name. So the sources vote:

1. an `<h1>` that another source repeats (whole, or as one of its parts between
   separators) is the headline: two sources agree and the `<h1>` has no site name;
2. else the first metadata title, with its leading or trailing parts removed when they
   name the site (its declared name, its host) or repeat an `<h1>` (a logo heading);
3. else the first `<h1>`, else what trafilatura found.

Chosen on half of the news-dev pages and checked on the other (`benchmarks/metadata.py`).
"""

from __future__ import annotations

import re
import unicodedata
from functools import lru_cache
from typing import TYPE_CHECKING, Any

from lxml import etree

from newsbot.authors import site_keys
from newsbot.dates.sources import H1, JSONLD, load_json_ld, select

if TYPE_CHECKING:
    from collections.abc import Iterator

    from lxml.html import HtmlElement

__all__ = ["displayed_headline"]

# " | ", " - ", " – ", " — ", " · ", " : ", " » ", " / ", "_" (Chinese sites), "｜", "："
SEPARATOR = re.compile(r"\s+(?:[|\-–—·•»«/:]|::)\s+|\s*[|｜_：]\s*|\s+－\s+")
MAX_TITLE = 300  # a longer "heading" is a paragraph or a caption
MAX_H1 = 5
MAX_LABEL_WORDS = 3  # an h1 this short that no other source repeats is a section label
PRIORITY = {"h1": 0, "og": 1, "jsonld": 2, "twitter": 3, "title": 4}  # ties: lowest first

_META_TITLE = etree.XPath(
    "//meta[@property='og:title' or @name='og:title' or @name='twitter:title'"
    " or @property='twitter:title'][@content]"
)
_TITLE = etree.XPath("//head/title | //title")


def displayed_headline(
    tree: HtmlElement, url: str, fallback: str | None = None, site: str | None = None
) -> str | None:
    """The headline by agreement of the page's sources (rules above); fallback when none."""
    h1s = [h for h in (_heading(e) for e in select(H1, tree)[:MAX_H1]) if h and len(h) <= MAX_TITLE]
    kinds = [(kind, t) for kind, t in _metadata_titles(tree) if t]
    metas = [t for _, t in kinds]
    keys = site_keys(site, url)
    logos = _logos(h1s, metas)
    keys |= logos
    sources = [(PRIORITY["h1"], h) for h in h1s if _key(h) not in logos]
    sources += [(PRIORITY[kind], strip_site(t, keys)) for kind, t in kinds]
    sources = [(rank, text) for rank, text in sources if _key(text)]
    if not sources:
        return fallback
    votes = {text: sum(_agrees(text, other) for _, other in sources) for _, text in sources}
    return max(sources, key=lambda s: (votes[s[1]], _rank(s, votes[s[1]])))[1]


def _rank(source: tuple[int, str], votes: int) -> int:
    """Ties go to the h1, unless no other source repeats it and it is a short label
    ("Business Monday", "Custom"): a section heading, not the headline."""
    rank, text = source
    if rank == PRIORITY["h1"] and votes == 1 and len(text.split()) <= MAX_LABEL_WORDS:
        return -len(PRIORITY)
    return -rank


def _logos(h1s: list[str], titles: list[str]) -> set[str]:
    """Keys of h1s that are the site's logo: a first or last part of a title that another,
    later h1 also matches, or a lone such part that is not the title's longest."""
    parts = [h for h in h1s if any(_part_of(h, t) for t in titles)]
    if len(parts) > 1:
        return {_key(h) for h in parts[:-1]}
    return {_key(h) for h in parts if any(_is_affix(h, t) for t in titles)}


def _part_of(h1: str, title: str) -> bool:
    parts = _parts(title)
    return len(parts) > 1 and _key(h1) in parts


def strip_site(title: str, keys: set[str]) -> str:
    """The title without leading or trailing parts that name the site."""
    parts = [p for p in SEPARATOR.split(title) if p.strip()]
    whole = len(parts)
    if whole < 2:
        return title.strip()
    while len(parts) > 1 and _names_site(parts[-1], keys):
        parts.pop()
    while len(parts) > 1 and _names_site(parts[0], keys):
        parts.pop(0)
    if len(parts) == 1:
        return parts[0].strip()
    return title.strip() if len(parts) == whole else _rejoin(title, parts)


def _rejoin(title: str, parts: list[str]) -> str:
    """The stretch of the title from the first kept part to the end of the last."""
    start = title.find(parts[0])
    end = title.rfind(parts[-1]) + len(parts[-1])
    return title[start:end].strip() if 0 <= start < end else " ".join(parts)


def _names_site(part: str, keys: set[str]) -> bool:
    key = _key(part)
    return bool(key) and any(key == k or (len(k) > 3 and key.startswith(k)) for k in keys)


def _agrees(text: str, other: str) -> bool:
    """One title is the other, or a run of its parts holding its longest part."""
    a, b = _key(text), _key(other)
    return bool(a and b) and (a == b or _is_run(a, other) or _is_run(b, text))


@lru_cache(maxsize=1024)
def _parts(title: str) -> tuple[str, ...]:
    return tuple(_key(p) for p in SEPARATOR.split(title))


def _is_run(key: str, title: str) -> bool:
    parts = _parts(title)
    longest = max(range(len(parts)), key=lambda i: len(parts[i]))
    return any(
        key == "".join(parts[i:j])
        for i in range(longest + 1)
        for j in range(longest + 1, len(parts) + 1)
    )


def _is_affix(h1: str, title: str) -> bool:
    """The h1 is a first or last part of the title, not its longest: the site's logo."""
    parts = _parts(title)
    key = _key(h1)
    return len(parts) > 1 and key in (parts[0], parts[-1]) and key != max(parts, key=len)


@lru_cache(maxsize=4096)
def _key(text: str) -> str:
    """Case-, accent-, quote- and punctuation-insensitive form."""
    decomposed = unicodedata.normalize("NFKD", text)
    folded = "".join(c for c in decomposed if not unicodedata.combining(c)).casefold()
    return re.sub(r"[\W_]+", "", folded)


def _metadata_titles(tree: HtmlElement) -> Iterator[tuple[str, str]]:
    """(kind, title) of og:title and twitter:title, JSON-LD headline, then <title>."""
    for meta in select(_META_TITLE, tree):
        kind = "og" if "og:" in (meta.get("property") or meta.get("name") or "") else "twitter"
        yield kind, " ".join(str(meta.get("content", "")).split())
    for text in select(JSONLD, tree):
        yield from (("jsonld", h) for h in _headlines(load_json_ld(text)))
    for element in select(_TITLE, tree)[:1]:
        yield "title", _text(element)


def _headlines(data: Any, depth: int = 0) -> Iterator[str]:
    if depth > 4:
        return
    if isinstance(data, list):
        for item in data:
            yield from _headlines(item, depth + 1)
    elif isinstance(data, dict):
        headline = data.get("headline")
        if isinstance(headline, str):
            yield " ".join(headline.split())
        for key in ("@graph", "mainEntity", "mainEntityOfPage"):
            yield from _headlines(data.get(key), depth + 1)


def _heading(element: HtmlElement) -> str:
    """An h1's text without a permalink mark ("Title ¶", "Title #")."""
    return _text(element).rstrip(" ¶#§🔗")


def _text(element: HtmlElement) -> str:
    return " ".join(" ".join(element.itertext()).split())
