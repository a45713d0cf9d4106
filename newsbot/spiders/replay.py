"""The `replay` spider: re-run the pipeline over archived WARCs, offline.

    scrapy crawl replay -a warc=archive/warc/            (a file, a folder or a glob)
    scrapy crawl replay -a warc=... -a shard=2/4 -s NEWSBOT_REDIS_URL=... -s NEWSBOT_REDIS_PREFIX=x
                                       (the 2nd of 4 shares of the files, one shared state)

Responses are read in capture order and turned into Page items exactly as the
live spider does (same article test, same numbering), so the same extraction,
date, dedup and archive pipelines produce the same records, with `warc`
pointers into the files they came from. Nothing is fetched and no WARC is
written. Dedup and template state start fresh (a `replay-<run>.sqlite` state
file, or with NEWSBOT_REDIS_URL the prefix ``replay-<run>``) unless
`-s NEWSBOT_STATE_FILE=newsbot.sqlite` (Redis: `-s NEWSBOT_REDIS_PREFIX=...`) names one.
Shares (newsbot.shards) share one state, named by NEWSBOT_REDIS_PREFIX; a revisit whose
original is in another share's file is found by a header-only scan of all the files.
Works on WARC and ARC files from other tools too: the capture context that
newsbot archives (site zone, feed date) is then simply absent. Damaged files
are read as far as they go (newsbot.warc.records); the summary names the files
cut short and the command then exits 3 (1 when nothing could be replayed).
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import AsyncIterator
from itertools import islice
from pathlib import Path
from typing import TYPE_CHECKING, Any, cast

from scrapy import Spider, signals
from scrapy.http import HtmlResponse

from newsbot.items import CaptureContext, Page, warc_pointer
from newsbot.runtime import Runtime
from newsbot.shards import parse_shard, share_of
from newsbot.sitestats import site_key, site_of
from newsbot.sources import SourceError
from newsbot.spiders.pages import ArticlePages
from newsbot.warc import ReadReport, iter_captures
from newsbot.warc.reader import resolve_paths

if TYPE_CHECKING:
    from collections.abc import Iterator

    from scrapy.crawler import Crawler

    from newsbot.warc import Capture

logger = logging.getLogger(__name__)

MAX_IN_FLIGHT = 64  # pages read ahead of the pipeline: bounds memory on huge WARCs
READ_BATCH = 16  # records read per trip to the reading thread
# Records after a response in which its capture context (a metadata record) is looked for.
# newsbot writes it right after the request record; WARCs of older newsbot versions wrote it
# after the exchanges of the other downloads under way (about 2 records each, 32 downloads).
METADATA_WINDOW = 64


def _next_batch(captures: Iterator[Capture]) -> list[Capture]:
    return list(islice(captures, READ_BATCH))


def _nothing_read(warc: str, report: ReadReport) -> str:
    """Why a replay gave nothing: no files, or files without a readable HTTP response."""
    if not report.files:
        return f"no WARC or ARC files in {warc}"
    if report.unresolved_revisits:
        return (
            f"no readable HTTP response records in {warc}: {report.unresolved_revisits} "
            "revisits whose originals are not in these files"
        )
    return f"no readable HTTP response records in {warc}"


class ReplaySpider(ArticlePages, Spider):
    name = "replay"
    custom_settings = {
        "WARC_ENABLED": False,
        "ROBOTSTXT_OBEY": False,
        # Nothing is fetched: with no handler a stray request fails at once, and Scrapy
        # does not import its HTTP stack for nothing.
        "DOWNLOAD_HANDLERS": dict.fromkeys(("http", "https", "ftp", "s3", "file", "data")),
        "NEWSBOT_STATE_FILE": "replay-{run_id}.sqlite",
        "NEWSBOT_REDIS_PREFIX": "replay-{run_id}",
    }

    def __init__(self, warc: str | None = None, shard: str | None = None, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        if not warc:
            raise SourceError("give the WARCs to replay: -a warc=FILE|FOLDER|GLOB")
        self.warc = warc
        self.shard = parse_shard(shard) if shard else None
        self.in_flight = 0
        self.room: asyncio.Event | None = None  # set while fewer than MAX_IN_FLIGHT pages are out
        self.exhausted = self.closing = False
        self.closer: asyncio.Future[None] | None = None  # the close, kept so it is not collected
        self.root: Path | None = None

    @classmethod
    def from_crawler(cls, crawler: Crawler, *args: Any, **kwargs: Any) -> ReplaySpider:
        spider = super().from_crawler(crawler, *args, **kwargs)
        for signal in (signals.item_scraped, signals.item_dropped, signals.item_error):
            crawler.signals.connect(spider._item_left, signal=signal)
        return spider

    def _item_left(self, item: Any, **kwargs: Any) -> None:
        self.in_flight -= 1
        if self.room is not None and self.in_flight < MAX_IN_FLIGHT:
            self.room.set()
        self._close_when_done()

    def _close_when_done(self) -> None:
        """Close once the last page has left the pipeline, not at the engine's next idle
        check (up to 5 s later: a tenth of a short replay). Scheduled a moment later, so
        that the last item's own bookkeeping in the scraper is finished first."""
        if self.exhausted and self.in_flight == 0 and not self.closing:
            self.closing = True
            asyncio.get_running_loop().call_later(0.2, self._close)

    def _close(self) -> None:
        engine = self.crawler.engine
        if (
            engine.spider is not None
            and engine.scraper.slot is not None
            and engine.scraper.slot.is_idle()
        ):
            self.closer = asyncio.ensure_future(engine.close_spider_async(reason="finished"))
        # else the engine's own idle check closes the spider, as it always would

    async def start(self) -> AsyncIterator[Any]:
        found = False
        self.root = Runtime.of(self.crawler).root  # here: the add-on's ARCHIVE_DIR is set by now
        self.room = asyncio.Event()
        report = ReadReport()  # damaged files are read as far as they go, and reported here
        files: Any = self.warc
        if self.shard is not None:
            failure = self._shared_state()
            if failure:
                if self.stats is not None:
                    self.stats.set_value("newsbot/failed", failure)
                self.exhausted = True
                self._close_when_done()
                return
            files = share_of(resolve_paths(self.warc), *self.shard)
            self._inc("newsbot/replay/share_files", len(files))
        captures = iter_captures(
            files,
            root=self.root,
            metadata_window=METADATA_WINDOW,
            report=report,
            originals=None if self.shard is None else self.warc,
        )
        # (reading and gunzipping WARC records happens off the reactor thread, a batch a trip)
        while batch := await asyncio.to_thread(_next_batch, captures):
            found = True
            for capture in batch:
                page = self._replayed(capture)
                if page is None:
                    continue
                while self.in_flight >= MAX_IN_FLIGHT:
                    self.room.clear()
                    await self.room.wait()
                self.in_flight += 1
                yield page
        if found:
            self._inc("newsbot/start/reachable")
        elif self.stats is not None:
            self.stats.set_value("newsbot/failed", _nothing_read(self.warc, report))
        self._count(report)
        self.exhausted = True
        self._close_when_done()

    def _shared_state(self) -> str | None:
        """Why shares cannot run (None: they can): they must claim in one Redis state."""
        settings = self.crawler.settings
        if not settings.get("NEWSBOT_REDIS_URL"):
            return "-a shard= needs NEWSBOT_REDIS_URL: the shares claim in one Redis index"
        if "{run_id}" in str(settings.get("NEWSBOT_REDIS_PREFIX")):
            return (
                "-a shard= needs -s NEWSBOT_REDIS_PREFIX=NAME, the same on every share"
                " (a fresh name for a fresh state)"
            )
        return None

    def _replayed(self, capture: Capture) -> Page | None:
        """`_page`, with a capture it cannot turn into a response (a URL or headers Scrapy
        refuses) counted and logged in one line instead of ending the replay."""
        try:
            return self._page(capture)
        except (ValueError, TypeError, UnicodeError) as exc:
            self._inc("newsbot/replay/unreplayable")
            logger.warning(
                "capture not replayable: %s at offset %d (%s): %s: %s",
                capture.file,
                capture.offset,
                capture.url,
                type(exc).__name__,
                exc,
            )
            return None

    def _count(self, report: ReadReport) -> None:
        """The reading's figures, for the summary and the exit status."""
        if self.stats is None:
            return
        self.stats.set_value("newsbot/replay/files", len(report.files))
        self.stats.set_value("newsbot/replay/bad_records", report.bad_records)
        self.stats.set_value("newsbot/replay/unresolved_revisits", report.unresolved_revisits)
        self.stats.set_value("newsbot/replay/incomplete", len(report.incomplete))
        self.stats.set_value(
            "newsbot/replay/incomplete_files",
            [
                {"file": str(f.path), "offset": f.cut[0], "cause": f.cut[1]}
                for f in report.incomplete
                if f.cut is not None
            ],
        )
        self.stats.set_value(
            "newsbot/replay/whole_file_gzip_files",
            [str(f.path) for f in report.files if f.whole_file_gzip],
        )

    def _page(self, capture: Capture) -> Page | None:
        """The Page of an archived article response, as the live crawl made it; else None."""
        context = self._context(capture)
        self._inc("newsbot/replay/records")
        self._inc("downloader/response_count")
        self._inc(f"downloader/response_status_count/{capture.status}")
        self._inc(site_key(context.get("source"), "pages_fetched"))
        if not 200 <= capture.status < 300:
            return None
        return self.page_from(
            self._response(capture),
            context,
            {
                "fetched_at": capture.date,
                "warc": warc_pointer(capture.file, capture.offset, capture.record_id),
            },
        )

    @staticmethod
    def _context(capture: Any) -> CaptureContext:
        """The capture context newsbot archived (any version: one archived before contexts
        had a ``version`` reads as version 1). A capture of another tool's WARC is an
        article candidate (someone chose to capture it), judged by the page alone; its
        source is its host:port. Only newsbot's own contexts carry sitemap, feed and depth
        facts."""
        context = capture.metadata.get("newsbot_context")
        if context is not None:
            found = cast(CaptureContext, dict(context))
            found.setdefault("source", site_of(capture.url))
            return found
        return {"candidate": True, "source": site_of(capture.url)}

    @staticmethod
    def _response(capture: Capture) -> HtmlResponse:
        headers: dict[str, list[str]] = {}
        for key, value in capture.replay_headers():
            headers.setdefault(key, []).append(value)
        return HtmlResponse(capture.url, status=capture.status, headers=headers, body=capture.body)
