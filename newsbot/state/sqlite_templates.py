"""Per-site paragraph counts (tables ``tmpl_*``, behind `TemplateCounts`) and time-zone
counts (``zone_*``, behind `SiteZones`) in SQLite.

The guards that decide what is boilerplate live in :mod:`newsbot.templates`; this
is only the storage. On the crawl's shared connection every write joins the state
store's batch transaction (one commit per batch); opened on a path, each write is a
transaction of its own.
"""

from __future__ import annotations

import sqlite3
from contextlib import AbstractContextManager
from typing import TYPE_CHECKING

from newsbot.state.sqlite import StateStore, connect, write_transaction

if TYPE_CHECKING:
    import os
    from collections.abc import Collection

SCHEMA = """
CREATE TABLE IF NOT EXISTS tmpl_sites (
    id INTEGER PRIMARY KEY, site TEXT NOT NULL UNIQUE, pages INTEGER NOT NULL DEFAULT 0
);
CREATE TABLE IF NOT EXISTS tmpl_pages (
    site_id INTEGER NOT NULL, page INTEGER NOT NULL, PRIMARY KEY (site_id, page)
) WITHOUT ROWID;
CREATE TABLE IF NOT EXISTS tmpl_paragraphs (
    site_id INTEGER NOT NULL, hash INTEGER NOT NULL, pages INTEGER NOT NULL,
    last_seen INTEGER NOT NULL, fixed INTEGER NOT NULL DEFAULT 0,
    PRIMARY KEY (site_id, hash)
) WITHOUT ROWID;
"""

ZONE_SCHEMA = """
CREATE TABLE IF NOT EXISTS zone_pages (
    site TEXT NOT NULL, page INTEGER NOT NULL, PRIMARY KEY (site, page)
) WITHOUT ROWID;
CREATE TABLE IF NOT EXISTS zone_counts (
    site TEXT NOT NULL, zone TEXT NOT NULL, pages INTEGER NOT NULL, PRIMARY KEY (site, zone)
) WITHOUT ROWID;
"""


class _Batched:
    """A table group on the crawl's shared connection (joining its batch) or on a path."""

    schema = SCHEMA

    def __init__(
        self, path: str | os.PathLike[str] | sqlite3.Connection, *, batch: StateStore | None = None
    ) -> None:
        self._shared = isinstance(path, sqlite3.Connection)
        self.conn: sqlite3.Connection = (
            path if isinstance(path, sqlite3.Connection) else connect(path)
        )
        self.conn.executescript(self.schema)
        self._batch = batch

    def close(self) -> None:
        if not self._shared:
            self.conn.close()

    def _writing(self) -> AbstractContextManager[sqlite3.Connection]:
        """The batch transaction, joined (opened if needed), or a transaction of its own."""
        if self._batch is not None:
            self._batch.join()
        return write_transaction(self.conn)


class SqliteSiteZones(_Batched):
    """Pages counted per site, and how many fit each zone."""

    schema = ZONE_SCHEMA

    def observe(self, site: str, page: int, zones: Collection[str]) -> bool:
        with self._writing():
            new = self.conn.execute(
                "INSERT OR IGNORE INTO zone_pages (site, page) VALUES (?, ?)", (site, page)
            )
            if new.rowcount == 0:
                return False
            self.conn.executemany(
                "INSERT INTO zone_counts (site, zone, pages) VALUES (?, ?, 1)"
                " ON CONFLICT (site, zone) DO UPDATE SET pages = pages + 1",
                [(site, zone) for zone in set(zones)],
            )
        return True

    def counts(self, site: str) -> tuple[int, dict[str, int]]:
        (pages,) = self.conn.execute(
            "SELECT count(*) FROM zone_pages WHERE site = ?", (site,)
        ).fetchone()
        rows = self.conn.execute("SELECT zone, pages FROM zone_counts WHERE site = ?", (site,))
        return int(pages), {zone: int(n) for zone, n in rows}


class SqliteTemplateCounts(_Batched):
    """Distinct pages per site and per (site, paragraph hash), shared by processes and runs."""

    def __init__(
        self, path: str | os.PathLike[str] | sqlite3.Connection, *, batch: StateStore | None = None
    ) -> None:
        super().__init__(path, batch=batch)
        self._site_ids: dict[str, int] = {}

    def observe(self, site: str, page: int, hashes: Collection[int]) -> int | None:
        with self._writing():
            site_id = self._site_id(site)
            seen = self.conn.execute(
                "INSERT OR IGNORE INTO tmpl_pages (site_id, page) VALUES (?, ?)", (site_id, page)
            )
            if seen.rowcount == 0:
                return None
            (n,) = self.conn.execute(
                "UPDATE tmpl_sites SET pages = pages + 1 WHERE id = ? RETURNING pages", (site_id,)
            ).fetchone()
            self.conn.executemany(
                "INSERT INTO tmpl_paragraphs (site_id, hash, pages, last_seen) VALUES (?, ?, 1, ?)"
                " ON CONFLICT (site_id, hash)"
                " DO UPDATE SET pages = pages + 1, last_seen = excluded.last_seen",
                [(site_id, h, n) for h in hashes],
            )
        return int(n)

    def site_pages(self, site: str) -> int:
        row = self.conn.execute("SELECT pages FROM tmpl_sites WHERE site = ?", (site,)).fetchone()
        return int(row[0]) if row else 0

    def counts(
        self, site: str, hashes: Collection[int]
    ) -> tuple[int, dict[int, tuple[int, bool]]] | None:
        row = self.conn.execute(
            "SELECT id, pages FROM tmpl_sites WHERE site = ?", (site,)
        ).fetchone()
        if row is None:
            return None
        site_id, site_pages = row
        counts: dict[int, tuple[int, bool]] = {}
        chunk = list(hashes)
        for start in range(0, len(chunk), 500):  # stay under SQLite's bound-parameter limit
            part = chunk[start : start + 500]
            rows = self.conn.execute(
                f"SELECT hash, pages, fixed FROM tmpl_paragraphs WHERE site_id = ?"
                f" AND hash IN ({','.join('?' * len(part))})",
                (site_id, *part),
            )
            counts.update((h, (pages, bool(fixed))) for h, pages, fixed in rows)
        return int(site_pages), counts

    def fix(self, site: str, hashes: Collection[int]) -> None:
        with self._writing():
            site_id = self._site_id(site)
            self.conn.executemany(
                "UPDATE tmpl_paragraphs SET fixed = 1 WHERE site_id = ? AND hash = ? AND fixed = 0",
                [(site_id, h) for h in hashes],
            )

    def prune(self, min_pages: int, idle_pages: int) -> int:
        with write_transaction(self.conn):
            cur = self.conn.execute(
                "DELETE FROM tmpl_paragraphs WHERE fixed = 0 AND pages < ? AND last_seen <"
                " (SELECT pages FROM tmpl_sites WHERE tmpl_sites.id = tmpl_paragraphs.site_id) - ?",
                (min_pages, idle_pages),
            )
        return cur.rowcount

    def _site_id(self, site: str) -> int:
        site_id = self._site_ids.get(site)
        if site_id is None:  # ids never change once given: remembered, not looked up per page
            self.conn.execute("INSERT OR IGNORE INTO tmpl_sites (site) VALUES (?)", (site,))
            (site_id,) = self.conn.execute(
                "SELECT id FROM tmpl_sites WHERE site = ?", (site,)
            ).fetchone()
            self._site_ids[site] = site_id = int(site_id)
        return site_id
