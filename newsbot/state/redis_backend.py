"""The Redis state backend: every process pointing at one Redis shares one archive's state.

Selected by the add-on when ``NEWSBOT_REDIS_URL`` is set (``STATE_BACKEND =
"newsbot.state.redis_backend.RedisBackend"``); nothing imports this module (or redis-py)
otherwise. Keys live under ``{NEWSBOT_REDIS_PREFIX}`` (a hash tag: one Redis Cluster slot),
each operation is one Lua script, and what Redis loses in a restart is re-applied from the
JSONL files (``redis_records.py``). Run Redis with AOF ``appendfsync everysec``, bound to a
private interface, with a password or ACL user: README, "More than one machine".
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

from newsbot.redisconn import (
    PREFIX_SETTING,
    RETRY_SETTING,
    URL_SETTING,
    WORKER_SETTING,
    RedisConn,
    connect,
)
from newsbot.state.redis_counts import RedisDigests, RedisSiteZones, RedisTemplateCounts
from newsbot.state.redis_dedup import RedisDedupIndex
from newsbot.state.redis_health import RedisHealthHistory
from newsbot.state.redis_records import RedisRecords
from newsbot.state.redis_shared import RedisState

if TYPE_CHECKING:
    import os
    from collections.abc import Callable, Iterable

    from scrapy.settings import BaseSettings


class RedisBackend:
    """The state of an archive in Redis (``path``: the state file's, whose archive root
    the JSONL files a restart re-applies are under; nothing is written there)."""

    def __init__(
        self,
        path: str | os.PathLike[str],
        *,
        url: str,
        prefix: str = "newsbot",
        worker: str | None = None,
        retry_seconds: float = 60.0,
        lease: float = 120.0,
        conn: RedisConn | None = None,
        fatal: bool = False,
    ) -> None:
        self.conn = conn or connect(url, retry_seconds, fatal=fatal)
        self.prefix = prefix
        self.state = RedisState(self.conn, prefix, Path(path).parent.parent)
        self.records = RedisRecords(self.state, worker, lease)
        self.worker = self.records.worker
        self._index: RedisDedupIndex | None = None

    @classmethod
    def from_settings(cls, settings: BaseSettings, path: Path) -> RedisBackend:
        """The backend the crawl's settings describe (the runtime calls this)."""
        return cls(
            path,
            url=settings[URL_SETTING],
            prefix=settings[PREFIX_SETTING],
            worker=settings[WORKER_SETTING],
            retry_seconds=settings.getfloat(RETRY_SETTING),
            lease=settings.getfloat("STATE_RUN_LEASE"),
            fatal=True,
        )

    def dedup_index(
        self, threshold: float, texts: Callable[[], Iterable[tuple[str, str]]] | None = None
    ) -> RedisDedupIndex:
        """The shared index (``texts`` is unused: an index signed otherwise is refused)."""
        if self._index is None:
            self._index = RedisDedupIndex(self.state, threshold=threshold)
            self.records.index = self._index
        return self._index

    def template_counts(self) -> RedisTemplateCounts:
        return RedisTemplateCounts(self.state)

    def site_zones(self) -> RedisSiteZones:
        return RedisSiteZones(self.state)

    def health_history(self) -> RedisHealthHistory:
        return RedisHealthHistory(self.state)

    def digests(self) -> RedisDigests:
        return RedisDigests(self.state)

    def close(self) -> None:
        self.records.close()
        self.conn.close()
