"""Crawl feedback: a progress line every few seconds, the summary at the end.

The summary (pages by status, articles, duplicates, undated articles, errors
by kind, archive paths; `newsbot/summary.py`) is made by the resources
extension, which finishes the run; this extension adds the site health section
(judged against the state backend's history, which gains this run's figures),
logs it and writes it as JSON to `ARCHIVE_DIR/runs/<spider>-<run>.summary.json`. A crawl that failed
(bad configuration, no start URL reachable, nothing replayable) is marked
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

from newsbot import health
from newsbot.extensions.resources import summary_ready
from newsbot.runtime import Runtime
from newsbot.summary import EXIT_FAILED, EXIT_INCOMPLETE, exit_status, summarize

__all__ = ["EXIT_FAILED", "EXIT_INCOMPLETE", "CrawlReport", "exit_status", "summarize"]

if TYPE_CHECKING:
    from scrapy import Spider
    from scrapy.crawler import Crawler
    from scrapy.statscollectors import StatsCollector

logger = logging.getLogger(__name__)


class CrawlReport:
    def __init__(self, stats: StatsCollector, runtime: Runtime, interval: float) -> None:
        self.stats = stats
        self.runtime = runtime
        self.interval = interval
        self.loop: task.LoopingCall | None = None
        self.started = time.monotonic()
        self.summary: dict[str, Any] | None = None
        self.health: health.Thresholds | None = None  # None: no site health checks

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> CrawlReport:
        ext = cls(
            crawler.stats,
            Runtime.of(crawler),
            crawler.settings.getfloat("NEWSBOT_PROGRESS_INTERVAL"),
        )
        crawler.signals.connect(ext.spider_opened, signal=signals.spider_opened)
        crawler.signals.connect(ext.spider_closed, signal=signals.spider_closed)
        crawler.signals.connect(ext.write, signal=summary_ready)
        if crawler.settings.getbool("HEALTH_ENABLED"):
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
        logger.info(
            "progress: %d pages (%.1f/s), %d articles, %d duplicates, %d errors",
            pages,
            pages / elapsed,
            s.get_value("newsbot/articles", 0),
            s.get_value("newsbot/duplicates", 0),
            errors,
        )

    def spider_closed(self, spider: Spider, reason: str) -> None:
        if self.loop is not None and self.loop.running:
            self.loop.stop()

    def site_health(self, summary: dict[str, Any]) -> dict[str, Any] | None:
        """This run's figures per source against its previous runs' in the state backend
        (open until every `summary_ready` listener ran), which keeps this run's for the
        next; see newsbot/health.py."""
        if self.health is None:
            return None
        rt = self.runtime
        outputs = (summary.get("outputs") or {}).values()
        summaries = health.SummaryHistory(rt.root / "runs", rt.spider_name, rt.run_id)
        history = health.BackendHistory(
            rt.backend.health_history(), rt.spider_name, rt.run_id, summaries
        )
        section = health.assess(
            summary.get("sites") or {},
            health.text_lengths(rt.root / rel for rel in outputs),
            history,
            rt.run_id,
            self.health,
        )
        for key in health.stat_keys(section):
            self.stats.set_value(key, 1)
            summary.setdefault("stats", {})[key] = 1
        return section

    def write(self, summary: dict[str, Any]) -> None:
        """Add the site health section, log the summary the resources extension made and
        write it under runs/."""
        section = self.site_health(summary)
        if section is not None:
            summary["health"] = section
        path = self.runtime.path(
            "runs", f"{self.runtime.spider_name}-{self.runtime.run_id}.summary.json"
        )
        path.write_text(json.dumps(summary, indent=2, default=str) + "\n", encoding="utf-8")
        self.summary = summary
        logger.info("crawl summary:\n%s", json.dumps(summary, indent=2, default=str))
        logger.info("summary written to %s", path)
