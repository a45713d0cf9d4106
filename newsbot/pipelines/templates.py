"""Per-site boilerplate: paragraphs a site repeats on many pages leave `text`.

A thin adapter over `newsbot.templates.TemplateStore`, which learns from every
page the crawl sees (and keeps what it learnt in the state file, so it gets
better across runs). Items arrive in capture order, so a live crawl and its
replay learn the same things in the same order. When paragraphs are removed
the dedup signature is recomputed from the cleaned text; `text_hash` keeps
describing the page as extracted, so a site's changing template never passes
for a corrected article.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from itemadapter import ItemAdapter
from scrapy.exceptions import NotConfigured

from newsbot import sitestats
from newsbot.dedup import make_signature
from newsbot.runtime import Runtime
from newsbot.templates import TemplateStore
from newsbot.urls import host_of, url_key

if TYPE_CHECKING:
    from scrapy.crawler import Crawler
    from scrapy.statscollectors import StatsCollector


class TemplatePipeline:
    def __init__(
        self, store: TemplateStore, stats: StatsCollector, prune_idle_pages: int = 0
    ) -> None:
        self.store = store
        self.stats = stats
        self.prune_idle_pages = prune_idle_pages

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> TemplatePipeline:
        if not crawler.settings.getbool("TEMPLATES_ENABLED"):
            raise NotConfigured("TEMPLATES_ENABLED is off")
        runtime = Runtime.of(crawler)
        store = TemplateStore(
            runtime.backend.template_counts(),
            min_pages=crawler.settings.getint("TEMPLATES_MIN_PAGES"),
        )
        runtime.templates = store  # the archive stage re-cleans early pages; runtime closes it
        return cls(store, crawler.stats, crawler.settings.getint("TEMPLATES_PRUNE_IDLE_PAGES"))

    def close_spider(self) -> None:
        """Forget the paragraphs seen once or twice long ago: the state file stays the size
        of the sites' templates and recent pages, however many runs it has seen."""
        if self.prune_idle_pages > 0:
            pruned = self.store.prune(self.prune_idle_pages)
            if pruned:
                self.stats.set_value("newsbot/templates/pruned", pruned)

    def process_item(self, item: Any) -> Any:
        adapter = ItemAdapter(item)
        if not adapter.get("text") or "signature" not in adapter:
            return item
        text, removed = self.store.clean_text(
            host_of(adapter["url"]),
            url_key(adapter["url"]),
            adapter["text"],
            adapter.get("paragraphs"),
        )
        if removed:
            adapter["paragraphs"] = None  # described the text as extracted, not as cleaned
            adapter["text"] = text
            adapter["signature"] = make_signature(text)
            self.stats.inc_value("newsbot/templates/paragraphs_removed", removed)
            sitestats.inc(self.stats, adapter.get("source"), "template_paragraphs_removed", removed)
            self.stats.inc_value("newsbot/templates/pages_cleaned")
        return item
