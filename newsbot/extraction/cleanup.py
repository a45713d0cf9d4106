"""General rules that drop site furniture from an extracted body.

Each rule describes a kind of line found on news sites at large, never a named
site: the headline or standfirst repeated at the top, share and newsletter
prompts, "read more" pointers and teaser headlines, bare date, byline and
contact lines, labelled site notices, the numbered captions of an embedded slideshow. Rules only touch short lines, so a real
paragraph that happens to start the same way survives; a line naming a wire
agency is never furniture (credits feed wire attribution). Picture captions
are left to trafilatura, which drops <figure>/<figcaption>: text rules for
credits ("Image: ...", "©") removed as many ground-truth lines as clutter on
the benchmark. Thresholds sit in `CleanupRule`, checked two-fold by
`benchmarks/extraction.py`.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from newsbot.wires import names_agency

if TYPE_CHECKING:
    from lxml.etree import _Element

WORD = re.compile(r"\w+")


@dataclass(frozen=True)
class CleanupRule:
    """The thresholds of the furniture rules."""

    max_chars: int = 300  # furniture rules never touch a longer line (a labelled notice aside)
    date_chars: int = 90  # a date/time line is at most this long
    top_lines: int = 3  # the headline and standfirst are looked for among the first lines only
    headline_share: float = (
        0.6  # a line starting the title and this long is the title minus a suffix
    )


DEFAULT_CLEANUP = CleanupRule()

_SEP = r"\s*(?:[:|»›]|\s[-–—]\s|\.\.\.|…|$)"
FURNITURE: dict[str, re.Pattern[str]] = {
    # pointers to other stories: "Read more: ...", "Related: ...", "DON'T MISS", "Also on x.com ..."
    "pointer": re.compile(
        r"^[\[(]?(?:read more|read also|also read|see more|see also|more on this|related(?: \w+)?"
        r"|recommended(?: \w+){0,2}|don'?t miss|you (?:may|might) (?:also )?like"
        r"|more(?: \w+){0,3} stories"
        r"|more)"
        + _SEP
        + r"|^most (?:read|popular|viewed|shared)\b.{0,40}$|^also on \w[\w-]*\.\w{2,}\b",
        re.IGNORECASE,
    ),
    # a teaser headline tagged in capitals: "Plane passengers quarantined [VIDEO]"
    "teaser": re.compile(r"\s\[[A-Z]{3,}(?: [A-Z]+)*\]\s*\|?$"),
    # share buttons and prompts
    "share": re.compile(
        r"^(?:share|tweet|e-?mail|print|pin)(?: (?:this|it|on|via)(?: \w+){0,2})?$"
        r"|share (?:it|this) with a friend",
        re.IGNORECASE,
    ),
    # newsletter, subscription and app promotions
    "promo": re.compile(
        r"\bnewsletters?\b|\b(?:to|in|into) your inbox\b|^subscribe\b"
        r"|^(?:thanks|thank you) for (?:signing up|subscribing)"
        r"|\b(?:download|get|install) (?:the|our) (?:[\w-]+ ){0,4}app\b",
        re.IGNORECASE,
    ),
    # how to reach or follow the author or the site
    "contact": re.compile(
        r"^(?:write to|e-?mail|reach|contact|have a tip\?)\b.{0,160}(?:@|twitter)"
        r"|^follow\b.{0,80}\b(?:on|at) (?:twitter|facebook|instagram|linkedin|youtube)\b|^follow @",
        re.IGNORECASE,
    ),
    # taxonomy and reading-time furniture
    "meta": re.compile(
        r"^(?:filed under|posted in|categor(?:y|ies)|tags?|tagged(?: with)?|topics?)\s*:"
        r"|\b\d+\s*(?:min(?:ute)?s?|minutos?|minuten)\s*(?:read|de leitura|lesezeit)\b"
        r"|^(?:reading time|tempo de leitura|lesezeit|temps de lecture)\s*:",
        re.IGNORECASE,
    ),
    # cookie-consent banners
    "consent": re.compile(
        r"\b(?:we|this (?:site|website)|our (?:site|website|partners))\b.{0,80}\bcookies\b"
        r"|\bcookies?\b.{0,40}\b(?:policy|settings|preferences|consent)\b"
        r"|\b(?:accept|allow|manage)(?: all)?(?: my)? cookies\b",
        re.IGNORECASE,
    ),
    # a labelled site notice ("Advisory Alert: ...")
    "notice": re.compile(r"^(?:advisory(?: alert)?|alert)\s*:", re.IGNORECASE),
}
# whole lines that are a button or a box title, compared as words(), "|"-separated
_LABELS = (
    "comments|comment|tags|text size|advertisement|ad|sponsored|subscribe|share|share this"
    "|share this article|print|email|more|related|related stories|related articles"
    "|continue reading|read more|story continues below|story continues below advertisement"
    "|show comments|leave a comment|back to top|loading|accept|accept all|reject all|i agree"
)
LABELS = frozenset(_LABELS.split("|"))
CLOCK = re.compile(r"\b\d{1,2}:\d{2}\b|\b\d{1,2}\s*[ap]\.?m\.?(?!\w)", re.IGNORECASE)
DATE_HINT = re.compile(
    r"\b(?:19|20)\d{2}\b|\b(?:jan|feb|mar|apr|may|jun|jul|aug|sep|oct|nov|dec)[a-z]*\.? \d|"
    r"\b(?:updated|published|posted)\b",
    re.IGNORECASE,
)
DATE_LABEL = re.compile(
    r"^(?:first |last )?(?:published|updated|posted)(?: on| at)?\s*:", re.IGNORECASE
)
BYLINE = re.compile(r"^by\s+[A-Z][\w.'-]*(?:\s+[A-Z][\w.'-]*){0,3}$")
# a slideshow's caption counter: "3/50 ...", "3 of 50 ...", "(3/50)"
SLIDE = re.compile(r"^[(\[-]?\s*(\d{1,3})\s*(?:/|of|von|de|sur|di)\s*(\d{1,3})\b", re.IGNORECASE)
MIN_SLIDES = 3  # a run of this many numbered captions is a gallery, not the story
TRAILING_BUTTON = re.compile(r"\s*(?:click to tweet|tweet this)$", re.IGNORECASE)


@dataclass(frozen=True)
class Block:
    """One line of body text and the kind of element it came from ('p', 'head', 'list'...)."""

    tag: str
    text: str


def blocks_from_xml(body: _Element) -> list[Block]:
    """trafilatura's XML body as blocks, one per rendered line."""
    blocks: list[Block] = []
    for child in body:
        for line in _xmltotxt(child, False).split("\n"):
            line = " ".join(line.split())
            if line:
                blocks.append(Block(str(child.tag), line))
    return blocks


def words(text: str | None) -> str:
    """Lower-case words joined by spaces: the form lines are compared in."""
    return " ".join(WORD.findall((text or "").lower()))


@dataclass(frozen=True)
class PageFacts:
    """What the page says about itself, against which top lines are recognised."""

    title: str | None = None
    description: str | None = None
    authors: tuple[str, ...] = ()
    headlines: tuple[str, ...] = ()  # texts of the page's <h1> elements


def clean_blocks(
    blocks: list[Block], facts: PageFacts, rule: CleanupRule = DEFAULT_CLEANUP
) -> list[Block]:
    """Drop the repeated headline/standfirst at the top, then furniture lines anywhere.

    List items right after a dropped pointer ("Related:", "More:") are the
    pointed-to headlines and go with it.
    """
    blocks = drop_slideshows(_strip_top(blocks, facts, rule))
    authors = frozenset(words(a) for a in facts.authors)
    keep: list[Block] = []
    after_pointer = False
    for block in blocks:
        text = strip_buttons(block.text)
        kind = furniture_kind(text, authors, rule) if text else "empty"
        if kind is None and not (after_pointer and block.tag == "list"):
            keep.append(Block(block.tag, text))
            after_pointer = False
        elif kind in ("pointer", "label"):
            after_pointer = True
    return keep


def drop_slideshows(blocks: list[Block]) -> list[Block]:
    """Drop runs of a gallery's numbered captions ("1/50 ...", "2/50 ..."): a slideshow
    embedded in the page, each slide's caption a teaser for something else."""
    counters = [_slide(b.text) for b in blocks]
    drop: set[int] = set()
    start = 0
    for i in range(1, len(blocks) + 1):
        if i < len(blocks) and _continues(counters[i - 1], counters[i]):
            continue
        if counters[start] is not None and i - start >= MIN_SLIDES:
            drop.update(range(start, i))
        start = i
    return [b for i, b in enumerate(blocks) if i not in drop] if drop else blocks


def _slide(line: str) -> tuple[int, int] | None:
    match = SLIDE.match(line)
    if match is None:
        return None
    number, total = int(match.group(1)), int(match.group(2))
    return (number, total) if 0 < number <= total else None


def _continues(before: tuple[int, int] | None, after: tuple[int, int] | None) -> bool:
    return before is not None and after is not None and after == (before[0] + 1, before[1])


def _xmltotxt(element: Any, include_formatting: bool) -> str:
    """trafilatura's XML-to-text, imported on first use: importing the furniture rules
    need not pay for trafilatura."""
    from trafilatura.xml import xmltotxt

    return xmltotxt(element, include_formatting)


def names_wire_agency(line: str) -> bool:
    """Does the line name a wire agency? A line naming one may be a credit ("(With AFP
    inputs)", "By Bernama"), never furniture; `newsbot.wires` holds the one agency list."""
    return names_agency(line)


def strip_buttons(line: str) -> str:
    """Drop a share button's label glued to the end of a quotable line."""
    return TRAILING_BUTTON.sub("", line) if "tweet" in line[-15:].lower() else line


def furniture_kind(
    line: str, authors: frozenset[str] = frozenset(), rule: CleanupRule = DEFAULT_CLEANUP
) -> str | None:
    """The name of the rule that makes `line` furniture, or None for text."""
    norm = words(line)
    if norm in LABELS:
        return "label"
    if len(line) > rule.max_chars:
        return "notice" if FURNITURE["notice"].match(line) else None
    if norm and (norm in authors or BYLINE.match(line)) and not names_wire_agency(line):
        return "byline"
    if len(line) <= rule.date_chars and is_date_line(line):
        return "date"
    for kind, pattern in FURNITURE.items():
        if pattern.search(line):
            return kind
    return None


def is_date_line(line: str) -> bool:
    """A 'first published: ...' label, or a clock time beside a year, a month or 'updated'."""
    return bool(DATE_LABEL.match(line) or (CLOCK.search(line) and DATE_HINT.search(line)))


def _strip_top(blocks: list[Block], facts: PageFacts, rule: CleanupRule) -> list[Block]:
    """Drop the headline, and a standfirst set as a heading, among the first lines."""
    heads = {words(h) for h in (facts.title, *facts.headlines)} - {""}
    desc = words(facts.description)
    keep: list[Block] = []
    for i, block in enumerate(blocks):
        top = i < rule.top_lines
        if top and (is_headline(block, heads, rule.headline_share) or is_standfirst(block, desc)):
            continue
        keep.append(block)
    return keep


def is_headline(
    block: Block, heads: set[str], share: float = DEFAULT_CLEANUP.headline_share
) -> bool:
    """The headline: the title or an <h1>, or the title's leading part (a site suffix cut)."""
    line = words(block.text)
    if not line:
        return False
    if line in heads:
        return True
    return any(h.startswith(line) and len(line) >= share * len(h) for h in heads)


def is_standfirst(block: Block, desc: str) -> bool:
    """The description set as a heading; a paragraph equal to it is the lead, kept."""
    return block.tag == "head" and bool(desc) and words(block.text) == desc
