"""VersionPipeline: a page already recorded is dropped when unchanged, a new version when not."""

from __future__ import annotations

import pytest
from itemadapter import ItemAdapter
from scrapy.crawler import Crawler
from scrapy.exceptions import DropItem

from newsbot.pipelines.versions import VersionPipeline
from newsbot.runtime import Runtime
from newsbot.urls import article_id, url_key
from support.crawler import build

from .conftest import OTHER, STORY, article

URL = "http://news.example/2025/12/bridge.html"


def record(crawler: Crawler, text: str) -> str:
    """Record an article in the crawl's state as the archive stage does; its id."""
    item = article(URL, text)
    record = ItemAdapter(item).asdict()
    Runtime.of(crawler).state.record(record, url_key(URL), item.text_hash, "earlier-run")
    return item.id


def test_a_page_never_recorded_passes_as_version_1(crawler: Crawler) -> None:
    stage = build(VersionPipeline, crawler)
    item = stage.process_item(article(URL, STORY))
    assert (item.version, item.supersedes, item.id) == (1, None, article_id(URL))


def test_an_unchanged_page_is_dropped_and_counted(crawler: Crawler) -> None:
    record(crawler, STORY)
    stage = build(VersionPipeline, crawler)
    with pytest.raises(DropItem, match="unchanged"):
        stage.process_item(article(URL, STORY))
    assert crawler.stats.get_value("newsbot/articles/unchanged") == 1


def test_a_changed_page_is_a_new_version_superseding_the_last(crawler: Crawler) -> None:
    first = record(crawler, STORY)
    stage = build(VersionPipeline, crawler)
    item = stage.process_item(article(URL, OTHER))
    assert item.version == 2 and item.supersedes == first
    assert item.id == article_id(URL, 2) != first
    assert crawler.stats.get_value("newsbot/articles/new_versions") == 1
