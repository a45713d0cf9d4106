"""WARC capture: every HTTP exchange the crawl makes goes to the archive.

Ordered nearer the downloader than HttpCompressionMiddleware (590) and
RedirectMiddleware (600), so it sees bodies still compressed, redirects, error
responses and robots.txt fetches. Records are built and gzipped in the WARC
writer thread, not in the reactor; the response waits for its record's
position so that items can point at it.
"""

from __future__ import annotations

import asyncio
import logging
from datetime import datetime, timezone
from typing import TYPE_CHECKING, Any

from scrapy.exceptions import NotConfigured

from newsbot.items import warc_pointer
from newsbot.warc.service import WarcService, exchange_from

if TYPE_CHECKING:
    from scrapy import Request, Spider
    from scrapy.crawler import Crawler
    from scrapy.http import Response
    from scrapy.statscollectors import StatsCollector

logger = logging.getLogger(__name__)


class WarcCaptureMiddleware:
    def __init__(self, service: WarcService, stats: StatsCollector) -> None:
        self.service = service
        self.stats = stats

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> WarcCaptureMiddleware:
        if not crawler.settings.getbool("WARC_ENABLED"):
            raise NotConfigured("WARC_ENABLED is off")
        return cls(WarcService.of(crawler), crawler.stats)

    async def process_response(
        self, request: Request, response: Response, spider: Spider | None = None
    ) -> Response:
        captured_at = datetime.now(timezone.utc)
        exchange = exchange_from(request, response, captured_at)
        context: dict[str, Any] | None = request.meta.get("newsbot_context")
        metadata = {"newsbot_context": context} if context else None
        try:
            pointer = await asyncio.wrap_future(self.service.write_exchange(exchange, metadata))
        except OSError as exc:  # disk full, permissions: the crawl goes on, loudly
            self.stats.inc_value("newsbot/errors/warc_write")
            logger.error("could not archive %s: %s", request.url, exc)
            return response
        self.stats.inc_value(
            "newsbot/warc/revisits" if pointer.revisit else "newsbot/warc/responses"
        )
        warc = warc_pointer(pointer.file, pointer.offset, pointer.record_id)
        request.meta["newsbot_capture"] = {"fetched_at": pointer.date, "warc": warc}
        return response
