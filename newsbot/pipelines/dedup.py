"""Syndication: a later copy of a story already recorded points to the first.

A thin adapter over `newsbot.dedup.DedupIndex` (MinHash + LSH bands in the
state file). Items arrive in capture order (see pipelines/order.py), so the
first copy captured is the canonical one. A new version of a page already
recorded is a correction, not a copy, and is not matched.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from itemadapter import ItemAdapter
from scrapy.exceptions import NotConfigured

from newsbot.dedup import DedupIndex
from newsbot.dedupstore import archive_texts
from newsbot.runtime import Runtime

if TYPE_CHECKING:
    from scrapy.crawler import Crawler
    from scrapy.statscollectors import StatsCollector


class DedupPipeline:
    def __init__(self, index: DedupIndex, stats: StatsCollector) -> None:
        self.index = index
        self.stats = stats

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> DedupPipeline:
        settings = crawler.settings
        if not settings.getbool("DEDUP_ENABLED", True):
            raise NotConfigured("DEDUP_ENABLED is off")
        runtime = Runtime.of(crawler)
        index = DedupIndex(runtime.state.conn, threshold=settings.getfloat("DEDUP_THRESHOLD", 0.6),
                           texts=lambda: archive_texts(runtime.root))  # an old index is re-signed
        runtime.extras["dedup"] = index  # crash recovery re-indexes what it restores
        return cls(index, crawler.stats)

    def close_spider(self) -> None:
        self.index.close()

    def process_item(self, item: Any) -> Any:
        adapter = ItemAdapter(item)
        signature = adapter.get("signature")
        if signature is None:
            return item
        if not adapter.get("supersedes"):
            match = self.index.match(signature)
            if match is not None and match.canonical_id != adapter["id"]:
                adapter["duplicate_of"] = match.canonical_id
                adapter["similarity"] = round(float(match.score), 4)
                self.stats.inc_value("newsbot/dedup/duplicates")
        self.index.add(adapter["id"], signature)
        return item
