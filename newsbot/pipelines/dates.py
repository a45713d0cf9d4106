"""Date bookkeeping: the dates themselves are found in the extraction workers.

An article whose publication time could not be resolved keeps a null
`published`; it is counted here, never dropped.
"""

from __future__ import annotations

import logging
from typing import TYPE_CHECKING, Any

from itemadapter import ItemAdapter

from newsbot import sitestats

if TYPE_CHECKING:
    from scrapy.crawler import Crawler
    from scrapy.statscollectors import StatsCollector

logger = logging.getLogger(__name__)


class DateStatsPipeline:
    def __init__(self, stats: StatsCollector) -> None:
        self.stats = stats

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> DateStatsPipeline:
        return cls(crawler.stats)

    def process_item(self, item: Any) -> Any:
        adapter = ItemAdapter(item)
        if "published" not in adapter:
            return item
        if adapter.get("published"):
            self.stats.inc_value(f"newsbot/date/source/{adapter.get('published_source')}")
            if adapter.get("published_precision") == "day":
                self.stats.inc_value("newsbot/date/day_only")
        else:
            self.stats.inc_value("newsbot/date/unparsed")
            sitestats.inc(self.stats, adapter.get("source"), "undated")
            logger.info("no publication date found for %s", adapter.get("url"))
        return item
