"""Syndication: a later copy of a story already recorded points to the first.

A thin adapter over the state backend's dedup index (`DedupClaims`: SQLite's
MinHash + LSH bands in the state file). Each article is claimed in one atomic
call that matches and adds, so two crawls sharing the index never both record
a canonical of one story. Items arrive in capture order (see
extraction/order.py), so within a crawl the first copy captured is the canonical one. A new version of a page already
recorded is a correction, not a copy, and is not matched.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from itemadapter import ItemAdapter
from scrapy.exceptions import NotConfigured

from newsbot.dedupstore import archive_texts
from newsbot.runtime import Runtime

if TYPE_CHECKING:
    from scrapy.crawler import Crawler
    from scrapy.statscollectors import StatsCollector

    from newsbot.state import DedupClaims


class DedupPipeline:
    def __init__(self, index: DedupClaims, stats: StatsCollector) -> None:
        self.index = index
        self.stats = stats

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> DedupPipeline:
        settings = crawler.settings
        if not settings.getbool("DEDUP_ENABLED"):
            raise NotConfigured("DEDUP_ENABLED is off")
        runtime = Runtime.of(crawler)
        index = runtime.backend.dedup_index(
            settings.getfloat("DEDUP_THRESHOLD"), texts=lambda: archive_texts(runtime.root)
        )  # re-signs an old one
        runtime.dedup = index  # crash recovery re-indexes what it restores; runtime closes it
        return cls(index, crawler.stats)

    def process_item(self, item: Any) -> Any:
        adapter = ItemAdapter(item)
        signature = adapter.get("signature")
        if signature is None:
            return item
        match = self.index.claim(adapter["id"], signature)
        adapter["commit"] = self.index.commit_number(adapter["id"])  # for the WARC metadata
        # A new version of a recorded page is a correction: indexed, never a copy.
        if (
            match is not None
            and not adapter.get("supersedes")
            and match.canonical_id != adapter["id"]
        ):
            adapter["duplicate_of"] = match.canonical_id
            adapter["similarity"] = round(float(match.score), 4)
            self.stats.inc_value("newsbot/dedup/duplicates")
        return item
