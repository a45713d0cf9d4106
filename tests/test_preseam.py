"""The formats newsbot has already written stay readable: a demo archive made before the
state seam (issue 15) replays to the records it holds, field by field.

`tests/data/pre-seam/` is `scrapy demo` as main wrote it (WARC with its CDXJ, the two
JSONL files, the state and digest files). Nothing in it may be regenerated: it is the
format of archives users already have.
"""

from __future__ import annotations

import shutil
import sqlite3
from pathlib import Path
from typing import Any

import pytest

from newsbot.items import EXPORT_FIELDS
from support.crawls import read_jsonl, run_scrapy

pytestmark = pytest.mark.slow  # end to end: real crawls in subprocesses

PRE_SEAM = Path(__file__).resolve().parent / "data" / "pre-seam"


def stored(kind: str) -> list[dict[str, Any]]:
    """The records of the pre-seam crawl, in file order (kind: 'articles' or 'duplicates')."""
    suffix = ".duplicates.jsonl" if kind == "duplicates" else ".jsonl"
    paths = [
        p
        for p in sorted((PRE_SEAM / "articles").glob("*.jsonl"))
        if p.name.endswith(".duplicates.jsonl") == (kind == "duplicates")
    ]
    assert len(paths) == 1 and paths[0].name.endswith(suffix)
    return read_jsonl(paths[0])


@pytest.fixture(scope="module")
def replayed(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The pre-seam WARCs replayed by today's code, in an archive of their own (the WARC
    copied under it, so each record's `warc.file` is relative to the archive as it was)."""
    archive = tmp_path_factory.mktemp("preseam") / "archive"
    shutil.copytree(PRE_SEAM / "warc", archive / "warc")
    run_scrapy("crawl", "replay", "-a", f"warc={archive / 'warc'}", archive=archive)
    return archive


def replayed_records(archive: Path, kind: str) -> list[dict[str, Any]]:
    out: list[dict[str, Any]] = []
    for path in sorted((archive / "articles").glob("replay-*.jsonl")):
        if path.name.endswith(".duplicates.jsonl") == (kind == "duplicates"):
            out.extend(read_jsonl(path))
    return out


@pytest.mark.parametrize("kind", ["articles", "duplicates"])
def test_pre_seam_archive_replays_to_identical_records(replayed: Path, kind: str) -> None:
    """Every exported field of every record, in the same order. No field is exempt:
    `fetched_at` is the WARC-Date of the capture and `warc` its position, both read back
    from the archive, so even these are equal."""
    before, after = stored(kind), replayed_records(replayed, kind)
    assert [r["id"] for r in after] == [r["id"] for r in before]
    assert before, "the fixture holds records"
    for old, new in zip(before, after):
        assert set(new) == set(EXPORT_FIELDS) == set(old)
        for field in EXPORT_FIELDS:
            assert new[field] == old[field], (old["id"], field)


def test_pre_seam_state_file_knows_every_record(tmp_path: Path) -> None:
    """The state file of the crawl records each article once and indexes each for dedup.
    Read from a copy: SQLite in WAL mode writes -wal/-shm files beside what it opens."""
    recs = stored("articles") + stored("duplicates")
    state = shutil.copy(PRE_SEAM / "state" / "newsbot.sqlite", tmp_path / "newsbot.sqlite")
    with sqlite3.connect(state) as db:
        articles = dict(db.execute("SELECT id, duplicate_of FROM articles"))
        indexed = {r[0] for r in db.execute("SELECT article_id FROM dedup_articles")}
        runs = db.execute("SELECT status FROM runs").fetchall()
    assert articles == {r["id"]: r["duplicate_of"] for r in recs}
    assert indexed == set(articles)
    assert runs == [("finished",)]


def test_pre_seam_state_file_gains_run_leases_on_open(tmp_path: Path) -> None:
    """Opening a state file from before run leases adds their columns (NULL: no lease) and
    keeps its rows; an unfinished run of that era is judged by the old rule (host + pid)."""
    from newsbot.state import SqliteBackend

    state = shutil.copy(PRE_SEAM / "state" / "newsbot.sqlite", tmp_path / "newsbot.sqlite")
    with sqlite3.connect(state) as db:
        before = db.execute("SELECT * FROM runs").fetchall()
        db.execute(
            "INSERT INTO runs (run_id, spider, host, pid, started, status, outputs)"
            " VALUES ('old', 'news', 'another-host', 1, '2025-12-16T00:00:00Z',"
            " 'running', '{}')"
        )
    backend = SqliteBackend(Path(state))
    try:
        assert [run for run, _ in backend.records.interrupted_runs()] == ["old"]
        assert backend.records.count_articles() == len(stored("articles") + stored("duplicates"))
    finally:
        backend.close()
    with sqlite3.connect(state) as db:
        columns = [row[1] for row in db.execute("PRAGMA table_info(runs)")]
        after = db.execute("SELECT * FROM runs WHERE run_id != 'old'").fetchall()
    assert columns[-3:] == ["owner", "boot_id", "expires"]
    assert after == [(*row, None, None, None) for row in before]
