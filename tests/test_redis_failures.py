"""A replay through Redis when Redis fails: killed and restarted (AOF on), stopped for
5 s, gone past the retry budget. Real redis-server, real `scrapy crawl replay` processes."""

from __future__ import annotations

import re
import subprocess
import time
from pathlib import Path
from typing import Any

import pytest
from test_redis_replay import build_set

from support.crawls import LOCAL, read_jsonl, start_scrapy
from support.redisserver import RedisServer

pytestmark = pytest.mark.slow  # end to end: crawls and replays in subprocesses

PAGES = 180  # the 181 benchmark pages but one, each once: long enough to interrupt
PREFIX = "failures"


@pytest.fixture(scope="module")
def small_set(bench_dir: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    return build_set(tmp_path_factory.mktemp("failures"), bench_dir, pages=PAGES, files=3)


def start_replay(warcs: Path, archive: Path, url: str, **settings: str) -> subprocess.Popen[str]:
    every = {
        **LOCAL,
        "EXTRACT_WORKERS": "1",
        "ARCHIVE_DIR": str(archive),
        "NEWSBOT_REDIS_URL": url,
        "NEWSBOT_REDIS_PREFIX": PREFIX,
        # Nothing held back (a site's template or zone is learnt from its later pages;
        # these sites have one or two each): each record is claimed and written as its
        # page is read, so a line count says how far the claims are, and Redis stopped
        # after N lines is stopped while claims are still due.
        "TEMPLATES_ENABLED": "False",
        "NEWSBOT_ZONE_HOLD_PAGES": "0",
        **settings,
    }
    return start_scrapy(
        "crawl",
        "replay",
        "-a",
        f"warc={warcs}",
        settings=every,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )


def lines(archive: Path) -> list[dict[str, Any]]:
    return [r for path in sorted((archive / "articles").glob("*.jsonl")) for r in read_jsonl(path)]


def wait_for_lines(archive: Path, count: int, proc: subprocess.Popen[str]) -> None:
    deadline = time.monotonic() + 300
    while len(lines(archive)) < count:
        assert proc.poll() is None and time.monotonic() < deadline, "replay ended too soon"
        time.sleep(0.2)


def finish(proc: subprocess.Popen[str]) -> str:
    _, err = proc.communicate(timeout=600)
    return err


def check_index(archive: Path, server: RedisServer) -> list[dict[str, Any]]:
    """Every page recorded once, every JSONL id in the index with its line's decision."""
    import redis

    client = redis.Redis.from_url(server.url)
    found = lines(archive)
    assert (
        len(found) == len({r["id"] for r in found}) == len({r["url"] for r in found}) == PAGES + 1
    )
    tag = "{" + PREFIX + "}"
    ids = client.hgetall(f"{tag}:d:ids")
    decisions = {
        k.decode(): v.decode().split("\t")[0] for k, v in client.hgetall(f"{tag}:d:dec").items()
    }
    assert {r["id"].encode() for r in found} <= set(ids)
    assert {r["id"]: r["duplicate_of"] for r in found} == {
        r["id"]: decisions.get(r["id"]) for r in found
    }
    assert client.hlen(f"{tag}:art") == PAGES + 1  # the pages and the revisit
    return found


def interrupted(warcs: Path, server: RedisServer, archive: Path, pause: float, kill: bool) -> str:
    """A replay during which Redis goes (``kill``: -9, else a clean stop) and comes back
    after ``pause`` seconds: it must finish, and the index must hold every line."""
    proc = start_replay(warcs, archive, server.url)
    wait_for_lines(archive, 60, proc)
    server.kill() if kill else server.stop()
    assert len(lines(archive)) <= PAGES, "Redis went after the replay's last claim"
    time.sleep(pause)
    server.start()
    err = finish(proc)
    assert proc.returncode == 0, err[-4000:]
    check_index(archive, server)
    return err


@pytest.mark.slow
def test_kill_9_of_redis_mid_replay_then_restart(
    small_set: Path, redis_aof_server: RedisServer, tmp_path: Path
) -> None:
    err = interrupted(small_set, redis_aof_server, tmp_path / "archive", 1, kill=True)
    assert "restarted (run_id" in err and "re-applied" in err


@pytest.mark.slow
def test_redis_stopped_for_5_s_mid_replay(
    small_set: Path, redis_aof_server: RedisServer, tmp_path: Path
) -> None:
    interrupted(small_set, redis_aof_server, tmp_path / "archive", 5, kill=False)


@pytest.mark.slow
def test_redis_gone_past_the_budget_exits_1_with_the_message(
    small_set: Path, redis_aof_server: RedisServer, tmp_path: Path
) -> None:
    archive = tmp_path / "archive"
    proc = start_replay(small_set, archive, redis_aof_server.url, NEWSBOT_REDIS_RETRY_SECONDS="3")
    wait_for_lines(archive, 30, proc)
    redis_aof_server.stop()
    started = time.monotonic()
    err = finish(proc)
    assert len(lines(archive)) <= PAGES, "Redis went after the replay's last claim"
    assert proc.returncode == 1 and time.monotonic() - started < 60, err[-4000:]
    assert re.search(r"newsbot: Redis at 127\.0\.0\.1:\d+ unreachable for 3 s\n", err), err[-3000:]
    assert "Traceback" not in err
