"""One Redis connection per process, with a bounded retry budget and restart detection.

Shared by the Redis state backend (issue 18) and the shared frontier (issue 19): both
run their Redis calls on the reactor thread (and a few on the WARC writer and lease
threads), so a Redis that is gone must not hang the crawl for ever, nor end it at the
first dropped packet. Every call goes through :meth:`RedisConn.call`: a connection
error is retried with redis-py's ``Retry`` and ``ExponentialBackoff`` until
``NEWSBOT_REDIS_RETRY_SECONDS`` have passed since the first failure, then
:class:`RedisUnreachable` says ``Redis at HOST:PORT unreachable for N s`` (the crawl
turns that into exit status 1, :func:`exit_unreachable`).

A Redis restart loses what its append-only file had not yet fsynced (``everysec``: up to
a second). Each script of the state backend starts by comparing the server's ``run_id``
(``INFO server``, ~15 µs inside a script) with the one this process last saw and fails
with ``NEWSBOT-RESTARTED`` when they differ, before it changes anything: the caller then
re-applies what Redis lost (see ``redis_records.py``) and calls again.

Settings (defaults in the add-on): ``NEWSBOT_REDIS_URL`` (None: no Redis, and redis-py is
never imported), ``NEWSBOT_REDIS_PREFIX`` (one archive's keys), ``NEWSBOT_WORKER_ID``
(default: host name and a slot, see :func:`default_worker_ids`),
``NEWSBOT_REDIS_RETRY_SECONDS`` (60).
"""

from __future__ import annotations

import logging
import socket
import threading
import time
from typing import TYPE_CHECKING, Any
from urllib.parse import urlsplit

import redis
from redis.backoff import ExponentialBackoff, NoBackoff
from redis.exceptions import ConnectionError as RedisConnectionError
from redis.exceptions import ResponseError
from redis.exceptions import TimeoutError as RedisTimeoutError
from redis.retry import Retry

from newsbot.state.errors import StateUnavailable, exit_fatal

if TYPE_CHECKING:
    from collections.abc import Callable, Iterator, Sequence

    from redis.commands.core import Script

logger = logging.getLogger(__name__)

URL_SETTING = "NEWSBOT_REDIS_URL"
PREFIX_SETTING = "NEWSBOT_REDIS_PREFIX"
WORKER_SETTING = "NEWSBOT_WORKER_ID"
RETRY_SETTING = "NEWSBOT_REDIS_RETRY_SECONDS"

RESTARTED = "NEWSBOT-RESTARTED"
# The first lines of every state script: refuse to run on a server that restarted since
# this process last looked (ARGV[1] is the run_id it expects; '' skips the check).
CHECK_RUN_ID = f"""
if ARGV[1] ~= '' then
  local seen = string.match(redis.call('INFO', 'server'), 'run_id:(%w+)')
  if seen ~= ARGV[1] then return redis.error_reply('{RESTARTED} ' .. seen) end
end
"""


class RedisUnreachable(StateUnavailable):
    """Redis did not answer within the retry budget."""


class RedisRestarted(Exception):
    """The server's run_id changed: it restarted and may have lost recent writes."""

    def __init__(self, run_id: str) -> None:
        super().__init__(f"Redis restarted (run_id {run_id})")
        self.run_id = run_id


def describe(url: str) -> str:
    """``host:port`` of a Redis URL, never its password (for messages and logs)."""
    parts = urlsplit(url)
    if parts.scheme == "unix":
        return parts.path
    return f"{parts.hostname or 'localhost'}:{parts.port or 6379}"


def hash_tag(prefix: str) -> str:
    """The prefix as a Redis Cluster hash tag: every key of one archive in one slot."""
    return "{" + prefix.replace("{", "").replace("}", "") + "}"


class RedisConn:
    """A redis-py client whose calls are retried within a time budget.

    The client itself does not retry (redis-py's own ``Retry`` counts attempts, not
    seconds); :meth:`call` wraps each call in a ``Retry(ExponentialBackoff)`` whose
    failure handler ends the wait once ``retry_seconds`` have passed. Thread-safe: the
    client's pool hands each thread a connection.
    """

    def __init__(
        self,
        url: str,
        retry_seconds: float = 60.0,
        *,
        socket_timeout: float = 10.0,
        fatal: bool = False,
    ) -> None:
        self.url = url
        self.fatal = fatal  # a crawl's: past the budget, exit 1 (the reactor cannot go on)
        self.where = describe(url)
        self.retry_seconds = retry_seconds
        self.client = redis.Redis.from_url(
            url,
            retry=Retry(NoBackoff(), 0),
            socket_connect_timeout=min(2.0, socket_timeout),
            socket_timeout=socket_timeout,
            health_check_interval=0,
        )
        self._lock = threading.Lock()
        self.failures = 0  # calls that needed a retry (the summary may show them)

    def script(self, source: str) -> Script:
        """A Lua script (``register_script``: EVALSHA, loaded again after a restart)."""
        return self.client.register_script(source)

    def call(self, do: Callable[[], Any]) -> Any:
        """``do()`` retried on connection errors until the budget is spent."""
        first: list[float] = []

        def failed(error: Exception, count: int) -> None:
            now = time.monotonic()
            if not first:
                first.append(now)
                logger.warning(
                    "Redis at %s: %s; retrying for up to %g s",
                    self.where,
                    error,
                    self.retry_seconds,
                )
                with self._lock:
                    self.failures += 1
            # Drop the idle connections (dead after a restart), never those in use: another
            # thread (the WARC writer's) may be reading from one, and closing it under that
            # read raises ValueError, not a connection error, so its retry would not run.
            self.client.connection_pool.disconnect(inuse_connections=False)
            if now - first[0] >= self.retry_seconds:
                message = f"Redis at {self.where} unreachable for {self.retry_seconds:g} s"
                if self.fatal:
                    exit_fatal(message)
                raise RedisUnreachable(message) from error

        retry = Retry(
            ExponentialBackoff(cap=2.0, base=0.05),
            -1,
            (RedisConnectionError, RedisTimeoutError, socket.timeout, OSError),
        )
        try:
            return retry.call_with_retry(do, failed, with_failure_count=True)
        except RedisUnreachable:
            raise
        except ResponseError as exc:
            text = str(exc)
            if text.startswith(RESTARTED):
                raise RedisRestarted(text.split()[-1]) from None
            raise

    def run(self, script: Script, keys: Sequence[str], args: Sequence[Any]) -> Any:
        """One script call through :meth:`call`."""
        return self.call(lambda: script(keys=list(keys), args=list(args)))

    def run_id(self) -> str:
        """The server's ``run_id``: changes whenever redis-server restarts."""
        info = self.call(lambda: self.client.info("server"))
        return str(info["run_id"])

    def close(self) -> None:
        self.client.close()


def connect(url: str, retry_seconds: float = 60.0, *, fatal: bool = False) -> RedisConn:
    """A connection to ``url`` (``redis://[user:password@]host:port/db``), checked with
    ``PING`` within the retry budget."""
    conn = RedisConn(url, retry_seconds, fatal=fatal)
    conn.call(conn.client.ping)
    return conn


def default_worker_ids(host: str | None = None) -> Iterator[str]:
    """``<host>-1``, ``<host>-2``, ...: the first slot whose lease is free is taken, so a
    process restarted on the same machine takes its old id (and repairs its own runs)."""
    host = (host or socket.gethostname()).split(".")[0] or "localhost"
    slot = 1
    while True:
        yield f"{host}-{slot}"
        slot += 1


class WorkerIdTaken(StateUnavailable):
    """A live process holds the lease on this worker id."""


def worker_id(configured: str | None, claim: Callable[[str], bool], host: str | None = None) -> str:
    """This process's worker id: ``configured`` (``NEWSBOT_WORKER_ID``) when ``claim``
    gets its lease, else :class:`WorkerIdTaken`; unset, the first default id whose lease
    ``claim`` gets (``claim(id)`` returns False when a live process holds it)."""
    if configured:
        if not claim(configured):
            raise WorkerIdTaken(
                f"worker id {configured!r} is in use by a live process"
                f" (NEWSBOT_WORKER_ID must differ between processes)"
            )
        return configured
    for candidate in default_worker_ids(host):
        if claim(candidate):
            return candidate
    raise AssertionError("unreachable")  # pragma: no cover - the ids never run out
