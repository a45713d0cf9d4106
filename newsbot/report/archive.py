"""What the report reads: the runs' summaries and the JSONL records under ARCHIVE_DIR.

Read-only on purpose. A crawl repairs its archive when it starts (torn last lines cut);
the report may run beside a crawl that is writing, so a line that does not parse is
skipped and counted, never cut. Plain Python rather than DuckDB: the records are read
once, line by line, and a torn line must be told apart from a good one, which
`read_json_auto` would either reject as a whole file or skip silently.
"""

from __future__ import annotations

import json
import logging
import re
from dataclasses import dataclass, field
from datetime import date, datetime, timezone
from pathlib import Path
from typing import Any

logger = logging.getLogger(__name__)

RUN_ID = r"\d{8}T\d{6}Z-[0-9a-f]+"
_SUMMARY = re.compile(rf"^(?P<spider>.+)-(?P<run>{RUN_ID})\.summary\.json$")
_JSONL = re.compile(rf"^(?P<spider>.+)-(?P<run>{RUN_ID})(?P<dup>\.duplicates)?\.jsonl$")


class ArchiveError(Exception):
    """The archive cannot be reported on (missing, empty, unknown run): the message says where."""


@dataclass
class Run:
    """One crawl or replay: its summary (None when the run wrote none, e.g. it was killed)."""

    run_id: str
    spider: str
    summary: dict[str, Any] | None = None
    files: list[Path] = field(default_factory=list)

    @property
    def started(self) -> datetime:
        return datetime.strptime(self.run_id[:16], "%Y%m%dT%H%M%SZ").replace(tzinfo=timezone.utc)


@dataclass
class Archive:
    """The selected runs, their records (each with `_file` and `_line`), and what was skipped."""

    root: Path
    runs: list[Run]
    records: list[dict[str, Any]]
    torn_lines: int = 0


def find_runs(root: Path) -> dict[str, Run]:
    """Every run the archive knows of, from its summaries and from its JSONL file names."""
    runs: dict[str, Run] = {}
    for path in sorted((root / "runs").glob("*.summary.json")):
        match = _SUMMARY.match(path.name)
        if match is None:
            continue
        run = runs.setdefault(match["run"], Run(match["run"], match["spider"]))
        run.summary = _read_summary(path)
    for path in sorted((root / "articles").glob("*.jsonl")):
        match = _JSONL.match(path.name)
        if match is not None:
            runs.setdefault(match["run"], Run(match["run"], match["spider"])).files.append(path)
    return runs


def _read_summary(path: Path) -> dict[str, Any] | None:
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError) as exc:
        logger.warning(
            "report: cannot read summary %s (%s); the run is listed without one", path, exc
        )
        return None
    return data if isinstance(data, dict) else None


def select_runs(runs: dict[str, Run], run_id: str | None, since: date | None) -> list[Run]:
    """The runs to report on, oldest first: one (`run_id`), those started on or after `since`, or all."""
    chosen = sorted(runs.values(), key=lambda r: r.run_id)
    if run_id is not None:
        chosen = [r for r in chosen if r.run_id == run_id]
        if not chosen:
            raise ArchiveError(f"no run {run_id!r} in the archive")
    if since is not None:
        chosen = [r for r in chosen if r.started.date() >= since]
    return chosen


def read_records(files: list[Path], root: Path) -> tuple[list[dict[str, Any]], int]:
    """The records of `files`, each tagged with its file (relative to `root`) and line number."""
    records: list[dict[str, Any]] = []
    torn = 0
    for path in files:
        rel = path.relative_to(root).as_posix()
        bad: list[int] = []
        with path.open(encoding="utf-8", errors="replace") as fh:
            for number, line in enumerate(fh, 1):
                record = _parse(line)
                if record is None:
                    if line.strip():
                        bad.append(number)
                    continue
                record["_file"], record["_line"] = rel, number
                records.append(record)
        if bad:
            torn += len(bad)
            logger.warning(
                "report: skipped %d unreadable line(s) of %s (line %s); the file is left as it is",
                len(bad),
                path,
                ", ".join(map(str, bad[:5])),
            )
    return records, torn


def _parse(line: str) -> dict[str, Any] | None:
    try:
        record = json.loads(line)
    except ValueError:
        return None
    return record if isinstance(record, dict) and "id" in record else None


def load(root: Path, run_id: str | None = None, since: date | None = None) -> Archive:
    """The archive at `root`, restricted to the chosen runs; ArchiveError when there is nothing."""
    if not root.is_dir():
        raise ArchiveError(f"no archive at {root}")
    runs = find_runs(root)
    if not runs:
        raise ArchiveError(
            f"the archive at {root} is empty: no runs in {root / 'runs'} "
            f"and no records in {root / 'articles'}"
        )
    chosen = select_runs(runs, run_id, since)
    if not chosen:
        raise ArchiveError(f"no run in {root} started on or after {since}")
    records, torn = read_records([f for r in chosen for f in r.files], root)
    return Archive(root, chosen, records, torn)
