"""TemplatePipeline: paragraphs a site repeats on many pages leave `text`."""

from __future__ import annotations

from pathlib import Path

import pytest
from scrapy.crawler import Crawler
from scrapy.exceptions import NotConfigured

from newsbot.dedup import make_signature
from newsbot.pipelines.templates import TemplatePipeline
from newsbot.runtime import Runtime
from newsbot.spiders.news import NewsSpider
from support.crawler import build, crawler_for

from .conftest import STORY, article

FOOTER = "Subscribe to our newsletter for the morning briefing, delivered before seven."


def pages(n: int) -> list[str]:
    """`n` different stories of one site, each ending with the site's footer."""
    return [
        "\n".join([*(f"{line} (Report {i}.)" for line in STORY.split("\n")), FOOTER])
        for i in range(n)
    ]


def test_a_paragraph_on_min_pages_pages_is_removed(crawler: Crawler) -> None:
    stage = build(TemplatePipeline, crawler)
    assert Runtime.of(crawler).templates is stage.store  # the archive stage re-cleans with it
    items = [
        stage.process_item(article(f"http://news.example/{i}.html", text))
        for i, text in enumerate(pages(4))
    ]
    assert [FOOTER in item.text for item in items] == [True, True, False, False]
    cleaned = items[3]
    assert cleaned.signature == make_signature(cleaned.text) and cleaned.paragraphs is None
    assert cleaned.text_hash == article("http://news.example/3.html", pages(4)[3]).text_hash
    stats = crawler.stats
    assert stats.get_value("newsbot/templates/pages_cleaned") == 2
    assert stats.get_value("newsbot/templates/paragraphs_removed") == 2


def test_other_sites_learn_apart(crawler: Crawler) -> None:
    stage = build(TemplatePipeline, crawler)
    for i, text in enumerate(pages(3)):
        stage.process_item(article(f"http://news.example/{i}.html", text))
    other = stage.process_item(article("http://other.example/1.html", pages(1)[0]))
    assert FOOTER in other.text


def test_rare_paragraphs_are_pruned_at_close(tmp_path: Path) -> None:
    with crawler_for(
        NewsSpider, tmp_path, {"TEMPLATES_PRUNE_IDLE_PAGES": 1}, url="http://news.example/"
    ) as crawler:
        stage = build(TemplatePipeline, crawler)
        for i, text in enumerate(pages(3)):
            stage.process_item(article(f"http://news.example/{i}.html", text))
        stage.close_spider()
        assert crawler.stats.get_value("newsbot/templates/pruned") > 0


def test_templates_can_be_switched_off(tmp_path: Path) -> None:
    with (
        crawler_for(
            NewsSpider, tmp_path, {"TEMPLATES_ENABLED": False}, url="http://news.example/"
        ) as crawler,
        pytest.raises(NotConfigured),
    ):
        build(TemplatePipeline, crawler)
