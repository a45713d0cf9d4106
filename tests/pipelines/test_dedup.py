"""DedupPipeline: a later copy of a story already claimed points to the first."""

from __future__ import annotations

from pathlib import Path

import pytest
from scrapy.crawler import Crawler
from scrapy.exceptions import NotConfigured

from newsbot.pipelines.dedup import DedupPipeline
from newsbot.runtime import Runtime
from newsbot.spiders.news import NewsSpider
from support.crawler import build, crawler_for

from .conftest import OTHER, STORY, article


def test_a_copy_points_to_the_first_captured(crawler: Crawler) -> None:
    stage = build(DedupPipeline, crawler)
    assert Runtime.of(crawler).dedup is stage.index  # crash repair re-indexes into it
    first = stage.process_item(article("http://one.example/bridge.html", STORY))
    copy = stage.process_item(article("http://two.example/bridge-copy.html", STORY))
    unrelated = stage.process_item(article("http://two.example/heat.html", OTHER))
    assert first.duplicate_of is None and unrelated.duplicate_of is None
    assert copy.duplicate_of == first.id and copy.similarity == pytest.approx(1.0)
    assert crawler.stats.get_value("newsbot/dedup/duplicates") == 1


def test_a_claim_is_idempotent_per_article(crawler: Crawler) -> None:
    stage = build(DedupPipeline, crawler)
    again = article("http://one.example/bridge.html", STORY)
    stage.process_item(article("http://one.example/bridge.html", STORY))
    assert stage.process_item(again).duplicate_of is None  # itself, not a copy of itself


def test_a_new_version_is_a_correction_not_a_copy(crawler: Crawler) -> None:
    stage = build(DedupPipeline, crawler)
    stage.process_item(article("http://one.example/bridge.html", STORY))
    corrected = article(
        "http://one.example/bridge.html",
        STORY + "\nCorrection: the vote was on Monday.",
        version=2,
        supersedes="x",
    )
    corrected.id = "v2"
    assert stage.process_item(corrected).duplicate_of is None


def test_dedup_can_be_switched_off(tmp_path: Path) -> None:
    with (
        crawler_for(
            NewsSpider, tmp_path, {"DEDUP_ENABLED": False}, url="http://news.example/"
        ) as c,
        pytest.raises(NotConfigured),
    ):
        build(DedupPipeline, c)
