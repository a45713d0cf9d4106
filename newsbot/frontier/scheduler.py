"""The shared scheduler: scrapy-redis's, with a leased queue sharded by site.

What scrapy-redis 0.9.1 does that a shared crawl cannot keep (measured, see
../shared/SCALE-OUT.md): its pop is a plain RPOP (a killed worker loses what it had
popped), `SCHEDULER_PERSIST=False` makes the first worker to close delete the shared
queue and seen set, and it has one queue for every site. Here the queue is
`LeasedQueue` (a subclass of scrapy-redis's `Base`, reusing its request
serialisation), the scheduler always persists, pops only from this worker's shards,
frees the leases its worker id held before a restart, and records each popped entry
in the ledger. A request enqueued while it still carries an entry id (a redirect or a
retry made from a leased request; the extension takes the id off at `request_scheduled`)
replaces that entry: the new one is queued, the old one
acknowledged.
"""

from __future__ import annotations

import logging
import warnings
from typing import TYPE_CHECKING, Any

from scrapy.exceptions import NotConfigured, ScrapyDeprecationWarning
from scrapy_redis.queue import Base
from scrapy_redis.scheduler import Scheduler

from newsbot.frontier import META_KEY, Frontier, enabled
from newsbot.frontier.dupefilter import UrlKeyRedisDupeFilter
from newsbot.frontier.middleware import Acknowledging
from newsbot.frontier.store import shard_of
from newsbot.urls import host_of

if TYPE_CHECKING:
    from scrapy import Request, Spider
    from scrapy.crawler import Crawler

    from newsbot.frontier.ledger import Ledger
    from newsbot.frontier.shards import ShardManager
    from newsbot.frontier.store import FrontierStore

logger = logging.getLogger(__name__)

# scrapy-redis 0.9.1 passes spider= to StatsCollector.inc_value (fixed upstream, unreleased)
warnings.filterwarnings(
    "ignore",
    message=r"Passing a 'spider' argument to StatsCollector",
    category=ScrapyDeprecationWarning,
)


class LeasedQueue(Base):  # type: ignore[misc]  # scrapy-redis is untyped
    """Requests serialised as scrapy-redis does, queued per shard, popped under a lease."""

    def __init__(self, store: FrontierStore, spider: Spider) -> None:
        super().__init__(store.server, spider, store.key("q:%(spider)s"))
        self.store = store

    def __len__(self) -> int:
        return self.store.status().queued

    def push(self, request: Request) -> str:
        return self.store.push(
            shard_of(host_of(request.url), self.store.shards), self._encode_request(request)
        )

    def pop_from(self, shards: list[int]) -> tuple[str, int, Request] | None:
        popped = self.store.pop(shards)
        if popped is None:
            return None
        return popped.entry_id, popped.retries, self._decode_request(popped.payload)

    def clear(self) -> None:
        """Never: the queue is the crawl's, not this worker's."""


class LeasedScheduler(Scheduler):  # type: ignore[misc]
    def __init__(self, frontier: Frontier, dupefilter: UrlKeyRedisDupeFilter, stats: Any) -> None:
        super().__init__(frontier.store.server, persist=True, dupefilter=dupefilter)
        self.frontier = frontier
        self.store: FrontierStore = frontier.store
        self.ledger: Ledger = frontier.ledger
        self.shards: ShardManager = frontier.shards
        self.stats = stats
        self.queue: LeasedQueue
        self.user_agent = ""  # with this worker's id (the id may be chosen only at start)

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> LeasedScheduler:
        if not enabled(crawler.settings):
            raise NotConfigured("the leased scheduler needs NEWSBOT_REDIS_URL and NEWSBOT_CRAWL_ID")
        frontier = Frontier.of(crawler)
        dupefilter = UrlKeyRedisDupeFilter(
            frontier.store.conn,
            frontier.store.key("seen"),
            debug=crawler.settings.getbool("DUPEFILTER_DEBUG"),
        )
        scheduler = cls(frontier, dupefilter, crawler.stats)
        agent = crawler.settings.get("USER_AGENT") or ""
        tag = f"worker/{frontier.store.worker_id}"
        scheduler.user_agent = agent if tag in agent else f"{agent} {tag}".strip()
        return scheduler

    def open(self, spider: Spider) -> None:
        self.spider = spider
        self.queue = LeasedQueue(self.store, spider)
        freed = self.store.free_own()
        if freed:
            logger.info(
                "frontier: %d requests leased by %s before it restarted are queued again",
                freed,
                self.store.worker_id,
            )
            self.stats.set_value("newsbot/frontier/freed_at_start", freed)
        self.shards.renew(())
        status = self.store.status()
        logger.info(
            "frontier %s: worker %s joins (%d queued, %d pending, %d done; %d shards)",
            self.store.crawl_id,
            self.store.worker_id,
            status.queued,
            status.pending,
            status.done,
            len(self.shards.owned),
        )

    def close(self, reason: str) -> None:
        """Persist always: the queue, the pending set and the seen set are the crawl's."""

    def enqueue_request(self, request: Request) -> bool:
        replaces = request.meta.pop(META_KEY, None)
        if isinstance(request.errback, Acknowledging):
            request.errback = request.errback.original
        if not request.dont_filter and self.df.request_seen(request):
            self.df.log(request, self.spider)
            if replaces:
                self.ledger.replaced(replaces)
            return False
        self.queue.push(request)
        self.stats.inc_value("scheduler/enqueued/redis")
        if replaces:
            self.ledger.replaced(replaces)
        return True

    def next_request(self) -> Request | None:
        popped = self.queue.pop_from(self.shards.pop_order())
        if popped is None:
            return None
        entry_id, retries, request = popped
        request.meta[META_KEY] = entry_id
        if self.user_agent:
            request.headers.setdefault("User-Agent", self.user_agent)
        request.errback = Acknowledging(request.errback, self.ledger, entry_id)
        self.ledger.popped(entry_id, int(entry_id.split(":", 1)[0]))
        self.stats.inc_value("scheduler/dequeued/redis")
        if retries:
            self.stats.inc_value("newsbot/frontier/retried")
        return request

    def has_pending_requests(self) -> bool:
        """Always False: the shared queue is not this worker's to wait on. The engine then
        asks the idle extension, which keeps the worker open until the crawl is done."""
        return False
