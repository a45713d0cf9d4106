"""Site-health history in Redis (behind `HealthHistory`), each operation one Lua script.

In Redis the history is what every machine sharing the archive's state reads: a source
crawled from two machines is judged against all of its runs, not each machine's own.
Keys, under the archive's hash tag: ``h:<spider>:<source>`` (a sorted set of run ids,
all scored 0 so they sort by name, that is by start time) and ``h:<spider>:<source>:f``
(run id -> figures as JSON). An append trims both to the newest ``HEALTH_KEEP`` runs.
What a Redis restart loses of the last second is not re-applied: the runs' summaries
still hold their figures, and a source with no history left is seeded from them again.
"""

from __future__ import annotations

import json
from typing import TYPE_CHECKING

from newsbot.redisconn import CHECK_RUN_ID
from newsbot.state.protocols import HEALTH_KEEP

if TYPE_CHECKING:
    from collections.abc import Mapping

    from newsbot.state.redis_shared import RedisState

# KEYS: runs, figures. ARGV: run_id, run, figures (json), keep.
_APPEND = (
    CHECK_RUN_ID
    + """
redis.call('ZADD', KEYS[1], 0, ARGV[2])
redis.call('HSET', KEYS[2], ARGV[2], ARGV[3])
local over = redis.call('ZCARD', KEYS[1]) - tonumber(ARGV[4])
if over > 0 then
  local old = redis.call('ZRANGE', KEYS[1], 0, over - 1)
  redis.call('ZREMRANGEBYRANK', KEYS[1], 0, over - 1)
  redis.call('HDEL', KEYS[2], unpack(old))
end
return 1
"""
)
# KEYS: runs, figures. ARGV: run_id, before, n.
_PREVIOUS = (
    CHECK_RUN_ID
    + """
local n = tonumber(ARGV[3])
if n < 1 then return {} end
local runs = redis.call('ZREVRANGEBYLEX', KEYS[1], '(' .. ARGV[2], '-', 'LIMIT', 0, n)
if #runs == 0 then return {} end
return redis.call('HMGET', KEYS[2], unpack(runs))
"""
)


class RedisHealthHistory:
    """``HealthHistory`` in Redis, shared by every worker of the archive."""

    def __init__(self, state: RedisState) -> None:
        self.state = state
        self._append = state.conn.script(_APPEND)
        self._previous = state.conn.script(_PREVIOUS)

    def _keys(self, spider: str, source: str) -> list[str]:
        runs = self.state.key(f"h:{spider}:{source}")
        return [runs, f"{runs}:f"]

    def previous(self, spider: str, source: str, before: str, n: int) -> list[dict[str, float]]:
        found = self.state.run(self._previous, self._keys(spider, source), [before, n])
        return [json.loads(figures) for figures in found if figures is not None]

    def append(self, spider: str, run_id: str, source: str, figures: Mapping[str, float]) -> None:
        value = json.dumps(dict(figures), sort_keys=True)
        self.state.run(self._append, self._keys(spider, source), [run_id, value, HEALTH_KEEP])

    def close(self) -> None:
        """The connection is the backend's."""
