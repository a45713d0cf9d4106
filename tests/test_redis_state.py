"""The Redis backend beyond the shared contract: worker ids, runs of other workers,
WARC names with a worker, the bulk path, a restart re-applied. A real redis-server each."""

from __future__ import annotations

import os
import subprocess
import sys
import time
from pathlib import Path

import pytest
from test_dedup import KREMLIN, TALKS, story
from test_warc_recovery import exchange

from newsbot.dedup import make_signature
from newsbot.jsonl import JsonLinesWriter
from newsbot.state.liveness import Owner
from newsbot.warc import WarcArchive, recover_open_files
from newsbot.warc.naming import final_path, warc_filename
from support.redisserver import RedisServer

pytest.importorskip("redis")
from newsbot.redisconn import WorkerIdTaken
from newsbot.state.redis_backend import RedisBackend

HOLD = """
import sys, time
from pathlib import Path
from newsbot.state.redis_backend import RedisBackend
backend = RedisBackend(Path("a/state/x.sqlite"), url=sys.argv[1], worker=sys.argv[2] or None)
print(backend.worker, flush=True)
time.sleep(60)
"""


def backend(server: RedisServer, root: Path = Path("archive"), **kwargs: object) -> RedisBackend:
    return RedisBackend(root / "state" / "unused.sqlite", url=server.url, **kwargs)  # type: ignore[arg-type]


def test_a_second_live_process_with_the_same_worker_id_is_refused(
    redis_server: RedisServer,
) -> None:
    holder = subprocess.Popen(
        [sys.executable, "-c", HOLD, redis_server.url, "w1"], stdout=subprocess.PIPE, text=True
    )
    try:
        assert holder.stdout is not None and holder.stdout.readline().strip() == "w1"
        with pytest.raises(WorkerIdTaken, match="worker id 'w1' is in use"):
            backend(redis_server, worker="w1")
        mine = backend(redis_server)  # no id given: the host's first free slot
        assert mine.worker.endswith("-1")
        other = subprocess.run(
            [sys.executable, "-c", HOLD.replace("time.sleep(60)", ""), redis_server.url, ""],
            capture_output=True,
            text=True,
            timeout=60,
        )
        assert other.stdout.strip().endswith("-2")  # slot 1 is this live process's
        mine.close()
    finally:
        holder.kill()
        holder.wait()
    # the holder is dead (same boot, its pid gone): its id may be taken over at once
    again = backend(redis_server, worker="w1")
    assert again.worker == "w1"
    again.close()


def test_only_the_own_workers_dead_runs_are_repaired(redis_server: RedisServer) -> None:
    first, second = backend(redis_server, worker="a"), backend(redis_server, worker="b")
    gone = Owner(host="far-away", boot="f" * 36, pid=1)
    first.records.start_run(
        "run-a", "news", "2025-12-16T00:00:00Z", {"articles": "x.jsonl"}, lease=1, owner=gone
    )
    later = time.time() + 5
    assert second.records.interrupted_runs(now=later) == []  # worker a's files, a's machine
    raw = second.conn.client.hget(second.state.key("runs"), "run-a")
    assert raw is not None and b'"status":"dead"' in raw
    assert first.records.interrupted_runs(now=later) == [("run-a", {"articles": "x.jsonl"})]
    first.close()
    second.close()


def test_claims_are_numbered_in_commit_order(redis_server: RedisServer) -> None:
    index = backend(redis_server).dedup_index(0.6)
    index.claim("one", make_signature(story(TALKS)))
    index.claim("two", make_signature(story(KREMLIN)))
    index.claim("one", make_signature(story(TALKS)))  # again: the stored number
    assert (index.commit_number("one"), index.commit_number("two")) == (1, 2)
    assert index.commit_number("never") is None


def test_bulk_loaded_signatures_are_matched(redis_server: RedisServer) -> None:
    index = backend(redis_server).dedup_index(0.6)
    assert (
        index.bulk_load(
            [("wire", make_signature(story(TALKS))), ("other", make_signature(story(KREMLIN)))]
        )
        == 2
    )
    match = index.claim("copy", make_signature(story(TALKS[:5])))
    assert match is not None and match.canonical_id == "wire" and len(index) == 3


def test_warc_names_carry_the_worker_and_recovery_keeps_them(
    redis_server: RedisServer, tmp_path: Path
) -> None:
    assert warc_filename("newsbot", 3, "host.x", worker="a~b/c").endswith(
        "-00003-host.x~a_b_c.warc.gz"
    )  # each part sanitised alone, one ~ between
    digests = backend(redis_server).digests()
    warcs = tmp_path / "warc"
    archive = WarcArchive(warcs, root=tmp_path, digests=digests, host="h", worker="vm-2")
    pointers = [archive.write_exchange(exchange(i, os.urandom(2000))) for i in range(2)]
    open_path = next(warcs.glob("*.open"))
    assert open_path.name.endswith("-h~vm-2.warc.gz.open")
    assert final_path(open_path).name.endswith("-h~vm-2.warc.gz")
    archive._fh.close()  # the process dies, the file stays .open
    os.truncate(open_path, pointers[1].offset + 100)
    (path,) = recover_open_files(warcs, root=tmp_path, digests=digests)
    assert path.name == Path(pointers[0].file).name
    assert digests.get(pointers[0].payload_digest) is not None
    assert digests.get(pointers[1].payload_digest) is None  # cut: forgotten in Redis


@pytest.mark.slow  # a process of its own
def test_lines_a_restart_lost_are_re_applied_with_their_decisions(
    redis_aof_server: RedisServer, tmp_path: Path
) -> None:
    """Lines confirmed before a restart stay; lines past the offset Redis kept come back,
    each claim with the decision its line was written with."""
    state = backend(redis_aof_server, tmp_path, worker="w")
    index = state.dedup_index(0.6)
    rel = "articles/news-r~w.jsonl"
    writer = JsonLinesWriter(tmp_path / rel)
    state.records.start_run("r", "news", "2025-12-16T00:00:00Z", {"articles": rel})
    texts = {"wire": story(TALKS), "copy": story(TALKS[:5]), "other": story(KREMLIN)}
    lines = []
    for n, (aid, text) in enumerate(texts.items()):
        match = index.claim(aid, make_signature(text))
        rec = {
            "id": aid,
            "url": f"http://x/{n}",
            "text": text,
            "duplicate_of": match.canonical_id if match else None,
            "similarity": match.score if match else None,
        }
        end = writer.write(rec)
        lines.append(rec)
        if aid != "other":
            state.records.record(rec, f"x/{n}", None, "r", line=(rel, end))
    time.sleep(1.5)  # everysec: on disk
    client = state.conn.client
    for key in client.scan_iter(f"{state.state.tag}:d:*"):  # what a lost second looks like
        client.delete(key)
    client.delete(state.state.key("art"), state.state.key("off"))
    client.hset(
        state.state.key("off"), f"r|{rel}", len((tmp_path / rel).read_bytes().split(b"\n")[0]) + 1
    )
    time.sleep(1.5)
    redis_aof_server.kill()
    redis_aof_server.start()
    assert state.records.count_articles() == 0  # plain reads do not check; scripts do
    state.records.note_capture("x/9", "http://x/9", "2025-12-16T00:00:00Z", 200, None, None)
    assert state.state.restarts == 1
    assert sorted(client.hkeys(state.state.key("art"))) == [b"copy", b"other"]  # past the offset
    assert index.claim("copy", make_signature("anything")) is not None
    assert index.claim("copy", make_signature("x")).canonical_id == "wire"  # as its line says
    assert index.claim("other", make_signature("x")) is None
    state.close()


def test_template_and_zone_counts_a_restart_lost_are_sent_again(
    redis_aof_server: RedisServer, tmp_path: Path
) -> None:
    """The counts of the last seconds come back after a restart; a page is still counted
    once (what Redis kept is not counted twice)."""
    state = backend(redis_aof_server, tmp_path, worker="w")
    templates, zones = state.template_counts(), state.site_zones()
    for page in (1, 2, 3):
        templates.observe("site.example", page, {11, 22, page})
        zones.observe("site.example", page, ["Asia/Kolkata"])
    templates.fix("site.example", {11})
    time.sleep(1.5)  # everysec: on disk
    client = state.conn.client
    client.srem(state.state.key("t:site.example:seen"), 3)  # what a lost second looks like
    client.decr(state.state.key("t:site.example:n"))
    paragraphs = state.state.key("t:site.example:p")
    client.hset(paragraphs, mapping={"11": "2:2:0", "22": "2:2:0"})  # page 3 and the fix gone
    client.hdel(paragraphs, "3")
    client.delete(*(state.state.key(f"z:site.example{part}") for part in (":seen", ":n", "")))
    time.sleep(1.5)
    redis_aof_server.kill()
    redis_aof_server.start()
    pages, counts = templates.counts("site.example", [11, 22, 3])  # type: ignore[misc]
    assert state.state.restarts == 1
    assert pages == 3 and counts == {11: (3, True), 22: (3, False), 3: (1, False)}
    assert zones.counts("site.example") == (3, {"Asia/Kolkata": 3})


def test_only_the_last_seconds_are_sent_again() -> None:
    from newsbot.state.redis_recent import Recent

    now = [0.0]
    sent: list[int] = []
    recent = Recent("counts", seconds=5.0, clock=lambda: now[0])
    for page in range(10):
        now[0] = float(page)
        recent.add(lambda page=page: sent.append(page))
    assert len(recent) == 6  # pages 4..9: the older ones dropped as new ones come
    now[0] = 11.0
    assert recent.send_again() == 4 and sent == [6, 7, 8, 9]
