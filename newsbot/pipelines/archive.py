"""The last stage: write each article to its JSONL file, then record it.

Order matters for exactly-once: the line is written whole first, the state
store is told second. At start, runs that were killed are repaired (a torn
last line cut, lines written but not recorded are recorded), so re-running
the same command records every article once. Canonical articles go to
`articles/<spider>-<run>.jsonl`, later copies of a story to
`…duplicates.jsonl` beside it (or flagged in the first, with
DEDUP_KEEP_DUPLICATES). Each record is also linked to its WARC response in a
metadata record, so the archive alone tells which capture became which record.

The first pages of a site arrive before its template (the paragraphs it
repeats everywhere) is known. Their records wait here, unrecorded, until the
site has enough pages for the template store to judge (or the crawl ends),
and are then cleaned with what it learnt; a crash before that loses nothing,
since unrecorded pages are simply fetched again.
"""

from __future__ import annotations

import logging
from typing import TYPE_CHECKING, Any

from itemadapter import ItemAdapter
from twisted.internet import task

from newsbot import sitestats
from newsbot.signals import record_held, record_written
from newsbot.items import EXPORT_FIELDS
from newsbot.jsonl import JsonLinesWriter
from newsbot.repair import repair_interrupted
from newsbot.runtime import Runtime, safe_name, utc_stamp
from newsbot.urls import host_of, url_key

if TYPE_CHECKING:
    from scrapy.crawler import Crawler
    from scrapy.signalmanager import SignalManager
    from scrapy.statscollectors import StatsCollector

    from newsbot.warcservice import WarcService

logger = logging.getLogger(__name__)


class ArticleArchivePipeline:
    def __init__(self, runtime: Runtime, stats: StatsCollector, keep_duplicates: bool,
                 warc: WarcService | None, lease: float, signals: SignalManager | None = None) -> None:
        self.runtime = runtime
        self.signals = signals  # tells the shared frontier when a record waits or is written
        self.lease = lease
        self.stats = stats
        self.keep_duplicates = keep_duplicates
        self.warc = warc
        base = f"articles/{runtime.spider_name}-{runtime.run_id}"
        worker = getattr(runtime.backend, "worker", None)  # shared state: files per worker
        if worker:
            base += f"~{safe_name(worker)}"
        self.outputs = {"articles": f"{base}.jsonl", "duplicates": f"{base}.duplicates.jsonl"}
        self.writers = {k: JsonLinesWriter(runtime.root / v) for k, v in self.outputs.items()}
        # per site: (record, text hash, Paragraphs of the record's text or None, commit no.)
        self.waiting: dict[str, list[tuple[dict[str, Any], str | None, Any, int | None]]] = {}
        self.seen_ids: set[str] = set()
        self.committer = task.LoopingCall(runtime.state.maybe_commit)

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> ArticleArchivePipeline:
        runtime = Runtime.of(crawler)
        warc = runtime.warc  # None when WARC_ENABLED is off (replay)
        return cls(runtime, crawler.stats, crawler.settings.getbool("DEDUP_KEEP_DUPLICATES"), warc,
                   crawler.settings.getfloat("STATE_RUN_LEASE"), crawler.signals)

    def open_spider(self) -> None:
        self.committer.start(1.0, now=False)  # quiet spells still commit the batch
        recovered = repair_interrupted(self.runtime.state, self.runtime.dedup, self.runtime.root,
                                       utc_stamp(self.runtime.started))
        if recovered:
            self.stats.set_value("newsbot/recovered_records", recovered)
        self.runtime.state.start_run(self.runtime.run_id, self.runtime.spider_name,
                                     utc_stamp(self.runtime.started),
                                     self.outputs, lease=self.lease)

    def close_spider(self) -> None:
        if self.committer.running:
            self.committer.stop()
        for site in list(self.waiting):
            self._release(site)
        self.runtime.state.commit()
        for writer in self.writers.values():
            writer.close()
        self.stats.set_value("newsbot/outputs", {
            k: v for k, v in self.outputs.items() if self.writers[k].count})

    def process_item(self, item: Any) -> Any:
        adapter = ItemAdapter(item)
        if "text_hash" not in adapter or adapter["id"] in self.seen_ids:
            return item
        self.seen_ids.add(adapter["id"])
        record = {name: adapter.get(name) for name in EXPORT_FIELDS}
        site = host_of(adapter["url"])
        templates = self.runtime.templates
        if templates is not None and templates.site_pages(site) < templates.min_pages:
            self.waiting.setdefault(site, []).append(
                (record, adapter.get("text_hash"), adapter.get("paragraphs"), adapter.get("commit")))
            self._tell(record_held, adapter["id"])
            return item
        self._write(record, adapter.get("text_hash"), adapter.get("commit"))
        if site in self.waiting:
            self._release(site)
        self.runtime.state.maybe_commit()
        return item

    def _release(self, site: str) -> None:
        """Write a site's waiting records, cleaned with what the template store knows now."""
        templates = self.runtime.templates
        for record, page_hash, paragraphs, commit in self.waiting.pop(site, []):
            if templates is not None:
                text, removed = templates.strip(site, url_key(record["url"]), record["text"],
                                                paragraphs)
                if removed:
                    record["text"] = text
                    self.stats.inc_value("newsbot/templates/paragraphs_removed", removed)
                    sitestats.inc(self.stats, record.get("source"), "template_paragraphs_removed",
                                  removed)
            self._write(record, page_hash, commit)

    def _write(self, record: dict[str, Any], page_hash: str | None,
               commit: int | None = None) -> None:
        duplicate = bool(record.get("duplicate_of"))
        target = "duplicates" if duplicate and not self.keep_duplicates else "articles"
        end = self.writers[target].write(record)
        self.runtime.state.record(record, url_key(record["url"]), page_hash, self.runtime.run_id,
                                  line=(self.outputs[target], end))
        self._tell(record_written, record["id"])
        self.stats.inc_value("newsbot/duplicates" if duplicate else "newsbot/articles")
        sitestats.inc(self.stats, record.get("source"), "duplicates" if duplicate else "records")
        if self.warc is not None and record.get("warc"):
            self.warc.write_metadata(record["warc"], record["url"], {"newsbot_article": {
                "id": record["id"], "run": self.runtime.run_id,
                "duplicate_of": record.get("duplicate_of"), "commit": commit}})

    def _tell(self, signal: object, record_id: Any) -> None:
        if self.signals is not None:
            self.signals.send_catch_log(signal, record_id=record_id)
