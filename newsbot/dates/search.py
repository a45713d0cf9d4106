"""Page-level date search: published and modified dates of an article page, and its site's zone.

Sources are read in order of trust (JSON-LD, meta tags, <time>, the feed and sitemap entries
that led to the page, the date line near the headline, the URL), and the first plausible
value wins, except that a less trusted value with a time of day replaces a date-only one of
the same day: sites often put only the day in their metadata and the time in the date line.
Candidates printing the same moment are read as one (`_same_moment`): a zone one of them
states applies to the others, and the offset a visible date line shows is the one the
record's local time carries (`_shown_offset`). The sources themselves are read in
`newsbot.dates.sources`, which skips dates in captions, related-story lists, comments,
sidebars and teasers. Where no source gives a date, htmldate's extensive search has the
last word.
The tree is only read, never changed: the caller hands it to trafilatura afterwards.
"""

from __future__ import annotations

import dataclasses
import logging
from dataclasses import dataclass
from datetime import datetime, timedelta, timezone
from typing import TYPE_CHECKING, Any

from newsbot.dates.parse import ParsedDate, parse_date
from newsbot.dates.sitezones import evidence
from newsbot.dates.sources import (
    Kind,
    Layout,
    Source,
    from_jsonld,
    from_meta,
    from_text,
    from_time,
    from_url,
    load_json_ld,
)
from newsbot.dates.zones import get_zone, guess_site_timezone

if TYPE_CHECKING:
    from collections.abc import Iterable, Iterator, Mapping

    from lxml.html import HtmlElement

__all__ = ["Kind", "Source", "find_dates", "guess_site_timezone", "load_json_ld"]

logger = logging.getLogger(__name__)

_VISIBLE: frozenset[Source] = frozenset({"time", "text"})  # what a reader sees printed


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
    found = [
        c for c in _candidates(tree, url, tz, hints or {}, now) if _plausible(c.parsed, now, tz)
    ]
    for candidate in found:
        best[candidate.kind] = _better(best[candidate.kind], candidate, tz)
    best["published"] = best["published"] or _last_resort(tree, url, now)
    published, modified = (_same_moment(best[kind], found) for kind in ("published", "modified"))
    if published and modified and _earlier(modified.parsed, published.parsed, tz):
        modified = None
    return {
        **_walls(published, modified),
        "published_offset": _shown_offset(published, found, tz),
        "zone_evidence": evidence(c.parsed for c in found),
        "published": published.parsed.value if published else None,
        "published_precision": published.parsed.precision if published else None,
        "published_raw": published.parsed.raw if published else None,
        "published_source": published.source if published else None,
        "modified": modified.parsed.value if modified else None,
        "modified_raw": modified.parsed.raw if modified else None,
        "modified_source": modified.source if modified else None,
    }


MAX_OFFSET = timedelta(hours=14)  # the widest UTC offset in use (Kiribati)


def _shown_offset(chosen: _Candidate | None, found: list[_Candidate], tz: str | None) -> int | None:
    """The UTC offset (minutes) the page shows a machine-read publication time in, where
    its visible date line says so: the line's own zone ("4:59 AM UTC", "10:35 PM PST"), a
    zone-less wall time of the same moment, or a printed day that is the UTC day and not
    the site zone's (a site that prints UTC days). The record's local time then carries
    the day printed on the page. None: the site's zone decides."""
    if chosen is None or not chosen.parsed.zoned or chosen.parsed.precision == "day":
        return None
    if chosen.source in _VISIBLE:
        return None
    instant = _instant(chosen.parsed.value)
    for other in found:
        shown = other.parsed
        if other.kind != "published" or other.source not in _VISIBLE:
            continue
        if shown.precision == "day":
            utc_day = instant.date().isoformat()
            if shown.value == utc_day != _local_day(chosen.parsed, tz):
                return 0
            continue
        if shown.wall is None:
            continue
        wall = datetime.strptime(shown.wall, "%Y-%m-%dT%H:%M").replace(tzinfo=timezone.utc)
        offset = wall - instant.replace(second=0)
        if abs(offset) <= MAX_OFFSET and offset % timedelta(minutes=15) == timedelta(0):
            return int(offset.total_seconds() // 60)
    return None


def _instant(value: str) -> datetime:
    return datetime.strptime(value, "%Y-%m-%dT%H:%M:%SZ").replace(tzinfo=timezone.utc)


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
        day = find_date(
            tree,
            extensive_search=True,
            original_date=True,
            url=url,
            max_date=now.strftime("%Y-%m-%d"),
        )
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
    layout = Layout.lazily(tree)  # most pages are settled by JSON-LD or meta tags
    sources: list[tuple[Source, Iterable[tuple[Kind, str]]]] = [
        ("jsonld", from_jsonld(tree)),
        ("meta", from_meta(tree)),
        ("time", from_time(tree, layout)),
        ("feed", [("published", hints["feed"])] if hints.get("feed") else []),
        ("sitemap", [("published", hints["sitemap"])] if hints.get("sitemap") else []),
        ("text", from_text(tree, layout)),
        ("url", from_url(url)),
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
    return _instant(parsed.value).astimezone(get_zone(tz) or timezone.utc).date().isoformat()


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
