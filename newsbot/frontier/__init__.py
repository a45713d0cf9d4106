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
            from newsbot.redisconn import connect
            from newsbot.runtime import Runtime

            s = crawler.settings
            conn = connect(
                s["NEWSBOT_REDIS_URL"], s.getfloat("NEWSBOT_REDIS_RETRY_SECONDS"), fatal=True
            )
            # the id the state backend leased (NEWSBOT_WORKER_ID, or host name and a free slot)
            backend = Runtime.of(crawler).backend
            worker = getattr(backend, "worker", None) or s["NEWSBOT_WORKER_ID"] or "worker"
            store = FrontierStore(
                conn,
                s["NEWSBOT_CRAWL_ID"],
                worker,
                shards=s.getint("NEWSBOT_SHARDS"),
                lease_ms=int(s.getfloat("NEWSBOT_FRONTIER_LEASE") * 1000),
                max_retries=s.getint("NEWSBOT_FRONTIER_RETRIES"),
            )
            frontier = cls(store, Ledger(store), ShardManager(store))
            crawler._newsbot_frontier = frontier  # type: ignore[attr-defined]
        return frontier
