"""Site-template learning: paragraphs that recur verbatim across a site's pages.

A paragraph found on many pages of the same site ("Discover the latest Business
News...", a newsletter box, a legal notice, "Also read" blocks) is that site's
boilerplate, however the page marks it up. `TemplateStore` counts, per site,
on how many distinct pages each paragraph (a short hash of its text with
whitespace folded) appeared, in the state backend's `TemplateCounts` (SQLite:
tables `tmpl_*` of the state file), and decides here, with its guards.

Order: `clean_text` observes a page first and filters it second, so the page
that brings a paragraph to `min_pages` is already cleaned. The limitation: the
first `min_pages - 1` pages of a site keep a template paragraph (a replay with
this state, or `boilerplate()` on them later, can clean them). Decisions are
kept stable: once removed from a page, a paragraph stays boilerplate for its
site even if the site later grows past the ratio guard.

Guards against removing real text: a paragraph must recur on at least
`min_pages` pages *and* on `min_share` of the site's pages (a background
paragraph reused by a short series of follow-ups is not a template); a
paragraph naming a wire agency is never removed (credit lines recur by
nature); and nothing is removed from a page if that would empty it or cut
more than `max_cut` of its characters (a republished story, not a template).
Short lines count like others: "Advertisement" recurring on every page goes.
"""

from __future__ import annotations

import hashlib
import logging
import os
from dataclasses import dataclass
from typing import TYPE_CHECKING

from newsbot.state.sqlite_templates import SqliteTemplateCounts
from newsbot.wires import names_agency

if TYPE_CHECKING:
    from collections.abc import Iterable, Sequence

    from typing_extensions import Self

    from newsbot.state.protocols import TemplateCounts

logger = logging.getLogger(__name__)


def normalise(paragraph: str) -> str:
    """The form paragraphs are compared in: whitespace folded, ends trimmed."""
    return " ".join(paragraph.split())


def paragraph_hash(paragraph: str) -> int:
    """Short stable hash (64 bits, signed for SQLite) of a normalised paragraph."""
    return _hash(normalise(paragraph))


def _hash(folded: str) -> int:
    digest = hashlib.blake2b(folded.encode("utf-8"), digest_size=8).digest()
    return int.from_bytes(digest, "big", signed=True)


_BLANK = _hash("")


@dataclass(frozen=True, slots=True)
class Paragraphs:
    """What the store needs of a text, computed once per page (in an extraction worker):
    each newline-separated paragraph's hash, and which paragraphs may never be boilerplate
    (blank ones, and those naming a wire agency)."""

    hashes: tuple[int, ...]
    protected: frozenset[int]

    @classmethod
    def of(cls, text: str) -> Paragraphs:
        return cls.of_lines(text.split("\n"))

    @classmethod
    def of_lines(cls, paragraphs: Iterable[str]) -> Paragraphs:
        hashes, protected = [], set()
        for i, paragraph in enumerate(paragraphs):
            folded = normalise(paragraph)
            hashes.append(_hash(folded))
            if not folded or names_agency(paragraph):
                protected.add(i)
        return cls(tuple(hashes), frozenset(protected))

    def observed(self) -> set[int]:
        """The distinct hashes a page counts for (blank paragraphs do not count)."""
        return set(self.hashes) - {_BLANK}


class TemplateStore:
    """Per-site boilerplate decisions over a backend's paragraph counts, shared by
    processes and runs (a path opens SQLite counts of its own)."""

    def __init__(
        self,
        counts: str | os.PathLike[str] | TemplateCounts,
        *,
        min_pages: int = 3,
        min_share: float = 0.02,
        max_cut: float = 0.5,
    ) -> None:
        self.min_pages = min_pages  # a template paragraph recurs on at least this many pages
        self.min_share = min_share  # ... and on at least this share of the site's pages
        self.max_cut = max_cut  # never cut more than this share of a page's characters
        self._owned = isinstance(counts, (str, os.PathLike))
        self.counts: TemplateCounts = (
            SqliteTemplateCounts(counts) if isinstance(counts, (str, os.PathLike)) else counts
        )
        self._pages: dict[str, int] = {}  # site -> its page count when this store last counted it

    def observe(self, site: str, page_key: str, paragraphs: Iterable[str] | Paragraphs) -> bool:
        """Count the page's distinct paragraphs once; False if the page was seen before."""
        if not isinstance(paragraphs, Paragraphs):
            paragraphs = Paragraphs.of_lines(paragraphs)
        n = self.counts.observe(site, paragraph_hash(page_key), paragraphs.observed())
        if n is None:
            return False
        self._pages[site] = n
        return True

    def site_pages(self, site: str) -> int:
        """How many distinct pages of the site have been observed (as of this store's
        last `observe` of the site, if any: another process may have counted more since)."""
        if site in self._pages:
            return self._pages[site]
        return self.counts.site_pages(site)

    def boilerplate(self, site: str, paragraphs: Sequence[str] | Paragraphs) -> set[int]:
        """Indexes of the paragraphs that are this site's boilerplate (guards on each paragraph)."""
        if not isinstance(paragraphs, Paragraphs):
            paragraphs = Paragraphs.of_lines(paragraphs)
        known = self.counts.counts(site, set(paragraphs.hashes))
        if known is None:
            return set()
        site_pages, counts = known
        floor = max(self.min_pages, self.min_share * site_pages)
        found = set()
        for i, h in enumerate(paragraphs.hashes):
            pages, fixed = counts.get(h, (0, False))
            if (fixed or pages >= floor) and i not in paragraphs.protected:
                found.add(i)
        return found

    def clean_text(
        self, site: str, page_key: str, text: str, paragraphs: Paragraphs | None = None
    ) -> tuple[str, int]:
        """Observe a page's paragraphs (newline-separated), then drop the site's boilerplate.

        Returns the text and the number of paragraphs removed. Nothing is removed
        when that would leave the text empty or cut more than `max_cut` of it.
        `paragraphs`, if given, is `Paragraphs.of(text)` computed beforehand.
        """
        paragraphs = paragraphs or Paragraphs.of(text)
        self.observe(site, page_key, paragraphs)
        return self.strip(site, page_key, text, paragraphs)

    def strip(
        self, site: str, page_key: str, text: str, paragraphs: Paragraphs | None = None
    ) -> tuple[str, int]:
        """Drop the site's boilerplate as known now, without counting the page again."""
        lines = text.split("\n")
        paragraphs = paragraphs or Paragraphs.of_lines(lines)
        drop = self.boilerplate(site, paragraphs)
        if not drop:
            return text, 0
        cut = sum(len(lines[i]) for i in drop)
        if cut > self.max_cut * len(text) or len(drop) == len(lines):
            logger.debug(
                "%s: %d template paragraphs kept, they are most of the page", page_key, len(drop)
            )
            return text, 0
        self.counts.fix(site, [paragraphs.hashes[i] for i in drop])  # stable as the site grows
        return "\n".join(p for i, p in enumerate(lines) if i not in drop), len(drop)

    def prune(self, idle_pages: int = 10_000) -> int:
        """Forget rare paragraphs unseen in the site's last `idle_pages` pages: a small file."""
        return self.counts.prune(self.min_pages, idle_pages)

    def close(self) -> None:
        if self._owned:
            self.counts.close()

    def __enter__(self) -> Self:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()
