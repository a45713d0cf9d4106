"""`newsbot.redisconn`: retries within a budget, shared by threads. A real redis-server."""

from __future__ import annotations

import threading
import time

import pytest

from support.redisserver import RedisServer

pytest.importorskip("redis")
from redis.exceptions import ConnectionError as RedisConnectionError

from newsbot.redisconn import RedisUnreachable, connect, describe


def test_a_retry_on_one_thread_leaves_another_threads_call_alone(
    redis_server: RedisServer,
) -> None:
    """The WARC writer's thread and the reactor's share one pool: a call that fails and is
    retried on one must not close the connection the other is reading from (that read
    then raised ValueError, outside the retry, and the page's capture was lost)."""
    conn = connect(redis_server.url, retry_seconds=5)
    conn.client.delete("later")
    reading: list[object] = []

    def waits() -> None:  # blocks on its connection until the value is pushed
        try:
            reading.append(conn.call(lambda: conn.client.blpop(["later"], timeout=5)))
        except Exception as exc:  # the failure this test is about
            reading.append(exc)

    reader = threading.Thread(target=waits)
    reader.start()
    deadline = time.monotonic() + 5
    while len(conn.client.client_list(_type="normal")) < 2:  # until the reader waits
        assert time.monotonic() < deadline
        time.sleep(0.01)
    attempts = []

    def flaky() -> str:  # fails once, as a dropped connection does
        attempts.append(1)
        if len(attempts) == 1:
            raise RedisConnectionError("connection dropped")
        return "ok"

    assert conn.call(flaky) == "ok" and len(attempts) == 2
    conn.client.rpush("later", "value")
    reader.join(10)
    assert reading == [(b"later", b"value")]
    assert conn.failures == 1


def test_past_the_budget_the_error_names_the_server_not_its_password(
    redis_server: RedisServer,
) -> None:
    conn = connect(redis_server.url, retry_seconds=0.3)

    def down() -> None:
        raise RedisConnectionError("refused")

    started = time.monotonic()
    with pytest.raises(
        RedisUnreachable, match=r"^Redis at 127\.0\.0\.1:\d+ unreachable for 0\.3 s$"
    ):
        conn.call(down)
    assert 0.3 <= time.monotonic() - started < 3
    assert describe("redis://newsbot:secret@10.0.0.5:6380/2") == "10.0.0.5:6380"
