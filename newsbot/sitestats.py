"""Figures per site (per source): what the summary's `sites` section and the report read.

Counted in Scrapy's stats under `newsbot/sites/<source>/<figure>`, so they travel with
every other counter (and survive a JOBDIR pause like them); `sites_summary` gathers them.
The source is the sources-file name, or host:port for `-a url=` crawls and for
captures replayed from other tools' WARCs.
"""

from __future__ import annotations

from typing import Any
from urllib.parse import urlsplit

PREFIX = "newsbot/sites/"
FIGURES = (
    "pages_fetched",
    "article_candidates",
    "records",
    "duplicates",
    "undated",
    "template_paragraphs_removed",
)


def site_key(source: str | None, figure: str) -> str:
    return f"{PREFIX}{source or '-'}/{figure}"


def inc(stats: Any, source: str | None, figure: str, count: int = 1) -> None:
    """Add to one site's figure (`stats`: Scrapy's StatsCollector)."""
    stats.inc_value(site_key(source, figure), count)


def site_of(url: str) -> str:
    """host:port (the port only when the URL names one): the source of a foreign capture."""
    return urlsplit(url).netloc.lower().rpartition("@")[2] or "-"


def sites_summary(stats: dict[str, Any]) -> dict[str, dict[str, Any]]:
    """{source: {pages_fetched, article_candidates, records, ..., no_record: {reason: n}}}."""
    sites: dict[str, dict[str, Any]] = {}
    for key, value in stats.items():
        if not key.startswith(PREFIX):
            continue
        rest = key[len(PREFIX) :]
        reason = None
        if "/no_record/" in rest:
            rest, _, reason = rest.rpartition("/no_record/")
            figure = "no_record"
        else:
            rest, _, figure = rest.rpartition("/")
        site = sites.setdefault(rest, {**dict.fromkeys(FIGURES, 0), "no_record": {}})
        if reason is not None:
            site["no_record"][reason] = value
        else:
            site[figure] = value
    for site in sites.values():
        site["no_record"] = dict(sorted(site["no_record"].items()))
    return dict(sorted(sites.items()))
