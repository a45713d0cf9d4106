"""Date strings as news sites print them -> UTC ISO 8601 (`normalize_date`, `parse_date`).

We search the string for a date, then a time beside it, then a zone beside the time, with
our own patterns: dateparser reads "IST" as Israel whatever the site, finds nothing behind
a label ("Published: ..."), and takes milliseconds a string. It still serves as the last
resort, for relative phrases ("il y a 3 heures") and month names our tables lack.
"""

from __future__ import annotations

import dataclasses
import logging
import re
import unicodedata
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta, timezone, tzinfo
from functools import lru_cache
from typing import Literal

from dateparser.date import DateData, DateDataParser

from newsbot.dates.patterns import (
    _DATE_PATTERNS,
    _DAY_WORD,
    _DAY_WORDS,
    _EPOCH,
    _FALLBACK_HINT,
    _ISO,
    _RELATIVE,
    _RELATIVE_START,
    _RFC2822,
    _TIME_PATTERNS,
    _TIME_SUFFIX,
    _WORDS,
    DATEPARSER_LANGUAGES,
    MAX_DAY_WORD_CONTEXT,
    MAX_LENGTH,
    MONTHS,
    _fold,
)
from newsbot.dates.zones import fixed_offset, get_zone, month_first, zone_at

logger = logging.getLogger(__name__)

Precision = Literal["day", "minute", "second"]
MIN_YEAR, MAX_YEAR = 1970, 2100


@dataclass(frozen=True)
class ParsedDate:
    """A normalized date and how much of it the string gave."""

    value: str  # "YYYY-MM-DDTHH:MM:SSZ" (UTC), or "YYYY-MM-DD" as printed
    precision: Precision
    raw: str
    # What the string printed, for comparing candidates of one page (newsbot.dates.search):
    wall: str | None = None  # the printed date and time of day, "YYYY-MM-DDTHH:MM"
    zoned: bool = False  # the string stated its zone (an offset, Z, GMT, "IST")
    ambiguous: bool = False  # an hour of 1..12 with no am/pm: maybe 12 hours off


@dataclass(frozen=True)
class _Clock:
    hour: int
    minute: int
    second: int | None
    zone: tzinfo | None
    ambiguous: bool = False  # 1..12 with no am/pm


def normalize_date(text: str, *, tz: str | None = None, now: datetime | None = None) -> str | None:
    """UTC ISO 8601 for a moment, the printed day for a date without time, else None."""
    parsed = parse_date(text, tz=tz, now=now)
    return parsed.value if parsed else None


def parse_date(
    text: str, *, tz: str | None = None, now: datetime | None = None
) -> ParsedDate | None:
    """Parse a date string printed by a site in zone tz; never raises."""
    if not isinstance(text, str):
        return None
    if not isinstance(tz, str):
        tz = None
    if not isinstance(now, datetime):
        now = None
    try:
        return _parse(text, tz, now)
    except (ValueError, OverflowError, TypeError, KeyError, IndexError, RecursionError) as exc:
        logger.debug("unparsable date %r: %s", text[:100], exc)
        return None


def _parse(raw: str, tz: str | None, now: datetime | None) -> ParsedDate | None:
    text = " ".join(unicodedata.normalize("NFKC", raw).split())
    if not text or len(text) > MAX_LENGTH:
        return None
    if _EPOCH.fullmatch(text):
        return _from_epoch(text, raw)
    iso = _ISO.fullmatch(text)
    if iso:
        return _from_iso(iso, tz, raw)
    rfc = _RFC2822.fullmatch(text)
    if rfc:
        return _from_rfc2822(rfc, tz, raw)
    found = _find_date(text, tz)
    if found:
        day, start, end, stop = found
        return _result(day, _find_clock(text, start, end, stop, tz, day.year), tz, raw)
    return _parse_relative(text, tz, now, raw) or _parse_fallback(text, tz, raw)


def _result(day: date, clock: _Clock | None, tz: str | None, raw: str) -> ParsedDate | None:
    """The ParsedDate for a printed day and maybe a time; None outside MIN_YEAR..MAX_YEAR."""
    if not MIN_YEAR <= day.year <= MAX_YEAR:
        return None
    if clock is None:
        return ParsedDate(day.isoformat(), "day", raw)
    zone = clock.zone or get_zone(tz) or timezone.utc
    moment = datetime.combine(day, time(clock.hour, clock.minute, clock.second or 0), zone)
    precision: Precision = "minute" if clock.second is None else "second"
    return _timed(moment, precision, raw, clock)


def _timed(
    moment: datetime, precision: Precision, raw: str, clock: _Clock | None = None
) -> ParsedDate:
    utc = moment.astimezone(timezone.utc)
    if clock is None:  # an epoch or a relative time: a moment, not a printed wall time
        return ParsedDate(utc.strftime("%Y-%m-%dT%H:%M:%SZ"), precision, raw, zoned=True)
    return ParsedDate(
        utc.strftime("%Y-%m-%dT%H:%M:%SZ"),
        precision,
        raw,
        wall=moment.strftime("%Y-%m-%dT%H:%M"),
        zoned=clock.zone is not None,
        ambiguous=clock.ambiguous,
    )


def _from_epoch(text: str, raw: str) -> ParsedDate | None:
    """Digits-only strings: Unix seconds or milliseconds, trusted only within 1990..2100."""
    seconds = int(text) // (1000 if len(text) == 13 else 1)
    moment = datetime.fromtimestamp(seconds, timezone.utc)
    return _timed(moment, "second", raw) if 1990 <= moment.year <= MAX_YEAR else None


def _from_iso(match: re.Match[str], tz: str | None, raw: str) -> ParsedDate | None:
    """The fast path: ISO 8601 / RFC 3339, the form of most meta tags and JSON-LD."""
    day = date(int(match["y"]), int(match["m"]), int(match["d"]))
    if match["H"] is None:
        return _result(day, None, tz, raw)
    zone = timezone.utc if match["z"] else None
    if match["sign"]:
        zone = fixed_offset(match["sign"], match["oh"], match["om"])
    second = int(match["S"]) if match["S"] else None
    return _result(day, _clock24(int(match["H"]), int(match["M"]), second, zone), tz, raw)


def _from_rfc2822(match: re.Match[str], tz: str | None, raw: str) -> ParsedDate | None:
    """The fast path for feeds: 'Tue, 16 Dec 2025 01:13:00 +0530'."""
    day = date(int(match["y"]), MONTHS[match["mon"].lower()], int(match["d"]))
    zone = zone_at(match.string, match.start("zone"), tz, day.year)
    second = int(match["S"]) if match["S"] else None
    return _result(day, _clock24(int(match["H"]), int(match["M"]), second, zone), tz, raw)


def _clock24(hour: int, minute: int, second: int | None, zone: tzinfo | None) -> _Clock:
    """A time of a machine format (ISO 8601, RFC 2822): 24-hour by definition."""
    return dataclasses.replace(_clock(hour, minute, second, None, zone), ambiguous=False)


def _find_date(text: str, tz: str | None) -> tuple[date, int, int, int] | None:
    """The first date in text: (day, start, end, start of the next date or len(text))."""
    matches = sorted(
        (m for pattern in _DATE_PATTERNS for m in pattern.finditer(text)),
        key=lambda m: (m.start(), -m.end()),
    )
    for i, match in enumerate(matches):
        day = _match_day(match, tz)
        if day is not None:
            later = (m.start() for m in matches[i + 1 :] if m.start() >= match.end())
            return day, match.start(), match.end(), min(later, default=len(text))
    return None


def _match_day(match: re.Match[str], tz: str | None) -> date | None:
    """The day a date pattern matched, or None if it is no real day (31 February)."""
    groups = match.groupdict()
    year = _year(groups["y"])
    if groups.get("a"):
        first, second = int(groups["a"]), int(groups["b"])
        day_first = first > 12 or (second <= 12 and not month_first(tz))
        day, month = (first, second) if day_first else (second, first)
    else:
        day = int(groups["d"])
        month = MONTHS.get(_fold(groups["mon"]), 0) if groups.get("mon") else int(groups["m"])
    if not MIN_YEAR <= year <= MAX_YEAR:
        return None
    try:
        return date(year, month, day)
    except ValueError:
        return None


def _year(digits: str) -> int:
    year = int(digits)
    if len(digits) == 2:
        year += 1900 if year >= 70 else 2000
    return year


def _find_clock(
    text: str, start: int, end: int, stop: int, tz: str | None, year: int
) -> _Clock | None:
    """The time printed nearest the date: after it (before the next date) or before it."""
    after, before = _first_time(text, end, stop), _last_time(text, 0, start)
    match = after or before
    if after and before:  # "01:13 GMT, 16 Dec 2025 | Updated: 09:40 GMT, 16 Dec 2025"
        match = after if after.start() - end <= start - before.end() else before
    if match is None:
        return None
    groups = match.groupdict()
    ampm = groups.get("ampm") or groups.get("pre")
    second = int(groups["S"]) if groups.get("S") else None
    suffix = _TIME_SUFFIX.match(text, match.end())
    try:
        zone = zone_at(text, suffix.end() if suffix else match.end(), tz, year)
        return _clock(int(groups["H"]), int(groups.get("M") or 0), second, ampm, zone)
    except ValueError:  # "45:30 min" beside a date is no time of day
        return None


def _first_time(text: str, start: int, stop: int) -> re.Match[str] | None:
    found = (p.search(text, start, stop) for p in _TIME_PATTERNS)
    return min((m for m in found if m), key=lambda m: m.start(), default=None)


def _last_time(text: str, start: int, stop: int) -> re.Match[str] | None:
    found = [m for p in _TIME_PATTERNS for m in p.finditer(text, start, stop)]
    return max(found, key=lambda m: m.start(), default=None)


def _clock(
    hour: int, minute: int, second: int | None, ampm: str | None, zone: tzinfo | None
) -> _Clock:
    """A checked time of day; ValueError for 25:00 or 10:61, which make the string no date."""
    ambiguous = not ampm and 1 <= hour <= 12
    if ampm and 1 <= hour <= 12:  # a 24-hour time before "am" is German ("15:30 am 16.12.")
        pm = ampm[0].lower() == "p" or ampm in ("午後", "下午", "오후")
        hour = hour % 12 + (12 if pm else 0)
    if hour > 23 or minute > 59 or (second is not None and second > 60):
        raise ValueError(f"no such time: {hour}:{minute}:{second}")
    return _Clock(hour, minute, None if second is None else min(second, 59), zone, ambiguous)


def _reference(now: datetime | None, tz: str | None) -> datetime:
    """The reference moment in the site's zone (naive reference times are UTC)."""
    now = now or datetime.now(timezone.utc)
    if now.tzinfo is None:
        now = now.replace(tzinfo=timezone.utc)
    return now.astimezone(get_zone(tz) or timezone.utc)


def _parse_relative(text: str, tz: str | None, now: datetime | None, raw: str) -> ParsedDate | None:
    """'today 10:30', 'yesterday' (ours) and 'N hours ago' in many languages (dateparser)."""
    local = _reference(now, tz)
    word = _DAY_WORD.search(text)
    if word:
        day = local.date() - timedelta(days=_DAY_WORDS[word[0].casefold()])
        clock = _find_clock(text, word.start(), word.end(), len(text), tz, day.year)
        if clock is None and len(_WORDS.findall(text)) > MAX_DAY_WORD_CONTEXT + 1:
            return None  # "hier" in a sentence: French "yesterday" or German "here"?
        return _result(day, clock, tz, raw)
    if not _RELATIVE.search(text):
        return None
    start = _RELATIVE_START.search(text)
    trimmed = text[start.start() if start else 0 :]
    data = _dateparser_data(trimmed, local.replace(tzinfo=None), _order(tz))
    if data is None or data.date_obj is None:
        return None
    moment = data.date_obj.replace(tzinfo=local.tzinfo)  # relative to the site's wall clock
    if data.period in ("day", "week"):
        return _result(moment.date(), None, tz, raw)
    if data.period != "time":
        return None  # "last month" names no day
    return _timed(moment.replace(second=0, microsecond=0), "minute", raw)


def _parse_fallback(text: str, tz: str | None, raw: str) -> ParsedDate | None:
    """dateparser for a short string that names a year but no month we know (e.g. Russian)."""
    if len(text) > 60 or not _FALLBACK_HINT.search(text):
        return None
    data = _dateparser_data(text, None, _order(tz))
    if data is None or data.date_obj is None or data.period not in ("day", "time"):
        return None
    day = data.date_obj.date()  # the day is dateparser's; the time and zone, as ours read them
    clock = _find_clock(text, 0, 0, len(text), tz, day.year) if data.period == "time" else None
    return _result(day, clock, tz, raw)


def _order(tz: str | None) -> str:
    return "MDY" if month_first(tz) else "DMY"


@lru_cache(maxsize=4096)
def _dateparser_data(text: str, base: datetime | None, order: str) -> DateData | None:
    """dateparser's reading of text, zone-naive (TIMEZONE=UTC stops any conversion); cached."""
    settings: dict[str, object] = {
        "TIMEZONE": "UTC",
        "RETURN_TIME_AS_PERIOD": True,
        "PREFER_DATES_FROM": "past",
        "DATE_ORDER": order,
    }
    if base is None:
        settings["REQUIRE_PARTS"] = ["day", "month", "year"]
    else:
        settings["RELATIVE_BASE"] = base
    try:
        parser = DateDataParser(languages=list(DATEPARSER_LANGUAGES), settings=settings)
        return parser.get_date_data(text)
    except (ValueError, TypeError, OverflowError, KeyError, IndexError, AttributeError) as exc:
        logger.debug("dateparser failed on %r: %s", text, exc)
        return None


def at_offset(value: str | None, minutes: int) -> str | None:
    """A UTC time (`normalize_date`'s form) at a fixed UTC offset; a day stays the day."""
    if not value or len(value) == 10:
        return value
    try:
        moment = datetime.fromisoformat(value.replace("Z", "+00:00"))
    except ValueError:
        return None
    return moment.astimezone(timezone(timedelta(minutes=minutes))).isoformat(timespec="seconds")


def local_time(value: str | None, zone: str | None) -> str | None:
    """A UTC time (`normalize_date`'s form) as the site's readers saw it: the same instant
    with the offset of `zone` (`2025-12-15T19:43:00Z` in Asia/Kolkata is
    `2025-12-16T01:13:00+05:30`), so the day is the day printed on the page. A day alone
    is already the printed day; None without a time zone or a time."""
    if not value or not zone:
        return None
    if len(value) == 10:
        return value
    tz = get_zone(zone)
    if tz is None:
        return None
    try:
        moment = datetime.fromisoformat(value.replace("Z", "+00:00"))
    except ValueError:
        return None
    return moment.astimezone(tz).isoformat(timespec="seconds")
