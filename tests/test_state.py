from __future__ import annotations

import asyncio
import json
import os
import subprocess
import sys
import time
from pathlib import Path

from newsbot.jsonl import JsonLinesWriter
from newsbot.pipelines.order import CaptureOrder
from newsbot.state import StateStore, read_jsonl_repairing, text_hash


def test_torn_last_line_is_cut_and_whole_lines_kept(tmp_path: Path) -> None:
    path = tmp_path / "a.jsonl"
    writer = JsonLinesWriter(path)
    for i in range(3):
        writer.write({"id": f"{i:016x}", "text": "é" * 10})
    writer.close()
    with path.open("ab") as fh:
        fh.write(b'{"id": "torn", "te')
    recs = list(read_jsonl_repairing(path))
    assert [r["id"] for r in recs] == [f"{i:016x}" for i in range(3)]
    assert path.read_bytes().endswith(b"\n")


def test_lines_survive_kill_9(tmp_path: Path) -> None:
    path = tmp_path / "k.jsonl"
    script = (
        "import sys, os, signal\n"
        "from newsbot.jsonl import JsonLinesWriter\n"
        f"w = JsonLinesWriter(__import__('pathlib').Path({str(path)!r}))\n"
        "for i in range(200): w.write({'id': i, 'text': 'x' * 5000})\n"
        "os.kill(os.getpid(), signal.SIGKILL)\n"
    )
    proc = subprocess.run([sys.executable, "-c", script], cwd=Path(__file__).parents[1])
    assert proc.returncode == -9
    ids = [json.loads(line)["id"] for line in path.read_text().splitlines()]
    assert ids == list(range(200))


def test_state_versions_and_interrupted_runs(tmp_path: Path) -> None:
    store = StateStore(tmp_path / "s.sqlite")
    # started now: a run dated before this process began would be a reused pid's, so dead
    store.start_run("r1", "news", time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime()),
                    {"articles": "articles/r1.jsonl"})
    store.record({"id": "a" * 16, "url": "http://x/a", "version": 1}, "x/a", text_hash("one two"), "r1")
    store.record({"id": "b" * 16, "url": "http://x/a", "version": 2}, "x/a", text_hash("one three"), "r1")
    latest = store.latest("x/a")
    assert latest and latest.version == 2 and latest.id == "b" * 16
    assert store.is_recorded("a" * 16)
    # r1 belongs to this live process: not interrupted
    assert store.interrupted_runs() == []
    store.conn.execute("UPDATE runs SET pid = 999999999 WHERE run_id = 'r1'")
    assert [r for r, _ in store.interrupted_runs()] == ["r1"]
    assert text_hash("one  two\n") == text_hash("one two")


def test_capture_order_releases_in_sequence() -> None:
    async def main() -> list[int]:
        order, released = CaptureOrder(stall_timeout=5), []

        async def item(seq: int, delay: float) -> None:
            await asyncio.sleep(delay)
            await order.turn(seq)
            released.append(seq)
            order.finish(seq)

        await asyncio.gather(*(item(s, d) for s, d in [(0, 0.05), (1, 0.0), (2, 0.02), (3, 0.0)]))
        return released

    assert asyncio.run(main()) == [0, 1, 2, 3]


def test_heartbeat_renews_the_lease_of_a_live_run(tmp_path: Path) -> None:
    """The lease is renewed from a thread of its own (every quarter of it) until the run ends."""
    import sqlite3

    store = StateStore(tmp_path / "s.sqlite")
    store.start_run("r1", "news", time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime()), {}, lease=0.4)
    (first,) = sqlite3.connect(tmp_path / "s.sqlite").execute("SELECT expires FROM runs").fetchone()
    time.sleep(0.5)
    (renewed,) = sqlite3.connect(tmp_path / "s.sqlite").execute("SELECT expires FROM runs").fetchone()
    store.finish_run("r1", "now", "finished")
    store.close()
    assert renewed > first
