"""The SQLite state backend (``STATE_BACKEND = "newsbot.state.SqliteBackend"``, the default)."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

from newsbot.state.digests import DigestStore
from newsbot.state.sqlite import StateStore
from newsbot.state.sqlite_dedup import DedupIndex
from newsbot.state.sqlite_health import SqliteHealthHistory
from newsbot.state.sqlite_templates import SqliteSiteZones, SqliteTemplateCounts

if TYPE_CHECKING:
    import os
    from collections.abc import Callable, Iterable


class SqliteBackend:
    """The state of an archive in one SQLite file (``STATE_BACKEND`` default).

    Records, dedup index, template and zone counts and the site-health history share one
    connection and its batched commits; payload digests get their own file
    (``warc-digests.sqlite`` beside it), so the WARC writer thread never waits for the
    reactor's open batch.
    """

    def __init__(self, path: str | os.PathLike[str]) -> None:
        self.path = Path(path)
        self.records = StateStore(self.path)

    def dedup_index(
        self, threshold: float, texts: Callable[[], Iterable[tuple[str, str]]] | None = None
    ) -> DedupIndex:
        return DedupIndex(self.records.conn, threshold=threshold, texts=texts, batch=self.records)

    def template_counts(self) -> SqliteTemplateCounts:
        return SqliteTemplateCounts(self.records.conn, batch=self.records)

    def site_zones(self) -> SqliteSiteZones:
        return SqliteSiteZones(self.records.conn, batch=self.records)

    def health_history(self) -> SqliteHealthHistory:
        return SqliteHealthHistory(self.records.conn, batch=self.records)

    def digests(self) -> DigestStore:
        return DigestStore(self.path.with_name("warc-digests.sqlite"))

    def close(self) -> None:
        self.records.close()
