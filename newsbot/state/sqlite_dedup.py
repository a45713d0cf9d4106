"""The persistent near-duplicate index: LSH bands of MinHash signatures in SQLite.

The SQLite backend's `DedupClaims` (see :mod:`newsbot.state.protocols`): ``claim``
matches and adds in one write transaction, so its decision holds across processes.

Why not datasketch's MinHashLSH: it keeps its bands in memory (about 860 MB per 100k
signatures) or in Redis, and LSH Ensemble takes no inserts after indexing. Here each band
is an indexed row ``(band, hash, article)``, so a lookup is one join over ``bands``
primary-key searches and one fetch of the candidates' signatures: the cost per article
stays flat as the index grows to millions, and nothing is held in memory per article.

Tuning for containment, not Jaccard: a copy trimmed to 60% of a story, with a new intro,
has a Jaccard similarity near 0.3 with it but a containment near 0.9. The default 64
bands of 2 rows make any pair with Jaccard >= 0.2 a candidate with probability >= 0.93
(>= 0.997 at 0.3); candidates are then kept only if the smaller text is contained in the
larger at ``threshold`` or more, estimated from the MinHash Jaccard and the two set sizes.

An index whose signatures were made by another shingling (``SIGNATURE_VERSION``, e.g. one
from before CJK and Thai text was shingled by characters) cannot be compared with new
signatures. Given the archive's texts it is re-signed in place (same rows, same canonical
links, new signatures and bands): the crawl does this from ``ARCHIVE_DIR/articles``. Without
them it is refused, with a message naming ``python -m newsbot.dedupstore resign ARCHIVE_DIR``.

The tables (prefixed ``dedup_``) may share one SQLite file with other components and with
other processes: WAL mode, a busy timeout, and each ``claim`` decides its canonical inside
a write transaction (its own, or the crawl's batch, joined), so two crawls claiming at once
never both are first. The decision (canonical and score) is stored with the row, so a
second claim of the same article returns it unchanged.
"""

from __future__ import annotations

import logging
import sqlite3
from contextlib import AbstractContextManager, contextmanager
from typing import TYPE_CHECKING

import numpy as np

from newsbot.dedup import NUM_PERM, SIGNATURE_VERSION, containment, make_signature
from newsbot.state.bands import RESIGN_COMMAND, StaleSignatures, band_hashes
from newsbot.state.protocols import Match
from newsbot.state.sqlite import Checkpointer, StateStore, connect_for_writing, write_transaction

if TYPE_CHECKING:
    import os
    from collections.abc import Callable, Iterable, Iterator

    from newsbot.dedup import Signature

_SCHEMA = """
CREATE TABLE IF NOT EXISTS dedup_meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS dedup_articles (
    id INTEGER PRIMARY KEY,
    article_id TEXT NOT NULL UNIQUE,
    canonical INTEGER,          -- id of the first copy added, NULL when it is the first
    size INTEGER NOT NULL,      -- number of distinct shingles
    signature BLOB NOT NULL,    -- NUM_PERM little-endian uint32
    score REAL                  -- containment in the canonical's story when claimed
);
CREATE TABLE IF NOT EXISTS dedup_bands (
    band INTEGER NOT NULL,
    hash INTEGER NOT NULL,
    article INTEGER NOT NULL,
    PRIMARY KEY (band, hash, article)
) WITHOUT ROWID;
"""
_CANDIDATES = """
SELECT a.id, COALESCE(a.canonical, a.id), COALESCE(c.article_id, a.article_id), a.size, a.signature
FROM dedup_articles AS a LEFT JOIN dedup_articles AS c ON c.id = a.canonical
WHERE a.id IN (
    SELECT b.article FROM (VALUES {values}) AS q CROSS JOIN dedup_bands AS b
    ON b.band = q.column1 AND b.hash = q.column2
    LIMIT {limit}
)
"""


logger = logging.getLogger(__name__)


class DedupIndex:
    """A persistent MinHash LSH index of article signatures (see the module docstring).

    ``threshold``: minimum containment of the smaller text in the larger for a match
    (DEDUP_THRESHOLD). 0.6 sits in the gap the labelled pairs show between copies (rarely
    below 0.65) and different stories sharing a quote or a footer (up to ~0.55), on the
    side of precision: a story wrongly filed as a copy is lost from the feed. ``bands`` x ``rows`` <= NUM_PERM: the LSH banding (fixed when the
    file is created). ``min_jaccard``: below it a containment estimate rests on a handful
    of equal hash values and is noise. ``commit_every``: 1 commits each ``add`` (durable
    against a killed process once ``add`` returns); N > 1 holds the write lock across N
    adds (faster, but another process waits, and a crash loses up to N-1 adds, which the
    crash protocol re-adds). ``max_candidates`` bounds the work of one lookup;
    ``cache_kib`` is SQLite's page cache, the only memory the index holds; ``mmap_mib``
    maps that much of the file (SQLite caps it near 2 GiB), so that reading the pages of a
    large index costs no system call (it is the OS's file cache, shared and reclaimable).
    """

    def __init__(
        self,
        path: str | os.PathLike[str] | sqlite3.Connection,
        *,
        threshold: float = 0.6,
        bands: int = 64,
        rows: int = 2,
        min_jaccard: float = 0.1,
        commit_every: int = 1,
        max_candidates: int = 500,
        cache_kib: int = 16384,
        mmap_mib: int = 2047,
        texts: Callable[[], Iterable[tuple[str, str]]] | None = None,
        batch: StateStore | None = None,
    ) -> None:
        if bands * rows > NUM_PERM:
            raise ValueError(f"bands * rows must be <= {NUM_PERM}, got {bands} * {rows}")
        self.threshold = threshold
        self.bands, self.rows = bands, rows
        self.min_jaccard = min_jaccard
        self.commit_every = commit_every
        self.max_candidates = max_candidates
        self._pending = 0
        self._batch = batch  # the state store whose batch transaction claims join
        self._keys: tuple[Signature, list[tuple[int, int]]] | None = None
        # A connection passed in is shared (the crawl's state store): its owner opens and
        # commits the transactions, so that one commit covers a batch of articles.
        self._shared = isinstance(path, sqlite3.Connection)
        self._checkpointer: Checkpointer | None = None
        if isinstance(path, sqlite3.Connection):
            self._conn = path
        else:  # checkpoints off the adding thread: their cost grows with the index
            self._conn, self._checkpointer = connect_for_writing(path)
        self._conn.execute(f"PRAGMA cache_size = -{int(cache_kib)}")
        self._conn.execute(f"PRAGMA mmap_size = {int(mmap_mib) << 20}")
        self._create(texts)

    def _create(self, texts: Callable[[], Iterable[tuple[str, str]]] | None = None) -> None:
        expected = {
            "signature": SIGNATURE_VERSION,
            "bands": str(self.bands),
            "rows": str(self.rows),
        }
        with self._transaction():
            for statement in _SCHEMA.split(";"):
                if statement.strip():
                    self._conn.execute(statement)
            columns = {row[1] for row in self._conn.execute("PRAGMA table_info(dedup_articles)")}
            if "score" not in columns:  # an index from before claims stored their decision
                self._conn.execute("ALTER TABLE dedup_articles ADD COLUMN score REAL")
            self._conn.executemany(
                "INSERT OR IGNORE INTO dedup_meta (key, value) VALUES (?, ?)", expected.items()
            )
            stored = dict(self._conn.execute("SELECT key, value FROM dedup_meta"))
        wrong = {k: stored[k] for k, v in expected.items() if stored[k] != v}
        if set(wrong) == {"signature"}:
            if texts is None:
                raise StaleSignatures(
                    f"dedup index signed with {wrong['signature']}, this newsbot signs "
                    f"{SIGNATURE_VERSION}: re-sign it from the archive's records with "
                    f"`{RESIGN_COMMAND}` (a crawl with that ARCHIVE_DIR does it too)"
                )
            self.resign(texts())
        elif wrong:
            raise ValueError(
                f"dedup index built with other parameters {wrong}; expected {expected}"
            )

    def resign(self, texts: Iterable[tuple[str, str]]) -> tuple[int, int]:
        """Replace every signature by the current SIGNATURE_VERSION's of the article's text.

        Rows, ids and canonical links stay (who was first does not change); an indexed
        article with no text among ``texts`` keeps its row but can no longer be matched.
        Returns (re-signed, left without a text).
        """
        done = 0
        with self._transaction():
            self._conn.execute("DELETE FROM dedup_bands")
            self._conn.execute("UPDATE dedup_articles SET size = -1")
            for article_id, text in texts:
                done += self._resign_one(article_id, make_signature(text))
            missing = self._conn.execute(
                "UPDATE dedup_articles SET size = 0 WHERE size = -1"
            ).rowcount
            self._conn.execute(
                "UPDATE dedup_meta SET value = ? WHERE key = 'signature'", (SIGNATURE_VERSION,)
            )
        logger.warning(
            "dedup index re-signed (%s): %d articles, %d without a text left unmatched",
            SIGNATURE_VERSION,
            done,
            missing,
        )
        return done, missing

    def _resign_one(self, article_id: str, sig: Signature) -> int:
        row = self._conn.execute(
            "UPDATE dedup_articles SET size = ?, signature = ? WHERE article_id = ? AND size = -1"
            " RETURNING id",
            (sig.size, sig.hashvalues, article_id),
        ).fetchone()
        if row is None:
            return 0  # not indexed, or a second record of it
        if not sig.too_short:
            self._conn.executemany(
                "INSERT OR IGNORE INTO dedup_bands (band, hash, article) VALUES (?, ?, ?)",
                [(band, h, row[0]) for band, h in band_hashes(sig, self.bands, self.rows)],
            )
        return 1

    def _transaction(self) -> AbstractContextManager[sqlite3.Connection]:
        """A write transaction of its own (after committing a batch of adds still open),
        or the shared connection owner's, joined."""
        self.commit()
        return write_transaction(self._conn)

    def __len__(self) -> int:
        return int(self._conn.execute("SELECT COUNT(*) FROM dedup_articles").fetchone()[0])

    def commit_number(self, article_id: str) -> int | None:
        """The row id: claims are numbered in the order they committed."""
        row = self._conn.execute(
            "SELECT id FROM dedup_articles WHERE article_id = ?", (article_id,)
        ).fetchone()
        return int(row[0]) if row else None

    def __contains__(self, article_id: object) -> bool:
        """Whether ``article_id`` was added (the crash protocol re-adds those that were not)."""
        row = self._conn.execute("SELECT 1 FROM dedup_articles WHERE article_id = ?", (article_id,))
        return row.fetchone() is not None

    def match(self, sig: Signature) -> Match | None:
        """The best earlier copy's canonical story and score, or None (a read: adds nothing)."""
        best = self._best(sig)
        return best[1] if best else None

    def claim(self, article_id: str, sig: Signature) -> Match | None:
        """Match and add in one write transaction; a second claim returns the stored decision."""
        with self._claiming():
            stored = self._decision(article_id)
            if stored is not None:
                return stored[0]
            best = self._best(sig)
            self._insert(article_id, sig, best)
        return best[1] if best else None

    def add(self, article_id: str, sig: Signature) -> None:
        """Record one article (a claim whose decision is not needed); idempotent."""
        self.claim(article_id, sig)

    def _decision(self, article_id: str) -> tuple[Match | None] | None:
        """(the decision stored for an article,) or None if it was never claimed. An index
        from before scores were stored gives the containment in the canonical itself."""
        row = self._conn.execute(
            "SELECT c.article_id, a.score, a.signature, a.size, c.signature, c.size"
            " FROM dedup_articles AS a LEFT JOIN dedup_articles AS c ON c.id = a.canonical"
            " WHERE a.article_id = ?",
            (article_id,),
        ).fetchone()
        if row is None:
            return None
        canonical, score, sig, size, canonical_sig, canonical_size = row
        if canonical is None:
            return (None,)
        if score is None:
            j = (
                float(
                    np.count_nonzero(
                        np.frombuffer(sig, "<u4") == np.frombuffer(canonical_sig, "<u4")
                    )
                )
                / NUM_PERM
            )
            score = round(containment(j, size, canonical_size), 4)
        return (Match(canonical, float(score)),)

    @contextmanager
    def _claiming(self) -> Iterator[None]:
        """The write lock for one claim: the crawl's batch transaction, joined (opened if
        needed), on a shared connection; otherwise a transaction committed every
        ``commit_every`` claims."""
        if self._shared:
            if self._batch is not None:
                self._batch.join()
            with write_transaction(self._conn):
                yield
            return
        if self._pending == 0:
            self._conn.execute("BEGIN IMMEDIATE")
        try:
            yield
        except BaseException:
            self._conn.execute("ROLLBACK")
            self._pending = 0
            raise
        self._pending += 1
        if self._pending >= self.commit_every:
            self.commit()

    def _best(self, sig: Signature) -> tuple[int, Match] | None:
        if sig.too_short:
            return None
        rows = self._candidates(sig)
        if not rows:
            return None
        matrix = np.frombuffer(b"".join(r[4] for r in rows), dtype="<u4").reshape(len(rows), -1)
        js = np.count_nonzero(matrix == sig.array(), axis=1) / NUM_PERM
        best: tuple[float, int, str, int] | None = None
        for (id_, root, root_article, size, _), j in zip(rows, js.tolist()):
            score = containment(j, sig.size, size)
            if j < self.min_jaccard or score < self.threshold:
                continue
            if best is None or (score, -id_) > (best[0], -best[3]):
                best = (score, root, root_article, id_)
        if best is None:
            return None
        return best[1], Match(best[2], round(best[0], 4))

    def _candidates(self, sig: Signature) -> list[tuple[int, int, str, int, bytes]]:
        keys = self._band_keys(sig)
        sql = _CANDIDATES.format(values=",".join(["(?,?)"] * len(keys)), limit=self.max_candidates)
        return self._conn.execute(sql, [v for key in keys for v in key]).fetchall()

    def _insert(self, article_id: str, sig: Signature, best: tuple[int, Match] | None) -> None:
        cur = self._conn.execute(
            "INSERT INTO dedup_articles (article_id, canonical, size, signature, score)"
            " VALUES (?, ?, ?, ?, ?)",
            (
                article_id,
                best[0] if best else None,
                sig.size,
                sig.hashvalues,
                best[1].score if best else None,
            ),
        )
        if not sig.too_short:
            self._conn.executemany(
                "INSERT OR IGNORE INTO dedup_bands (band, hash, article) VALUES (?, ?, ?)",
                [(band, h, cur.lastrowid) for band, h in self._band_keys(sig)],
            )

    def _band_keys(self, sig: Signature) -> list[tuple[int, int]]:
        """``band_hashes`` of the signature, once for its match and its add."""
        if self._keys is None or self._keys[0] is not sig:
            self._keys = (sig, band_hashes(sig, self.bands, self.rows))
        return self._keys[1]

    def commit(self) -> None:
        """Commit the claims not yet committed (only needed with ``commit_every`` > 1)."""
        if self._pending:
            self._conn.execute("COMMIT")
            self._pending = 0

    def bulk_load(self, items: Iterable[tuple[str, Signature]]) -> int:
        """Load many signatures in one transaction, each its own canonical, without matching.

        For building indexes fast (benchmarks, rebuilds from an archive known to hold no
        duplicates); a crawl uses :meth:`add`. Returns the number of articles loaded.
        """
        self.commit()
        with self._transaction():
            start = self._conn.execute(
                "SELECT COALESCE(MAX(id), 0) FROM dedup_articles"
            ).fetchone()[0]
            rows = [(start + i + 1, aid, sig) for i, (aid, sig) in enumerate(items)]
            self._conn.executemany(
                "INSERT INTO dedup_articles (id, article_id, size, signature) VALUES (?, ?, ?, ?)",
                [(id_, aid, sig.size, sig.hashvalues) for id_, aid, sig in rows],
            )
            bands = sorted(self._band_rows(rows))
            self._conn.executemany(
                "INSERT INTO dedup_bands (band, hash, article) VALUES (?, ?, ?)", bands
            )
        return len(rows)

    def _band_rows(self, rows: list[tuple[int, str, Signature]]) -> Iterator[tuple[int, int, int]]:
        for id_, _, sig in rows:
            if not sig.too_short:
                for band, h in band_hashes(sig, self.bands, self.rows):
                    yield band, h, id_

    def close(self) -> None:
        """Commit what is pending and close the connection (unless it is shared)."""
        self.commit()
        if self._checkpointer is not None:
            self._checkpointer.stop()
        if not self._shared:
            self._conn.close()

    def __enter__(self) -> DedupIndex:  # noqa: PYI034
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()
