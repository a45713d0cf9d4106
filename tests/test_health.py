"""Site health: the drift checks on hand-made figures, and a local site crawled twice whose
one outlet's new pages stop giving text (outlets on distinct loopback addresses)."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest

from newsbot.demo.server import serve_folder
from newsbot.health import BackendHistory, SummaryHistory, Thresholds, assess, check, site_figures
from newsbot.report import build_report
from newsbot.state.memory import MemoryHealthHistory
from support.crawls import run_scrapy
from support.sitegen import build_site

pytestmark = pytest.mark.slow  # end to end: real crawls in subprocesses

LIMITS = Thresholds(min_pages=10)


def figures(
    candidates: int = 20, records: int = 20, undated: int = 0, length: float = 2000.0
) -> dict[str, float]:
    return {
        **site_figures(
            {"article_candidates": candidates, "records": records, "undated": undated}, []
        ),
        "median_text_length": length,
    }


def test_first_run_and_small_runs_raise_nothing() -> None:
    assert check("a", figures(records=0), [], LIMITS) == []
    assert check("a", figures(candidates=5, records=0), [figures()], LIMITS) == []


@pytest.mark.parametrize(
    ("now", "expected"),
    [
        (figures(records=0), {"records_zero", "no_record_share"}),
        (figures(records=12), {"no_record_share"}),  # 40 % of candidates lost
        (figures(undated=8), {"undated_share"}),
        (figures(length=900.0), {"text_length"}),
        (figures(records=16, undated=4, length=1200.0), set()),  # within every threshold
    ],
)
def test_clear_drops_are_found(now: dict[str, float], expected: set[str]) -> None:
    history = [figures(), figures(records=19), figures()]
    assert {f.check for f in check("a", now, history, LIMITS)} == expected


def test_summary_history_reads_previous_runs_of_the_same_spider(tmp_path: Path) -> None:
    runs = tmp_path / "runs"
    runs.mkdir()
    for run, records in (("20251201T000000Z-aaaaaa", 20), ("20251202T000000Z-bbbbbb", 18)):
        section = {"figures": {"a": figures(records=records)}}
        (runs / f"news-{run}.summary.json").write_text(json.dumps({"health": section}))
    (runs / "replay-20251202T100000Z-cccccc.summary.json").write_text(
        json.dumps({"health": {"figures": {"a": figures(records=1)}}})
    )
    history = SummaryHistory(runs, "news", "20251203T000000Z-dddddd")
    assert [p["records"] for p in history.previous("a", 5)] == [18, 20]
    assert [p["records"] for p in history.previous("a", 1)] == [18]
    section = assess(
        {"a": {"article_candidates": 20, "records": 0}},
        {},
        history,
        "20251203T000000Z-dddddd",
        LIMITS,
    )
    assert {c["check"] for c in section["checks"]} == {"records_zero", "no_record_share"}
    assert history.previous("a", 1)[0]["records"] == 0  # appended


def test_backend_history_is_seeded_once_from_the_summaries(tmp_path: Path) -> None:
    runs = tmp_path / "runs"
    runs.mkdir()
    (runs / "news-20251201T000000Z-aaaaaa.summary.json").write_text(
        json.dumps({"health": {"figures": {"a": figures(records=20)}}})
    )
    store = MemoryHealthHistory()
    store.append("news", "20251202T000000Z-bbbbbb", "b", figures(records=5))  # b is known
    current = "20251203T000000Z-dddddd"
    history = BackendHistory(store, "news", current, SummaryHistory(runs, "news", current))
    assert [p["records"] for p in history.previous("a", 5)] == [20]  # seeded
    assert [p["records"] for p in history.previous("b", 5)] == [5]  # not from summaries
    assert store.previous("news", "a", current, 5) == [figures(records=20)]
    history.append(current, "a", figures(records=0))
    assert [p["records"] for p in store.previous("news", "a", "99999999", 5)] == [0, 20]


OUTLETS = {"Alpha": "127.0.0.2", "Beta": "127.0.0.3", "Gamma": "127.0.0.4"}


def redesign(site: Path, paths: list[str]) -> None:
    """The outlet's new pages: a script-rendered shell, the story only in a JSON blob."""
    for path in paths:
        (site / path.lstrip("/")).write_text(
            '<!doctype html><html lang="en"><head><meta charset="utf-8"><title>Story | Daily Ledger'
            '</title><meta property="og:type" content="article"></head><body><div id="app"></div>'
            '<script>window.__STATE__ = {"story": "rendered in the browser"};</script></body></html>',
            encoding="utf-8",
        )


@pytest.mark.slow
def test_a_site_whose_new_pages_give_no_text_is_named(tmp_path: Path) -> None:
    folders = {name: tmp_path / "sites" / name for name in OUTLETS}
    for seed, folder in enumerate(folders.values()):
        build_site(folder, 12, seed=seed)
    archive = tmp_path / "archive"
    servers = {name: serve_folder(folders[name], host=host) for name, host in OUTLETS.items()}
    try:
        sources = tmp_path / "sources.toml"
        sources.write_text(
            "".join(
                f'[[source]]\nname = "{name}"\nstart_urls = ["{srv.base_url}/sitemap.xml"]\n'
                f'allowed_domains = ["{OUTLETS[name]}"]\ntimezone = "Europe/Berlin"\n\n'
                for name, srv in servers.items()
            )
        )
        first = run_scrapy("crawl", "news", "-a", f"sources={sources}", archive=archive)
        assert "site health" not in first.stderr
        for seed, (name, folder) in enumerate(folders.items()):
            shutil.rmtree(folder)
            paths = build_site(folder, 24, seed=seed)  # the first 12 are the same articles
            if name == "Beta":
                redesign(folder, paths[12:])
        second = run_scrapy("crawl", "news", "-a", f"sources={sources}", archive=archive)
    finally:
        for srv in servers.values():
            srv.stop()
    summary = json.loads(sorted((archive / "runs").glob("news-*.summary.json"))[-1].read_text())
    checks = summary["health"]["checks"]
    assert {c["source"] for c in checks} == {"Beta"}, checks
    assert {c["check"] for c in checks} >= {"records_zero"}
    assert summary["stats"]["newsbot/health/Beta/records_zero"] == 1
    warnings = [line for line in second.stderr.splitlines() if "site health" in line]
    assert len(warnings) == 1 and "Beta" in warnings[0] and "WARNING" in warnings[0]
    html = build_report(archive).read_text(encoding="utf-8")
    drift_rows = [row for row in html.split("<tr") if 'class="drift"' in row]
    assert any("Beta" in row for row in drift_rows)
    assert not any("Alpha" in row or "Gamma" in row for row in drift_rows)
