"""The frontier's clock: lease renewal, the reaper, crawl-wide idle close, the crawl summary.

Scrapy's idle check is local (`engine.spider_is_idle()`): with scrapy-redis alone a
worker whose queue was briefly empty closed after 0.02 s while another still fetched
the slow start page that would have fed it. Here every worker keeps itself open
(`DontCloseSpider`) until the crawl's queues are empty and every pending entry is held
back by a live worker (a page waiting for its site's template), continuously for
``NEWSBOT_IDLE_CLOSE`` seconds, as every worker sees in Redis. Closing then releases
the waiting sites (the archive stage writes them; the ledger acknowledges them).

Every tick (half a second) it reads the crawl's status and nudges the engine to ask the
scheduler again (the engine itself asks only every 5 s when it has nothing in flight);
every second it renews its shard leases (its heartbeat) and runs the reaper, and every
fifth of ``NEWSBOT_FRONTIER_LEASE`` it renews the leases of the entries it still owes. The worker that finishes last writes
the crawl-wide summary (`newsbot.frontier.summary`).
"""

from __future__ import annotations

import logging
import time
from typing import TYPE_CHECKING, Any

from itemadapter import ItemAdapter
from scrapy import signals
from scrapy.exceptions import DontCloseSpider, NotConfigured
from twisted.internet import reactor, task

from newsbot.frontier import META_KEY, Frontier, enabled
from newsbot.frontier.middleware import Acknowledging
from newsbot.frontier.summary import crawl_summary, worker_figures, write_crawl_summary
from newsbot.runtime import Runtime
from newsbot.signals import record_held, record_written

if TYPE_CHECKING:
    from scrapy.crawler import Crawler

    from newsbot.frontier.store import Status

logger = logging.getLogger(__name__)

TICK = 0.5  # seconds between status reads (and engine nudges)
SHARD_EVERY = 1.0  # seconds between shard renewals and reaper runs: a joining worker gets its
# share within a second or two (the shard lease itself lasts NEWSBOT_FRONTIER_LEASE)


class FrontierExtension:
    def __init__(
        self, crawler: Crawler, frontier: Frontier, idle_close: float, renew_every: float
    ) -> None:
        self.crawler = crawler
        self.frontier = frontier
        self.store, self.ledger, self.shards = frontier.store, frontier.ledger, frontier.shards
        self.idle_close = idle_close
        self.renew_every = renew_every
        self.idle_since: float | None = None
        self.status: Status | None = None
        self.last_renewal = 0.0
        self.last_shards = 0.0
        self.loop = task.LoopingCall(self.tick)

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> FrontierExtension:
        settings = crawler.settings
        if not enabled(settings):
            raise NotConfigured("no shared frontier (NEWSBOT_REDIS_URL, NEWSBOT_CRAWL_ID)")
        ext = cls(
            crawler,
            Frontier.of(crawler),
            settings.getfloat("NEWSBOT_IDLE_CLOSE"),
            settings.getfloat("NEWSBOT_FRONTIER_LEASE") / 5,
        )
        connect = crawler.signals.connect
        connect(ext.spider_opened, signal=signals.spider_opened)
        connect(ext.spider_idle, signal=signals.spider_idle)
        connect(ext.spider_closed, signal=signals.spider_closed)
        for signal in (signals.item_scraped, signals.item_dropped, signals.item_error):
            connect(ext.item_ended, signal=signal)
        connect(ext.request_scheduled, signal=signals.request_scheduled)
        connect(ext.record_held, signal=record_held)
        connect(ext.record_written, signal=record_written)
        return ext

    def spider_opened(self) -> None:
        self.loop.start(TICK, now=False)

    # --- the clock ---------------------------------------------------------------------------
    def tick(self) -> None:
        now = time.monotonic()
        if now - self.last_renewal >= self.renew_every:
            self.last_renewal = now
            self.ledger.renew()
        if now - self.last_shards >= SHARD_EVERY:
            self.last_shards = now
            self.renew()
        self.status = status = self.store.status()
        if status.idle:
            self.idle_since = self.idle_since or now
        else:
            self.idle_since = None
        slot = getattr(self.crawler.engine, "_slot", None)  # Scrapy's: ask the scheduler now
        if slot is not None:  # (and, when idle, run the idle check: spider_idle)
            slot.nextcall.schedule()

    def renew(self) -> None:
        """Shard leases (and heartbeat), then the reaper."""
        self.shards.renew(self.ledger.busy_shards())
        requeued, failed = self.store.reap()
        stats = self.crawler.stats
        if requeued:
            stats.inc_value("newsbot/frontier/reaped", requeued)
            logger.info("frontier: %d requests whose lease expired are queued again", requeued)
        if failed:
            stats.inc_value("newsbot/frontier/failed", failed)
            logger.warning(
                "frontier: %d requests given up after NEWSBOT_FRONTIER_RETRIES expired "
                "leases (in the failed list)",
                failed,
            )
        stats.max_value("newsbot/frontier/most_shards_held", len(self.shards.owned))
        if not self.shards.settling:  # per number of live workers, past a hand-over
            stats.max_value(
                f"newsbot/frontier/shards_held/{self.shards.live}", len(self.shards.owned)
            )

    def spider_idle(self) -> None:
        idle_for = time.monotonic() - self.idle_since if self.idle_since is not None else 0.0
        if self.idle_since is not None and idle_for >= self.idle_close:
            logger.info(
                "frontier %s: crawl idle for %.1f s: worker %s closes",
                self.store.crawl_id,
                idle_for,
                self.store.worker_id,
            )
            if self.status is not None:  # the spider judges "reached nothing" crawl-wide
                self.crawler.stats.set_value("newsbot/frontier/crawl_done", self.status.done)
            return
        raise DontCloseSpider

    # --- endings -----------------------------------------------------------------------------
    def item_ended(self, item: Any, response: Any = None, **kwargs: Any) -> None:
        entry = getattr(response, "meta", {}).get(META_KEY) if response is not None else None
        if entry is not None:
            record = ItemAdapter(item).get("id") if ItemAdapter.is_item(item) else None
            self.ledger.item_ended(entry, record if isinstance(record, str) else None)

    def request_scheduled(self, request: Any, **kwargs: Any) -> None:
        """A request made from a leased one (a redirect, a retry) on its way to the scheduler:
        the leased one ends, whether this one is queued or refused on the way (Scrapy's offsite
        middleware refuses a redirect off the site in its own `request_scheduled` handler, with
        no signal). Acknowledged on the next reactor turn, after the scheduler queued it."""
        entry = request.meta.pop(META_KEY, None)
        if entry is not None:
            if isinstance(request.errback, Acknowledging):
                request.errback = request.errback.original
            reactor.callLater(0, self.ledger.replaced, entry)  # type: ignore[arg-type]

    def record_held(self, record_id: str) -> None:
        self.ledger.record_held(record_id)

    def record_written(self, record_id: str) -> None:
        self.ledger.record_written(record_id)
        twice = self.store.written([record_id])
        if twice:
            self.crawler.stats.inc_value("newsbot/frontier/written_twice", len(twice))

    def spider_closed(self, reason: str) -> None:
        if self.loop.running:
            self.loop.stop()
        stats = dict(self.crawler.stats.get_stats())
        runtime = Runtime.of(self.crawler)
        figures = worker_figures(
            stats,
            self.ledger,
            worker=self.store.worker_id,
            run_id=runtime.run_id,
            archive_dir=str(runtime.root),
            reason=reason,
        )
        writer, every, twice = self.store.finish(figures)
        if writer:
            summary = crawl_summary(self.store.crawl_id, every, twice, self.store.status())
            path = write_crawl_summary(
                runtime.path("runs", f"crawl-{self.store.crawl_id}.summary.json"), summary
            )
            logger.info(
                "crawl %s finished: %d workers, %d articles, %d duplicates, %d ids "
                "written twice; summary in %s",
                self.store.crawl_id,
                len(every),
                summary["articles"],
                summary["duplicates"],
                len(twice),
                path,
            )
