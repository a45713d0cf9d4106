"""Extraction in a pool of worker processes, released in capture order.

Scrapy runs in one process; trafilatura is CPU-bound. This async pipeline
sends each Page to a ProcessPoolExecutor (one worker per core by default) and
awaits the result, so downloading and archiving go on meanwhile. A crashed
worker is replaced and counted, not fatal. Results then wait their turn in
`CaptureOrder` before reaching the stateful stages.
"""

from __future__ import annotations

import asyncio
import logging
import os
from concurrent.futures.process import BrokenProcessPool
from typing import TYPE_CHECKING, Any

from scrapy import signals
from scrapy.exceptions import DropItem

from newsbot import norecord
from newsbot.dates.parse import local_time
from newsbot.extraction.order import CaptureOrder
from newsbot.extraction.pool import make_pool, process_page
from newsbot.items import Article, CaptureContext, Page, PageResult
from newsbot.pagetype import is_candidate
from newsbot.urls import article_id, host_of

if TYPE_CHECKING:
    from concurrent.futures import Executor

    from scrapy.crawler import Crawler
    from scrapy.statscollectors import StatsCollector

logger = logging.getLogger(__name__)


def article_from(page: Page, result: PageResult) -> Article:
    fields, dates = result.fields or {}, result.dates
    return Article(
        id=result.id or article_id(page.url),
        url=page.url,
        canonical_url=fields.get("canonical_url"),
        title=fields.get("title"),
        text=fields["text"],
        authors=list(fields.get("authors") or []),
        site=fields.get("site") or host_of(page.url),
        source=page.context.get("source"),
        language=fields.get("language"),
        description=fields.get("description"),
        tags=list(fields.get("tags") or []),
        wires=list(result.wires),
        published_local=(
            result.zoning.local(dates.get("published"), result.timezone)
            if result.zoning
            else local_time(dates.get("published"), result.timezone)
        ),
        fetched_at=page.fetched_at,
        warc=page.warc,
        seq=page.seq,
        signature=result.signature,
        text_hash=result.text_hash,
        paragraphs=result.paragraphs,
        zoning=result.zoning,
        zone=result.timezone,
        published=dates.get("published"),
        published_precision=dates.get("published_precision"),
        published_raw=dates.get("published_raw"),
        published_source=dates.get("published_source"),
        modified=dates.get("modified"),
        modified_raw=dates.get("modified_raw"),
        modified_source=dates.get("modified_source"),
    )


class ExtractionPipeline:
    def __init__(self, workers: int, timeout: float, stats: StatsCollector) -> None:
        self.workers = workers
        self.timeout = timeout
        self.stats = stats
        self.order = CaptureOrder(stall_timeout=timeout * 4)
        self.pool: Executor | None = None
        self.default_zone: str | None = None
        self.crawler: Crawler | None = None

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> ExtractionPipeline:
        workers = crawler.settings.getint("EXTRACT_WORKERS") or os.cpu_count() or 1
        pipeline = cls(workers, crawler.settings.getfloat("EXTRACT_TIMEOUT"), crawler.stats)
        pipeline.default_zone = crawler.settings.get("DATES_DEFAULT_TIMEZONE")
        pipeline.crawler = crawler
        pipeline.pool = make_pool(workers)  # now, so workers start while Scrapy does
        for signal in (signals.item_scraped, signals.item_dropped, signals.item_error):
            crawler.signals.connect(pipeline.item_left, signal=signal)
        return pipeline

    def open_spider(self) -> None:
        if self.pool is None:
            self.pool = make_pool(self.workers)

    def close_spider(self) -> None:
        if self.pool is not None:
            self.pool.shutdown(wait=True, cancel_futures=True)

    def item_left(self, item: Any, **kwargs: Any) -> None:
        seq = getattr(item, "seq", -1)
        if isinstance(seq, int):
            self.order.finish(seq)

    async def process_item(self, item: Any) -> Any:
        if not isinstance(item, Page):
            return item
        result = await self._extract(item)
        await self.order.turn(item.seq)
        if result.charset_fallback:
            self.stats.inc_value("newsbot/pages/charset_fallback")
        if result.error is not None:
            self.stats.inc_value("newsbot/errors/extraction")
            logger.warning("extraction failed for %s: %s", item.url, result.error)
            self._no_record(item, "extraction_failed")
            raise DropItem(f"extraction failed: {result.error}", log_level="DEBUG")
        if result.fields is None:
            reason = result.no_record or "no_text"
            self._no_record(item, reason)
            if reason in ("listing", "no_text"):
                self._follow(item)
            raise DropItem(f"no record ({reason}): {item.url}", log_level="DEBUG")
        return article_from(item, result)

    def _no_record(self, page: Page, reason: str) -> None:
        norecord.count(
            self.stats,
            reason,
            page.url,
            page.context.get("source"),
            candidate=is_candidate(page.context),
        )

    def _follow(self, page: Page) -> None:
        """A candidate the workers judged a listing (or found no text in): the spider
        follows its links, as it follows a page it could tell was a listing from its head
        (a replay follows none)."""
        crawler = self.crawler
        follow = getattr(crawler.spider, "follow_listing", None) if crawler is not None else None
        if follow is None or crawler is None:
            return
        try:
            engine = crawler.engine
        except RuntimeError:  # Scrapy >= 2.14: no engine yet, the stage was built on its own
            return
        if engine is None:  # Scrapy < 2.14 answers None
            return
        for request in follow(page):
            engine.crawl(request)

    async def _extract(self, page: Page, attempt: int = 0) -> PageResult:
        context: CaptureContext = {
            **page.context,
            "default_timezone": self.default_zone,
            "fetched_at": page.fetched_at,
        }
        pool = self.pool
        assert pool is not None
        try:
            future = pool.submit(process_page, page.url, page.body, page.encoding, context)
            return await asyncio.wait_for(asyncio.wrap_future(future), self.timeout)
        except asyncio.TimeoutError:
            self.stats.inc_value("newsbot/errors/extraction_timeout")
            return PageResult(error=f"extraction took over {self.timeout:.0f}s")
        except BrokenProcessPool:
            if pool is self.pool:  # the first to notice replaces the pool
                self.stats.inc_value("newsbot/errors/worker_crash")
                logger.error(
                    "an extraction worker died (on %s or a page beside it); restarting the pool",
                    page.url,
                )
                self._restart_pool()
            if attempt == 0:  # innocent pages in flight get one more try
                return await self._extract(page, attempt + 1)
            return PageResult(error="extraction worker crashed")

    def _restart_pool(self) -> None:
        old, self.pool = self.pool, make_pool(self.workers)
        if old is not None:
            old.shutdown(wait=False, cancel_futures=True)
