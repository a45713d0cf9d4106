"""The one owner of a crawl's shared resources: the state backend and the WARC service.

Scrapy builds extensions after the spider and before every downloader middleware and
pipeline (``Crawler.crawl``), so this extension opens the backend and the WARC service
into the crawl's registry (`Runtime.of(crawler)`) where those components find them.
After the engine stopped (every component closed, the WARC files have their final
names) it closes the WARC service, makes the summary (`newsbot.summary`, pure), finishes
the run with its verdict, hands the summary to whoever listens (`summary_ready`: the
report judges site health against the backend's history and writes the summary), and
then closes the backend, so the listeners still have the state (a failing listener is
logged by ``send_catch_log``, and the backend is closed all the same). Switching the
report off therefore leaves every run finished as it should be; switching this off
leaves the stateful stages without state, and they say so.
"""

from __future__ import annotations

import time
from typing import TYPE_CHECKING

from scrapy import signals

from newsbot.runtime import Runtime, utc_stamp
from newsbot.state.errors import StateUnavailable, exit_fatal
from newsbot.summary import run_summary, verdict

if TYPE_CHECKING:
    from scrapy import Spider
    from scrapy.crawler import Crawler

# Sent with ``summary=`` once the run is finished in the state store, before the backend
# closes (`Runtime.backend` is still open for the listeners).
summary_ready = object()


class CrawlResources:
    def __init__(self, crawler: Crawler, runtime: Runtime, warc_enabled: bool) -> None:
        self.crawler = crawler
        self.runtime = runtime
        self.started = time.monotonic()
        try:
            runtime.open_backend()
        except StateUnavailable as exc:  # no Redis, a worker id in use: nothing can be done
            exit_fatal(str(exc))
        if warc_enabled:
            from newsbot.warc.service import WarcService  # warcio, only for crawls that write

            runtime.warc = WarcService.open(crawler)

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> CrawlResources:
        ext = cls(crawler, Runtime.of(crawler), crawler.settings.getbool("WARC_ENABLED"))
        crawler.signals.connect(ext.spider_opened, signal=signals.spider_opened)
        crawler.signals.connect(ext.engine_stopped, signal=signals.engine_stopped)
        return ext

    def spider_opened(self, spider: Spider) -> None:
        self.started = time.monotonic()

    def engine_stopped(self) -> None:
        """Close the WARC files, judge the run, record the verdict, hand on the summary,
        release the state."""
        warc, runtime, stats = self.runtime.warc, self.runtime, self.crawler.stats
        closed: list[str] = []
        if warc is not None:
            warc.close()
            closed = warc.closed
        summary = run_summary(
            dict(stats.get_stats()),
            run_id=runtime.run_id,
            archive_dir=str(runtime.root),
            warc_files=closed,
            elapsed_s=time.monotonic() - self.started,
        )
        stats.set_value("newsbot/ok", summary["ok"])
        stats.set_value("newsbot/exit_status", summary["exit_status"])
        try:
            runtime.state.finish_run(runtime.run_id, utc_stamp(), verdict(summary["exit_status"]))
            self.crawler.signals.send_catch_log(summary_ready, summary=summary)
        finally:
            runtime.close()
