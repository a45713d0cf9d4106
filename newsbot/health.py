"""Site health across runs: notice when a site's extraction drifts (a redesign, a new template).

The commonest failure of a news crawler is silent: after a redesign a site still lists
new URLs, the pages are fetched, and extraction finds nothing (news-please #253, #215).
At the end of a crawl each source's figures are compared with its last HEALTH_WINDOW
runs, and only when this run fetched at least HEALTH_MIN_PAGES article candidates of it
(a site that published three pages says little). A clear change is a `Finding`: a
`newsbot/health/<source>/<check>` stat, one WARNING line per source, and an entry of
the summary's `health` section, which the report highlights. No Scrapy here.

The history lives in the state backend (`BackendHistory` over the state's
`HealthHistory`), so with Redis every machine sharing the archive's state judges a
source against all of its runs, not only its own. A source the backend knows nothing of
(an archive from before, a replay's fresh state) is seeded once from the previous runs'
summaries under runs/ (`SummaryHistory`), each of which holds its `health.figures`, so
an existing archive keeps its history. The checks see only the `SiteHistory` protocol.
"""

from __future__ import annotations

import json
import logging
import statistics
from collections import defaultdict
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any, Protocol

from newsbot.state.protocols import HEALTH_KEEP

if TYPE_CHECKING:
    from collections.abc import Iterable

    from newsbot.state.protocols import HealthHistory

logger = logging.getLogger(__name__)

PREFIX = "newsbot/health/"
SUFFIX = ".summary.json"


@dataclass(frozen=True)
class Thresholds:
    """What counts as a clear change (settings HEALTH_*; shares are fractions, 0.25 = 25 points)."""

    window: int = 5
    min_pages: int = 10
    no_record_rise: float = 0.25
    undated_rise: float = 0.25
    length_drop: float = 0.5

    @classmethod
    def from_settings(cls, settings: Any) -> Thresholds:
        return cls(
            settings.getint("HEALTH_WINDOW"),
            settings.getint("HEALTH_MIN_PAGES"),
            settings.getfloat("HEALTH_NO_RECORD_RISE"),
            settings.getfloat("HEALTH_UNDATED_RISE"),
            settings.getfloat("HEALTH_LENGTH_DROP"),
        )


@dataclass(frozen=True)
class Finding:
    source: str
    check: str  # records_zero, no_record_share, undated_share, text_length
    message: str
    before: float
    now: float


class SiteHistory(Protocol):
    """Each source's figures, run after run (newest first)."""

    def previous(self, source: str, n: int) -> list[dict[str, float]]: ...

    def append(self, run_id: str, source: str, figures: dict[str, float]) -> None: ...


class SummaryHistory:
    """The history kept in ARCHIVE_DIR/runs/<spider>-<run>.summary.json files (their
    `health.figures`): what a backend that knows a source not yet is seeded from, so the
    archives from before the backend kept it still have theirs. `append` keeps the
    figures in memory; the run's own summary is what persists them."""

    def __init__(self, runs_dir: Path, spider: str, current_run: str) -> None:
        self.runs_dir, self.spider, self.current_run = runs_dir, spider, current_run
        self._added: dict[str, list[dict[str, float]]] = defaultdict(list)
        self._past: list[tuple[str, dict[str, Any]]] | None = None

    def _summaries(self) -> list[tuple[str, dict[str, Any]]]:
        """(run id, summary) of this spider's earlier runs, newest first."""
        if self._past is None:
            paths = sorted(self.runs_dir.glob(f"{self.spider}-*.summary.json"), reverse=True)
            mine = f"{self.spider}-{self.current_run}"
            self._past = [
                (p.name[len(self.spider) + 1 : -len(SUFFIX)], s)
                for p in paths
                if p.name < mine
                for s in [_read(p)]
                if s is not None
            ]
        return self._past

    def runs(self, source: str) -> list[tuple[str, dict[str, float]]]:
        """(run id, figures) of the source in the earlier runs' summaries, newest first."""
        found = []
        for run_id, summary in self._summaries():
            figures = ((summary.get("health") or {}).get("figures") or {}).get(source)
            if figures is None and source in (summary.get("sites") or {}):
                figures = site_figures(summary["sites"][source], [])  # a summary from before health
            if figures is not None:
                found.append((run_id, figures))
        return found

    def previous(self, source: str, n: int) -> list[dict[str, float]]:
        found = list(reversed(self._added[source]))
        return (found + [figures for _, figures in self.runs(source)])[:n]

    def append(self, run_id: str, source: str, figures: dict[str, float]) -> None:
        self._added[source].append(figures)


class BackendHistory:
    """The history in the state backend (shared by every machine on one Redis).

    A source with no runs there before this one is seeded from the summaries first
    (`seed`): appends are idempotent per run, so two machines seeding at once, or a
    source seeded again, count each run once."""

    def __init__(
        self, store: HealthHistory, spider: str, current_run: str, seed: SummaryHistory
    ) -> None:
        self.store, self.spider, self.current_run, self.seed = store, spider, current_run, seed

    def previous(self, source: str, n: int) -> list[dict[str, float]]:
        found = self.store.previous(self.spider, source, self.current_run, n)
        if found or n < 1:
            return found
        for run_id, figures in self.seed.runs(source)[:HEALTH_KEEP]:
            self.store.append(self.spider, run_id, source, figures)
        return self.store.previous(self.spider, source, self.current_run, n)

    def append(self, run_id: str, source: str, figures: dict[str, float]) -> None:
        self.store.append(self.spider, run_id, source, figures)


def _read(path: Path) -> dict[str, Any] | None:
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    return data if isinstance(data, dict) else None


def site_figures(site: dict[str, Any], lengths: list[int]) -> dict[str, float]:
    """The figures compared run to run, from a `sites` entry and the run's text lengths."""
    candidates = int(site.get("article_candidates") or 0)
    records = int(site.get("records") or 0) + int(site.get("duplicates") or 0)
    figures: dict[str, float] = {
        "article_candidates": candidates,
        "records": records,
        "share_no_record": round(max(candidates - records, 0) / candidates, 4)
        if candidates
        else 0.0,
        "share_undated": round(int(site.get("undated") or 0) / records, 4) if records else 0.0,
        "template_per_record": round(int(site.get("template_paragraphs_removed") or 0) / records, 3)
        if records
        else 0.0,
    }
    if lengths:
        figures["median_text_length"] = float(statistics.median(lengths))
    return figures


def _baseline(previous: list[dict[str, float]], key: str) -> float | None:
    values = [p[key] for p in previous if key in p and p.get("article_candidates", 0) > 0]
    return float(statistics.median(values)) if values else None


def check(
    source: str, now: dict[str, float], previous: list[dict[str, float]], limits: Thresholds
) -> list[Finding]:
    """The clear drops of `now` against the median of `previous` (none on a first run)."""
    if not previous or now["article_candidates"] < limits.min_pages:
        return []
    found: list[Finding] = []
    before = _baseline(previous, "records")
    if now["records"] == 0 and before:
        found.append(
            Finding(
                source,
                "records_zero",
                f"no records from {now['article_candidates']:.0f} "
                f"article candidates (usually {before:.0f})",
                before,
                0.0,
            )
        )
    for key, check_name, rise in (
        ("share_no_record", "no_record_share", limits.no_record_rise),
        ("share_undated", "undated_share", limits.undated_rise),
    ):
        was = _baseline(previous, key)
        if was is not None and now[key] - was > rise:
            label = "candidates without a record" if key == "share_no_record" else "records undated"
            found.append(
                Finding(source, check_name, f"{label} {was:.0%} -> {now[key]:.0%}", was, now[key])
            )
    was = _baseline(previous, "median_text_length")
    length = now.get("median_text_length")
    if was and length is not None and length < was * limits.length_drop:
        found.append(
            Finding(
                source,
                "text_length",
                f"median text length {was:.0f} -> {length:.0f} chars",
                was,
                length,
            )
        )
    return found


def text_lengths(files: Iterable[Path]) -> dict[str, list[int]]:
    """Each source's text lengths in this run's JSONL files (a torn line is skipped)."""
    lengths: dict[str, list[int]] = defaultdict(list)
    for path in files:
        if not path.exists():
            continue
        with path.open(encoding="utf-8", errors="replace") as fh:
            for line in fh:
                try:
                    record = json.loads(line)
                except ValueError:
                    continue
                lengths[record.get("source") or "-"].append(len(record.get("text") or ""))
    return lengths


def assess(
    sites: dict[str, dict[str, Any]],
    lengths: dict[str, list[int]],
    history: SiteHistory,
    run_id: str,
    limits: Thresholds,
) -> dict[str, Any]:
    """The summary's `health` section: this run's figures per source, and the drift found."""
    figures: dict[str, dict[str, float]] = {}
    findings: list[Finding] = []
    for source, site in sites.items():
        now = site_figures(site, lengths.get(source, []))
        findings += check(source, now, history.previous(source, limits.window), limits)
        history.append(run_id, source, now)
        figures[source] = now
    for source in sorted({f.source for f in findings}):
        mine = [f for f in findings if f.source == source]
        logger.warning("site health: %s drifted: %s", source, "; ".join(f.message for f in mine))
    return {
        "window": limits.window,
        "min_pages": limits.min_pages,
        "figures": figures,
        "checks": [asdict(f) for f in findings],
    }


def stat_keys(section: dict[str, Any]) -> list[str]:
    """`newsbot/health/<source>/<check>` for each finding of a `health` section."""
    return [f"{PREFIX}{f['source']}/{f['check']}" for f in section.get("checks", [])]
