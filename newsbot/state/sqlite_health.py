"""Site-health history in SQLite (table ``health_runs``, behind `HealthHistory`).

One row per (spider, source, run): the figures as JSON, which the checks in
:mod:`newsbot.health` read back whole. The table is created when the history is first
asked for (``CREATE TABLE IF NOT EXISTS``), so a state file from before it opens as it
was and gains the table; nothing else of the file changes. On the crawl's shared
connection the writes join the state store's batch, committed when the backend closes.
"""

from __future__ import annotations

import json
from typing import TYPE_CHECKING

from newsbot.state.protocols import HEALTH_KEEP
from newsbot.state.sqlite_templates import _Batched

if TYPE_CHECKING:
    from collections.abc import Mapping

HEALTH_SCHEMA = """
CREATE TABLE IF NOT EXISTS health_runs (
    spider TEXT NOT NULL, source TEXT NOT NULL, run_id TEXT NOT NULL, figures TEXT NOT NULL,
    PRIMARY KEY (spider, source, run_id)
) WITHOUT ROWID;
"""


class SqliteHealthHistory(_Batched):
    """Each source's figures per run, the newest ``HEALTH_KEEP`` runs kept."""

    schema = HEALTH_SCHEMA

    def previous(self, spider: str, source: str, before: str, n: int) -> list[dict[str, float]]:
        rows = self.conn.execute(
            "SELECT figures FROM health_runs WHERE spider = ? AND source = ? AND run_id < ?"
            " ORDER BY run_id DESC LIMIT ?",
            (spider, source, before, max(n, 0)),
        )
        return [json.loads(figures) for (figures,) in rows]

    def append(self, spider: str, run_id: str, source: str, figures: Mapping[str, float]) -> None:
        with self._writing():
            self.conn.execute(
                "INSERT OR REPLACE INTO health_runs (spider, source, run_id, figures)"
                " VALUES (?, ?, ?, ?)",
                (spider, source, run_id, json.dumps(dict(figures), sort_keys=True)),
            )
            self.conn.execute(
                "DELETE FROM health_runs WHERE spider = ? AND source = ? AND run_id NOT IN"
                " (SELECT run_id FROM health_runs WHERE spider = ? AND source = ?"
                " ORDER BY run_id DESC LIMIT ?)",
                (spider, source, spider, source, HEALTH_KEEP),
            )
