"""A site's zone learnt from its pages' printed offsets (newsbot.dates.sitezones)."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone

from newsbot.dates.parse import parse_date
from newsbot.dates.sitezones import (
    EarlierRuns,
    ZoneFacts,
    ZoneLearner,
    evidence,
    fitting_zones,
    learnt_zone,
    read_wall,
)
from newsbot.state import MemoryBackend


def parsed(text: str):  # type: ignore[no-untyped-def]
    value = parse_date(text)
    assert value is not None
    return value


def test_an_offset_fits_the_zones_that_have_it_at_that_instant() -> None:
    december = datetime(2025, 12, 16, tzinfo=timezone.utc)
    assert fitting_zones(december, timedelta(hours=5, minutes=30)) == {
        "Asia/Kolkata",
        "Asia/Colombo",
    }
    # +02:00 is Berlin in summer and not in winter; Cairo, Johannesburg have it all year
    july = datetime(2025, 7, 1, tzinfo=timezone.utc)
    assert "Europe/Berlin" in fitting_zones(july, timedelta(hours=2))
    assert "Europe/Berlin" not in fitting_zones(december, timedelta(hours=2))
    assert "Africa/Johannesburg" in fitting_zones(december, timedelta(hours=2))


def test_a_page_gives_the_zones_all_its_offsets_fit() -> None:
    summer = parsed("2025-07-01T10:00:00+02:00")
    winter = parsed("2025-12-01T10:00:00+01:00")
    # Berlin fits both (DST); Johannesburg only the summer one, Lagos only the winter one
    found = evidence([summer, winter])
    assert "Europe/Berlin" in found and "Africa/Johannesburg" not in found
    assert "Africa/Lagos" not in found


def test_utc_and_zone_less_times_are_no_evidence() -> None:
    assert evidence([parsed("2025-12-16T01:13:00Z"), parsed("2025-12-16T01:13:00+00:00")]) == []
    assert evidence([parsed("December 16, 2025 01:13")]) == []
    assert evidence([parsed("2025-12-16")]) == []


def test_printed_ist_counts_as_india() -> None:
    assert "Asia/Kolkata" in evidence([parsed("December 16, 2025 / 01:13 IST")])


def test_a_zone_is_learnt_only_from_enough_agreeing_pages() -> None:
    india = {"Asia/Kolkata": 3, "Asia/Colombo": 3}
    assert learnt_zone(2, {"Asia/Kolkata": 2}, min_pages=3, agreement=0.8) is None
    assert learnt_zone(3, india, min_pages=3, agreement=0.8) == "Asia/Colombo"  # by name
    assert (
        learnt_zone(3, india, min_pages=3, agreement=0.8, prefer="Asia/Kolkata") == "Asia/Kolkata"
    )
    split = {"Asia/Kolkata": 3, "Europe/Berlin": 2}
    assert learnt_zone(5, split, min_pages=3, agreement=0.8) is None


def test_a_wall_time_is_read_again_in_the_learnt_zone() -> None:
    zone_less = parsed("Dec 16, 2025 01:13:27 am")  # read as UTC at first
    assert zone_less.value == "2025-12-16T01:13:27Z" and zone_less.wall == "2025-12-16T01:13"
    assert read_wall(zone_less.wall, zone_less.value, "Asia/Kolkata") == "2025-12-15T19:43:27Z"
    assert read_wall("2025-07-01T10:00", "2025-07-01T10:00:00Z", "Europe/Berlin") == (
        "2025-07-01T08:00:00Z"
    )


def test_the_learner_counts_pages_per_site_and_rereads_zone_less_times() -> None:
    learner = ZoneLearner(min_pages=3, agreement=0.8, hold_pages=5)
    facts = ZoneFacts(
        read_in=None, learnable=True, guess="Asia/Kolkata", published_wall="2025-12-16T01:13"
    )
    assert learner.pending("a.example", facts)  # nothing learnt yet: it waits
    for _ in range(3):
        learner.observe("a.example", ["Asia/Kolkata", "Asia/Colombo"])
    learner.observe("b.example", ["Europe/Berlin"])
    assert not learner.pending("a.example", facts)
    record = {"published": "2025-12-16T01:13:00Z", "published_local": None}
    assert learner.reread("a.example", record, facts) == "Asia/Kolkata"  # the guess breaks ties
    assert record == {
        "published": "2025-12-15T19:43:00Z",
        "published_local": "2025-12-16T01:13:00+05:30",
    }
    assert learner.learnt("b.example") is None  # one page is not enough


def test_a_stated_zone_is_never_reread_and_waiting_is_bounded() -> None:
    learner = ZoneLearner(min_pages=3, agreement=0.8, hold_pages=2)
    stated = ZoneFacts(
        read_in="Europe/Berlin", learnable=False, guess=None, published_wall="2025-12-16T01:13"
    )
    for _ in range(3):
        learner.observe("a.example", ["Asia/Kolkata"])
    assert learner.reread("a.example", {"published": "2025-12-16T01:13:00Z"}, stated) is None
    waiting = ZoneFacts(read_in=None, learnable=True, guess=None, published_wall="2025-12-16T01:13")
    assert learner.pending("c.example", waiting)
    learner.observe("c.example", [])
    learner.observe("c.example", [])
    assert not learner.pending("c.example", waiting)  # two pages seen, no zone: go as read


def test_earlier_runs_are_read_once_per_site_and_run() -> None:
    store = MemoryBackend().site_zones()
    for page in range(3):
        store.observe("a.example", page, ["Asia/Kolkata"])
    earlier = EarlierRuns(store, min_pages=3, agreement=0.8)
    assert earlier.zone("a.example") == "Asia/Kolkata"
    assert earlier.zone("b.example") is None
    for page in range(3):  # this run's pages do not change what the run started with
        store.observe("b.example", page, ["Europe/Berlin"])
    assert earlier.zone("b.example") is None
