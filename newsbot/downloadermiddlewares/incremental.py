"""Incremental crawling: fetch only what is new or has changed.

An article URL already recorded in the state store is not fetched again,
unless the sitemap or feed that led to it states a date newer than the
recorded capture (news gets corrected); then it is fetched with a conditional
GET (If-None-Match / If-Modified-Since from the last capture). Sitemaps,
feeds, robots.txt and listing pages are always fetched: they are how new
articles are found. Whether a changed page becomes a new version is decided
later, on its text (pipelines/versions.py).
"""

from __future__ import annotations

import logging
from typing import TYPE_CHECKING, Any

from scrapy.exceptions import IgnoreRequest, NotConfigured

from newsbot.dates.parse import normalize_date
from newsbot.pagetype import url_kind
from newsbot.runtime import Runtime
from newsbot.urls import url_key

if TYPE_CHECKING:
    from scrapy import Request, Spider
    from scrapy.crawler import Crawler
    from scrapy.http import Response
    from scrapy.statscollectors import StatsCollector

    from newsbot.state import Records

logger = logging.getLogger(__name__)


def stated_date(request: Request) -> str | None:
    """The date the sitemap or feed gave for this URL, normalised to UTC."""
    hints: dict[str, Any] = (request.meta.get("newsbot_context") or {}).get("hints") or {}
    raw = hints.get("sitemap") or hints.get("feed")
    return normalize_date(raw) if raw else None


class IncrementalMiddleware:
    def __init__(self, state: Records, stats: StatsCollector) -> None:
        self.state = state
        self.stats = stats

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> IncrementalMiddleware:
        if not crawler.settings.getbool("INCREMENTAL_ENABLED"):
            raise NotConfigured("INCREMENTAL_ENABLED is off")
        return cls(Runtime.of(crawler).state, crawler.stats)

    def process_request(self, request: Request, spider: Spider | None = None) -> None:
        if not self._is_article_candidate(request):
            return
        key = url_key(request.url)
        recorded = self.state.latest(key)
        if recorded is None:
            return
        stated, captured = stated_date(request), self.state.recorded_at(recorded.id)
        if stated and captured and stated > captured:
            self._make_conditional(request, key)
            self.stats.inc_value("newsbot/incremental/refetched")
            return
        self.stats.inc_value("newsbot/incremental/skipped")
        raise IgnoreRequest(f"already archived: {request.url}")

    def process_response(
        self, request: Request, response: Response, spider: Spider | None = None
    ) -> Response:
        capture = request.meta.get("newsbot_capture") or {}
        if response.status == 200 and capture and self._is_article_candidate(request):
            self.state.note_capture(
                url_key(response.url),
                response.url,
                capture["fetched_at"],
                response.status,
                _header(response, b"ETag"),
                _header(response, b"Last-Modified"),
            )
        elif response.status == 304:
            self.stats.inc_value("newsbot/incremental/not_modified")
        return response

    @staticmethod
    def _is_article_candidate(request: Request) -> bool:
        context = request.meta.get("newsbot_context") or {}
        return bool(context.get("listed")) or url_kind(request.url) == "article"

    def _make_conditional(self, request: Request, key: str) -> None:
        last = self.state.capture(key)
        if last is None:
            return
        _, etag, modified = last
        if etag:
            request.headers[b"If-None-Match"] = etag
        if modified:
            request.headers[b"If-Modified-Since"] = modified


def _header(response: Response, name: bytes) -> str | None:
    value = response.headers.get(name)
    return value.decode("latin-1") if value else None
