"""What the Redis backend's parts share: one connection, the archive's key prefix, and
the server's ``run_id`` each thread last saw.

Every state script starts by comparing that ``run_id`` with the server's
(`newsbot.redisconn.CHECK_RUN_ID`). The first call on the reactor thread to meet a
restarted server runs the repairs the parts registered (`on_restart`: the JSONL lines
past the confirmed offset, the recent template and zone counts), then calls again; the
other threads (the WARC writer's, the lease renewer's) only take the new ``run_id``, since
their own writes are idempotent or re-read.
"""

from __future__ import annotations

import logging
import threading
from typing import TYPE_CHECKING, Any

from newsbot.redisconn import RedisRestarted, hash_tag

if TYPE_CHECKING:
    from collections.abc import Callable, Sequence
    from pathlib import Path

    from redis.commands.core import Script

    from newsbot.redisconn import RedisConn

logger = logging.getLogger(__name__)


class RedisState:
    """What the Redis backend's parts share: the connection, the key prefix, this
    process's worker id, and one expected ``run_id`` per thread, so that whichever
    thread first meets a restarted server does the repair for its own writes."""

    def __init__(self, conn: RedisConn, prefix: str, root: Path) -> None:
        self.conn, self.tag, self.root = conn, hash_tag(prefix), root
        self._seen = threading.local()
        self._first_run_id = conn.run_id()
        self.on_restart: list[Callable[[], object]] = []  # run by the reactor thread's channel
        self.restarts = 0
        self.main = threading.get_ident()

    def key(self, name: str) -> str:
        return f"{self.tag}:{name}"

    def run(self, script: Script, keys: Sequence[str], args: Sequence[Any]) -> Any:
        """A state script, checked against a restart; after one, the repair first (on the
        thread that opened the backend), then the call again."""
        while True:
            expected = getattr(self._seen, "run_id", self._first_run_id)
            try:
                return self.conn.run(script, keys, [expected, *args])
            except RedisRestarted as restart:
                self._seen.run_id = restart.run_id
                if threading.get_ident() == self.main:
                    self.restarts += 1
                    logger.warning(
                        "Redis at %s restarted (run_id %s): re-applying what it may have lost",
                        self.conn.where,
                        restart.run_id,
                    )
                    for repair in self.on_restart:
                        repair()
