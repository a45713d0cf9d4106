"""A frontier shared by N crawl workers: leased requests in Redis, sharded by site.

On when both ``NEWSBOT_REDIS_URL`` and ``NEWSBOT_CRAWL_ID`` are set (the add-on then
selects `scheduler.LeasedScheduler`); without them nothing here is imported beyond
this module, and neither redis nor scrapy_redis is loaded. Why a crawl id and not just
the URL: the frontier (queue, pending set, seen set) belongs to one crawl, and two
unrelated crawls against one Redis must not share a seen set by default; state keys
stay per archive (issue 18's backend).

The parts: `store` (the Lua-scripted queue, leases and shard leases, no Scrapy),
`ledger` (what this worker still owes an ending), `shards` (which shards this worker
pops from), and the thin Scrapy components: `scheduler`, `dupefilter`,
`middleware` (acknowledgement at callback end), `extension` (renewal, reaper,
crawl-wide idle close, the crawl summary).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from scrapy.crawler import Crawler
    from scrapy.settings import BaseSettings

    from newsbot.frontier.ledger import Ledger
    from newsbot.frontier.shards import ShardManager
    from newsbot.frontier.store import FrontierStore

META_KEY = "newsbot_frontier"  # request.meta: the frontier entry id of a leased request


def enabled(settings: BaseSettings) -> bool:
    return bool(settings.get("NEWSBOT_REDIS_URL")) and bool(settings.get("NEWSBOT_CRAWL_ID"))


def connect(url: str, retry_seconds: float) -> object:
    """A redis-py client that retries a lost connection with backoff for about
    `retry_seconds` (scrapy-redis alone crashes the spider: rmax/scrapy-redis#108)."""
    import redis
    from redis.backoff import ExponentialBackoff
    from redis.retry import Retry

    attempts = max(1, int(retry_seconds))  # backoff capped at 1 s: about one try a second
    return redis.Redis.from_url(url, retry=Retry(ExponentialBackoff(cap=1.0), attempts),
                                retry_on_error=[redis.ConnectionError, redis.TimeoutError])


class Frontier:
    """The frontier objects of one crawler, built once and shared by its components
    (Scrapy builds each component on its own)."""

    def __init__(self, store: FrontierStore, ledger: Ledger, shards: ShardManager) -> None:
        self.store, self.ledger, self.shards = store, ledger, shards

    @classmethod
    def of(cls, crawler: Crawler) -> Frontier:
        frontier = getattr(crawler, "_newsbot_frontier", None)
        if frontier is None:
            from newsbot.frontier.ledger import Ledger
            from newsbot.frontier.shards import ShardManager
            from newsbot.frontier.store import FrontierStore

            s = crawler.settings
            server = connect(s["NEWSBOT_REDIS_URL"], s.getfloat("NEWSBOT_REDIS_RETRY_SECONDS"))
            store = FrontierStore(server, s["NEWSBOT_CRAWL_ID"],  # type: ignore[arg-type]
                                  s["NEWSBOT_WORKER_ID"], shards=s.getint("NEWSBOT_SHARDS"),
                                  lease_ms=int(s.getfloat("NEWSBOT_FRONTIER_LEASE") * 1000),
                                  max_retries=s.getint("NEWSBOT_FRONTIER_RETRIES"))
            frontier = cls(store, Ledger(store), ShardManager(store))
            crawler._newsbot_frontier = frontier  # type: ignore[attr-defined]
        return frontier
