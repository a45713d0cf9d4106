"""`scrapy status --crawl ID`: the live figures of a shared crawl, read from Redis.

    scrapy status --crawl 2025-12-16 -s NEWSBOT_REDIS_URL=redis://frontier:6379/0

Prints one JSON document: queued, pending (of which held back for a template), failed
and done requests; per live worker its shards and acknowledged requests; per shard its
queue length and holder. It only reads; any machine that reaches the Redis can run it.
"""

from __future__ import annotations

import json
from typing import TYPE_CHECKING, Any

from scrapy.commands import ScrapyCommand
from scrapy.exceptions import UsageError
from scrapy.settings import Settings

from newsbot.addon import NewsbotAddon

if TYPE_CHECKING:
    import argparse


def crawl_status(store: Any) -> dict[str, Any]:
    """Everything `scrapy status` prints, from a `FrontierStore`."""
    status = store.status()
    owners = store.shard_owners()
    acked = store.acked_by_worker()
    live = store.live_workers()
    return {
        "crawl": store.crawl_id,
        "queued": status.queued,
        "pending": status.pending,
        "held": status.held,
        "failed": status.failed,
        "done": status.done,
        "workers": {
            w: {
                "live": w in live,
                "acknowledged": acked.get(w, 0),
                "shards": sorted(s for s, o in owners.items() if o == w),
            }
            for w in sorted(set(live) | set(acked))
        },
        "shards": {
            str(s): {"queued": n, "holder": owners.get(s)}
            for s, n in enumerate(status.shard_lengths)
            if n or s in owners
        },
    }


class Command(ScrapyCommand):
    requires_project = True

    def syntax(self) -> str:
        return "--crawl ID"

    def short_desc(self) -> str:
        return "Print a shared crawl's live figures from Redis (queue, pending, workers, shards)"

    def add_options(self, parser: argparse.ArgumentParser) -> None:
        super().add_options(parser)
        parser.add_argument("--crawl", help="the crawl's NEWSBOT_CRAWL_ID")

    def run(self, args: list[str], opts: argparse.Namespace) -> None:
        assert self.settings is not None
        settings = Settings(self.settings.copy_to_dict())
        NewsbotAddon().update_settings(settings)
        if not opts.crawl or not settings.get("NEWSBOT_REDIS_URL"):
            raise UsageError("give --crawl ID and NEWSBOT_REDIS_URL (-s or settings)")
        from newsbot.frontier.store import FrontierStore
        from newsbot.redisconn import connect

        conn = connect(
            settings["NEWSBOT_REDIS_URL"],
            settings.getfloat("NEWSBOT_REDIS_RETRY_SECONDS"),
            fatal=True,
        )
        store = FrontierStore(
            conn,
            opts.crawl,
            "status",
            shards=settings.getint("NEWSBOT_SHARDS"),
            lease_ms=1,
            max_retries=0,
        )
        print(json.dumps(crawl_status(store), indent=2, sort_keys=True))
