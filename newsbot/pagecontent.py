"""Is a candidate page an article? Judged in the workers, on the parsed page itself.

The crawl process only takes a cheap first look (`newsbot.pagetype`); here the page
and its extracted body say what the page is:

- a **listing** when its main content is mostly links to other pages: lines of the
  body that are the text of a link elsewhere on the page (headline lists, teaser
  grids) carry most of its characters;
- a **product** page when it has a buy box: an add-to-cart control with a price
  beside it (schema.org and Open Graph product types are read earlier, from the head);
- a **login** page when it holds a password field and little text;
- an **error page** when its title says error or not found (`404`, `Error`) and it
  holds little text;
- **no text** when nothing is left of the body (a **listing** if the page still has
  headline-long links: an extractor keeps no list of headlines as a body).

Otherwise it is an article. The thresholds were chosen on half A of the benchmark
pages (by a hash of the URL) and checked on half B (`benchmarks/pagecontent.py`).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import TYPE_CHECKING

from newsbot.extraction.fallback import MIN_EXTRACTED_SIZE

if TYPE_CHECKING:
    from collections.abc import Iterator

    from lxml.html import HtmlElement

NOT_LINKS = ("#", "javascript:", "mailto:", "tel:")
MIN_LINK_TEXT = 12  # characters: shorter link texts ("Home", "More") also stand in prose
CART = re.compile(r"add[-_ ]?to[-_ ]?(cart|basket|bag)|addtocart", re.IGNORECASE)
CART_WORDS = ("cart", "Cart", "CART", "asket", "ASKET")
BUY_BOX_LEVELS = 3
ERROR_TITLE = re.compile(r"(^|\W)(40[134]|410|50[03])(\W|$)|\berror\b|\bnot found\b", re.IGNORECASE)


@dataclass(frozen=True)
class ContentRule:
    """Thresholds of the content verdicts."""

    linked_share: float = 0.5  # of the body's characters in lines that are link texts
    linked_lines: int = 4  # ... and at least this many such lines
    short_text: int = MIN_EXTRACTED_SIZE  # characters: a login or error page holds less


DEFAULT_RULE = ContentRule()


@dataclass(frozen=True)
class PageSignals:
    """What the verdict reads, measured once per page (before extraction prunes the tree)."""

    link_texts: frozenset[str]
    has_password: bool
    has_buy_box: bool
    title: str

    @classmethod
    def of(cls, tree: HtmlElement, html: str = "") -> PageSignals:
        """`html`: the page's source, for a cheap first look for a cart before the tree."""
        links = {
            _norm(a.text_content())
            for a in tree.iter("a")
            if not (a.get("href") or "#").lstrip().startswith(NOT_LINKS)
        }
        password = any((i.get("type") or "").lower() == "password" for i in tree.iter("input"))
        title = tree.find(".//title")
        return cls(
            frozenset(t for t in links if t),
            password,
            may_sell(html) and has_buy_box(tree),
            _norm(title.text_content()) if title is not None else "",
        )


@dataclass(frozen=True)
class BodyFigures:
    """How much of a body is links: the figures the listing verdict compares."""

    chars: int
    linked_chars: int  # in lines that are headline-long link texts
    linked_lines: int
    unlinked_chars: int  # in lines that are no link text at all

    @classmethod
    def of(cls, text: str, signals: PageSignals) -> BodyFigures:
        lines = [_norm(line) for line in text.splitlines()]
        links = [line in signals.link_texts for line in lines]
        linked = [line for line, link in zip(lines, links) if link and len(line) >= MIN_LINK_TEXT]
        return cls(
            sum(map(len, lines)),
            sum(map(len, linked)),
            len(linked),
            sum(len(line) for line, link in zip(lines, links) if not link),
        )


def may_sell(html: str) -> bool:
    """A cheap first look for a cart in the page source: plain substring tests, then the
    pattern (a case-blind regex over a whole page costs more than the rest of the verdict)."""
    return any(word in html for word in CART_WORDS) and bool(CART.search(html))


def has_buy_box(tree: HtmlElement) -> bool:
    """An add-to-cart control and a price side by side (in one small container): the buy
    box of a shop's product page. A cart link in a site's header has no price beside it."""
    carts = [e for e in tree.iter() if isinstance(e.tag, str) and _is_cart(e)]
    if not carts:
        return False
    prices = [
        e
        for e in tree.iter()
        if isinstance(e.tag, str)
        and "price" in (e.get("class") or "")
        and any(c.isdigit() for c in e.text_content())
    ]
    return any(_near(c, p) for c in carts for p in prices[:50])


def _is_cart(elem: HtmlElement) -> bool:
    return any(CART.search(str(v)) for k, v in elem.attrib.items() if k != "href" and k != "src")


def _near(a: HtmlElement, b: HtmlElement, levels: int = BUY_BOX_LEVELS) -> bool:
    """Whether both elements sit within `levels` parents of a common container smaller
    than the page (<body> and <html> hold everything)."""
    up = set(_ancestors(a, levels))
    return any(elem in up for elem in _ancestors(b, levels))


def _ancestors(elem: HtmlElement, levels: int) -> Iterator[HtmlElement]:
    for _ in range(levels + 1):
        if elem is None or elem.tag in ("body", "html"):
            return
        yield elem
        elem = elem.getparent()


def mostly_links(text: str, tree: HtmlElement, rule: ContentRule | None = None) -> bool:
    """Whether a body is a listing's (for choosing among extractions of one page)."""
    return is_listing(BodyFigures.of(text, PageSignals.of(tree)), rule or DEFAULT_RULE)


def verdict(text: str, signals: PageSignals, rule: ContentRule = DEFAULT_RULE) -> str | None:
    """None for an article, else the no-record reason (`newsbot.norecord`)."""
    if not text.strip():  # nothing but links and furniture: a listing if headlines are there
        headlines = sum(len(t) >= MIN_LINK_TEXT for t in signals.link_texts)
        return "listing" if headlines >= rule.linked_lines else "no_text"
    if signals.has_buy_box:
        return "product"
    body = BodyFigures.of(text, signals)
    if is_listing(body, rule):
        return "listing"
    if body.chars < rule.short_text:
        if signals.has_password:
            return "login"
        if ERROR_TITLE.search(signals.title):
            return "error_page"
    return None


def is_listing(body: BodyFigures, rule: ContentRule = DEFAULT_RULE) -> bool:
    """Most of the body is the text of links elsewhere on the page (a headline list),
    or all of it is (a menu's labels)."""
    if body.chars and not body.unlinked_chars:
        return True
    return (
        body.linked_lines >= rule.linked_lines
        and body.linked_chars >= rule.linked_share * body.chars
    )


def _norm(text: str) -> str:
    return " ".join(text.split()).casefold()
