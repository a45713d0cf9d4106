"""newsbot.dates.zones: which zone a site, an abbreviation or a printed offset means."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone

import pytest
from lxml import html

from newsbot.dates.zones import (
    country_zone,
    fixed_offset,
    get_zone,
    guess_site_timezone,
    month_first,
    resolve_abbreviation,
    zone_at,
    zone_country,
)


def offset(tz: object, when: datetime = datetime(2025, 12, 16, 12)) -> timedelta | None:
    assert tz is not None
    return when.replace(tzinfo=tz).utcoffset()  # type: ignore[arg-type]


def test_countries_and_their_main_zones() -> None:
    assert country_zone("in") == "Asia/Kolkata" and zone_country("Asia/Kolkata") == "IN"
    assert zone_country("UTC") is None and zone_country(None) is None
    assert month_first("America/New_York") and not month_first("Europe/London")
    assert not month_first(None)  # unknown sites are day first


def test_unknown_zone_names_read_as_utc(caplog: pytest.LogCaptureFixture) -> None:
    assert get_zone("Mars/Olympus_Mons") is None and get_zone(None) is None
    assert "unknown time zone 'Mars/Olympus_Mons'" in caplog.text
    assert offset(get_zone("Asia/Kolkata")) == timedelta(hours=5, minutes=30)


@pytest.mark.parametrize(
    "abbreviation,site,hours",
    [
        ("IST", None, 5.5),
        ("IST", "Europe/Dublin", 1),
        ("IST", "Asia/Jerusalem", 2),
        ("EST", None, -5),
        ("CET", None, 1),
        ("JST", None, 9),
        ("GMT", None, 0),
    ],
)
def test_abbreviations_mean_what_the_sites_country_means(
    abbreviation: str, site: str | None, hours: float
) -> None:
    tz = resolve_abbreviation(abbreviation, site, 2025)
    summer = datetime(2025, 7, 1, 12)
    winter = datetime(2025, 12, 16, 12)
    assert timedelta(hours=hours) in (offset(tz, winter), offset(tz, summer)), (abbreviation, site)


def test_an_unknown_abbreviation_names_no_zone() -> None:
    assert resolve_abbreviation("XYZT", "Asia/Kolkata", 2025) is None


@pytest.mark.parametrize(
    "text,hours",
    [
        ("12:40 Z", 0),
        ("12:40 +05:30", 5.5),
        ("12:40 GMT+5:30", 5.5),
        ("12:40 (IST)", 5.5),
        ("12:40 -0800", -8),
        ("12:40 UTC−3", -3),
    ],
)
def test_the_zone_printed_after_a_time(text: str, hours: float) -> None:
    tz = zone_at(text, len("12:40"), None, 2025)
    assert offset(tz) == timedelta(hours=hours), text


def test_no_zone_after_a_time_is_none() -> None:
    assert zone_at("12:40 in Mumbai", len("12:40"), None, 2025) is None


def test_offsets_beyond_the_worlds_are_refused() -> None:
    assert fixed_offset("+", "14", None) == timezone(timedelta(hours=14))
    with pytest.raises(ValueError, match="no such UTC offset"):
        fixed_offset("+", "15", None)
    with pytest.raises(ValueError):
        fixed_offset("-", "05", "75")


@pytest.mark.parametrize(
    "page,url,zone",
    [
        ('<html lang="en-IN"><body></body></html>', "https://news.example.com/", "Asia/Kolkata"),
        ('<html lang="en-US"><body></body></html>', "https://news.example.co.uk/", "Europe/London"),
        (
            '<html lang="en"><head><meta property="og:locale" content="de_DE"></head></html>',
            "https://news.example.com/",
            "Europe/Berlin",
        ),
        ('<html lang="ja"><body></body></html>', "https://news.example.com/", "Asia/Tokyo"),
        ('<html lang="en"><body></body></html>', "https://news.example.io/", None),
    ],
)
def test_a_sites_zone_from_locale_cctld_or_language(page: str, url: str, zone: str | None) -> None:
    assert guess_site_timezone(html.fromstring(page), url) == zone
