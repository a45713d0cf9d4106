"""Has this page been recorded before, and if so, did its text change?

Asks the state store, the one place that decides "already recorded". An
unchanged page is dropped (counted); a changed one becomes a new version that
`supersedes` the last, with its own id.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from itemadapter import ItemAdapter
from scrapy.exceptions import DropItem

from newsbot.runtime import Runtime
from newsbot.urls import article_id, url_key

if TYPE_CHECKING:
    from scrapy.crawler import Crawler
    from scrapy.statscollectors import StatsCollector

    from newsbot.state import Records


class VersionPipeline:
    def __init__(self, state: Records, stats: StatsCollector) -> None:
        self.state = state
        self.stats = stats

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> VersionPipeline:
        return cls(Runtime.of(crawler).state, crawler.stats)

    def process_item(self, item: Any) -> Any:
        adapter = ItemAdapter(item)
        if "text_hash" not in adapter:
            return item
        previous = self.state.latest(url_key(adapter["url"]))
        if previous is None:
            return item
        if previous.text_hash == adapter.get("text_hash"):
            self.stats.inc_value("newsbot/articles/unchanged")
            raise DropItem(f"already recorded, unchanged: {adapter['url']}", log_level="DEBUG")
        version = previous.version + 1
        adapter["version"] = version
        adapter["supersedes"] = previous.id
        adapter["id"] = article_id(adapter["url"], version)
        self.stats.inc_value("newsbot/articles/new_versions")
        return item
