"""Runs, recorded articles and capture facts in Redis, and what a Redis restart lost.

The Redis backend's `Records`. Each operation is one Lua script under the archive's hash
tag (``{prefix}:...``): ``art`` (article id -> url key, version, text hash, capture time),
``latest`` (url key -> latest version), ``cap`` (validators of the last capture),
``runs`` (run id -> spider, outputs, worker, owner, lease) and ``off`` (per run and JSONL
file, the byte offset up to which its lines are recorded here).

Runs belong to workers (``NEWSBOT_WORKER_ID``): a process repairs only the dead runs of
its own worker id, whose JSONL files are on its machine; another worker's dead run is
marked ``dead`` and left alone, for that worker to repair when it comes back.

A Redis restart (another ``run_id``, noticed by the first script of this thread's
channel) may have lost the last second of writes, and the confirmed offsets with them
(they are written by the same scripts, so they roll back together). The thread that
notices re-applies: its live runs and worker lease, then every JSONL line past the
confirmed offset, recorded and, where the claim is gone, restored in the dedup index
with the decision the line was written with. Template and zone counts of that second
are sent again from memory (`redis_recent`: their scripts count a page once).
"""

from __future__ import annotations

import json
import logging
import threading
import time
from dataclasses import asdict
from functools import partial
from typing import TYPE_CHECKING, Any

from newsbot.redisconn import CHECK_RUN_ID, worker_id
from newsbot.state.liveness import Heartbeat, Lease, Owner, is_dead
from newsbot.state.protocols import Match, Recorded
from newsbot.state.redis_shared import RedisState

if TYPE_CHECKING:
    from collections.abc import Mapping

    from newsbot.state.redis_dedup import RedisDedupIndex

logger = logging.getLogger(__name__)

# KEYS: art, latest, off, ids. ARGV: run_id, id, url_key, version, text_hash, fetched_at,
# offset field ('' for none), offset, check claim ('1').
_RECORD = (
    CHECK_RUN_ID
    + """
if ARGV[7] ~= '' then
  local known = tonumber(redis.call('HGET', KEYS[3], ARGV[7]) or '0')
  if tonumber(ARGV[8]) > known then redis.call('HSET', KEYS[3], ARGV[7], ARGV[8]) end
end
local missing = 0
if ARGV[9] == '1' and redis.call('HEXISTS', KEYS[4], ARGV[2]) == 0 then missing = 1 end
if redis.call('HSETNX', KEYS[1], ARGV[2], cjson.encode({ARGV[3], ARGV[4], ARGV[5], ARGV[6]})) == 0 then
  return missing
end
local latest = redis.call('HGET', KEYS[2], ARGV[3])
if (not latest) or tonumber(ARGV[4]) >= cjson.decode(latest)[2] then
  redis.call('HSET', KEYS[2], ARGV[3], cjson.encode({ARGV[2], tonumber(ARGV[4]), ARGV[5]}))
end
return missing
"""
)
# KEYS: cap. ARGV: run_id, url_key, fetched, status, etag, last_modified ('' = none).
_CAPTURE = (
    CHECK_RUN_ID
    + """
local old = redis.call('HGET', KEYS[1], ARGV[2])
local etag, modified = ARGV[5], ARGV[6]
if old then
  old = cjson.decode(old)
  if etag == '' then etag = old[2] end
  if modified == '' then modified = old[3] end
end
redis.call('HSET', KEYS[1], ARGV[2], cjson.encode({ARGV[3], etag, modified, tonumber(ARGV[4])}))
return 1
"""
)
# KEYS: runs. ARGV: run_id, run, json of the fields to set, only if unfinished ('1').
_RUN = (
    CHECK_RUN_ID
    + """
local old = redis.call('HGET', KEYS[1], ARGV[2])
local run = {}
if old then run = cjson.decode(old) end
if ARGV[4] == '1' and (not old or run.finished) then return 0 end
for k, v in pairs(cjson.decode(ARGV[3])) do run[k] = v end
redis.call('HSET', KEYS[1], ARGV[2], cjson.encode(run))
return 1
"""
)
# KEYS: the worker id's lease. ARGV: run_id, owner, value it must hold now ('' = none), ms.
_LEASE = (
    CHECK_RUN_ID
    + """
local now = redis.call('GET', KEYS[1])
if (now or '') ~= ARGV[3] then return 0 end
redis.call('SET', KEYS[1], ARGV[2], 'PX', ARGV[4])
return 1
"""
)


def _text(value: Any) -> str:
    return "" if value is None else str(value)


class RedisRecords:
    """``Records`` in Redis (see the module docstring)."""

    def __init__(
        self, state: RedisState, configured_worker: str | None = None, lease: float = 120.0
    ) -> None:
        self.state = state
        k = state.key
        self._keys = {
            "art": k("art"),
            "latest": k("latest"),
            "off": k("off"),
            "ids": k("d:ids"),
            "cap": k("cap"),
            "runs": k("runs"),
        }
        conn = state.conn
        self._record, self._capture = conn.script(_RECORD), conn.script(_CAPTURE)
        self._run, self._lease_script = conn.script(_RUN), conn.script(_LEASE)
        self.owner = Owner()
        self._started = _stamp()
        self.lease = lease
        self.index: RedisDedupIndex | None = None  # set by the backend when dedup opens
        self._mine: dict[str, dict[str, Any]] = {}  # live runs of this process
        self._lock = threading.Lock()
        self.worker = worker_id(configured_worker, self._take_worker)
        self._heartbeat = Heartbeat(self._beat, lease / 4)
        state.on_restart.append(self._reapply)

    # --- worker lease ------------------------------------------------------
    def _owner_value(self) -> str:
        return json.dumps(
            {**asdict(self.owner), "started": self._started, "expires": time.time() + self.lease}
        )

    def _take_worker(self, candidate: str, force: bool = False) -> bool:
        """Lease ``candidate`` when it is free, held by this process, or by a dead one
        (``force``: renew it whoever holds it: this process's own heartbeat)."""
        key = self.state.key(f"wk:{candidate}")
        held = self.state.conn.call(lambda: self.state.conn.client.get(key))
        if held is not None and not force:
            found = json.loads(held)
            owner = Owner(found["host"], found["boot"], found["pid"])
            lease = Lease(owner, found["started"], found["expires"])
            if owner != self.owner and not is_dead(lease, me=self.owner):
                return False
        return bool(
            self.state.run(
                self._lease_script,
                [key],
                [
                    self._owner_value(),
                    held.decode() if held is not None else "",
                    int(self.lease * 1000),
                ],
            )
        )

    def _beat(self) -> None:
        """Renew the worker lease and the leases of this process's live runs."""
        self._take_worker(self.worker, force=True)
        with self._lock:
            runs = list(self._mine)
        for run_id in runs:
            self._update(run_id, {"expires": time.time() + self.lease}, unfinished=True)

    def _update(self, run_id: str, fields: Mapping[str, Any], unfinished: bool = False) -> bool:
        return bool(
            self.state.run(
                self._run,
                [self._keys["runs"]],
                [run_id, json.dumps(fields), "1" if unfinished else ""],
            )
        )

    # --- runs --------------------------------------------------------------
    def start_run(
        self,
        run_id: str,
        spider: str,
        started: str,
        outputs: dict[str, str],
        *,
        lease: float = 120.0,
        owner: Owner | None = None,
    ) -> None:
        who = owner or self.owner
        run = {
            "spider": spider,
            "started": started,
            "outputs": outputs,
            "status": "running",
            "worker": self.worker,
            "host": who.host,
            "boot": who.boot,
            "pid": who.pid,
            "expires": time.time() + lease,
        }
        self._update(run_id, run)
        if owner is None:
            with self._lock:
                self._mine[run_id] = run

    def finish_run(self, run_id: str, finished: str, status: str) -> None:
        with self._lock:
            self._mine.pop(run_id, None)
        self._update(run_id, {"finished": finished, "status": status})

    def interrupted_runs(self, now: float | None = None) -> list[tuple[str, dict[str, str]]]:
        """Dead unfinished runs of this worker id; another worker's are marked ``dead``."""
        found = self.state.conn.call(lambda: self.state.conn.client.hgetall(self._keys["runs"]))
        mine = []
        for raw_id, raw in found.items():
            run_id, run = raw_id.decode(), json.loads(raw)
            if run.get("finished"):
                continue
            lease = Lease(
                Owner(run["host"], run["boot"], run["pid"]), run["started"], run["expires"]
            )
            if not is_dead(lease, now, me=self.owner):
                continue
            if run["worker"] == self.worker:
                mine.append((run_id, dict(run["outputs"])))
            elif run.get("status") != "dead":
                self._update(run_id, {"status": "dead"}, unfinished=True)
                logger.info(
                    "run %s of worker %s is dead: left to that worker to repair",
                    run_id,
                    run["worker"],
                )
        return mine

    # --- articles ----------------------------------------------------------
    def latest(self, url_key: str) -> Recorded | None:
        found = self.state.conn.call(
            lambda: self.state.conn.client.hget(self._keys["latest"], url_key)
        )
        if found is None:
            return None
        article, version, digest = json.loads(found)
        return Recorded(article, int(version), digest or None)

    def is_recorded(self, article_id: str) -> bool:
        return bool(
            self.state.conn.call(
                lambda: self.state.conn.client.hexists(self._keys["art"], article_id)
            )
        )

    def record(
        self,
        rec: Mapping[str, Any],
        url_key: str,
        text_hash: str | None,
        run_id: str,
        *,
        line: tuple[str, int] | None = None,
    ) -> None:
        """Record an article (idempotent) and, in the same script, confirm its JSONL line
        (``line``: the file, relative to the archive, and the offset past the line)."""
        keys = [self._keys[k] for k in ("art", "latest", "off", "ids")]
        check = self.index is not None and self.state.restarts > 0
        missing = self.state.run(
            self._record,
            keys,
            [
                rec["id"],
                url_key,
                int(rec.get("version") or 1),
                _text(text_hash),
                _text(rec.get("fetched_at")),
                f"{run_id}|{line[0]}" if line else "",
                line[1] if line else 0,
                "1" if check else "",
            ],
        )
        if missing and self.index is not None:  # its claim was lost with a restart
            from newsbot.dedup import make_signature

            decision = (
                Match(rec["duplicate_of"], float(rec.get("similarity") or 0.0))
                if rec.get("duplicate_of")
                else None
            )
            self.index.restore(rec["id"], make_signature(rec.get("text") or ""), decision)

    def recorded_at(self, article_id: str) -> str | None:
        found = self.state.conn.call(
            lambda: self.state.conn.client.hget(self._keys["art"], article_id)
        )
        return (json.loads(found)[3] or None) if found is not None else None

    def count_articles(self) -> int:
        return int(self.state.conn.call(lambda: self.state.conn.client.hlen(self._keys["art"])))

    # --- captures ------------------------------------------------------------
    def capture(self, url_key: str) -> tuple[str | None, str | None, str | None] | None:
        found = self.state.conn.call(
            lambda: self.state.conn.client.hget(self._keys["cap"], url_key)
        )
        if found is None:
            return None
        fetched, etag, modified, _ = json.loads(found)
        return fetched or None, etag or None, modified or None

    def note_capture(
        self,
        url_key: str,
        url: str,
        fetched_at: str,
        status: int,
        etag: str | None,
        last_modified: str | None,
    ) -> None:
        self.state.run(
            self._capture,
            [self._keys["cap"]],
            [url_key, fetched_at, status, _text(etag), _text(last_modified)],
        )

    # --- after a restart -------------------------------------------------------
    def _reapply(self) -> None:
        """Re-register this process's runs and worker, then record the JSONL lines past
        each file's confirmed offset (restoring their claims)."""
        from newsbot.jsonl import read_lines_from
        from newsbot.urls import url_key

        self._take_worker(self.worker, force=True)
        with self._lock:
            runs = dict(self._mine)
        again = 0
        for run_id, run in runs.items():
            self._update(run_id, run)
            for rel in sorted(run["outputs"].values()):
                field = f"{run_id}|{rel}"
                known = self.state.conn.call(
                    partial(self.state.conn.client.hget, self._keys["off"], field)
                )
                for record, end in read_lines_from(self.state.root / rel, int(known or 0)):
                    self.record(
                        record, url_key(record["url"]), _hash(record), run_id, line=(rel, end)
                    )
                    again += 1
        logger.warning("re-applied %d JSONL lines after the Redis restart", again)

    def commit(self) -> None:
        """Each script is durable as Redis's AOF makes it: nothing to do."""

    def maybe_commit(self) -> None:
        """Nothing is batched."""

    def close(self) -> None:
        self._heartbeat.stop()


def _hash(record: Mapping[str, Any]) -> str:
    from newsbot.items import text_hash

    return text_hash(record.get("text") or "")


def _stamp() -> str:
    return time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime())


__all__ = ["RedisRecords", "RedisState"]
