"""Why a fetched page gave no record: the one list of reasons, counted and logged alike.

Every page that yields no article is counted under `newsbot/pages/no_record/<reason>`
and under its site (`newsbot.sitestats`). An article candidate (listed by a sitemap
or feed, a start URL, a capture replayed from another tool's WARC, or a page that
declares an article type) that gets no record may be content lost, so it is logged
at INFO, one line with its URL; a listing reached by following links is what a crawl
expects to see, so it is logged at DEBUG.
"""

from __future__ import annotations

import logging
from typing import TYPE_CHECKING

from newsbot.sitestats import site_key

if TYPE_CHECKING:
    from scrapy.statscollectors import StatsCollector

logger = logging.getLogger(__name__)

REASONS: dict[str, str] = {
    "not_html": "not an HTML page",
    "binary": "binary content served as HTML",
    "listing": "a home, section, tag or author page, or a page of mostly links",
    "product": "a product, shop or order page",
    "media": "a video, music or gallery page",
    "login": "a login or sign-up page",
    "error_page": "an error page served with a success status",
    "no_text": "no main text",
    "extraction_failed": "the extraction failed or timed out",
}
PREFIX = "newsbot/pages/no_record/"


def stat_key(reason: str) -> str:
    """The stats key of a reason; an unknown reason is a programming error."""
    if reason not in REASONS:
        raise ValueError(f"unknown no-record reason {reason!r}")
    return PREFIX + reason


def count(
    stats: StatsCollector | None, reason: str, url: str, source: str | None, *, candidate: bool
) -> None:
    """Count a page without a record and log it once, at INFO for a lost candidate."""
    key = stat_key(reason)
    if stats is not None:
        stats.inc_value(key)
        stats.inc_value(site_key(source, f"no_record/{reason}"))
    logger.log(logging.INFO if candidate else logging.DEBUG, "no record (%s): %s", reason, url)
