"""Template counts, site zones and payload digests in Redis, each operation one Lua script.

The Redis backend's `TemplateCounts`, `SiteZones` and `PayloadDigests`. Shared counts are
what lets several crawls of one site (or replay shares) learn one template and one zone:
each page is counted once by its key's hash (a set per site), whoever sees it first. That
also makes a call safe to send twice: the calls of the last seconds are sent again after a
Redis restart (`redis_recent`), so counts an ``everysec`` crash lost come back.

Keys, under the archive's hash tag: ``t:sites`` (sites with counts), ``t:<site>:n`` (pages
counted), ``t:<site>:seen`` (their hashes), ``t:<site>:p`` (paragraph hash ->
``pages:last:fixed``); ``z:<site>:n``, ``z:<site>:seen``, ``z:<site>`` (zone -> pages);
``w`` (payload digest -> first full capture) and ``w:f:<file>`` (its digests by offset,
for crash recovery's ``forget_from``). Digests are used from the WARC writer thread: the
connection pool gives it a connection of its own.
"""

from __future__ import annotations

import json
from functools import partial
from typing import TYPE_CHECKING

from newsbot.redisconn import CHECK_RUN_ID
from newsbot.state.protocols import Original
from newsbot.state.redis_recent import Recent

if TYPE_CHECKING:
    from collections.abc import Collection

    from newsbot.state.redis_shared import RedisState

# KEYS: seen, n, p, sites. ARGV: run_id, page, site, hashes...
_OBSERVE = (
    CHECK_RUN_ID
    + """
if redis.call('SADD', KEYS[1], ARGV[2]) == 0 then return false end
local pages = redis.call('INCR', KEYS[2])
redis.call('SADD', KEYS[4], ARGV[3])
for i = 4, #ARGV do
  local old = redis.call('HGET', KEYS[3], ARGV[i])
  local n, fixed = 0, '0'
  if old then
    local a, _, f = string.match(old, '(%d+):(%d+):(%d)')
    n, fixed = tonumber(a), f
  end
  redis.call('HSET', KEYS[3], ARGV[i], (n + 1) .. ':' .. pages .. ':' .. fixed)
end
return pages
"""
)
# KEYS: n, p. ARGV: run_id, hashes...
_COUNTS = (
    CHECK_RUN_ID
    + """
local pages = redis.call('GET', KEYS[1])
if not pages then return false end
local out = {tonumber(pages)}
if #ARGV > 1 then
  local found = redis.call('HMGET', KEYS[2], unpack(ARGV, 2))
  for i, v in ipairs(found) do
    if v then out[#out + 1] = ARGV[i + 1]; out[#out + 1] = v end
  end
end
return out
"""
)
# KEYS: p. ARGV: run_id, hashes...
_FIX = (
    CHECK_RUN_ID
    + """
for i = 2, #ARGV do
  local old = redis.call('HGET', KEYS[1], ARGV[i])
  if old then redis.call('HSET', KEYS[1], ARGV[i], (string.gsub(old, '%d$', '1'))) end
end
return 1
"""
)
# KEYS: n, p. ARGV: run_id, min_pages, idle_pages.
_PRUNE = (
    CHECK_RUN_ID
    + """
local pages = tonumber(redis.call('GET', KEYS[1]) or '0')
local all, pruned = redis.call('HGETALL', KEYS[2]), 0
for i = 1, #all, 2 do
  local n, last, fixed = string.match(all[i + 1], '(%d+):(%d+):(%d)')
  if fixed == '0' and tonumber(n) < tonumber(ARGV[2]) and
     tonumber(last) < pages - tonumber(ARGV[3]) then
    redis.call('HDEL', KEYS[2], all[i]); pruned = pruned + 1
  end
end
return pruned
"""
)
# KEYS: seen, n, zones. ARGV: run_id, page, zones...
_ZONES = (
    CHECK_RUN_ID
    + """
if redis.call('SADD', KEYS[1], ARGV[2]) == 0 then return 0 end
redis.call('INCR', KEYS[2])
for i = 3, #ARGV do redis.call('HINCRBY', KEYS[3], ARGV[i], 1) end
return 1
"""
)
# KEYS: n, zones. ARGV: run_id.
_ZONE_COUNTS = (
    CHECK_RUN_ID
    + """
return {redis.call('GET', KEYS[1]) or '0', redis.call('HGETALL', KEYS[2])}
"""
)
# KEYS: w, w:f:<file>. ARGV: run_id, digest, original (json), offset.
_ADD_DIGEST = (
    CHECK_RUN_ID
    + """
if redis.call('HSETNX', KEYS[1], ARGV[2], ARGV[3]) == 0 then return 0 end
redis.call('ZADD', KEYS[2], ARGV[4], ARGV[2])
return 1
"""
)
# KEYS: w, w:f:<file>. ARGV: run_id, offset.
_FORGET = (
    CHECK_RUN_ID
    + """
local cut = redis.call('ZRANGEBYSCORE', KEYS[2], ARGV[2], '+inf')
for _, digest in ipairs(cut) do redis.call('HDEL', KEYS[1], digest) end
redis.call('ZREMRANGEBYSCORE', KEYS[2], ARGV[2], '+inf')
return #cut
"""
)


class RedisTemplateCounts:
    """``TemplateCounts`` in Redis."""

    def __init__(self, state: RedisState) -> None:
        self.state = state
        conn = state.conn
        self._observe, self._counts = conn.script(_OBSERVE), conn.script(_COUNTS)
        self._fix, self._prune = conn.script(_FIX), conn.script(_PRUNE)
        self.recent = Recent("template counts")  # sent again after a Redis restart
        state.on_restart.append(self.recent.send_again)

    def _site(self, site: str, part: str) -> str:
        return self.state.key(f"t:{site}:{part}")

    def observe(self, site: str, page: int, hashes: Collection[int]) -> int | None:
        keys = [
            self._site(site, "seen"),
            self._site(site, "n"),
            self._site(site, "p"),
            self.state.key("t:sites"),
        ]
        call = partial(self.state.run, self._observe, keys, [page, site, *sorted(set(hashes))])
        pages = call()
        self.recent.add(call)
        return int(pages) if pages is not None else None

    def site_pages(self, site: str) -> int:
        found = self.state.conn.call(lambda: self.state.conn.client.get(self._site(site, "n")))
        return int(found or 0)

    def counts(
        self, site: str, hashes: Collection[int]
    ) -> tuple[int, dict[int, tuple[int, bool]]] | None:
        found = self.state.run(
            self._counts, [self._site(site, "n"), self._site(site, "p")], list(hashes)
        )
        if found is None:
            return None
        out = {}
        for h, value in zip(found[1::2], found[2::2]):
            pages, _, fixed = value.decode().split(":")
            out[int(h)] = (int(pages), fixed == "1")
        return int(found[0]), out

    def fix(self, site: str, hashes: Collection[int]) -> None:
        if hashes:
            call = partial(self.state.run, self._fix, [self._site(site, "p")], list(hashes))
            call()
            self.recent.add(call)

    def prune(self, min_pages: int, idle_pages: int) -> int:
        sites = self.state.conn.call(
            lambda: self.state.conn.client.smembers(self.state.key("t:sites"))
        )
        return sum(
            int(
                self.state.run(
                    self._prune,
                    [self._site(s.decode(), "n"), self._site(s.decode(), "p")],
                    [min_pages, idle_pages],
                )
            )
            for s in sorted(sites)
        )

    def close(self) -> None:
        """The connection is the backend's."""


class RedisSiteZones:
    """``SiteZones`` in Redis."""

    def __init__(self, state: RedisState) -> None:
        self.state = state
        self._observe = state.conn.script(_ZONES)
        self._counts = state.conn.script(_ZONE_COUNTS)
        self.recent = Recent("zone counts")  # sent again after a Redis restart
        state.on_restart.append(self.recent.send_again)

    def _keys(self, site: str) -> list[str]:
        k = self.state.key
        return [k(f"z:{site}:seen"), k(f"z:{site}:n"), k(f"z:{site}")]

    def observe(self, site: str, page: int, zones: Collection[str]) -> bool:
        call = partial(self.state.run, self._observe, self._keys(site), [page, *sorted(set(zones))])
        counted = bool(call())
        self.recent.add(call)
        return counted

    def counts(self, site: str) -> tuple[int, dict[str, int]]:
        pages, flat = self.state.run(self._counts, self._keys(site)[1:], [])
        return int(pages), {z.decode(): int(n) for z, n in zip(flat[::2], flat[1::2])}

    def close(self) -> None:
        """The connection is the backend's."""


class RedisDigests:
    """``PayloadDigests`` in Redis: shared by every worker, so a payload captured in full
    by one is a revisit for the others."""

    def __init__(self, state: RedisState) -> None:
        self.state = state
        self._add = state.conn.script(_ADD_DIGEST)
        self._forget = state.conn.script(_FORGET)

    def get(self, digest: str) -> Original | None:
        found = self.state.conn.call(
            lambda: self.state.conn.client.hget(self.state.key("w"), digest)
        )
        return Original(*json.loads(found)) if found is not None else None

    def add(self, digest: str, original: Original) -> bool:
        value = json.dumps(
            [original.uri, original.date, original.record_id, original.file, original.offset]
        )
        return bool(
            self.state.run(
                self._add,
                [self.state.key("w"), self.state.key(f"w:f:{original.file}")],
                [digest, value, original.offset],
            )
        )

    def forget_from(self, file: str, offset: int) -> int:
        return int(
            self.state.run(
                self._forget, [self.state.key("w"), self.state.key(f"w:f:{file}")], [offset]
            )
        )

    def __len__(self) -> int:
        return int(self.state.conn.call(lambda: self.state.conn.client.hlen(self.state.key("w"))))

    def close(self) -> None:
        """The connection is the backend's."""
