"""The archive report: one self-contained HTML file, ARCHIVE_DIR/report/index.html.

`build_report` reads the archive (`archive.load`), computes its tables (`tables`),
draws its charts (`charts`) and renders `report.html.j2` with Jinja2 (autoescaped:
titles come from the crawled web). No Scrapy here; `scrapy report` is a thin command.
It writes only inside ARCHIVE_DIR/report/ (through a temporary file, renamed).
"""

from __future__ import annotations

import json
import os
from datetime import date, datetime, timezone
from pathlib import Path
from typing import Any

import jinja2

from newsbot.report import charts, tables
from newsbot.report.archive import Archive, ArchiveError, load

__all__ = ["DEFAULT_REPLAY_URL", "ArchiveError", "build_report", "render"]

DEFAULT_REPLAY_URL = "http://localhost:8080/newsbot/{timestamp}/{url}"  # pywb, collection "newsbot"
_ENV = jinja2.Environment(
    loader=jinja2.PackageLoader("newsbot.report", "."),
    autoescape=True,
    trim_blocks=True,
    lstrip_blocks=True,
)


def context(archive: Archive, replay_url: str) -> dict[str, Any]:
    """Everything the template shows, computed once."""
    runs = tables.run_rows(archive.runs)
    outlets = tables.outlets(archive)
    listed = [o for o in outlets.values() if o.records or o.figures["article_candidates"]]
    agencies, matrix = tables.wire_matrix(archive.records)
    errors: dict[str, int] = {}
    for row in runs:
        for kind, n in (row.get("errors") or {}).items():
            errors[kind] = errors.get(kind, 0) + n
    articles = tables.article_rows(archive.records, list(outlets))
    return {
        "root": archive.root,
        "generated": datetime.now(timezone.utc).strftime("%Y-%m-%d %H:%M UTC"),
        "runs": runs,
        "outlets": outlets,
        "errors": dict(sorted(errors.items())),
        "health": [h for o in outlets.values() for h in o.health],
        "records": sum(1 for r in archive.records if not tables.is_copy(r)),
        "copies": sum(1 for r in archive.records if tables.is_copy(r)),
        "torn_lines": archive.torn_lines,
        "clusters": tables.clusters(archive.records),
        "agencies": agencies,
        "matrix": matrix,
        "charts": {
            "runs": charts.runs_chart(runs) if any("pages" in r for r in runs) else "",
            "timeline": charts.timeline_chart(listed) if listed else "",
            "hours": charts.hours_chart(listed) if listed else "",
        },
        "articles_json": json.dumps(articles, ensure_ascii=False, separators=(",", ":")).replace(
            "</", "<\\/"
        ),
        "replay_url": replay_url,
    }


def render(archive: Archive, replay_url: str = DEFAULT_REPLAY_URL) -> str:
    return _ENV.get_template("report.html.j2").render(context(archive, replay_url))


def build_report(
    root: Path,
    run_id: str | None = None,
    since: date | None = None,
    replay_url: str = DEFAULT_REPLAY_URL,
) -> Path:
    """Write ROOT/report/index.html and return its path; ArchiveError when there is nothing to show."""
    archive = load(root, run_id, since)
    html = render(archive, replay_url)
    target = root / "report" / "index.html"
    target.parent.mkdir(exist_ok=True)
    partial = target.with_name(".index.html.partial")
    partial.write_text(html, encoding="utf-8")
    os.replace(partial, target)
    return target
