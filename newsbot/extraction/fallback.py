"""Second opinion on an article body, asked only where the first one looks failed.

Running two extractors on every page halves throughput, so readability-lxml
runs only when trafilatura's body is tiny, or short next to the text the page
holds in <p> elements (a page whose paragraphs mostly went missing). Its body
replaces the first only when it is longer and still contains most of the first
one: the second opinion must extend the first, not wander off to another part
of the page (comments, a teaser list), unless the first is so small that it
says nothing. The thresholds were chosen on one half of the benchmark and
checked on the other, both ways (`benchmarks/extraction.py --twofold`).
"""

from __future__ import annotations

import logging
import re
from copy import deepcopy
from dataclasses import dataclass
from typing import TYPE_CHECKING

from lxml import etree
from lxml.html import fragment_fromstring
from readability import Document as Readability
from trafilatura.settings import DEFAULT_CONFIG

from newsbot.extraction.cleanup import Block

if TYPE_CHECKING:
    from collections.abc import Callable

    from lxml.html import HtmlElement

logger = logging.getLogger(__name__)

MIN_EXTRACTED_SIZE = DEFAULT_CONFIG.getint("DEFAULT", "MIN_EXTRACTED_SIZE")  # 250 characters

WORD = re.compile(r"\w+")
HEADINGS = frozenset({"h1", "h2", "h3", "h4", "h5", "h6"})
_BLOCKS = (  # elements that start a new line of rendered text
    "p div li ul ol blockquote pre table tr td th dl dt dd"
    " article section header footer figure figcaption br hr"
)
BLOCK_TAGS = HEADINGS | frozenset(_BLOCKS.split())


@dataclass(frozen=True)
class FallbackRule:
    """When to ask readability, and when to take its answer."""

    tiny_chars: int = 500  # a first body shorter than this says nothing
    short_share: float = 0.4  # ... or shorter than this share of the page's <p> text
    min_growth: float = 1.2  # readability must be this much longer
    min_overlap: float = 0.5  # and hold this share of the first body's word trigrams
    # and be no shorter than trafilatura's own minimum for an extraction
    min_chars: int = MIN_EXTRACTED_SIZE


DEFAULT_RULE = FallbackRule()


def paragraph_chars(tree: HtmlElement) -> int:
    """Characters of text inside <p> elements: a cheap measure of the page's prose."""
    return sum(len(p.text_content()) for p in tree.iter("p"))


def needs_second_opinion(length: int, page_chars: int, rule: FallbackRule = DEFAULT_RULE) -> bool:
    """The cheap signal: the first body is tiny or a small share of the page's prose."""
    return length < rule.tiny_chars or length < rule.short_share * page_chars


def needs_rescue(blocks: list[Block], rule: FallbackRule = DEFAULT_RULE) -> bool:
    """After both opinions, still less than trafilatura's own minimum for an extraction."""
    return sum(len(b.text) for b in blocks) < rule.min_chars


def accept_second(first: str, second: str, rule: FallbackRule = DEFAULT_RULE) -> bool:
    """Take the second body if it is clearly longer and extends the first."""
    if len(second) < rule.min_chars or len(second) <= rule.min_growth * len(first):
        return False
    return len(first) < rule.tiny_chars or overlap(first, second) >= rule.min_overlap


def overlap(first: str, second: str) -> float:
    """Share of the first text's word trigrams found in the second."""
    a, b = _trigrams(first), _trigrams(second)
    return len(a & b) / len(a) if a else 0.0


def _trigrams(text: str) -> set[tuple[str, ...]]:
    words = WORD.findall(text.lower())
    return {tuple(words[i : i + 3]) for i in range(max(1, len(words) - 2))}


def second_opinion(
    tree: HtmlElement, blocks: list[Block], rule: FallbackRule = DEFAULT_RULE
) -> list[Block]:
    """`blocks`, or readability's blocks where the signal fires and its answer is better."""
    return choose_body(blocks, paragraph_chars(tree), lambda: readability_blocks(tree), rule)


def choose_body(
    first: list[Block],
    page_chars: int,
    ask: Callable[[], list[Block]],
    rule: FallbackRule = DEFAULT_RULE,
) -> list[Block]:
    """The decision alone, `ask` giving the second body on demand (benchmarks pass a cached one)."""
    first_text = "\n".join(b.text for b in first)
    if not needs_second_opinion(len(first_text), page_chars, rule):
        return first
    other = ask()
    return other if accept_second(first_text, "\n".join(b.text for b in other), rule) else first


def readability_blocks(tree: HtmlElement) -> list[Block]:
    """readability-lxml's body as blocks (on a copy: it rewrites the tree it reads)."""
    try:
        summary = Readability(deepcopy(tree)).summary(html_partial=True)
        root = fragment_fromstring(summary, create_parent="div")
    except (ValueError, TypeError, etree.ParserError) as exc:
        logger.debug("readability failed: %s", exc)
        return []
    return html_blocks(root)


def html_blocks(root: HtmlElement) -> list[Block]:
    """Split an HTML fragment into one block per line of rendered text."""
    blocks: list[Block] = []
    parts: list[str] = []
    tags: list[str] = []

    def flush() -> None:
        text = " ".join("".join(parts).split())
        if text:
            blocks.append(Block("head" if tags and tags[-1] in HEADINGS else "p", text))
        parts.clear()

    for event, elem in etree.iterwalk(root, events=("start", "end")):
        tag = elem.tag if isinstance(elem.tag, str) else ""
        if event == "start":
            if tag in BLOCK_TAGS:
                flush()
                tags.append(tag)
            parts.append(elem.text or "")
        else:
            if tag in BLOCK_TAGS:
                flush()
                tags.pop()
            if elem is not root:
                parts.append(elem.tail or "")
    flush()
    return blocks
