"""Crawl feedback: a progress line every few seconds, a summary at the end.

The summary (pages by status, articles, duplicates, undated articles, errors
by kind, archive paths) is logged and written as JSON to
`ARCHIVE_DIR/runs/<spider>-<run>.summary.json`. A crawl that failed (bad
configuration, no start URL reachable, nothing replayable) is marked
`"ok": false` there and exits 1; a replay that wrote records but could not read
some files to their end lists them (`replay_incomplete_files`) and exits 3, so
cron and Scrapyd can alert on either and tell them apart.
"""

from __future__ import annotations

import json
import logging
import time
from typing import TYPE_CHECKING, Any

from scrapy import signals
from twisted.internet import task

from newsbot import health, norecord
from newsbot.runtime import Runtime, utc_stamp
from newsbot.sitestats import PREFIX as SITES_PREFIX
from newsbot.sitestats import sites_summary

if TYPE_CHECKING:
    from scrapy import Spider
    from scrapy.crawler import Crawler
    from scrapy.statscollectors import StatsCollector

logger = logging.getLogger(__name__)


def summarize(stats: dict[str, Any]) -> dict[str, Any]:
    """The user-facing figures of a crawl, from Scrapy's and newsbot's stats."""
    prefix = "downloader/response_status_count/"
    # Every failed fetch is counted once per URL under newsbot/errors/ (spider errback,
    # fault middleware); Scrapy's exception counts are per attempt and include the
    # IgnoreRequests of robots.txt and incremental skips, which are not errors.
    errors = {k.split("/", 2)[2]: v for k, v in stats.items() if k.startswith("newsbot/errors/")}
    failed = stats.get("newsbot/failed")
    status = exit_status(stats)
    summary = {
        "ok": status == 0,  # a pause (shutdown) or a CLOSESPIDER_* limit is not a failure
        "exit_status": status,
        "failure": failed,
        "finish_reason": stats.get("finish_reason"),
        "pages_fetched": stats.get("downloader/response_count", 0),
        "pages_by_status": {k[len(prefix):]: v for k, v in sorted(stats.items()) if k.startswith(prefix)},
        "article_pages": stats.get("newsbot/pages/article", 0),
        "articles": stats.get("newsbot/articles", 0),
        "duplicates": stats.get("newsbot/duplicates", 0),
        "unchanged": stats.get("newsbot/articles/unchanged", 0),
        "articles_without_date": stats.get("newsbot/date/unparsed", 0),
        "no_record": {k[len(norecord.PREFIX):]: v for k, v in sorted(stats.items())
                      if k.startswith(norecord.PREFIX)},
        "sites": sites_summary(stats),
        "errors": dict(sorted(errors.items())),
        # sites whose robots.txt could not be fetched, so were crawled unrestricted (Scrapy's rule)
        "robots_txt_not_fetched": sum(v for k, v in stats.items()
                                      if k.startswith("robotstxt/exception_count/")),
        "outputs": stats.get("newsbot/outputs", {}),
        "stats": {k: v for k, v in sorted(stats.items())  # every newsbot counter, for scripts and tests
                  if k.startswith("newsbot/") and k not in _LISTS
                  and not k.startswith(SITES_PREFIX)},
    }
    if "newsbot/replay/files" in stats:
        summary["replay_files"] = stats["newsbot/replay/files"]
        summary["replay_bad_records"] = stats.get("newsbot/replay/bad_records", 0)
        summary["replay_incomplete_files"] = stats.get("newsbot/replay/incomplete_files", [])
        # whole-file gzip: warc.offset is a position in the uncompressed stream (no pywb, no CDXJ)
        summary["replay_uncompressed_offsets"] = stats.get("newsbot/replay/whole_file_gzip_files", [])
    return summary


_LISTS = ("newsbot/outputs", "newsbot/replay/incomplete_files", "newsbot/replay/whole_file_gzip_files")
EXIT_FAILED = 1      # nothing achieved: bad configuration, no start URL reachable, nothing replayable
EXIT_INCOMPLETE = 3  # records written, but some files could not be read to their end (2: usage)


def exit_status(stats: dict[str, Any]) -> int:
    """0, or why a scheduler should look: EXIT_FAILED or EXIT_INCOMPLETE."""
    if stats.get("newsbot/failed"):
        return EXIT_FAILED
    if stats.get("newsbot/replay/incomplete"):
        return EXIT_INCOMPLETE
    return 0


class CrawlReport:
    def __init__(self, stats: StatsCollector, runtime: Runtime, interval: float) -> None:
        self.stats = stats
        self.runtime = runtime
        self.interval = interval
        self.loop: task.LoopingCall | None = None
        self.started = time.monotonic()
        self.summary: dict[str, Any] | None = None
        self.health: health.Thresholds | None = None   # None: no site health checks

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> CrawlReport:
        ext = cls(crawler.stats, Runtime.of(crawler),
                  crawler.settings.getfloat("NEWSBOT_PROGRESS_INTERVAL", 5.0))
        crawler.signals.connect(ext.spider_opened, signal=signals.spider_opened)
        crawler.signals.connect(ext.spider_closed, signal=signals.spider_closed)
        crawler.signals.connect(ext.engine_stopped, signal=signals.engine_stopped)
        if crawler.settings.getbool("HEALTH_ENABLED", True):
            ext.health = health.Thresholds.from_settings(crawler.settings)
        return ext

    def spider_opened(self, spider: Spider) -> None:
        self.started = time.monotonic()
        if self.interval > 0:
            self.loop = task.LoopingCall(self.progress)
            self.loop.start(self.interval, now=False)

    def progress(self) -> None:
        s = self.stats
        elapsed = max(time.monotonic() - self.started, 1e-6)
        pages = s.get_value("downloader/response_count", 0)
        errors = sum(v for k, v in s.get_stats().items() if k.startswith("newsbot/errors/"))
        logger.info("progress: %d pages (%.1f/s), %d articles, %d duplicates, %d errors",
                    pages, pages / elapsed, s.get_value("newsbot/articles", 0),
                    s.get_value("newsbot/duplicates", 0), errors)

    def spider_closed(self, spider: Spider, reason: str) -> None:
        if self.loop is not None and self.loop.running:
            self.loop.stop()

    def site_health(self) -> dict[str, Any] | None:
        """This run's figures per source against its previous runs' (see newsbot/health.py)."""
        if self.health is None:
            return None
        rt = self.runtime
        outputs = (self.stats.get_value("newsbot/outputs") or {}).values()
        history = health.SummaryHistory(rt.root / "runs", rt.spider_name, rt.run_id)
        section = health.assess(sites_summary(self.stats.get_stats()),
                                health.text_lengths(rt.root / rel for rel in outputs),
                                history, rt.run_id, self.health)
        for key in health.stat_keys(section):
            self.stats.set_value(key, 1)
        return section

    def engine_stopped(self) -> None:
        """After every component closed: the WARC files have their final names now."""
        warc = self.runtime.extras.get("warc")
        if warc is not None:
            warc.close()
        section = self.site_health()
        stats = dict(self.stats.get_stats())
        summary = summarize(stats)
        if section is not None:
            summary["health"] = section
        summary["run_id"] = self.runtime.run_id
        summary["archive_dir"] = str(self.runtime.root)
        summary["warc_files"] = sorted(warc.closed) if warc is not None else []
        summary["elapsed_s"] = round(time.monotonic() - self.started, 2)
        path = self.runtime.path("runs", f"{self.runtime.spider_name}-{self.runtime.run_id}.summary.json")
        path.write_text(json.dumps(summary, indent=2, default=str) + "\n", encoding="utf-8")
        self.summary = summary
        self.stats.set_value("newsbot/ok", summary["ok"])
        self.stats.set_value("newsbot/exit_status", summary["exit_status"])
        logger.info("crawl summary:\n%s", json.dumps(summary, indent=2, default=str))
        logger.info("summary written to %s", path)
        verdict = {0: "finished", EXIT_INCOMPLETE: "incomplete"}.get(summary["exit_status"], "failed")
        self.runtime.state.finish_run(self.runtime.run_id, utc_stamp(), verdict)
        self.runtime.close()
