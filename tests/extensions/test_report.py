"""CrawlReport: progress lines while the crawl runs, and the summary written under runs/."""

from __future__ import annotations

import json
import logging
from pathlib import Path

import pytest

from newsbot.extensions.report import CrawlReport
from newsbot.runtime import Runtime
from newsbot.spiders.news import NewsSpider
from support.crawler import build, crawler_for


def test_the_summary_is_written_under_runs(tmp_path: Path) -> None:
    with crawler_for(NewsSpider, tmp_path, url="http://news.example/") as crawler:
        report = build(CrawlReport, crawler)
        assert report.health is not None  # HEALTH_ENABLED
        report.write({"run_id": Runtime.of(crawler).run_id, "ok": True, "sites": {}, "outputs": {}})
        path = tmp_path / "runs" / f"news-{Runtime.of(crawler).run_id}.summary.json"
    written = json.loads(path.read_text(encoding="utf-8"))
    assert written["ok"] is True and "health" in written  # site health, even with no sites
    assert report.summary == written


def test_without_health_checks_the_summary_has_no_health_section(tmp_path: Path) -> None:
    with crawler_for(
        NewsSpider, tmp_path, {"HEALTH_ENABLED": False}, url="http://a.example/"
    ) as crawler:
        report = build(CrawlReport, crawler)
        report.write({"ok": True})
    [path] = (tmp_path / "runs").iterdir()
    assert "health" not in json.loads(path.read_text(encoding="utf-8"))


def test_a_progress_line_counts_pages_articles_and_errors(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    with crawler_for(NewsSpider, tmp_path, url="http://news.example/") as crawler:
        report = build(CrawlReport, crawler)
        for key, value in (
            ("downloader/response_count", 12),
            ("newsbot/articles", 5),
            ("newsbot/duplicates", 2),
            ("newsbot/errors/http", 1),
            ("newsbot/errors/truncated_gzip", 2),
        ):
            crawler.stats.set_value(key, value)
        with caplog.at_level(logging.INFO, logger="newsbot.extensions.report"):
            report.progress()
    assert "12 pages" in caplog.text and "5 articles, 2 duplicates, 3 errors" in caplog.text


def _figures(records: float) -> dict[str, float]:
    return {"article_candidates": 20, "records": records, "share_no_record": 0.0}


def test_site_health_is_judged_against_the_backends_history(tmp_path: Path) -> None:
    with crawler_for(NewsSpider, tmp_path, url="http://news.example/") as crawler:
        runtime = Runtime.of(crawler)
        history = runtime.backend.health_history()
        for day in (1, 2, 3):  # as another machine sharing the state would have left them
            history.append("news", f"2025120{day}T000000Z-aaaaaa", "a", _figures(20))
        report = build(CrawlReport, crawler)
        sites = {"a": {"article_candidates": 20, "records": 0}}
        report.write({"run_id": runtime.run_id, "ok": True, "sites": sites, "outputs": {}})
        report.write({"run_id": runtime.run_id, "ok": True, "sites": sites, "outputs": {}})
        after = history.previous("news", "a", "99999999T999999Z", 10)
    assert report.summary is not None
    assert {c["check"] for c in report.summary["health"]["checks"]} >= {"records_zero"}
    assert report.summary["stats"]["newsbot/health/a/records_zero"] == 1
    assert [f["records"] for f in after] == [0, 20, 20, 20]  # this run's, once (written twice)
    assert report.summary["health"]["figures"]["a"] == after[0]


def test_an_empty_backend_history_is_seeded_from_the_summaries(tmp_path: Path) -> None:
    runs = tmp_path / "runs"
    runs.mkdir()
    for day in (1, 2):
        section = {"figures": {"a": _figures(20)}}
        (runs / f"news-2025120{day}T000000Z-aaaaaa.summary.json").write_text(
            json.dumps({"health": section}), encoding="utf-8"
        )
    with crawler_for(NewsSpider, tmp_path, url="http://news.example/") as crawler:
        runtime = Runtime.of(crawler)
        report = build(CrawlReport, crawler)
        sites = {"a": {"article_candidates": 20, "records": 0}}
        report.write({"run_id": runtime.run_id, "ok": True, "sites": sites, "outputs": {}})
        kept = runtime.backend.health_history().previous("news", "a", "99999999T999999Z", 10)
    assert report.summary is not None
    assert {c["check"] for c in report.summary["health"]["checks"]} >= {"records_zero"}
    assert [f["records"] for f in kept] == [0, 20, 20]  # this run, then the two seeded
