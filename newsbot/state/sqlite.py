"""The SQLite state backend: one file shared by every run of an archive.

This is the one place that decides whether an article is "already recorded"
(the `articles` table). The JSONL writer appends a line first and records it
here second; `recover_run` repairs the other order after a crash, so a killed
run followed by the same command records each article exactly once.

The dedup index (`sqlite_dedup.py`) and the template counts
(`sqlite_templates.py`) keep their own tables, prefixed, in the same file and on
the same connection, and join its batch transaction; the WARC payload digests
live in a file of their own (`digests.py`). WAL mode and a busy timeout let two
crawls that share an ARCHIVE_DIR (Scrapyd jobs side by side) use it at once.
"""

from __future__ import annotations

import json
import logging
import os
import sqlite3
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING, Any

from newsbot.state.liveness import Heartbeat, Lease, Owner, is_dead
from newsbot.state.protocols import Recorded

if TYPE_CHECKING:
    from collections.abc import Callable, Mapping

logger = logging.getLogger(__name__)

BUSY_TIMEOUT_MS = 60_000

SCHEMA = """
CREATE TABLE IF NOT EXISTS runs (
    run_id TEXT PRIMARY KEY, spider TEXT, host TEXT, pid INTEGER,
    started TEXT, finished TEXT, status TEXT, outputs TEXT,
    owner TEXT, boot_id TEXT, expires REAL
);
CREATE TABLE IF NOT EXISTS articles (
    id TEXT PRIMARY KEY, url TEXT NOT NULL, url_key TEXT NOT NULL, version INTEGER NOT NULL,
    text_hash TEXT, duplicate_of TEXT, run_id TEXT, fetched_at TEXT
);
CREATE INDEX IF NOT EXISTS articles_url_key ON articles (url_key, version);
CREATE TABLE IF NOT EXISTS captures (
    url_key TEXT PRIMARY KEY, url TEXT, fetched_at TEXT, status INTEGER,
    etag TEXT, last_modified TEXT, is_article INTEGER DEFAULT 0
);
"""


def connect(path: str | os.PathLike[str]) -> sqlite3.Connection:
    """Open (creating) a SQLite file the way every newsbot component must."""
    Path(path).parent.mkdir(parents=True, exist_ok=True)
    conn = sqlite3.connect(str(path), timeout=BUSY_TIMEOUT_MS / 1000, isolation_level=None)
    conn.execute(f"PRAGMA busy_timeout={BUSY_TIMEOUT_MS}")
    _wal(conn)
    conn.execute("PRAGMA synchronous=NORMAL")
    return conn


def _wal(conn: sqlite3.Connection) -> None:
    """``journal_mode=WAL``, waiting for a file another process is creating right now: that
    change needs the file to itself, and SQLite may answer busy there at once instead of
    waiting out the busy timeout (seen once: two claimers opening one fresh file)."""
    deadline = time.monotonic() + BUSY_TIMEOUT_MS / 1000
    while True:
        try:
            conn.execute("PRAGMA journal_mode=WAL")
            return
        except sqlite3.OperationalError as exc:
            if "locked" not in str(exc) or time.monotonic() > deadline:
                raise
            time.sleep(0.05)


@contextmanager
def write_transaction(conn: sqlite3.Connection) -> Iterator[sqlite3.Connection]:
    """``BEGIN IMMEDIATE`` ... ``COMMIT`` (``ROLLBACK`` on error) on an autocommit connection:
    the write lock is taken first, so the reads inside stay valid. Inside a transaction the
    owner of a shared connection opened (the crawl's batch), just join it: the owner commits."""
    if conn.in_transaction:
        yield conn
        return
    conn.execute("BEGIN IMMEDIATE")
    try:
        yield conn
    except BaseException:
        conn.execute("ROLLBACK")
        raise
    conn.execute("COMMIT")


class Checkpointer:
    """WAL checkpoints in a background thread, not on the committing thread.

    SQLite checkpoints the WAL on the commit that crosses its threshold; on a
    large index that copies many scattered pages back into the file, and the
    cost grows with the file. Moving it to a thread of its own (own connection,
    PASSIVE mode, so it never blocks readers or the writer) keeps the reactor's
    cost per article flat as the index grows.
    """

    def __init__(self, path: str | os.PathLike[str], interval: float = 2.0) -> None:
        self.path = str(path)
        self.interval = interval
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, name="newsbot-checkpoint", daemon=True)
        self._thread.start()

    def _run(self) -> None:
        conn = connect(self.path)
        try:
            while not self._stop.wait(self.interval):
                try:
                    conn.execute("PRAGMA wal_checkpoint(PASSIVE)")
                except sqlite3.OperationalError as exc:  # busy now: the next round will do
                    logger.debug("checkpoint of %s deferred: %s", self.path, exc)
        finally:
            conn.close()

    def stop(self) -> None:
        self._stop.set()
        self._thread.join(timeout=30)


def connect_for_writing(path: str | os.PathLike[str]) -> tuple[sqlite3.Connection, Checkpointer]:
    """A connection whose WAL checkpoints a background thread makes (see Checkpointer)."""
    conn = connect(path)
    conn.execute("PRAGMA wal_autocheckpoint=0")
    return conn, Checkpointer(path)


class StateStore:
    """Runs, recorded articles and per-URL capture facts.

    Its connection is shared with the dedup index and the template store, and
    writes are committed in batches (`maybe_commit`): one commit per batch of
    articles instead of several per article. A crash loses at most the last
    uncommitted batch of state, which the JSONL files restore (`recover`).
    """

    def __init__(
        self, path: str | os.PathLike[str], *, batch_size: int = 100, batch_seconds: float = 1.0
    ) -> None:
        self.path = Path(path)
        self.conn, self._checkpointer = connect_for_writing(self.path)
        self.conn.executescript(SCHEMA)
        migrate_runs(self.conn)
        self.batch_size = batch_size
        self.batch_seconds = batch_seconds
        self._ops = 0
        self._opened = 0.0
        self._heartbeats: dict[str, Heartbeat] = {}

    # --- batched transactions ---------------------------------------------
    def begin(self) -> None:
        """Open the batch transaction if none is open (writes of every sharer join it)."""
        if not self.conn.in_transaction:
            self.conn.execute("BEGIN IMMEDIATE")
            self._opened = time.monotonic()
        self._ops += 1

    def join(self) -> None:
        """Open the batch transaction if none is open, without counting an operation: the
        dedup index and template counts write inside it, under its write lock."""
        if not self.conn.in_transaction:
            self.conn.execute("BEGIN IMMEDIATE")
            self._opened = time.monotonic()

    def commit(self) -> None:
        if self.conn.in_transaction:
            self.conn.execute("COMMIT")
        self._ops = 0

    def maybe_commit(self) -> None:
        """Commit when the batch is large or old enough."""
        if self.conn.in_transaction and (
            self._ops >= self.batch_size or time.monotonic() - self._opened >= self.batch_seconds
        ):
            self.commit()

    # --- runs -------------------------------------------------------------
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
        mine = owner is None
        owner = owner or Owner()
        self.begin()
        self.conn.execute(
            "INSERT INTO runs (run_id, spider, host, pid, started, status, outputs, owner,"
            " boot_id, expires) VALUES (?, ?, ?, ?, ?, 'running', ?, ?, ?, ?)",
            (
                run_id,
                spider,
                owner.host,
                owner.pid,
                started,
                json.dumps(outputs),
                owner.id,
                owner.boot,
                time.time() + lease,
            ),
        )
        self.commit()
        if mine:
            beat, done = _lease_writer(self.path, run_id, lease)
            self._heartbeats[run_id] = Heartbeat(beat, lease / 4, done)

    def finish_run(self, run_id: str, finished: str, status: str) -> None:
        heartbeat = self._heartbeats.pop(run_id, None)
        if heartbeat is not None:
            heartbeat.stop()
        self.begin()
        self.conn.execute(
            "UPDATE runs SET finished = ?, status = ? WHERE run_id = ?", (finished, status, run_id)
        )
        self.commit()

    def interrupted_runs(self, now: float | None = None) -> list[tuple[str, dict[str, str]]]:
        """Runs that never finished and are dead (not a live sibling crawl, here or on
        another host sharing the archive: see liveness.py)."""
        rows = self.conn.execute(
            "SELECT run_id, host, boot_id, pid, started, expires, outputs FROM runs"
            " WHERE finished IS NULL"
        ).fetchall()
        return [
            (run_id, json.loads(outputs or "{}"))
            for run_id, host, boot, pid, started, expires, outputs in rows
            if is_dead(Lease(Owner(host or "", boot or "", pid or 0), started, expires), now)
        ]

    # --- articles ---------------------------------------------------------
    def latest(self, url_key: str) -> Recorded | None:
        row = self.conn.execute(
            "SELECT id, version, text_hash FROM articles WHERE url_key = ?"
            " ORDER BY version DESC LIMIT 1",
            (url_key,),
        ).fetchone()
        return Recorded(*row) if row else None

    def is_recorded(self, article_id: str) -> bool:
        return (
            self.conn.execute("SELECT 1 FROM articles WHERE id = ?", (article_id,)).fetchone()
            is not None
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
        """Mark an article as written; idempotent, so crash recovery can replay it (``line``
        is not kept: SQLite loses no committed batch)."""
        self.begin()
        self.conn.execute(
            "INSERT OR IGNORE INTO articles (id, url, url_key, version, text_hash, duplicate_of,"
            " run_id, fetched_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
            (
                rec["id"],
                rec["url"],
                url_key,
                rec.get("version", 1),
                text_hash,
                rec.get("duplicate_of"),
                run_id,
                rec.get("fetched_at"),
            ),
        )

    def recorded_at(self, article_id: str) -> str | None:
        """Capture time of a recorded article."""
        row = self.conn.execute(
            "SELECT fetched_at FROM articles WHERE id = ?", (article_id,)
        ).fetchone()
        return row[0] if row else None

    def count_articles(self) -> int:
        return int(self.conn.execute("SELECT COUNT(*) FROM articles").fetchone()[0])

    # --- captures (incremental crawling) -----------------------------------
    def capture(self, url_key: str) -> tuple[str | None, str | None, str | None] | None:
        """(fetched_at, etag, last_modified) of the last capture of a URL, if any."""
        row = self.conn.execute(
            "SELECT fetched_at, etag, last_modified FROM captures WHERE url_key = ?", (url_key,)
        ).fetchone()
        return (row[0], row[1], row[2]) if row else None

    def note_capture(
        self,
        url_key: str,
        url: str,
        fetched_at: str,
        status: int,
        etag: str | None,
        last_modified: str | None,
    ) -> None:
        self.begin()
        self.conn.execute(
            "INSERT INTO captures (url_key, url, fetched_at, status, etag, last_modified)"
            " VALUES (?, ?, ?, ?, ?, ?) ON CONFLICT(url_key) DO UPDATE SET url = excluded.url,"
            " fetched_at = excluded.fetched_at, status = excluded.status,"
            " etag = COALESCE(excluded.etag, captures.etag),"
            " last_modified = COALESCE(excluded.last_modified, captures.last_modified)",
            (url_key, url, fetched_at, status, etag, last_modified),
        )

    def close(self) -> None:
        for heartbeat in self._heartbeats.values():
            heartbeat.stop()
        self._heartbeats.clear()
        self.commit()
        self._checkpointer.stop()
        self.conn.execute("PRAGMA wal_checkpoint(PASSIVE)")
        self.conn.close()


LEASE_COLUMNS = {"owner": "TEXT", "boot_id": "TEXT", "expires": "REAL"}


def migrate_runs(conn: sqlite3.Connection) -> None:
    """Add the lease columns to a state file from before run leases (NULL: no lease)."""
    have = {row[1] for row in conn.execute("PRAGMA table_info(runs)")}
    missing = [(name, kind) for name, kind in LEASE_COLUMNS.items() if name not in have]
    if missing:
        with write_transaction(conn):
            for name, kind in missing:
                conn.execute(f"ALTER TABLE runs ADD COLUMN {name} {kind}")
        logger.info("state file migrated: runs carry leases")


def _lease_writer(
    path: Path, run_id: str, lease: float
) -> tuple[Callable[[], None], Callable[[], None]]:
    """(beat, done) for a Heartbeat: renew one run's lease on a connection opened in the
    heartbeat's thread, so its wait for a busy file is never the reactor's."""
    held: list[sqlite3.Connection] = []

    def beat() -> None:
        if not held:
            held.append(connect(path))
        held[0].execute(
            "UPDATE runs SET expires = ? WHERE run_id = ? AND finished IS NULL",
            (time.time() + lease, run_id),
        )

    def done() -> None:
        for conn in held:
            conn.close()

    return beat, done
