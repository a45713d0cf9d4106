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

if TYPE_CHECKING:
    import argparse


class Command(ScrapyCrawlCommand):
    def run(self, args: list[str], opts: argparse.Namespace) -> None:
        if len(args) != 1:
            raise UsageError("give exactly one spider name")
        assert self.crawler_process
        crawler = self._create_crawler(args[0])
        self.crawler_process.crawl(crawler, **opts.spargs)
        self.crawler_process.start()
        ok = crawler.stats.get_value("newsbot/ok") if crawler.stats else None
        if self.crawler_process.bootstrap_failed or ok is False:
            self.exitcode = 1
