"""WARC payload digests in SQLite: the digest store behind the state seam.

The WARC writer thread calls it, so it is a separate, thread-safe object with a
connection (and by default a file, ``warc-digests.sqlite``) of its own: the writer
never waits for the reactor's open batch transaction on the state file.
"""

from __future__ import annotations

import logging
import sqlite3
import threading
from pathlib import Path

from newsbot.state.protocols import Original

logger = logging.getLogger(__name__)


class DigestStore:
    """Payload digest -> first full capture, in SQLite, shared by runs and processes.

    The database file may be the one other components use (the state store):
    the table is prefixed ``warc_``, the journal is WAL and a busy timeout lets
    concurrent writers wait instead of failing. The first writer of a digest wins
    (``INSERT OR IGNORE``), so two processes racing on one payload both keep a
    full copy and agree on the original afterwards. One connection, guarded by a
    lock, so a store may be shared by threads.
    """

    def __init__(self, path: str | Path, *, busy_timeout_ms: int = 30_000) -> None:
        self.path = Path(path)
        self.path.parent.mkdir(parents=True, exist_ok=True)
        self._lock = threading.Lock()
        self._db = sqlite3.connect(
            self.path, timeout=busy_timeout_ms / 1000, isolation_level=None, check_same_thread=False
        )
        self._db.execute(f"PRAGMA busy_timeout = {int(busy_timeout_ms)}")
        self._db.execute("PRAGMA journal_mode = WAL")
        # Per connection: commit without fsync (WAL stays consistent; a power cut
        # may forget the last digests, which only costs a full copy, never a bad
        # revisit, since recovery forgets digests of cut records).
        self._db.execute("PRAGMA synchronous = NORMAL")
        self._db.execute(
            "CREATE TABLE IF NOT EXISTS warc_digests ("
            " digest TEXT PRIMARY KEY, uri TEXT NOT NULL, date TEXT NOT NULL,"
            " record_id TEXT NOT NULL, file TEXT NOT NULL DEFAULT '',"
            " offset INTEGER NOT NULL DEFAULT -1)"
        )
        self._db.execute(
            "CREATE INDEX IF NOT EXISTS warc_digests_file ON warc_digests (file, offset)"
        )

    def get(self, digest: str) -> Original | None:
        """The first full capture with this payload digest, if any."""
        with self._lock:
            row = self._db.execute(
                "SELECT uri, date, record_id, file, offset FROM warc_digests WHERE digest = ?",
                (digest,),
            ).fetchone()
        return Original(*row) if row else None

    def add(self, digest: str, original: Original) -> bool:
        """Remember `original` unless the digest is known; True if it was added."""
        with self._lock:
            cur = self._db.execute(
                "INSERT OR IGNORE INTO warc_digests VALUES (?, ?, ?, ?, ?, ?)",
                (
                    digest,
                    original.uri,
                    original.date,
                    original.record_id,
                    original.file,
                    original.offset,
                ),
            )
        return cur.rowcount == 1

    def forget_from(self, file: str, offset: int) -> int:
        """Drop originals at or past `offset` in `file` (cut away by crash recovery)."""
        with self._lock:
            cur = self._db.execute(
                "DELETE FROM warc_digests WHERE file = ? AND offset >= ?", (file, offset)
            )
        if cur.rowcount:
            logger.warning("forgot %d payload digests cut from %s", cur.rowcount, file)
        return cur.rowcount

    def __len__(self) -> int:
        with self._lock:
            return int(self._db.execute("SELECT COUNT(*) FROM warc_digests").fetchone()[0])

    def close(self) -> None:
        with self._lock:
            self._db.close()
