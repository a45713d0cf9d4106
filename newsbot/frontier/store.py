"""The shared frontier in Redis, as plain calls: no Scrapy here.

One `FrontierStore` per worker process. Every call that changes the frontier is one
script of `newsbot.frontier.lua`, so what the queue, the pending set and the shard
leases say is the same for every worker at every moment. The scheduler, the
acknowledgement ledger, the shard manager and `scrapy status` are thin users of it;
tests drive it directly with a real redis-server.
"""

from __future__ import annotations

import functools
import json
import logging
import math
import time
import zlib
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

import tldextract

from newsbot.frontier import lua

if TYPE_CHECKING:
    from collections.abc import Iterable, Sequence

    from newsbot.redisconn import RedisConn


logger = logging.getLogger(__name__)

# A live worker beats every second (the extension's SHARD_EVERY); one silent for longer than
# this is taken for dead when the crawl ends (a busy reactor may delay a beat or two).
FRESH_BEAT_MS = 3000
WAIT_STEP = 0.5  # seconds between looks while waiting for a dead worker's heartbeat to expire


def frontier_prefix(crawl_id: str) -> str:
    """Keys of one crawl: `newsbot:{<crawl>}:frontier:` (the braces: one cluster slot)."""
    return f"newsbot:{{{crawl_id}}}:frontier:"


def registered_domain(host: str) -> str:
    """The site a host belongs to, for sharding: `news.bbc.co.uk` -> `bbc.co.uk`.

    The public-suffix list (tldextract, with the snapshot it ships: no download, the same
    answer on every worker whatever their network), ICANN section only, so the many blogs
    under one private suffix (`*.blogspot.com`) stay one site for politeness: they share
    servers. An IP address, `localhost` or an unlisted suffix is its own site."""
    host = host.lower().rstrip(".")
    if not host or ":" in host:
        return host
    return _public_suffixes()(host).top_domain_under_public_suffix or host


@functools.cache
def _public_suffixes() -> tldextract.TLDExtract:
    return tldextract.TLDExtract(suffix_list_urls=(), cache_dir=None)


def shard_of(host: str, shards: int) -> int:
    """The shard of a host's site: crc32 of the registered domain, modulo the shard count."""
    return zlib.crc32(registered_domain(host).encode()) % shards


def preference(worker: str, shard: int) -> int:
    """Rendezvous weight: the live worker with the highest weight is a shard's rightful owner,
    so shards spread evenly and a joining worker takes over about 1/N of each other's."""
    return zlib.crc32(f"{worker}/{shard}".encode())


@dataclass
class Status:
    queued: int
    pending: int
    held: int
    failed: int
    done: int
    live_workers: int
    shard_lengths: list[int] = field(default_factory=list)

    @property
    def idle(self) -> bool:
        """Nothing queued, and every pending entry held back by a live worker."""
        return self.queued == 0 and self.pending <= self.held


@dataclass
class Popped:
    entry_id: str
    payload: bytes
    retries: int

    @property
    def shard(self) -> int:
        return int(self.entry_id.split(":", 1)[0])


class FrontierStore:
    """The calls of one worker (`worker_id`) on the frontier of one crawl (`crawl_id`)."""

    def __init__(
        self,
        conn: RedisConn,
        crawl_id: str,
        worker_id: str,
        *,
        shards: int,
        lease_ms: int,
        max_retries: int,
    ) -> None:
        self.conn = conn  # calls retried within NEWSBOT_REDIS_RETRY_SECONDS (newsbot.redisconn)
        self.server = conn.client
        self.crawl_id = crawl_id
        self.worker_id = worker_id
        self.shards = shards
        self.lease_ms = lease_ms
        self.max_retries = max_retries
        self.prefix = frontier_prefix(crawl_id)
        self._scripts = {
            name: conn.script(lua.PRELUDE + getattr(lua, name))
            for name in (
                "PUSH",
                "POP",
                "ACK",
                "RENEW",
                "REAP",
                "FREE_OWN",
                "STATUS",
                "SHARDS",
                "WRITTEN",
                "FINISH",
            )
        }

    def key(self, name: str) -> str:
        return self.prefix + name

    def _run(self, name: str, *args: Any) -> Any:
        return self.conn.run(self._scripts[name], [self.key("pending")], [self.prefix, *args])

    def call(self, do: Any) -> Any:
        """A plain Redis call, retried like the scripts."""
        return self.conn.call(do)

    # --- the queue -----------------------------------------------------------------------
    def push(self, shard: int, payload: bytes) -> str:
        return _text(self._run("PUSH", shard, payload))

    def pop(self, shards: Sequence[int]) -> Popped | None:
        """Take the first entry of the first non-empty shard given, under this worker's lease."""
        if not shards:
            return None
        got = self._run("POP", self.worker_id, self.lease_ms, *shards)
        if not got:
            return None
        return Popped(_text(got[0]), bytes(got[1]), int(got[2]))

    def ack(self, entry_ids: Iterable[str]) -> int:
        ids = list(entry_ids)
        return int(self._run("ACK", self.worker_id, *ids)) if ids else 0

    def renew(self, entry_ids: Iterable[str], *, held: bool = False) -> list[str]:
        """Extend this worker's leases; returns the ids it no longer owns (reaped meanwhile)."""
        ids = list(entry_ids)
        if not ids:
            return []
        lost = self._run("RENEW", self.worker_id, self.lease_ms, int(held), *ids)
        return [_text(x) for x in lost]

    def reap(self, limit: int = 1000) -> tuple[int, int]:
        """Requeue entries whose lease expired (retry count + 1), or fail them past the
        retry budget: (requeued, failed)."""
        back, failed = self._run("REAP", self.max_retries, limit)
        return int(back), int(failed)

    def free_own(self) -> int:
        """Requeue every entry this worker id held before: a restarted worker's leases."""
        return int(self._run("FREE_OWN", self.worker_id, self.max_retries))

    def status(self) -> Status:
        got = self._run("STATUS", self.shards)
        queued, pending, held, failed, done, live = (int(x) for x in got[:6])
        return Status(queued, pending, held, failed, done, live, [int(x) for x in got[6]])

    # --- shards --------------------------------------------------------------------------
    def live_workers(self) -> list[str]:
        now_ms = _server_ms(self.call(self.server.time))
        workers = self.call(lambda: self.server.zrangebyscore(self.key("workers"), now_ms, "+inf"))
        return [_text(w) for w in workers]

    def assignment(self, live: Iterable[str]) -> dict[int, str]:
        """Which live worker each shard belongs to: its highest rendezvous weight among the
        workers not yet at their fair share (ceil(S / live) + 1). Every worker computes the
        same answer from the same live set, so shards move only when the set changes."""
        workers = sorted(set(live))
        fair = math.ceil(self.shards / len(workers)) + 1
        load = dict.fromkeys(workers, 0)
        out: dict[int, str] = {}
        for shard in range(self.shards):
            for worker in sorted(workers, key=lambda w: (-preference(w, shard), w)):
                if load[worker] < fair:
                    out[shard], load[worker] = worker, load[worker] + 1
                    break
        return out

    def claim_shards(self, busy: Iterable[int]) -> tuple[list[int], int, int, set[int]]:
        """Heartbeat and shard leases in one step: (shards held, live workers, fair share,
        shards assigned to this worker; a held shard not assigned is handed over once its
        requests on the wire came back)."""
        live = set(self.live_workers()) | {self.worker_id}
        mine = [s for s, w in self.assignment(live).items() if w == self.worker_id]
        mine.sort(key=lambda s: -preference(self.worker_id, s))
        got = self._run(
            "SHARDS", self.worker_id, self.lease_ms, self.shards, ",".join(map(str, busy)), *mine
        )
        owned, count = [int(s) for s in got[0]], int(got[1])
        return owned, count, math.ceil(self.shards / count) + 1, set(mine)

    def shard_owners(self) -> dict[int, str]:
        names = [self.key(f"shard:{s}") for s in range(self.shards)]
        return {
            s: _text(v)
            for s, v in enumerate(self.call(lambda: self.server.mget(names)))
            if v is not None
        }

    # --- records and the end -------------------------------------------------------------
    def written(self, record_ids: Iterable[str]) -> list[str]:
        """Note records this worker wrote; returns those another worker had written already."""
        ids = list(record_ids)
        return [_text(x) for x in self._run("WRITTEN", self.worker_id, *ids)] if ids else []

    def finish(self, figures: dict[str, Any]) -> tuple[bool, dict[str, Any], list[str]]:
        """Leave the crawl with this worker's figures: (does this worker write the crawl
        summary?, every worker's figures, record ids written by more than one worker).

        The last worker to leave writes it. A worker killed near the end never leaves, and
        its heartbeat lives on for up to a lease: while every other worker still listed has
        stopped beating (none within ``FRESH_BEAT_MS``), this one waits for their heartbeats
        to expire, then writes; a worker still beating will leave later and write itself."""
        deadline = time.monotonic() + self.lease_ms / 1000 + 1
        told = False
        while True:
            live, freshest, writer, flat, twice = self._run(
                "FINISH", self.worker_id, json.dumps(figures), self.lease_ms
            )
            if int(live) == 0 or int(freshest) < FRESH_BEAT_MS or time.monotonic() > deadline:
                break
            if not told:
                logger.info(
                    "frontier: %d worker(s) stopped beating %.1f s ago without finishing;"
                    " waiting for their heartbeats to expire to write the crawl summary",
                    int(live),
                    int(freshest) / 1000,
                )
                told = True
            time.sleep(WAIT_STEP)
        summaries = {_text(flat[i]): json.loads(flat[i + 1]) for i in range(0, len(flat), 2)}
        return bool(writer), summaries, sorted(_text(x) for x in twice)

    def acked_by_worker(self) -> dict[str, int]:
        acked = self.call(lambda: self.server.hgetall(self.key("acked")))
        return {_text(k): int(v) for k, v in acked.items()}


def _text(value: Any) -> str:
    return value.decode() if isinstance(value, bytes) else str(value)


def _server_ms(time: tuple[int, int]) -> int:
    seconds, micros = time
    return int(seconds) * 1000 + int(micros) // 1000
