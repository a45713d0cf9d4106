"""The SQLite state store: versions, interrupted runs, the lease heartbeat, an older file gaining a table."""

from __future__ import annotations

import time
from pathlib import Path

from newsbot.state import StateStore, text_hash


def test_state_versions_and_interrupted_runs(tmp_path: Path) -> None:
    store = StateStore(tmp_path / "s.sqlite")
    # started now: a run dated before this process began would be a reused pid's, so dead
    store.start_run(
        "r1",
        "news",
        time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime()),
        {"articles": "articles/r1.jsonl"},
    )
    store.record(
        {"id": "a" * 16, "url": "http://x/a", "version": 1}, "x/a", text_hash("one two"), "r1"
    )
    store.record(
        {"id": "b" * 16, "url": "http://x/a", "version": 2}, "x/a", text_hash("one three"), "r1"
    )
    latest = store.latest("x/a")
    assert latest and latest.version == 2 and latest.id == "b" * 16
    assert store.is_recorded("a" * 16)
    # r1 belongs to this live process: not interrupted
    assert store.interrupted_runs() == []
    store.conn.execute("UPDATE runs SET pid = 999999999 WHERE run_id = 'r1'")
    assert [r for r, _ in store.interrupted_runs()] == ["r1"]
    assert text_hash("one  two\n") == text_hash("one two")


def test_heartbeat_renews_the_lease_of_a_live_run(tmp_path: Path) -> None:
    """The lease is renewed from a thread of its own (every quarter of it) until the run ends."""
    import sqlite3

    store = StateStore(tmp_path / "s.sqlite")
    store.start_run("r1", "news", time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime()), {}, lease=0.4)
    (first,) = sqlite3.connect(tmp_path / "s.sqlite").execute("SELECT expires FROM runs").fetchone()
    time.sleep(0.5)
    (renewed,) = (
        sqlite3.connect(tmp_path / "s.sqlite").execute("SELECT expires FROM runs").fetchone()
    )
    store.finish_run("r1", "now", "finished")
    store.close()
    assert renewed > first


def test_a_state_file_from_before_health_history_opens_and_gains_it(tmp_path: Path) -> None:
    import sqlite3

    from newsbot.state import SqliteBackend

    path = tmp_path / "state" / "newsbot.sqlite"
    old = SqliteBackend(path)  # the tables an archive had: runs, articles, dedup, templates
    old.records.start_run("r1", "news", "2025-12-01T00:00:00Z", {})
    old.template_counts().observe("x", 1, {1})
    old.close()
    tables = {r[0] for r in sqlite3.connect(path).execute("SELECT name FROM sqlite_master")}
    assert "health_runs" not in tables
    backend = SqliteBackend(path)
    try:
        backend.health_history().append("news", "r1", "x", {"records": 3})
        backend.records.commit()
        assert backend.health_history().previous("news", "x", "r2", 5) == [{"records": 3}]
        assert backend.template_counts().site_pages("x") == 1  # the rest as it was
    finally:
        backend.close()
