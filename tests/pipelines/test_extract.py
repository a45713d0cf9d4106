"""ExtractionPipeline: a Page in, an Article (or a counted drop) out, in capture order."""

from __future__ import annotations

import asyncio
import multiprocessing
from typing import Any

import pytest
from scrapy.crawler import Crawler
from scrapy.exceptions import DropItem

from newsbot.extraction.pool import InProcessExecutor
from newsbot.items import Article, Page
from newsbot.pipelines.extract import ExtractionPipeline
from support.crawler import build, run

from .conftest import BERLIN, MARKETS, page_of


@pytest.fixture
def pipeline(crawler: Crawler) -> ExtractionPipeline:
    return build(ExtractionPipeline, crawler)


def test_in_process_extraction_starts_no_worker(pipeline: ExtractionPipeline) -> None:
    assert isinstance(pipeline.pool, InProcessExecutor)
    assert multiprocessing.active_children() == []


def test_an_article_page_becomes_an_article(
    crawler: Crawler, pipeline: ExtractionPipeline, demo_sites: Any
) -> None:
    page = page_of(crawler, demo_sites.bases["indian"] + BERLIN)
    article = run(pipeline.process_item(page))
    assert isinstance(article, Article)
    assert article.url == page.url and article.seq == page.seq == 0
    assert article.title and article.title.startswith("Berlin talks")
    assert "The fate of Ukraine is the fate of all Europe." in article.text
    assert article.published == "2025-12-15T19:43:00Z"  # 01:13 IST on the page
    assert article.wires == ["AFP"]
    assert article.signature is not None and article.text_hash


def test_a_candidate_judged_a_listing_is_dropped_and_counted(
    crawler: Crawler, pipeline: ExtractionPipeline, demo_sites: Any
) -> None:
    page = page_of(crawler, demo_sites.bases["indian"] + BERLIN)
    heads = [f"Headline number {i} about the harbour bridge works" for i in range(8)]
    links = "".join(f"<li><a href='/story-{i}.html'>{h}</a></li>" for i, h in enumerate(heads))
    page.body = f"<html><body><ul>{links}</ul></body></html>".encode()
    with pytest.raises(DropItem, match="no record"):
        run(pipeline.process_item(page))
    assert crawler.stats.get_value("newsbot/pages/no_record/listing") == 1


def test_items_leave_in_capture_order(
    crawler: Crawler, pipeline: ExtractionPipeline, demo_sites: Any
) -> None:
    """Page 1 finishes extraction first but waits until page 0 has left the pipeline."""
    first = page_of(crawler, demo_sites.bases["indian"] + BERLIN)
    second = page_of(crawler, demo_sites.bases["indian"] + MARKETS)
    assert (first.seq, second.seq) == (0, 1)
    left: list[int] = []

    async def through(page: Page) -> None:
        item = await pipeline.process_item(page)
        left.append(item.seq)
        pipeline.item_left(item)

    async def both() -> None:
        later = asyncio.ensure_future(through(second))
        await asyncio.sleep(0.05)
        assert left == [], "page 1 passed before page 0 left"
        await through(first)
        await later

    run(both())
    assert left == [0, 1]


def test_a_worker_error_is_a_counted_drop(
    crawler: Crawler, pipeline: ExtractionPipeline, demo_sites: Any
) -> None:
    page = page_of(crawler, demo_sites.bases["indian"] + BERLIN)
    page.body = b"\xff" * 10  # not the article any more: nothing to extract
    with pytest.raises(DropItem):
        run(pipeline.process_item(page))
    assert crawler.stats.get_value("newsbot/pages/article") == 1
