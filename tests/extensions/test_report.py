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
