"""The one list of no-record reasons, and the per-site figures of the summary."""

from __future__ import annotations

import logging

import pytest
from scrapy.statscollectors import MemoryStatsCollector
from scrapy.utils.test import get_crawler

from newsbot import norecord
from newsbot.sitestats import site_key, site_of, sites_summary


def stats() -> MemoryStatsCollector:
    return MemoryStatsCollector(get_crawler())


def test_reasons_have_keys_and_unknown_ones_fail() -> None:
    assert norecord.stat_key("listing") == "newsbot/pages/no_record/listing"
    with pytest.raises(ValueError, match="unknown no-record reason"):
        norecord.stat_key("skipped_type")


def test_candidates_are_logged_at_info_and_followed_listings_at_debug(
    caplog: pytest.LogCaptureFixture,
) -> None:
    collector = stats()
    with caplog.at_level(logging.DEBUG, logger="newsbot.norecord"):
        norecord.count(collector, "no_text", "http://a.example/story", "A", candidate=True)
        norecord.count(collector, "listing", "http://a.example/tag/x", "A", candidate=False)
    levels = {r.getMessage(): r.levelno for r in caplog.records}
    assert levels == {
        "no record (no_text): http://a.example/story": logging.INFO,
        "no record (listing): http://a.example/tag/x": logging.DEBUG,
    }
    assert collector.get_value("newsbot/pages/no_record/no_text") == 1
    assert collector.get_value(site_key("A", "no_record/listing")) == 1


def test_sites_summary_groups_figures_by_source() -> None:
    figures = {
        site_key("Moneycontrol", "pages_fetched"): 12,
        site_key("Moneycontrol", "records"): 5,
        site_key("Moneycontrol", "no_record/listing"): 4,
        site_key("127.0.0.1:8001", "no_record/no_text"): 1,
        "newsbot/articles": 5,
    }
    sites = sites_summary(figures)
    assert sites["Moneycontrol"]["pages_fetched"] == 12
    assert sites["Moneycontrol"]["records"] == 5
    assert sites["Moneycontrol"]["no_record"] == {"listing": 4}
    assert sites["Moneycontrol"]["undated"] == 0
    assert sites["127.0.0.1:8001"]["no_record"] == {"no_text": 1}
    assert site_of("http://user@127.0.0.1:8001/x") == "127.0.0.1:8001"
    assert site_of("https://Shop.Example/p") == "shop.example"
