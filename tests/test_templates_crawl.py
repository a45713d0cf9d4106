"""Site templates learnt during a crawl: recurring blocks leave every record."""

from __future__ import annotations

import json
from pathlib import Path

from conftest import records, run_scrapy
from newsbot.demo.server import serve_folder
from sitegen import SHARED_PARAGRAPHS, build_site


def test_template_blocks_leave_every_record_and_unique_text_stays(tmp_path: Path) -> None:
    site = tmp_path / "site"
    paths = build_site(site, 24, seed=5)
    archive = tmp_path / "archive"
    with serve_folder(site) as server:
        run_scrapy("crawl", "news", "-a", f"url={server.url('/sitemap.xml')}", archive=archive)
    recs = records(archive) + records(archive, "duplicates")
    assert len(recs) == 24
    for rec in recs:
        for shared in SHARED_PARAGRAPHS:
            assert shared not in rec["text"], rec["url"]
        html = (site / rec["url"].split("/", 3)[3]).read_text()
        first_paragraph = html.split("<p>")[2].split("</p>")[0]  # after the byline
        assert first_paragraph in rec["text"]
    summary = json.loads(next((archive / "runs").glob("*.summary.json")).read_text())
    assert summary["articles"] == 24


def test_one_off_paragraph_is_kept(tmp_path: Path) -> None:
    site = tmp_path / "site"
    paths = build_site(site, 20, seed=9)
    special = "A one-off correction paragraph appears on this page alone and must survive cleaning."
    page = site / paths[7].lstrip("/")
    page.write_text(page.read_text().replace(f"<p>{SHARED_PARAGRAPHS[2]}</p>", f"<p>{special}</p><p>{SHARED_PARAGRAPHS[2]}</p>"))
    archive = tmp_path / "archive"
    with serve_folder(site) as server:
        run_scrapy("crawl", "news", "-a", f"url={server.url('/sitemap.xml')}", archive=archive)
    recs = {r["url"].split("/", 3)[3]: r for r in records(archive)}
    assert special in recs[paths[7].lstrip("/")]["text"]
    assert all(SHARED_PARAGRAPHS[2] not in r["text"] for r in recs.values())
