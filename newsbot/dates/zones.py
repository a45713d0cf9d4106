"""Time zones for dates: zone abbreviations and offsets, zone <-> country, the site's zone.

News sites print local times with loose abbreviations ("IST", "CST", "ET"): which zone they
mean depends on the country of the site, which we derive from tzdata's own tables
(zone.tab, and the link lines of tzdata.zi for old names like Asia/Calcutta). The site's
zone itself is guessed from its locale and ccTLD when the sources file does not give it.
"""

from __future__ import annotations

import logging
import re
from datetime import datetime, timedelta, timezone, tzinfo
from functools import lru_cache
from importlib import resources
from typing import TYPE_CHECKING
from urllib.parse import urlsplit
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from lxml import etree

if TYPE_CHECKING:
    from lxml.html import HtmlElement

logger = logging.getLogger(__name__)

# An abbreviation maps to a fixed UTC offset in minutes, or to an IANA zone whose wall time
# on the date in question it names (so "ET" and "EST" both follow US daylight saving).
ABBREVIATIONS: dict[str, int | str] = {
    "UTC": 0,
    "GMT": 0,
    "UT": 0,
    "Z": 0,
    "WET": 0,
    "BST": 60,
    "WEST": 60,
    "CET": 60,
    "MEZ": 60,
    "WAT": 60,
    "CEST": 120,
    "MESZ": 120,
    "EET": 120,
    "SAST": 120,
    "CAT": 120,
    "EEST": 180,
    "MSK": 180,
    "EAT": 180,
    "AST": -240,
    "ADT": -180,
    "GST": 240,
    "IRST": 210,
    "AFT": 270,
    "PKT": 300,
    "NPT": 345,
    "ICT": 420,
    "WIB": 420,
    "WITA": 480,
    "WIT": 540,
    "SGT": 480,
    "MYT": 480,
    "PHT": 480,
    "HKT": 480,
    "AWST": 480,
    "JST": 540,
    "KST": 540,
    "ACST": 570,
    "ACDT": 630,
    "AEST": 600,
    "AEDT": 660,
    "NZST": 720,
    "NZDT": 780,
    "HST": -600,
    "BRT": -180,
    "BRST": -120,
    "ART": -180,
    "CLT": -240,
    "CLST": -180,
    "COT": -300,
    "PET": -300,
    "ET": "America/New_York",
    "EST": "America/New_York",
    "EDT": "America/New_York",
    "CT": "America/Chicago",
    "CST": "America/Chicago",
    "CDT": "America/Chicago",
    "MT": "America/Denver",
    "MST": "America/Denver",
    "MDT": "America/Denver",
    "PT": "America/Los_Angeles",
    "PST": "America/Los_Angeles",
    "PDT": "America/Los_Angeles",
    "AKST": "America/Anchorage",
    "AKDT": "America/Anchorage",
    "IST": "Asia/Kolkata",
    "IDT": "Asia/Jerusalem",
}

# Abbreviations that mean another zone in some countries: country of the site -> zone.
AMBIGUOUS: dict[str, dict[str, str]] = {
    "IST": {"IE": "Europe/Dublin", "IL": "Asia/Jerusalem", "PS": "Asia/Jerusalem"},
    "CST": {"CN": "Asia/Shanghai", "TW": "Asia/Taipei", "MO": "Asia/Macau", "CU": "America/Havana"},
    "BST": {"BD": "Asia/Dhaka"},
    "AST": {c: "Asia/Riyadh" for c in ("SA", "KW", "QA", "BH", "IQ", "YE")},
    "GST": {"GS": "Atlantic/South_Georgia"},
}

# Countries that write numeric dates month first (03/04/2025 is March 4).
MONTH_FIRST_COUNTRIES = frozenset(
    {"US", "PH", "PR", "GU", "AS", "VI", "MP", "UM", "FM", "MH", "PW"}
)

# zone.tab lists a country's zones west to east or north to south; these are the main ones.
MAIN_ZONE_OVERRIDES = {
    "AU": "Australia/Sydney",
    "BR": "America/Sao_Paulo",
    "CA": "America/Toronto",
    "RU": "Europe/Moscow",
    "UA": "Europe/Kyiv",
    "UZ": "Asia/Tashkent",
    "FM": "Pacific/Pohnpei",
}


def _read_tzdata(name: str) -> list[list[str]]:
    """Rows of a tzdata table file, comments dropped; empty if tzdata is absent."""
    try:
        text = resources.files("tzdata").joinpath("zoneinfo").joinpath(name).read_text("utf-8")
    except (ModuleNotFoundError, FileNotFoundError, OSError):
        logger.warning("tzdata table %s not found: zone countries unknown", name)
        return []
    return [line.split() for line in text.splitlines() if line and not line.startswith("#")]


@lru_cache(maxsize=1)
def _zone_countries() -> dict[str, str]:
    """IANA zone (including old link names) -> ISO country code."""
    countries = {row[2]: row[0] for row in _read_tzdata("zone.tab") if len(row) >= 3}
    for row in _read_tzdata("zone1970.tab"):
        if len(row) >= 3:
            countries.setdefault(row[2], row[0].split(",")[0])
    for row in _read_tzdata("tzdata.zi"):
        if len(row) == 3 and row[0] == "L" and row[1] in countries:
            countries.setdefault(row[2], countries[row[1]])
    return countries


@lru_cache(maxsize=1)
def country_zones() -> dict[str, str]:
    """ISO country code -> its main zone (the first in zone.tab unless overridden)."""
    zones: dict[str, str] = {}
    for row in _read_tzdata("zone.tab"):
        if len(row) >= 3:
            zones.setdefault(row[0], row[2])
    zones.update(MAIN_ZONE_OVERRIDES)
    return zones


def zone_country(tz: str | None) -> str | None:
    """ISO country code of an IANA zone, or None (UTC, unknown names)."""
    return _zone_countries().get(tz) if tz else None


def country_zone(country: str) -> str | None:
    """Main IANA zone of an ISO country code ("IN" -> "Asia/Kolkata")."""
    return country_zones().get(country.upper())


def month_first(tz: str | None) -> bool:
    """Whether the site's country writes numeric dates month first; unknown sites are day first."""
    return zone_country(tz) in MONTH_FIRST_COUNTRIES


@lru_cache(maxsize=512)
def get_zone(tz: str | None) -> tzinfo | None:
    """ZoneInfo for a name, or None for None and unknown names (logged once per name)."""
    if not tz:
        return None
    try:
        return ZoneInfo(tz)
    except (ZoneInfoNotFoundError, ValueError, TypeError):
        logger.warning("unknown time zone %r: treated as UTC", tz)
        return None


@lru_cache(maxsize=1024)
def _site_zone_uses(tz: str, abbreviation: str, year: int) -> bool:
    """Whether the site's zone calls its own winter or summer time by this abbreviation."""
    zone = get_zone(tz)
    if zone is None:
        return False
    family = {abbreviation}
    if len(abbreviation) <= 3 and abbreviation not in ("IST", "IDT"):  # ET = EST + EDT
        family |= {abbreviation[0] + "ST", abbreviation[0] + "DT"}
    names = {datetime(year, month, 1, tzinfo=zone).tzname() for month in (1, 7)}
    return bool(family & names)


def resolve_abbreviation(abbreviation: str, tz: str | None, year: int) -> tzinfo | None:
    """The zone an abbreviation names on a site whose zone is tz; None if unknown."""
    spec = ABBREVIATIONS.get(abbreviation)
    if spec is None:
        return None
    country = zone_country(tz)
    if country and country in AMBIGUOUS.get(abbreviation, {}):
        return get_zone(AMBIGUOUS[abbreviation][country])
    if isinstance(spec, int):
        return timezone(timedelta(minutes=spec))
    if tz and _site_zone_uses(tz, abbreviation, year):
        return get_zone(tz)  # e.g. MST on an Arizona site, PST on a Philippine one
    return get_zone(spec)


_ZONE = re.compile(  # what follows a time: Z, +05:30, GMT+5:30, (IST)
    r"\s*[(\[]?\s*(?:(?P<z>Z)(?![A-Za-z])"
    r"|(?:GMT|UTC|UT)\s?(?P<gsign>[+\-−])\s?(?P<gh>\d{1,2})(?::?(?P<gm>\d{2}))?(?!\d)"
    r"|(?P<sign>[+\-−])(?P<oh>\d{2})(?::?(?P<om>\d{2}))?(?![\d:])"
    r"|(?P<abbr>[A-Z]{2,5})(?![A-Za-z]))"
)


def zone_at(text: str, pos: int, tz: str | None, year: int) -> tzinfo | None:
    """The zone printed right after a time: Z, an offset, GMT+5:30, or an abbreviation."""
    match = _ZONE.match(text, pos)
    if match is None:
        return None
    if match["z"]:
        return timezone.utc
    if match["gsign"]:
        return fixed_offset(match["gsign"], match["gh"], match["gm"])
    if match["sign"]:
        return fixed_offset(match["sign"], match["oh"], match["om"])
    return resolve_abbreviation(match["abbr"], tz, year)


def fixed_offset(sign: str, hours: str, minutes: str | None) -> timezone:
    """A fixed offset; ValueError beyond the +-14:00 that zones of the world reach."""
    delta = timedelta(hours=int(hours), minutes=int(minutes or 0))
    if int(minutes or 0) >= 60 or delta > timedelta(hours=14):
        raise ValueError(f"no such UTC offset: {sign}{hours}:{minutes}")
    return timezone(-delta if sign in "-−" else delta)


# ccTLDs sold as generic names: they say nothing of where a site is.
VANITY_TLDS = frozenset(
    {
        "io",
        "tv",
        "me",
        "co",
        "ai",
        "fm",
        "ly",
        "to",
        "cc",
        "ws",
        "la",
        "am",
        "nu",
        "tk",
        "so",
        "st",
        "ag",
        "vc",
        "gg",
    }
)
# Languages spoken in essentially one zone, for pages with neither region nor ccTLD.
LANGUAGE_COUNTRIES = {
    "ja": "JP",
    "ko": "KR",
    "he": "IL",
    "iw": "IL",
    "it": "IT",
    "de": "DE",
    "pl": "PL",
    "nl": "NL",
    "cs": "CZ",
    "sv": "SE",
    "da": "DK",
    "fi": "FI",
    "el": "GR",
    "hu": "HU",
    "ro": "RO",
    "tr": "TR",
    "uk": "UA",
    "th": "TH",
    "vi": "VN",
    "hi": "IN",
    "mr": "IN",
}
_LOCALE = re.compile(r"([a-z]{2,3})(?:[-_]([a-z]{2}))?(?![a-z])", re.IGNORECASE)
_LOCALE_XPATH = etree.XPath(
    "//meta[@property='og:locale' or @name='og:locale']/@content | /html/@lang | /html/@xml:lang",
    namespaces={"xml": "http://www.w3.org/XML/1998/namespace"},
)


def guess_site_timezone(tree: HtmlElement, url: str) -> str | None:
    """The site's IANA zone from its locale region, else its ccTLD, else its language; or None.

    None means naive times are read as UTC and "IST" as India. An "en_US" region is the
    default of many CMSs, so a ccTLD of another country overrides it.
    """
    languages, regions = [], []
    for value in _locales(tree):
        match = _LOCALE.match(value.strip())
        if match:
            languages.append(match[1].lower())
            if match[2]:
                regions.append(match[2].upper())
    strong = [region for region in regions if region != "US"]
    for country in (*strong, _tld_country(url), *regions):
        zone = country_zone(country) if country else None
        if zone:
            return zone
    for language in languages:
        if language in LANGUAGE_COUNTRIES:
            return country_zone(LANGUAGE_COUNTRIES[language])
    return None


def _locales(tree: HtmlElement) -> list[str]:
    result = _LOCALE_XPATH(tree)
    return [str(value) for value in result] if isinstance(result, list) else []


def _tld_country(url: str) -> str | None:
    """ISO country of the host's ccTLD (".co.uk" -> GB), None for .com, .io and the like."""
    try:
        host = urlsplit(url).hostname or ""
    except (ValueError, AttributeError):
        return None
    tld = host.rsplit(".", 1)[-1].lower()
    if len(tld) != 2 or tld in VANITY_TLDS:
        return None
    return "GB" if tld == "uk" else tld.upper()
