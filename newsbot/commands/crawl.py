"""`scrapy crawl`, exiting non-zero when the crawl failed.

Scrapy's own command exits 0 whenever the crawler started. Schedulers (cron,
systemd, Scrapyd) need to know when a run achieved nothing: bad arguments or
configuration, or no start URL reachable. This command reads the verdict the
CrawlReport extension left in the stats.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from scrapy.commands.crawl import Command as ScrapyCrawlCommand
from scrapy.exceptions import UsageError

from newsbot.pool import start_server

if TYPE_CHECKING:
    import argparse

    from scrapy.crawler import Crawler

EXTRACTION = "newsbot.pipelines.extract.ExtractionPipeline"


def failed(crawler: Crawler, bootstrap_failed: bool) -> bool:
    """Did the crawl fail: not started, or judged failed by the CrawlReport extension?"""
    if bootstrap_failed:
        return True
    try:
        return crawler.stats.get_value("newsbot/ok") is False
    except RuntimeError:  # stats never set: the crawl did not start
        return True


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
        if failed(crawler, self.crawler_process.bootstrap_failed):
            self.exitcode = 1
