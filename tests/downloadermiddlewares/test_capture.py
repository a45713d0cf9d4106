"""WarcCaptureMiddleware: every exchange goes to the WARC, and the response learns where."""

from __future__ import annotations

import gzip
from pathlib import Path
from typing import Any

import pytest
from scrapy import Request
from scrapy.exceptions import NotConfigured
from scrapy.http import HtmlResponse
from warcio.archiveiterator import ArchiveIterator

from newsbot.downloadermiddlewares.capture import WarcCaptureMiddleware
from newsbot.runtime import Runtime
from newsbot.spiders.news import NewsSpider
from support.crawler import build, crawler_for, run

BODY = b"<html><head><title>Bridge</title></head><body><p>The bridge reopened.</p></body></html>"


def test_the_raw_exchange_and_its_context_are_archived(tmp_path: Path) -> None:
    context = {"version": 1, "source": "Example", "hints": {"sitemap": "2025-12-15"}}
    request = Request("http://news.example/bridge.html", meta={"newsbot_context": context})
    gzipped = gzip.compress(BODY, mtime=0)
    response = HtmlResponse(
        request.url,
        body=gzipped,
        request=request,
        headers={"Content-Encoding": "gzip", "Content-Type": "text/html"},
    )
    with crawler_for(NewsSpider, tmp_path, url="http://news.example/") as crawler:
        capture = build(WarcCaptureMiddleware, crawler)
        assert run(capture.process_response(request, response)) is response
        runtime = Runtime.of(crawler)
        assert runtime.warc is not None
        runtime.warc.close()
        files = runtime.warc.closed
        assert crawler.stats.get_value("newsbot/warc/responses") == 1
    pointer: dict[str, Any] = request.meta["newsbot_capture"]["warc"]
    assert [tmp_path / pointer["file"]] == [Path(f) for f in files]
    with open(tmp_path / pointer["file"], "rb") as fh:
        fh.seek(pointer["offset"])
        records = iter(ArchiveIterator(fh))
        record = next(records)
        assert record.rec_type == "response"
        assert record.rec_headers.get_header("WARC-Record-ID") == pointer["record_id"]
        assert record.http_headers.get_header("Content-Encoding") == "gzip"
        assert record.raw_stream.read() == gzipped  # as sent, still compressed
        kinds = {r.rec_type: r.content_stream().read() for r in records}
    assert "request" in kinds and "metadata" in kinds
    assert b"2025-12-15" in kinds["metadata"]


def test_a_second_identical_payload_is_a_revisit(tmp_path: Path) -> None:
    with crawler_for(NewsSpider, tmp_path, url="http://news.example/") as crawler:
        capture = build(WarcCaptureMiddleware, crawler)
        for url in ("http://news.example/a.html", "http://news.example/a.html?again"):
            request = Request(url)
            run(capture.process_response(request, HtmlResponse(url, body=BODY, request=request)))
        stats = crawler.stats
        assert (
            stats.get_value("newsbot/warc/responses"),
            stats.get_value("newsbot/warc/revisits"),
        ) == (1, 1)


def test_capture_can_be_switched_off(tmp_path: Path) -> None:
    with (
        crawler_for(NewsSpider, tmp_path, {"WARC_ENABLED": False}, url="http://a.example/") as c,
        pytest.raises(NotConfigured),
    ):
        build(WarcCaptureMiddleware, c)
    assert not (tmp_path / "warc").exists()
