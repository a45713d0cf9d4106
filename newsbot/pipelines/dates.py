"""The ordered dates stage: a site's zone learnt from its pages, and the date counts.

The dates themselves are found in the extraction workers, in the zone the source states,
else the one learnt in the site's earlier runs (archived in each capture's context), else
the one the page's language and domain suggest. Here, in capture order, each page's zoned
times are counted for its site (`newsbot.dates.sitezones`), and once this run's evidence names
the site's zone, the zone-less times of its later pages are re-read in it. Deciding here,
not in the workers, keeps the records independent of the number of workers; a replay
reads the same contexts in the same order and decides the same.

An article whose publication time could not be resolved keeps a null `published`; it is
counted here, never dropped.
"""

from __future__ import annotations

import logging
from typing import TYPE_CHECKING, Any

from itemadapter import ItemAdapter

from newsbot import sitestats
from newsbot.dates.sitezones import ZoneFacts, ZoneLearner
from newsbot.runtime import Runtime
from newsbot.templates import paragraph_hash
from newsbot.urls import host_of, url_key

if TYPE_CHECKING:
    from scrapy.crawler import Crawler
    from scrapy.statscollectors import StatsCollector

    from newsbot.state import SiteZones

logger = logging.getLogger(__name__)


class DatePipeline:
    def __init__(self, stats: StatsCollector, runtime: Runtime, learner: ZoneLearner) -> None:
        self.stats = stats
        self.runtime = runtime
        self.learner = learner
        runtime.zones = self.learner  # the archive stage re-reads the records it held back
        self.store: SiteZones | None = None

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> DatePipeline:
        settings = crawler.settings
        learner = ZoneLearner(
            min_pages=settings.getint("NEWSBOT_ZONE_MIN_PAGES"),
            agreement=settings.getfloat("NEWSBOT_ZONE_AGREEMENT"),
            hold_pages=settings.getint("NEWSBOT_ZONE_HOLD_PAGES"),
        )
        return cls(crawler.stats, Runtime.of(crawler), learner)

    def open_spider(self) -> None:
        self.store = self.runtime.backend.site_zones()

    def close_spider(self) -> None:
        if self.store is not None:
            self.store.close()
            self.store = None

    def process_item(self, item: Any) -> Any:
        adapter = ItemAdapter(item)
        if "published" not in adapter:
            return item
        facts = adapter.get("zoning")
        if isinstance(facts, ZoneFacts):
            self._learn(adapter, facts)
        self._count(adapter)
        return item

    def _learn(self, adapter: ItemAdapter, facts: ZoneFacts) -> None:
        """Count the page's evidence for its site (here and in the state, for later runs),
        then re-read its zone-less times in the zone this run learnt, if any."""
        site = host_of(adapter["url"])
        self.learner.observe(site, facts.evidence)
        if facts.evidence and self.store is not None:
            self.store.observe(site, paragraph_hash(url_key(adapter["url"])), facts.evidence)
        zone = self.learner.reread(site, adapter, facts)
        if zone is not None:
            adapter["zone"] = zone
            self.stats.inc_value("newsbot/date/zone_learnt")

    def _count(self, adapter: ItemAdapter) -> None:
        if adapter.get("published"):
            self.stats.inc_value(f"newsbot/date/source/{adapter.get('published_source')}")
            if adapter.get("published_precision") == "day":
                self.stats.inc_value("newsbot/date/day_only")
        else:
            self.stats.inc_value("newsbot/date/unparsed")
            sitestats.inc(self.stats, adapter.get("source"), "undated")
            logger.info("no publication date found for %s", adapter.get("url"))
