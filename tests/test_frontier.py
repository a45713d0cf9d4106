"""The shared frontier's parts against a real redis-server: leases, endings, shards, idle."""

from __future__ import annotations

import json
import math
import subprocess
import sys
import time
from collections import Counter
from typing import Any

import pytest
from scrapy import Request

from newsbot.frontier.dupefilter import UrlKeyRedisDupeFilter
from newsbot.frontier.ledger import Ledger
from newsbot.frontier.store import FRESH_BEAT_MS, FrontierStore, registered_domain, shard_of
from newsbot.redisconn import connect
from support.crawls import PROJECT
from support.redisserver import RedisServer


def store(
    server: RedisServer,
    worker: str = "w1",
    *,
    shards: int = 8,
    lease_ms: int = 60_000,
    retries: int = 2,
    crawl: str = "c1",
) -> FrontierStore:
    return FrontierStore(
        connect(server.url, 5.0),
        crawl,
        worker,
        shards=shards,
        lease_ms=lease_ms,
        max_retries=retries,
    )


def test_pop_moves_to_pending_under_the_owners_lease_and_ack_ends_it(
    redis_server: RedisServer,
) -> None:
    s = store(redis_server)
    entry = s.push(3, b"payload")
    assert s.status().queued == 1
    popped = s.pop([0, 3])
    assert popped is not None and popped.entry_id == entry and popped.payload == b"payload"
    status = s.status()
    assert (status.queued, status.pending, status.idle) == (0, 1, False)
    assert s.server.hget(s.key("owner"), entry) == b"w1"
    assert s.ack([entry]) == 1
    status = s.status()
    assert (status.pending, status.done, status.idle) == (0, 1, True)
    assert s.ack([entry]) == 0  # acknowledging twice counts once


def test_pop_only_from_the_shards_given(redis_server: RedisServer) -> None:
    s = store(redis_server)
    s.push(2, b"x")
    assert s.pop([0, 1]) is None
    assert s.pop([2]) is not None


def test_expired_leases_are_requeued_with_a_retry_count_then_failed(
    redis_server: RedisServer,
) -> None:
    s = store(redis_server, lease_ms=50, retries=1)
    entry = s.push(1, b"r")
    s.pop([1])
    time.sleep(0.1)
    assert s.reap() == (1, 0)
    again = s.pop([1])
    assert again is not None and again.entry_id == entry and again.retries == 1
    time.sleep(0.1)
    assert s.reap() == (0, 1)
    status = s.status()
    assert (status.queued, status.pending, status.failed) == (0, 0, 1)
    assert s.server.lrange(s.key("failed"), 0, -1) == [b"r"]


def test_renewal_keeps_a_lease_alive_and_reports_lost_ones(redis_server: RedisServer) -> None:
    s = store(redis_server, lease_ms=150)
    a, b = s.push(0, b"a"), s.push(0, b"b")
    s.pop([0]), s.pop([0])
    for _ in range(4):
        time.sleep(0.06)
        assert s.renew([a]) == []
    assert s.reap() == (1, 0)  # b expired, a renewed
    assert s.renew([a, b]) == [b]


def test_a_restarted_worker_frees_its_own_leases_at_once(redis_server: RedisServer) -> None:
    mine, other = store(redis_server, "w1"), store(redis_server, "w2")
    mine.push(0, b"a"), other.push(0, b"b")
    mine.pop([0]), other.pop([0])
    restarted = store(redis_server, "w1")
    assert restarted.free_own() == 1
    status = restarted.status()
    assert (status.queued, status.pending) == (1, 1)


def test_an_ack_after_the_reaper_took_it_back_removes_it_from_the_queue(
    redis_server: RedisServer,
) -> None:
    s = store(redis_server, lease_ms=30)
    entry = s.push(0, b"a")
    s.pop([0])
    time.sleep(0.06)
    s.reap()
    assert s.ack([entry]) == 1
    assert s.status().queued == 0


def test_crawls_and_their_seen_sets_are_apart(redis_server: RedisServer) -> None:
    one, two = store(redis_server, crawl="a"), store(redis_server, crawl="b")
    one.push(0, b"x")
    assert two.status().queued == 0
    df_one = UrlKeyRedisDupeFilter(one.conn, one.key("seen"))
    df_two = UrlKeyRedisDupeFilter(two.conn, two.key("seen"))
    assert not df_one.request_seen(Request("http://a.test/p"))
    assert not df_two.request_seen(Request("http://a.test/p"))


def test_the_dupefilter_keys_on_url_key_and_lets_a_same_key_redirect_through(
    redis_server: RedisServer,
) -> None:
    s = store(redis_server)
    df = UrlKeyRedisDupeFilter(s.conn, s.key("seen"))
    assert not df.request_seen(Request("http://news.test/a?utm_source=x"))
    assert df.request_seen(Request("https://news.test/a"))
    redirected = Request("https://news.test/a", meta={"redirect_urls": ["http://news.test/a"]})
    assert not df.request_seen(redirected)
    df.close()
    assert s.server.scard(s.key("seen")) == 1  # a closing worker keeps the crawl's seen set


def test_sites_shard_by_registered_domain() -> None:
    assert registered_domain("www.bbc.co.uk") == registered_domain("news.bbc.co.uk") == "bbc.co.uk"
    assert registered_domain("edition.cnn.com") == "cnn.com"
    assert registered_domain("127.0.0.5") == "127.0.0.5"
    # the public-suffix list, not a guess from the last labels
    assert registered_domain("a.b.example.com.au") == "example.com.au"
    assert registered_domain("www.asahi.co.jp") == registered_domain("asahi.co.jp") == "asahi.co.jp"
    assert registered_domain("www.city.kawasaki.jp") == "city.kawasaki.jp"
    assert registered_domain("WWW.Lemonde.FR.") == "lemonde.fr"
    # private suffixes stay one site: their blogs share servers, so one politeness slot
    assert registered_domain("alice.blogspot.com") == registered_domain("bob.blogspot.com")
    assert registered_domain("localhost") == "localhost"
    assert shard_of("www.lemonde.fr", 64) == shard_of("lemonde.fr", 64)


def test_shards_fair_share_hand_over_and_take_over(redis_server: RedisServer) -> None:
    one = store(redis_server, "w1", shards=16, lease_ms=300)
    owned, live, fair, _ = one.claim_shards(())
    assert (len(owned), live, fair) == (16, 1, 17)
    two = store(redis_server, "w2", shards=16, lease_ms=300)
    got, live, fair, assigned = two.claim_shards(())
    assert (got, live, fair) == ([], 2, 9) and 0 < len(assigned) <= fair  # nothing free yet
    owned, _, _, kept = one.claim_shards(busy=range(16))  # busy shards wait for their requests
    assert len(owned) == 16 and len(kept) <= fair and not kept & assigned
    owned, _, _, _ = one.claim_shards(())  # its requests came back: handed over now
    assert set(owned) == kept
    got, _, _, _ = two.claim_shards(())
    assert set(got) == assigned and len(got) + len(owned) == 16
    time.sleep(0.4)  # w1 dies: its shards and heartbeat expire, w2 takes them over
    got, live, fair, _ = two.claim_shards(())
    assert (len(got), live, fair) == (16, 1, 17)


def test_the_assignment_is_fair_and_the_same_for_every_worker(redis_server: RedisServer) -> None:
    workers = [f"w{n}" for n in range(5)]
    answers = [store(redis_server, w, shards=64).assignment(workers) for w in workers]
    assert all(a == answers[0] for a in answers)
    load = Counter(answers[0].values())
    assert len(answers[0]) == 64 and max(load.values()) <= math.ceil(64 / 5) + 1


def test_shards_with_queued_requests_are_taken_first(redis_server: RedisServer) -> None:
    s = store(redis_server, "w1", shards=64)
    mine = sorted(s_ for s_, w in s.assignment(["w1"]).items() if w == "w1")
    for shard in (mine[7], mine[40]):
        s.push(shard, b"x")
    for n in range(64):  # others hold every shard but two, which free up: queued first
        s.server.set(s.key(f"shard:{n}"), "other", px=10_000)
    s.server.delete(s.key(f"shard:{mine[7]}"), s.key(f"shard:{mine[40]}"), s.key("shard:3"))
    owned, _, _, _ = s.claim_shards(())
    assert sorted(owned) == sorted({mine[7], mine[40], 3})


# --- the endings, one test each (the ledger over a real store) -----------------------------
def leased(redis_server: RedisServer) -> tuple[FrontierStore, Ledger, str]:
    s = store(redis_server)
    entry = s.push(0, b"req")
    s.pop([0])
    ledger = Ledger(s)
    ledger.popped(entry, 0)
    return s, ledger, entry


def pending(s: FrontierStore) -> int:
    return s.status().pending


def test_ending_record_written(redis_server: RedisServer) -> None:
    s, ledger, entry = leased(redis_server)
    ledger.item_yielded(entry)
    ledger.output_done(entry)
    assert pending(s) == 1  # its item is still in the pipelines
    ledger.item_ended(entry, "rec1")  # scraped after its record was written
    assert pending(s) == 0


def test_ending_callback_output_exhausted_without_an_item(redis_server: RedisServer) -> None:
    s, ledger, entry = leased(redis_server)
    ledger.reached(entry)
    assert pending(s) == 1
    ledger.output_done(entry)
    assert pending(s) == 0


def test_ending_item_dropped_without_a_record(redis_server: RedisServer) -> None:
    s, ledger, entry = leased(redis_server)
    ledger.item_yielded(entry)
    ledger.item_ended(entry, None)  # dropped (no record) before the output ended
    assert pending(s) == 1
    ledger.output_done(entry)
    assert pending(s) == 0


def test_ending_errback_or_middleware_drop(redis_server: RedisServer) -> None:
    from twisted.python.failure import Failure

    from newsbot.frontier.middleware import Acknowledging

    s, ledger, entry = leased(redis_server)
    seen: list[Any] = []
    Acknowledging(seen.append, ledger, entry)(Failure(ValueError("refused")))
    assert len(seen) == 1 and pending(s) == 0
    _s2, ledger2, entry2 = leased(redis_server)
    with pytest.raises(ValueError):  # no errback: acknowledged, the failure goes on
        Acknowledging(None, ledger2, entry2)(Failure(ValueError("x")))
    assert ledger2.entries == {}


def test_ending_replaced_by_a_redirect_or_retry(redis_server: RedisServer) -> None:
    s, ledger, entry = leased(redis_server)
    ledger.replaced(entry)
    assert pending(s) == 0


def test_a_held_back_page_keeps_its_lease_marked_held_until_written(
    redis_server: RedisServer,
) -> None:
    s, ledger, entry = leased(redis_server)
    ledger.item_yielded(entry)
    ledger.output_done(entry)
    ledger.record_held("rec1")
    ledger.item_ended(entry, "rec1")
    status = s.status()
    assert (status.pending, status.held, status.idle) == (1, 1, True)
    ledger.renew()
    assert s.status().held == 1
    ledger.record_written("rec1")
    status = s.status()
    assert (status.pending, status.held) == (0, 0)


@pytest.mark.slow  # a process of its own
def test_without_redis_url_nothing_of_redis_is_imported() -> None:
    code = (
        "import sys; from scrapy.utils.reactor import install_reactor;"
        "install_reactor('twisted.internet.asyncioreactor.AsyncioSelectorReactor');"
        "from scrapy.utils.project import get_project_settings;"
        "from scrapy.crawler import Crawler; from newsbot.spiders.news import NewsSpider;"
        "from scrapy.core.spidermw import SpiderMiddlewareManager;"
        "c = Crawler(NewsSpider, get_project_settings()); c._apply_settings();"
        "SpiderMiddlewareManager.from_crawler(c);"
        "print(c.settings['SCHEDULER'], 'scrapy_redis' in sys.modules, 'redis' in sys.modules)"
    )
    out = subprocess.run(
        [sys.executable, "-c", code],
        cwd=PROJECT,
        capture_output=True,
        text=True,
        timeout=120,
        check=True,
    ).stdout.split()
    assert out == ["scrapy.core.scheduler.Scheduler", "False", "False"]


@pytest.mark.slow  # a process of its own
def test_scrapy_status_prints_the_live_figures(redis_server: RedisServer) -> None:
    s = store(redis_server, "w1", shards=64, crawl="live1")
    s.push(9, b"a"), s.push(9, b"b")
    s.pop([9])
    s.claim_shards(())
    proc = subprocess.run(
        [
            sys.executable,
            "-m",
            "scrapy",
            "status",
            "--crawl",
            "live1",
            "-s",
            f"NEWSBOT_REDIS_URL={redis_server.url}",
        ],
        cwd=PROJECT,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert proc.returncode == 0, proc.stderr[-2000:]
    figures = json.loads(proc.stdout)
    assert (figures["queued"], figures["pending"], figures["done"]) == (1, 1, 0)
    assert figures["workers"]["w1"]["live"] and figures["shards"]["9"]["queued"] == 1


def test_the_crawl_summary_is_written_once_even_when_a_worker_died_near_the_end(
    redis_server: RedisServer,
) -> None:
    """The last worker to leave writes the summary; a worker still beating leaves that to
    itself; one that stopped beating (killed) is waited for until its heartbeat expires."""
    one, two, dead = (store(redis_server, w, lease_ms=4000) for w in ("w1", "w2", "w3"))
    for s in (one, two, dead):
        s.claim_shards([])  # each beats once
    time.sleep(FRESH_BEAT_MS / 1000 + 0.2)  # then w3 is killed: only w1 and w2 beat on
    two.claim_shards([])
    started = time.monotonic()
    writer, _, _ = one.finish({"articles": 1})
    assert not writer and time.monotonic() - started < 1  # w2 beats: it writes, later
    writer, every, _ = two.finish({"articles": 2})
    waited = time.monotonic() - started
    assert writer and set(every) == {"w1", "w2"}
    assert 0.3 < waited < 4 + 1  # until w3's heartbeat (4 s, beaten ~3.2 s ago) expired
    assert one.finish({"articles": 1})[0] is False  # the writer is taken once
