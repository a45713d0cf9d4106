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
and are then cleaned with what it learnt, their zone-less times read in the
zone the site's pages showed by then (`newsbot.dates.sitezones`); a crash before that loses nothing,
since unrecorded pages are simply fetched again.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from itemadapter import ItemAdapter
from twisted.internet import task

from newsbot import sitestats
from newsbot.items import EXPORT_FIELDS
from newsbot.jsonl import JsonLinesWriter
from newsbot.repair import repair_interrupted
from newsbot.runtime import Runtime, safe_name, utc_stamp
from newsbot.signals import record_held, record_written
from newsbot.urls import host_of, url_key

if TYPE_CHECKING:
    from scrapy.crawler import Crawler
    from scrapy.signalmanager import SignalManager
    from scrapy.statscollectors import StatsCollector

    from newsbot.dates.sitezones import ZoneFacts
    from newsbot.templates import Paragraphs
    from newsbot.warc.service import WarcService

logger = logging.getLogger(__name__)


@dataclass
class Held:
    """A record waiting for its site's template (and zone), with what cleaning needs."""

    record: dict[str, Any]
    text_hash: str | None
    paragraphs: Paragraphs | None
    zone: str | None  # the zone its times were read in so far
    zoning: ZoneFacts | None
    commit: int | None = None  # the dedup claim's global commit number (shared state)


class ArticleArchivePipeline:
    def __init__(
        self,
        runtime: Runtime,
        stats: StatsCollector,
        keep_duplicates: bool,
        warc: WarcService | None,
        lease: float,
        signals: SignalManager | None = None,
    ) -> None:
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
        self.waiting: dict[str, list[Held]] = {}
        self.seen_ids: set[str] = set()
        self.committer = task.LoopingCall(runtime.state.maybe_commit)

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> ArticleArchivePipeline:
        runtime = Runtime.of(crawler)
        warc = runtime.warc  # None when WARC_ENABLED is off (replay)
        return cls(
            runtime,
            crawler.stats,
            crawler.settings.getbool("DEDUP_KEEP_DUPLICATES"),
            warc,
            crawler.settings.getfloat("STATE_RUN_LEASE"),
            crawler.signals,
        )

    def open_spider(self) -> None:
        self.committer.start(1.0, now=False)  # quiet spells still commit the batch
        recovered = repair_interrupted(
            self.runtime.state,
            self.runtime.dedup,
            self.runtime.root,
            utc_stamp(self.runtime.started),
        )
        if recovered:
            self.stats.set_value("newsbot/recovered_records", recovered)
        self.runtime.state.start_run(
            self.runtime.run_id,
            self.runtime.spider_name,
            utc_stamp(self.runtime.started),
            self.outputs,
            lease=self.lease,
        )

    def close_spider(self) -> None:
        if self.committer.running:
            self.committer.stop()
        for site in list(self.waiting):
            self._release(site)
        self.runtime.state.commit()
        for writer in self.writers.values():
            writer.close()
        self.stats.set_value(
            "newsbot/outputs", {k: v for k, v in self.outputs.items() if self.writers[k].count}
        )

    def process_item(self, item: Any) -> Any:
        adapter = ItemAdapter(item)
        if "text_hash" not in adapter or adapter["id"] in self.seen_ids:
            return item
        self.seen_ids.add(adapter["id"])
        record = {name: adapter.get(name) for name in EXPORT_FIELDS}
        site = host_of(adapter["url"])
        held = Held(
            record,
            adapter.get("text_hash"),
            adapter.get("paragraphs"),
            adapter.get("zone"),
            adapter.get("zoning"),
            adapter.get("commit"),
        )
        if not self._template_known(site) or self._zone_pending(site, held):
            self.waiting.setdefault(site, []).append(held)
            self._tell(record_held, adapter["id"])
        else:
            self._write(record, held.text_hash, held.zone, held.commit)
        if site in self.waiting and self._settled(site):
            self._release(site)
        self.runtime.state.maybe_commit()
        return item

    def _template_known(self, site: str) -> bool:
        templates = self.runtime.templates
        return templates is None or templates.site_pages(site) >= templates.min_pages

    def _zone_pending(self, site: str, held: Held) -> bool:
        """Whether a record's zone-less times wait for the site's zone (newsbot.dates.sitezones)."""
        learner = self.runtime.zones
        return (
            learner is not None and held.zoning is not None and learner.pending(site, held.zoning)
        )

    def _settled(self, site: str) -> bool:
        """A site's held records may go: its template known, none of them waiting for a zone."""
        return self._template_known(site) and not any(
            self._zone_pending(site, held) for held in self.waiting[site]
        )

    def _release(self, site: str) -> None:
        """Write a site's waiting records, cleaned with what the template store knows now."""
        templates = self.runtime.templates
        for held in self.waiting.pop(site, []):
            record = held.record
            if templates is not None:
                text, removed = templates.strip(
                    site, url_key(record["url"]), record["text"], held.paragraphs
                )
                if removed:
                    record["text"] = text
                    self.stats.inc_value("newsbot/templates/paragraphs_removed", removed)
                    sitestats.inc(
                        self.stats, record.get("source"), "template_paragraphs_removed", removed
                    )
            zone = self._reread(site, held)
            self._write(record, held.text_hash, zone, held.commit)

    def _reread(self, site: str, held: Held) -> str | None:
        """A held record's zone-less times, read in the zone its site's later pages taught."""
        learner = self.runtime.zones
        if learner is None or held.zoning is None:
            return held.zone
        zone = learner.reread(site, held.record, held.zoning)
        if zone is None:
            return held.zone
        self.stats.inc_value("newsbot/date/zone_learnt")
        return zone

    def _write(
        self,
        record: dict[str, Any],
        page_hash: str | None,
        zone: str | None,
        commit: int | None = None,
    ) -> None:
        """The line, then the state; the metadata record links it to its capture and keeps
        the zone its times were read in and the claim's commit number."""
        duplicate = bool(record.get("duplicate_of"))
        target = "duplicates" if duplicate and not self.keep_duplicates else "articles"
        end = self.writers[target].write(record)
        self.runtime.state.record(
            record,
            url_key(record["url"]),
            page_hash,
            self.runtime.run_id,
            line=(self.outputs[target], end),
        )
        self._tell(record_written, record["id"])
        self.stats.inc_value("newsbot/duplicates" if duplicate else "newsbot/articles")
        sitestats.inc(self.stats, record.get("source"), "duplicates" if duplicate else "records")
        if self.warc is not None and record.get("warc"):
            self.warc.write_metadata(
                record["warc"],
                record["url"],
                {
                    "newsbot_article": {
                        "id": record["id"],
                        "run": self.runtime.run_id,
                        "duplicate_of": record.get("duplicate_of"),
                        "zone": zone,
                        "commit": commit,
                    }
                },
            )

    def _tell(self, signal: object, record_id: Any) -> None:
        if self.signals is not None:
            self.signals.send_catch_log(signal, record_id=record_id)
