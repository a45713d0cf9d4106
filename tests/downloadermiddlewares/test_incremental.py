"""IncrementalMiddleware: an article already recorded is not fetched again, unless its
sitemap or feed says it changed since; then it is asked for conditionally."""

from __future__ import annotations

from pathlib import Path

import pytest
from scrapy import Request
from scrapy.crawler import Crawler
from scrapy.exceptions import IgnoreRequest, NotConfigured
from scrapy.http import HtmlResponse

from newsbot.downloadermiddlewares.incremental import IncrementalMiddleware, stated_date
from newsbot.runtime import Runtime
from newsbot.spiders.news import NewsSpider
from newsbot.urls import url_key
from support.crawler import build, crawler_for

URL = "http://news.example/2025/12/15/bridge-reopens.html"


@pytest.fixture
def crawler(tmp_path: Path) -> Crawler:
    with crawler_for(NewsSpider, tmp_path, url="http://news.example/") as crawler:
        state = Runtime.of(crawler).state
        state.record(
            {"id": "a" * 16, "url": URL, "version": 1, "fetched_at": "2025-12-15T10:00:00Z"},
            url_key(URL),
            "hash",
            "run-1",
        )
        state.note_capture(
            url_key(URL),
            URL,
            "2025-12-15T10:00:00Z",
            200,
            '"etag-1"',
            "Mon, 15 Dec 2025 10:00:00 GMT",
        )
        yield crawler


def listed(url: str, **hints: str) -> Request:
    return Request(url, meta={"newsbot_context": {"source": "x", "listed": True, "hints": hints}})


def test_a_recorded_article_is_skipped(crawler: Crawler) -> None:
    middleware = build(IncrementalMiddleware, crawler)
    with pytest.raises(IgnoreRequest, match="already archived"):
        middleware.process_request(listed(URL, sitemap="2025-12-15T09:00:00Z"))
    assert middleware.process_request(listed("http://news.example/2025/12/16/new.html")) is None
    assert (
        middleware.process_request(Request("http://news.example/sitemap.xml")) is None
    )  # discovery
    assert crawler.stats.get_value("newsbot/incremental/skipped") == 1


def test_a_newer_stated_date_refetches_conditionally(crawler: Crawler) -> None:
    middleware = build(IncrementalMiddleware, crawler)
    request = listed(URL, feed="Mon, 15 Dec 2025 12:30:00 +0000")
    assert stated_date(request) == "2025-12-15T12:30:00Z"
    assert middleware.process_request(request) is None
    assert request.headers[b"If-None-Match"] == b'"etag-1"'
    assert request.headers[b"If-Modified-Since"] == b"Mon, 15 Dec 2025 10:00:00 GMT"
    assert crawler.stats.get_value("newsbot/incremental/refetched") == 1


def test_captures_are_noted_and_304s_counted(crawler: Crawler) -> None:
    middleware = build(IncrementalMiddleware, crawler)
    url = "http://news.example/2025/12/16/new.html"
    request = listed(url)
    request.meta["newsbot_capture"] = {"fetched_at": "2025-12-16T08:00:00Z"}
    middleware.process_response(
        request, HtmlResponse(url, body=b"<html></html>", headers={"ETag": '"e2"'})
    )
    assert Runtime.of(crawler).state.capture(url_key(url)) == ("2025-12-16T08:00:00Z", '"e2"', None)
    middleware.process_response(listed(URL), HtmlResponse(URL, status=304))
    assert crawler.stats.get_value("newsbot/incremental/not_modified") == 1


def test_incremental_can_be_switched_off(tmp_path: Path) -> None:
    with (
        crawler_for(
            NewsSpider, tmp_path, {"INCREMENTAL_ENABLED": False}, url="http://a.example/"
        ) as c,
        pytest.raises(NotConfigured),
    ):
        build(IncrementalMiddleware, c)
