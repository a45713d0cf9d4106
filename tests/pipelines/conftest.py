"""What the pipeline tests share: a news crawl of the demo outlets, built in this process,
and article pages made by its spider from the demo site as served."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from scrapy.crawler import Crawler

from newsbot.dedup import make_signature
from newsbot.items import Article, Page, text_hash
from newsbot.spiders.news import NewsSpider
from newsbot.templates import Paragraphs
from newsbot.urls import article_id
from support.crawler import crawler_for, fetch

BERLIN = "/news/world/berlin-talks-zelensky-sees-real-progress-as-us-offers-security-guarantees-amid-russia-conflict-13712345.html"
MARKETS = "/news/world/asian-markets-mixed-as-traders-weigh-ukraine-talks-us-data-13712201.html"


@pytest.fixture
def crawler(tmp_path: Path, demo_sites: Any) -> Iterator[Crawler]:
    with crawler_for(
        NewsSpider, tmp_path / "archive", url=f"{demo_sites.bases['indian']}/sitemap.xml"
    ) as crawler:
        yield crawler


def page_of(crawler: Crawler, url: str, **context: Any) -> Page:
    """The Page the news spider makes of `url` (fetched for real), as a sitemap entry."""
    spider = crawler.spider
    assert isinstance(spider, NewsSpider)
    source = spider.sources[0].name
    ctx = {
        "version": 1,
        "source": source,
        "timezone": spider.sources[0].timezone,
        "hints": {},
        "candidate": True,
        "depth": 1,
        **context,
    }
    page = spider.page_from(fetch(url), ctx)  # type: ignore[arg-type]
    assert page is not None, url
    return page


def article(url: str, text: str, **fields: Any) -> Article:
    """An Article as extraction makes it: id, signature, text hash and paragraph hashes
    computed by the functions the workers use."""
    return Article(
        id=article_id(url),
        url=url,
        title=fields.pop("title", "A story"),
        text=text,
        signature=make_signature(text),
        text_hash=text_hash(text),
        paragraphs=Paragraphs.of(text),
        **fields,
    )


STORY = (
    "The council voted on Tuesday to close the old harbour bridge to cars for good, after "
    "engineers found that the steel under its southern span had corroded further than any "
    "survey had shown.\n"
    "Buses will cross on a temporary deck from March, and cyclists keep their lane on the "
    "northern side, which the engineers judged sound for another twenty years.\n"
    "Shop owners on the quay said the closure would cost them trade over the winter, and "
    "asked the council for a rates holiday until the new bridge opens in 2028."
)
OTHER = (
    "A heatwave pushed the city's power demand to a record on Sunday, and the grid operator "
    "asked factories to move their night shifts to the early morning for the rest of the week.\n"
    "Hospitals opened cooling rooms for older patients, and the water board lifted its limit on "
    "garden hoses after the reservoirs filled in the spring storms."
)
