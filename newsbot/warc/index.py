"""Indexes over WARC files: the CDXJ beside each closed file, and the digest store.

The digest store remembers, for each payload digest, the first full capture of
it, so a later capture of identical bytes (this run or a later one, any URL)
becomes a small ``revisit`` record instead of another copy.
"""

from __future__ import annotations

import logging
import os
import sqlite3
import threading
from dataclasses import dataclass
from pathlib import Path

from warcio.utils import Digester

from newsbot.warc.naming import cdxj_path

logger = logging.getLogger(__name__)

# Records the CDXJ lists: what a replay tool may serve for a URL. Our metadata
# records carry the page's URL but a JSON payload, so they stay out.
CDXJ_RECORDS = "response,revisit,resource"


def payload_digest(body: bytes) -> str:
    """``sha1:<base32>`` of a payload, exactly as warcio writes WARC-Payload-Digest."""
    digester = Digester("sha1")
    digester.update(body)
    return str(digester)


def write_cdxj(warc_path: Path) -> Path:
    """Index one closed WARC file into ``<name>.cdxj`` beside it (sorted, as pywb expects).

    Written to a temporary name and renamed, so a reader never sees half an index.
    """
    from cdxj_indexer.main import write_cdx_index  # on first use: a replay never indexes

    out = cdxj_path(warc_path)
    tmp = out.with_name(out.name + ".tmp")
    write_cdx_index(str(tmp), [str(warc_path)],
                    {"sort": True, "post_append": True, "records": CDXJ_RECORDS})
    os.replace(tmp, out)
    return out


@dataclass(frozen=True)
class Original:
    """Where the first full capture of a payload is."""

    uri: str
    date: str        # its WARC-Date
    record_id: str
    file: str = ""   # relative to the archive root; informative
    offset: int = -1


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
        self._db = sqlite3.connect(self.path, timeout=busy_timeout_ms / 1000,
                                   isolation_level=None, check_same_thread=False)
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
            "CREATE INDEX IF NOT EXISTS warc_digests_file ON warc_digests (file, offset)")

    def get(self, digest: str) -> Original | None:
        """The first full capture with this payload digest, if any."""
        with self._lock:
            row = self._db.execute(
                "SELECT uri, date, record_id, file, offset FROM warc_digests WHERE digest = ?",
                (digest,)).fetchone()
        return Original(*row) if row else None

    def add(self, digest: str, original: Original) -> bool:
        """Remember `original` unless the digest is known; True if it was added."""
        with self._lock:
            cur = self._db.execute(
                "INSERT OR IGNORE INTO warc_digests VALUES (?, ?, ?, ?, ?, ?)",
                (digest, original.uri, original.date, original.record_id,
                 original.file, original.offset))
        return cur.rowcount == 1

    def forget_from(self, file: str, offset: int) -> int:
        """Drop originals at or past `offset` in `file` (cut away by crash recovery)."""
        with self._lock:
            cur = self._db.execute(
                "DELETE FROM warc_digests WHERE file = ? AND offset >= ?", (file, offset))
        if cur.rowcount:
            logger.warning("forgot %d payload digests cut from %s", cur.rowcount, file)
        return cur.rowcount

    def __len__(self) -> int:
        with self._lock:
            return int(self._db.execute("SELECT COUNT(*) FROM warc_digests").fetchone()[0])

    def close(self) -> None:
        with self._lock:
            self._db.close()
