"""NewsSpider: start URLs, then each response read for what it is (robots.txt, sitemap,
feed, listing, article), against the demo outlets as served."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from scrapy import Request
from scrapy.crawler import Crawler
from twisted.python.failure import Failure

from newsbot.items import Page
from newsbot.sources import SourceError
from newsbot.spiders.news import NewsSpider
from support.crawler import collect, crawler_for, fetch, run

BERLIN = (
    "/news/world/berlin-talks-zelensky-sees-real-progress-as-us-offers-security-guarantees"
    "-amid-russia-conflict-13712345.html"
)


@pytest.fixture
def base(demo_sites: Any) -> str:
    return str(demo_sites.bases["indian"])


@pytest.fixture
def crawler(tmp_path: Path, base: str) -> Iterator[Crawler]:
    with crawler_for(
        NewsSpider, tmp_path, url=f"{base}/", since="2025-12-16", timezone="Asia/Kolkata"
    ) as crawler:
        yield crawler


def spider_of(crawler: Crawler) -> NewsSpider:
    spider = crawler.spider
    assert isinstance(spider, NewsSpider)
    return spider


def parse(crawler: Crawler, request: Request) -> list[Any]:
    """What the spider makes of `request`'s response, fetched for real."""
    return list(spider_of(crawler).parse_any(fetch(request.url, request)))


def test_a_home_page_start_url_also_asks_robots_txt(crawler: Crawler, base: str) -> None:
    requests = run(collect(spider_of(crawler).start()))
    assert [r.url for r in requests] == [f"{base}/", f"{base}/robots.txt"]
    context = requests[0].meta["newsbot_context"]
    assert context["source"] == base.split("//")[1] and context["timezone"] == "Asia/Kolkata"
    assert context["candidate"] is True and context["depth"] == 0
    assert crawler.stats.get_value(f"newsbot/sites/{context['source']}/timezone") == "Asia/Kolkata"


def test_robots_txt_leads_to_its_sitemaps(crawler: Crawler, base: str) -> None:
    [robots] = [r for r in run(collect(spider_of(crawler).start())) if r.url.endswith("robots.txt")]
    assert [r.url for r in parse(crawler, robots)] == [f"{base}/sitemap.xml"]


def test_a_sitemap_index_and_its_sitemaps(crawler: Crawler, base: str) -> None:
    spider = spider_of(crawler)
    run(collect(spider.start()))
    index = spider._request(
        f"{base}/sitemap.xml", spider.sources[0].name, callback=spider.parse_any, depth=0
    )
    children = parse(crawler, index)
    assert f"{base}/sitemaps/world.xml" in [r.url for r in children]
    [world] = [r for r in children if r.url.endswith("/world.xml")]
    entries = parse(crawler, world)
    # since=2025-12-16: the entry dated that day is followed, with its date as a hint;
    # the undated one too (nothing says it is old)
    assert {r.url for r in entries} == {
        f"{base}{BERLIN}",
        f"{base}/news/world/asian-markets-mixed-as-traders-weigh-ukraine-talks-us-data-13712201.html",
    }
    hints = [r.meta["newsbot_context"]["hints"] for r in entries]
    assert {"sitemap": "2025-12-16T11:25:00+05:30"} in hints and {} in hints
    assert crawler.stats.get_value("newsbot/discovery/sitemaps") == 2


def test_an_article_page_becomes_a_page_item_numbered_in_capture_order(
    crawler: Crawler, base: str
) -> None:
    spider = spider_of(crawler)
    run(collect(spider.start()))
    request = spider._request(
        f"{base}{BERLIN}", spider.sources[0].name, callback=spider.parse_any, depth=1, listed=True
    )
    [page] = parse(crawler, request)
    assert isinstance(page, Page) and page.seq == 0 and page.url == request.url
    assert page.context["candidate"] is True
    assert crawler.stats.get_value("newsbot/pages/article") == 1


def test_a_home_page_is_a_listing_whose_links_are_followed(crawler: Crawler, base: str) -> None:
    spider = spider_of(crawler)
    [home, _] = run(collect(spider.start()))
    followed = parse(crawler, home)
    assert followed and all(isinstance(r, Request) for r in followed)
    assert f"{base}{BERLIN}" in {r.url for r in followed}
    assert all(r.meta["newsbot_depth"] == 1 for r in followed)
    assert all(r.url.startswith(base) for r in followed), "links stay on the source's domains"
    assert crawler.stats.get_value("newsbot/pages/no_record/listing") == 1


def test_a_candidate_the_workers_judged_a_listing_is_followed(crawler: Crawler, base: str) -> None:
    spider = spider_of(crawler)
    [home, _] = run(collect(spider.start()))
    response = fetch(home.url, home)
    page = Page(
        url=home.url,
        body=response.body,
        encoding="utf-8",
        seq=0,
        fetched_at="now",
        warc=None,
        context={**home.meta["newsbot_context"], "depth": 0},
    )
    assert {r.url for r in spider.follow_listing(page)} == {
        r.url for r in parse(crawler, home) if isinstance(r, Request)
    }


def test_a_failed_start_url_is_counted_under_one_key(crawler: Crawler, base: str) -> None:
    from scrapy.spidermiddlewares.httperror import HttpError

    spider = spider_of(crawler)
    [home, _] = run(collect(spider.start()))
    failure = Failure(HttpError(fetch(f"{base}/no-such-page", home), "Ignoring non-200 response"))
    failure.request = home  # type: ignore[attr-defined]
    spider.on_error(failure)
    assert crawler.stats.get_value("newsbot/start/failed") == 1
    assert crawler.stats.get_value("newsbot/http/404") == 1


def test_exactly_one_of_url_and_sources_is_needed(tmp_path: Path) -> None:
    with pytest.raises(SourceError, match="exactly one"):
        NewsSpider()
    with pytest.raises(SourceError, match="since must be YYYY-MM-DD"):
        NewsSpider(url="http://a.example/", since="16/12/2025")
