"""`scrapy crawl`, exiting non-zero when the crawl failed or a replay fell short.

Scrapy's own command exits 0 whenever the crawler started. Schedulers (cron,
systemd, Scrapyd) need to know when a run achieved nothing (bad arguments or
configuration, no start URL reachable, nothing replayable: 1) and when a
replay wrote records but could not read some files to their end (3; 2 stays
Scrapy's usage error). This command reads the verdict the CrawlResources
extension left in the stats.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from scrapy.commands.crawl import Command as ScrapyCrawlCommand
from scrapy.exceptions import UsageError

from newsbot.extraction.pool import start_server
from newsbot.summary import EXIT_FAILED

if TYPE_CHECKING:
    import argparse

    from scrapy.crawler import Crawler

EXTRACTION = "newsbot.pipelines.extract.ExtractionPipeline"


def exit_status(crawler: Crawler, bootstrap_failed: bool) -> int:
    """1 if the crawl did not start, else the verdict of the CrawlResources extension."""
    if bootstrap_failed:
        return EXIT_FAILED
    try:
        status = crawler.stats.get_value("newsbot/exit_status")
    except RuntimeError:  # stats never set: the crawl did not start
        return EXIT_FAILED
    return 0 if status is None else int(status)  # (no CrawlResources: Scrapy's own 0)


def failed(crawler: Crawler, bootstrap_failed: bool) -> bool:
    """Did the crawl achieve nothing (exit status 1)?"""
    return exit_status(crawler, bootstrap_failed) == EXIT_FAILED


class Command(ScrapyCrawlCommand):
    def run(self, args: list[str], opts: argparse.Namespace) -> None:
        if len(args) != 1:
            raise UsageError("give exactly one spider name")
        assert self.crawler_process and self.settings
        if EXTRACTION in (self.settings.getwithbase("ITEM_PIPELINES") or {}):
            start_server()  # the workers' imports overlap Scrapy's own start-up
        crawler = self._create_crawler(args[0])
        self.crawler_process.crawl(crawler, **opts.spargs)
        self.crawler_process.start()
        self.exitcode = exit_status(crawler, self.crawler_process.bootstrap_failed)
