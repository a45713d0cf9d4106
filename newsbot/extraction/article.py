"""Article extraction: HTML and its URL in, article fields out (no Scrapy here).

The body comes from trafilatura's main extractor in fast precision mode, which
is about twice as fast as its defaults and on the public benchmark about as
good; where a cheap signal says it failed, `newsbot.extraction.fallback` asks
readability-lxml for a second opinion, and where both found next to nothing,
trafilatura runs again with its own fallbacks and no precision focus (a body
lost is lost from the archive); `newsbot.extraction.cleanup` then drops what
general rules recognise as furniture (headline and standfirst repeated at the
top, share, newsletter and "read more" lines, date, byline and contact lines).
Metadata is read with trafilatura's metadata helpers, skipping its date
search: the caller runs its own on the same tree. The language is the one the
page declares, else trafilatura's identification (py3langid, optional) of the
text. Figures: `benchmarks/extraction.py`.

Pure functions with module-level constants only, so it runs unchanged in
worker processes, in replay and in benchmarks.
"""

from __future__ import annotations

import itertools
import logging
import re
from copy import deepcopy
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any
from urllib.parse import urljoin, urlsplit

from trafilatura import bare_extraction
from trafilatura.htmlprocessing import prune_unwanted_nodes
from trafilatura.json_metadata import normalize_authors
from trafilatura.metadata import (
    examine_meta,
    extract_catstags,
    extract_meta_json,
    extract_metainfo,
    extract_sitename,
    extract_title,
)
from trafilatura.utils import LANGID_FLAG, language_classifier, load_html
from trafilatura.xpaths import AUTHOR_DISCARD_XPATHS, AUTHOR_XPATHS

from newsbot.authors import normalise_authors, page_bylines
from newsbot.extraction.cleanup import (
    DEFAULT_CLEANUP,
    Block,
    CleanupRule,
    PageFacts,
    blocks_from_xml,
    clean_blocks,
)
from newsbot.extraction.fallback import (
    DEFAULT_RULE,
    MIN_EXTRACTED_SIZE,
    FallbackRule,
    needs_rescue,
    readability_blocks,
    second_opinion,
)
from newsbot.pagecontent import mostly_links
from newsbot.titles import displayed_headline

if TYPE_CHECKING:
    from collections.abc import Callable

    from lxml.html import HtmlElement
    from trafilatura.settings import Document

logger = logging.getLogger(__name__)

LANG_CODE = re.compile(r"^([a-z]{2})(?:[-_][a-z0-9]+)*$", re.IGNORECASE)
KEYWORD_META = ("keywords", "news_keywords", "article:tag", "parsely-tags")


@dataclass(frozen=True)
class ExtractOptions:
    """Knobs of `extract_article`; the defaults are the benchmarked ones."""

    favor_precision: bool = True  # trafilatura focus: precision drops more furniture
    fast: bool = True  # trafilatura without its own fallback extractors
    second_opinion: bool = True  # readability-lxml where the first extraction looks failed
    clean: bool = True  # general furniture rules (newsbot.extraction.cleanup)
    include_tables: bool = True
    fallback: FallbackRule = DEFAULT_RULE  # when to ask readability and take its answer
    cleanup: CleanupRule = DEFAULT_CLEANUP  # thresholds of the furniture rules


DEFAULT_OPTIONS = ExtractOptions()


def extract_article(
    html: str | HtmlElement, url: str, *, options: ExtractOptions | None = None
) -> dict[str, Any] | None:
    """Article fields of a page, or None when it holds no article text.

    A tree passed in is modified (the byline search prunes it): parse again to reuse it.
    """
    options = options or DEFAULT_OPTIONS
    tree = load_html(html)
    if tree is None:
        return None
    math_as_alt_text(tree)
    fields = extract_metadata(tree, url, bylines=False)
    headlines = page_headlines(tree)
    blocks = extract_blocks(tree, url, options)
    if not fields["authors"]:  # the tree's last use: no copy
        fields["authors"], credits = byline_authors(tree, in_place=True)
        fields["credits"] = list(dict.fromkeys([*fields["credits"], *credits]))
    if options.clean:
        blocks = clean_blocks(blocks, page_facts(fields, headlines), options.cleanup)
    text = "\n".join(b.text for b in blocks)
    if not text:
        return None
    fields["text"] = text
    fields["language"] = fields["language"] or detect_language(text)
    return fields


def math_as_alt_text(tree: HtmlElement) -> None:
    """MathML formulas as their `alttext` (TeX or words), or gone: read as text, MathML's
    presentation markup is a string of scattered symbols ("x = − b ± b 2 − 4 a c 2 a")."""
    for math in list(tree.iter("math")):
        alt = (math.get("alttext") or "").strip()
        if alt:  # as plain text: the extractors drop <math> whatever it holds
            math.clear(keep_tail=True)
            math.tag, math.text = "span", alt
        else:
            math.drop_tree()  # its tail, the sentence going on, stays


def extract_blocks(tree: HtmlElement, url: str, options: ExtractOptions) -> list[Block]:
    """The body as blocks: trafilatura first, readability if that looks failed, and
    trafilatura with its own fallbacks and no precision focus if both found next to
    nothing (a body lost is lost from the archive; the cleanup rules still run)."""
    blocks = _trafilatura_blocks(
        tree, url, options, fast=options.fast, favor_precision=options.favor_precision
    )
    if options.second_opinion:
        blocks = second_opinion(tree, blocks, options.fallback)
        if needs_rescue(blocks, options.fallback):
            blocks = _rescue(tree, url, options, blocks)
    return blocks


def _rescue(
    tree: HtmlElement, url: str, options: ExtractOptions, blocks: list[Block]
) -> list[Block]:
    """trafilatura's recall pass, else readability's body however short: the first that
    finds more than `blocks`, and more than a list of links (on a page whose story is
    behind a wall, other stories' headlines may be all that is left beside its lead)."""
    asks: tuple[Callable[[], list[Block]], ...] = (
        lambda: _trafilatura_blocks(tree, url, options, fast=False, favor_precision=False),
        lambda: readability_blocks(tree),
    )
    for ask in asks:
        found = ask()
        if _chars(found) > _chars(blocks) and not mostly_links(
            "\n".join(b.text for b in found), tree
        ):
            return found
    return blocks


def _trafilatura_blocks(
    tree: HtmlElement, url: str, options: ExtractOptions, *, fast: bool, favor_precision: bool
) -> list[Block]:
    doc = bare_extraction(
        tree,
        url=url,
        fast=fast,
        favor_precision=favor_precision,
        include_comments=False,
        include_tables=options.include_tables,
        with_metadata=False,
    )
    body = getattr(doc, "body", None)
    return blocks_from_xml(body) if body is not None else []


def _chars(blocks: list[Block]) -> int:
    return sum(len(b.text) for b in blocks)


def page_headlines(tree: HtmlElement) -> tuple[str, ...]:
    """Texts of the first <h1> elements: the headline a body may repeat."""
    return tuple(" ".join(h.text_content().split()) for h in itertools.islice(tree.iter("h1"), 5))


def page_facts(fields: dict[str, Any], headlines: tuple[str, ...] = ()) -> PageFacts:
    """Title, standfirst, bylines and headlines: what the top of a body may repeat."""
    return PageFacts(fields["title"], fields["description"], tuple(fields["authors"]), headlines)


def extract_metadata(tree: HtmlElement, url: str, *, bylines: bool = True) -> dict[str, Any]:
    """Every field but the text; no date search (the caller has its own).

    `bylines=False` skips the in-page byline search when no metadata names an
    author, for a caller that runs `byline_authors` later on a tree it can prune.
    """
    meta = _trafilatura_metadata(tree, url)
    authors, credits = normalise_authors([meta.author or ""], site=meta.sitename, url=url)
    if not authors and bylines:
        authors, more = byline_authors(tree)
        credits = list(dict.fromkeys([*credits, *more]))
    return {
        "title": displayed_headline(tree, url, meta.title or None, meta.sitename),
        "text": "",
        "authors": authors,
        "site": meta.sitename or urlsplit(url).hostname or None,
        "language": page_language(tree),
        "description": meta.description or None,
        "tags": _tags(tree, meta),
        "canonical_url": canonical_url(tree, url),
        "image": urljoin(url, meta.image) if meta.image else None,
        "credits": credits,  # wire agencies the metadata's bylines name (not authors)
    }


def _trafilatura_metadata(tree: HtmlElement, url: str) -> Document:
    """trafilatura's `extract_metadata` minus its date search, byline search and licence."""
    meta = examine_meta(tree)
    if meta.author and " " not in meta.author:
        meta.author = None  # a lone word is a handle or a site, not a byline
    try:
        meta = extract_meta_json(tree, meta)
    except (ValueError, TypeError, AttributeError, KeyError) as exc:
        logger.debug("JSON-LD metadata failed on %s: %s", url, exc)
    meta.title = meta.title or extract_title(tree)
    meta.sitename = (meta.sitename or extract_sitename(tree) or "").lstrip("@") or None
    if not (meta.categories or meta.tags):  # in-page tag links: costly, a last resort
        meta.categories = extract_catstags("category", tree)
        meta.tags = extract_catstags("tag", tree)
    meta.clean_and_trim()
    return meta


def byline_authors(tree: HtmlElement, *, in_place: bool = False) -> tuple[list[str], list[str]]:
    """(people, agencies) of trafilatura's in-page byline search, which first prunes
    comments, figures and dates; then of unmarked "By Name" lines. An agency in a byline
    ("By AFP") is a wire credit, not an author.

    `in_place` prunes the tree itself instead of a copy (a copy costs more than the search).
    """
    subtree = prune_unwanted_nodes(tree if in_place else deepcopy(tree), AUTHOR_DISCARD_XPATHS)
    author = extract_metainfo(subtree, AUTHOR_XPATHS, len_limit=120)
    people, credits = normalise_authors([(normalize_authors(None, author) or "") if author else ""])
    if people:
        return people, credits
    more, more_credits = normalise_authors(["; ".join(page_bylines(subtree))])
    return more, credits + more_credits


def split_authors(raw: str | None) -> list[str]:
    """People's names in a byline, normalised by `newsbot.authors` (wires left out)."""
    return normalise_authors([raw or ""])[0]


def _tags(tree: HtmlElement, meta: Document) -> list[str]:
    """Keywords, news keywords, article:tag and trafilatura's categories/tags, unique."""
    raw: list[str] = list(meta.categories or []) + list(meta.tags or [])
    for elem in tree.iterfind(".//head/meta[@content]"):
        key = (elem.get("name") or elem.get("property") or "").lower()
        if key in KEYWORD_META:
            raw.append(elem.get("content", ""))
    seen: dict[str, str] = {}
    for item in raw:
        for tag in item.split(","):
            tag = " ".join(tag.split())
            if tag and tag.lower() not in seen:
                seen[tag.lower()] = tag
    return list(seen.values())


def canonical_url(tree: HtmlElement, url: str) -> str | None:
    """`<link rel=canonical>` else og:url, resolved against the page URL, as declared."""
    for link in tree.iterfind(".//link[@rel][@href]"):
        href = str(link.get("href", "")).strip()
        if href and "canonical" in str(link.get("rel", "")).lower().split():
            return urljoin(url, href)
    for meta in tree.iterfind(".//meta[@property='og:url'][@content]"):
        content = str(meta.get("content", "")).strip()
        if content:
            return urljoin(url, content)
    return None


def page_language(tree: HtmlElement) -> str | None:
    """ISO 639-1 code the page declares: <html lang>, then content-language metas."""
    candidates = [tree.get("lang"), tree.get("xml:lang")]
    for meta in tree.iterfind(".//meta[@content]"):
        key = (meta.get("http-equiv") or meta.get("name") or meta.get("property") or "").lower()
        if key in ("content-language", "language", "dc.language", "og:locale"):
            candidates.append(meta.get("content"))
    for value in candidates:
        match = LANG_CODE.match((value or "").strip().split(",")[0].strip())
        if match:
            return match.group(1).lower()
    return None


def detect_language(text: str) -> str | None:
    """trafilatura's language identification (py3langid, if installed) for undeclared pages.

    Below trafilatura's minimum extraction size a text is too short to tell.
    """
    if not LANGID_FLAG or len(text) < MIN_EXTRACTED_SIZE:
        return None
    match = LANG_CODE.match(language_classifier(text[:3000], "") or "")
    return match.group(1).lower() if match else None


__all__ = ["ExtractOptions", "extract_article", "extract_metadata", "split_authors"]
