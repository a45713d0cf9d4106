"""The report's figures, computed from the loaded archive (plain Python, no Scrapy).

Per outlet means per source: the sources-file name, or host:port for `-a url=` crawls
and foreign replays, as records and summaries both name it.
"""

from __future__ import annotations

import statistics
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from datetime import datetime
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from newsbot.report.archive import Archive, Run

SITE_FIGURES = (
    "pages_fetched",
    "article_candidates",
    "records",
    "duplicates",
    "undated",
    "template_paragraphs_removed",
)


@dataclass
class Outlet:
    """One source's figures over the selected runs."""

    name: str
    zone: str = ""
    zone_learnt: bool = False
    figures: Counter[str] = field(default_factory=Counter)
    no_record: Counter[str] = field(default_factory=Counter)
    per_day: Counter[str] = field(default_factory=Counter)
    hours_utc: list[int] = field(default_factory=lambda: [0] * 24)
    hours_local: list[int] = field(default_factory=lambda: [0] * 24)
    records: int = 0
    copies: int = 0
    undated: int = 0
    lengths: list[int] = field(default_factory=list)
    offsets: Counter[str] = field(default_factory=Counter)
    health: list[dict[str, Any]] = field(default_factory=list)

    @property
    def share_undated(self) -> float:
        return self.undated / self.records if self.records else 0.0

    @property
    def median_length(self) -> int:
        return int(statistics.median(self.lengths)) if self.lengths else 0

    @property
    def candidates_without_record(self) -> int:
        """Candidates that gave neither an article nor a copy (the reasons also count
        pages that were never candidates, such as listings reached by a link)."""
        made = self.figures["records"] + self.figures["duplicates"]
        return max(self.figures["article_candidates"] - made, 0)


def drift_checks(summary: dict[str, Any]) -> list[dict[str, Any]]:
    """The site-health findings of a run's summary (none before health checks existed)."""
    section = summary.get("health")
    return list(section.get("checks") or []) if isinstance(section, dict) else []


def is_copy(record: dict[str, Any]) -> bool:
    return bool(record.get("duplicate_of"))


def run_rows(runs: list[Run]) -> list[dict[str, Any]]:
    """One row per run, oldest first; a run without a summary says so."""
    rows = []
    for run in runs:
        s = run.summary
        row: dict[str, Any] = {
            "run_id": run.run_id,
            "spider": run.spider,
            "started": run.started,
            "status": "no summary" if s is None else ("ok" if s.get("ok", True) else "failed"),
            "files": [p.name for p in run.files],
        }
        if s is not None:
            row.update(
                pages=s.get("pages_fetched", 0),
                articles=s.get("articles", 0),
                duplicates=s.get("duplicates", 0),
                undated=s.get("articles_without_date", 0),
                errors=dict(s.get("errors") or {}),
                health=drift_checks(s),
            )
        rows.append(row)
    return rows


def outlets(archive: Archive) -> dict[str, Outlet]:
    """Every source of the selected runs, with its summary figures and its records' figures."""
    found: dict[str, Outlet] = {}
    for run in archive.runs:
        for name, site in ((run.summary or {}).get("sites") or {}).items():
            _add_site(found.setdefault(name, Outlet(name)), site)
        for check in drift_checks(run.summary or {}):
            found.setdefault(
                check.get("source", "-"), Outlet(check.get("source", "-"))
            ).health.append({**check, "run_id": run.run_id})
    for record in archive.records:
        _add_record(
            found.setdefault(record.get("source") or "-", Outlet(record.get("source") or "-")),
            record,
        )
    for outlet in found.values():
        if not outlet.zone and outlet.offsets:
            outlet.zone, outlet.zone_learnt = f"UTC{outlet.offsets.most_common(1)[0][0]}", True
    return dict(sorted(found.items()))


def _add_site(outlet: Outlet, site: dict[str, Any]) -> None:
    for figure in SITE_FIGURES:
        outlet.figures[figure] += int(site.get(figure) or 0)
    outlet.no_record.update({k: int(v) for k, v in (site.get("no_record") or {}).items()})
    if site.get("timezone"):
        outlet.zone = str(site["timezone"])


def _add_record(outlet: Outlet, record: dict[str, Any]) -> None:
    outlet.records += 1
    outlet.copies += is_copy(record)
    outlet.lengths.append(len(record.get("text") or ""))
    published = _instant(record.get("published"))
    if published is None:
        outlet.undated += 1
        return
    outlet.per_day[published.date().isoformat()] += 1
    outlet.hours_utc[published.hour] += 1
    local = _instant(record.get("published_local"))
    if local is not None:
        outlet.hours_local[local.hour] += 1
        outlet.offsets[local.strftime("%z")[:3] + ":" + local.strftime("%z")[3:]] += 1


def _instant(value: Any) -> datetime | None:
    if not isinstance(value, str) or not value:
        return None
    try:
        return datetime.fromisoformat(value.replace("Z", "+00:00"))
    except ValueError:
        return None


@dataclass
class Cluster:
    """A story and its copies: the canonical record, copies by outlet, wires credited."""

    canonical: dict[str, Any]
    copies: list[dict[str, Any]]

    @property
    def by_outlet(self) -> list[tuple[str, int]]:
        return Counter(c.get("source") or "-" for c in self.copies).most_common()

    @property
    def wires(self) -> list[str]:
        return sorted({w for r in (self.canonical, *self.copies) for w in r.get("wires") or []})


def clusters(records: list[dict[str, Any]], limit: int = 20) -> list[Cluster]:
    """The largest story clusters (most copies first); a canonical outside the selection is a stub."""
    by_id = {r["id"]: r for r in records if not is_copy(r)}
    copies: dict[str, list[dict[str, Any]]] = defaultdict(list)
    for record in records:
        if is_copy(record):
            copies[record["duplicate_of"]].append(record)
    ranked = sorted(copies.items(), key=lambda kv: (-len(kv[1]), kv[0]))[:limit]
    return [
        Cluster(
            by_id.get(
                cid, {"id": cid, "title": f"(story {cid}, recorded in another run)", "source": "?"}
            ),
            members,
        )
        for cid, members in ranked
    ]


def wire_matrix(records: list[dict[str, Any]]) -> tuple[list[str], dict[str, Counter[str]]]:
    """(agencies, most credited first; {outlet: {agency: records}}): credited wire copy per outlet.

    The unnamed `agency` credit (a story credited to "agencies") is its own column."""
    matrix: dict[str, Counter[str]] = defaultdict(Counter)
    totals: Counter[str] = Counter()
    for record in records:
        for wire in record.get("wires") or []:
            matrix[record.get("source") or "-"][wire] += 1
            totals[wire] += 1
    return [w for w, _ in totals.most_common()], dict(sorted(matrix.items()))


def article_rows(records: list[dict[str, Any]], outlet_names: list[str]) -> dict[str, Any]:
    """The articles table as compact columns for the inline script (keys kept short on purpose:
    10,000 rows must stay well under the report's size budget)."""
    index = {name: i for i, name in enumerate(outlet_names)}
    rows = []
    for r in sorted(records, key=lambda r: (r.get("published") or "", r["id"]), reverse=True):
        fetched = str(r.get("fetched_at") or "")
        rows.append(
            [
                r.get("title") or "",
                index.get(r.get("source") or "-", -1),
                (r.get("published") or "")[:16].replace("T", " "),
                ",".join(r.get("wires") or []),
                r.get("duplicate_of") or "",
                r.get("url") or "",
                "".join(ch for ch in fetched if ch.isdigit())[:14],
                r["_file"],
                r["_line"],
            ]
        )
    return {"outlets": outlet_names, "rows": rows}
