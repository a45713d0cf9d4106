"""`scrapy report`: the archive at a glance, from a real demo crawl and from hand-made archives."""

from __future__ import annotations

import json
import re
import shutil
from pathlib import Path

import pytest

from newsbot.report import build_report
from newsbot.report.archive import ArchiveError, load
from support.crawls import records, run_scrapy

pytestmark = pytest.mark.slow  # end to end: real crawls in subprocesses

DEMO_OUTLETS = ("Rupee Ledger", "FilMonde", "The Thames Courier", "Eastern Standard")


@pytest.fixture(scope="module")
def demo_report(tmp_path_factory: pytest.TempPathFactory, demo_archive: Path) -> Path:
    archive = tmp_path_factory.mktemp("report") / "archive"
    shutil.copytree(demo_archive, archive)  # the report writes into the archive it reads
    proc = run_scrapy("report", archive=archive)
    assert "wrote" in proc.stdout
    return archive


def files_under(root: Path) -> set[Path]:
    return {p for p in root.rglob("*") if p.is_file()}


def test_demo_report_shows_outlets_charts_and_the_seed_cluster(demo_report: Path) -> None:
    html = (demo_report / "report" / "index.html").read_text(encoding="utf-8")
    for name in DEMO_OUTLETS:
        assert name in html
    assert html.count("<svg") == 3  # runs, articles per day, hours
    assert "Asia/Kolkata" in html  # the zone comes from the summary
    clusters = html[html.index('id="clusters"') : html.index('id="wire-matrix"')].split("<tr>")
    seed = [row for row in clusters if "Zelensky" in row]  # the seed story and its AFP original
    assert len(seed) == 1 and "Rupee Ledger" in seed[0] and "FilMonde" in seed[0], clusters
    assert "AFP" in seed[0]
    matrix = html[html.index('id="wire-matrix"') : html.index('id="articles-section"')]
    assert "AFP" in matrix and "Reuters" in matrix


def test_report_is_self_contained(demo_report: Path) -> None:
    html = (demo_report / "report" / "index.html").read_text(encoding="utf-8")
    assert not re.search(r"""<(script|link|img)[^>]+(src|href)=["']?(https?:)?//""", html)
    assert "@import" not in html and "url(http" not in html


def test_summary_names_each_sources_zone(demo_report: Path) -> None:
    summary = json.loads(next((demo_report / "runs").glob("*.summary.json")).read_text())
    assert summary["sites"]["FilMonde"]["timezone"] == "Europe/Paris"


def test_report_writes_only_under_report_and_repairs_nothing(
    demo_report: Path, tmp_path: Path
) -> None:
    archive = tmp_path / "archive"
    shutil.copytree(demo_report, archive)
    shutil.rmtree(archive / "report")
    jsonl = next(p for p in (archive / "articles").glob("*.jsonl") if ".duplicates" not in p.name)
    with jsonl.open("a", encoding="utf-8") as fh:
        fh.write('{"id": "torn", "title": "cut off in the midd')  # a write torn by kill -9
    before = {p: p.read_bytes() for p in files_under(archive)}
    proc = run_scrapy("report", archive=archive)
    after = files_under(archive)
    assert {p for p in after - set(before)} == {archive / "report" / "index.html"}
    assert all(p.read_bytes() == data for p, data in before.items())  # the torn line stays
    warnings = [line for line in proc.stderr.splitlines() if "WARNING" in line]
    assert len(warnings) == 1 and jsonl.name in warnings[0], proc.stderr


@pytest.mark.parametrize("make", ["missing", "empty"])
def test_nothing_to_report_exits_1_naming_the_path(tmp_path: Path, make: str) -> None:
    archive = tmp_path / "archive"
    if make == "empty":
        (archive / "runs").mkdir(parents=True)
    proc = run_scrapy("report", archive=archive, check=False)
    assert proc.returncode == 1
    assert str(archive) in proc.stderr
    assert not (archive / "report").exists()


def test_a_run_without_summary_is_listed_as_such(demo_report: Path, tmp_path: Path) -> None:
    archive = tmp_path / "archive"
    shutil.copytree(demo_report / "articles", archive / "articles")
    (archive / "runs").mkdir()
    (archive / "articles" / "news-20261130T090000Z-abcdef.jsonl").write_text(
        (next((archive / "articles").glob("*[0-9a-f].jsonl"))).read_text().splitlines()[0] + "\n"
    )
    path = build_report(archive)
    html = path.read_text(encoding="utf-8")
    assert html.count("no summary") >= 2 and "20261130T090000Z-abcdef" in html


def test_run_and_since_select_runs(demo_report: Path) -> None:
    run_id = next((demo_report / "runs").glob("*.summary.json")).name.split("-", 1)[1][:-13]
    assert [r.run_id for r in load(demo_report, run_id=run_id).runs] == [run_id]
    with pytest.raises(ArchiveError, match="no run"):
        load(demo_report, run_id="20000101T000000Z-000000")


@pytest.mark.slow
def test_demo_report_in_headless_chromium(demo_report: Path, tmp_path: Path) -> None:
    """Opened offline as a person would: every chart drawn, the outlets and the seed story's
    cluster on screen, no console error, nothing requested but the file itself."""
    from support.browser import Chromium, require_binary

    binary = require_binary("chromium", "chromium-browser")
    report = demo_report / "report" / "index.html"
    with Chromium(binary) as browser:
        page = browser.open(report.as_uri())
        charts = page.evaluate(
            "Array.from(document.querySelectorAll('figure.chart')).map(f => {"
            " const s = f.querySelector('svg'); if (!s) return [f.id, 0, 0];"
            " const r = s.getBoundingClientRect(); return [f.id, r.width, r.height]; })"
        )
        text = page.evaluate("document.body.innerText")
        seed = page.evaluate(
            "Array.from(document.querySelectorAll('#clusters tr'))"
            ".map(r => r.innerText).filter(t => t.includes('Zelensky'))"
        )
        rows = page.evaluate("document.querySelectorAll('#articles tbody tr').length")
        page.evaluate(
            "const s = document.getElementById('outlet-filter');"
            " s.value = String(Array.from(s.options).findIndex(o => o.text === 'FilMonde') - 1);"
            " s.dispatchEvent(new Event('change'))"
        )
        filtered = page.evaluate(
            "Array.from(document.querySelectorAll('#articles tbody tr'))"
            ".map(r => r.children[1].innerText)"
        )
        shot = page.screenshot(tmp_path / "demo-report.png")
        print(f"screenshot: {shot}")
        errors = page.console_errors()
        urls = page.requested_urls()
    assert [c[0] for c in charts] == ["chart-runs", "chart-timeline", "chart-hours"]
    assert all(w > 200 and h > 100 for _, w, h in charts), charts
    for name in DEMO_OUTLETS:
        assert name in text
    assert len(seed) == 1 and "Rupee Ledger" in seed[0] and "FilMonde" in seed[0], seed
    assert rows == len(records(demo_report)) + len(records(demo_report, "duplicates"))
    assert filtered and set(filtered) == {"FilMonde"}, filtered
    assert errors == []
    assert urls and all(u.startswith(("file:", "data:")) for u in urls), urls
    assert shot.stat().st_size > 10_000
