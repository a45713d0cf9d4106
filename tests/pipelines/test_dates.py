"""DatePipeline: counts where dates came from and what has none; never drops."""

from __future__ import annotations

import logging

import pytest
from scrapy.crawler import Crawler

from newsbot.pipelines.dates import DatePipeline
from support.crawler import build

from .conftest import STORY, article


def opened(crawler: Crawler) -> DatePipeline:
    stage = build(DatePipeline, crawler)
    stage.open_spider()
    return stage


def test_dated_articles_are_counted_by_source_and_precision(crawler: Crawler) -> None:
    stage = opened(crawler)
    item = article(
        "http://news.example/a.html",
        STORY,
        published="2025-12-15T19:43:00Z",
        published_source="jsonld",
        published_precision="minute",
    )
    day = article(
        "http://news.example/b.html",
        STORY,
        published="2025-12-15T00:00:00Z",
        published_source="url",
        published_precision="day",
    )
    assert stage.process_item(item) is item and stage.process_item(day) is day
    stats = crawler.stats
    assert stats.get_value("newsbot/date/source/jsonld") == 1
    assert stats.get_value("newsbot/date/source/url") == 1
    assert stats.get_value("newsbot/date/day_only") == 1
    assert stats.get_value("newsbot/date/unparsed") is None


def test_undated_articles_are_kept_counted_and_logged(
    crawler: Crawler, caplog: pytest.LogCaptureFixture
) -> None:
    stage = opened(crawler)
    item = article("http://news.example/undated.html", STORY, source="Example")
    with caplog.at_level(logging.INFO, logger="newsbot.pipelines.dates"):
        assert stage.process_item(item) is item
    assert item.published is None
    assert crawler.stats.get_value("newsbot/date/unparsed") == 1
    assert crawler.stats.get_value("newsbot/sites/Example/undated") == 1
    assert "no publication date found for http://news.example/undated.html" in caplog.text


def test_items_without_dates_pass_uncounted(crawler: Crawler) -> None:
    stage = opened(crawler)
    other = {"url": "http://news.example/x"}
    assert stage.process_item(other) is other
    assert not any(k.startswith("newsbot/date/") for k in crawler.stats.get_stats())
