"""Site templates learnt during a crawl: recurring blocks leave every record."""

from __future__ import annotations

import json
import sqlite3
from pathlib import Path

import pytest

from newsbot.demo.server import serve_folder
from support.crawls import records, run_scrapy
from support.sitegen import SHARED_PARAGRAPHS, build_site

pytestmark = pytest.mark.slow  # end to end: real crawls in subprocesses


def test_template_blocks_leave_every_record_and_unique_text_stays(tmp_path: Path) -> None:
    site = tmp_path / "site"
    build_site(site, 24, seed=5)
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
    page.write_text(
        page.read_text().replace(
            f"<p>{SHARED_PARAGRAPHS[2]}</p>", f"<p>{special}</p><p>{SHARED_PARAGRAPHS[2]}</p>"
        )
    )
    archive = tmp_path / "archive"
    with serve_folder(site) as server:
        run_scrapy("crawl", "news", "-a", f"url={server.url('/sitemap.xml')}", archive=archive)
    recs = {r["url"].split("/", 3)[3]: r for r in records(archive)}
    assert special in recs[paths[7].lstrip("/")]["text"]
    assert all(SHARED_PARAGRAPHS[2] not in r["text"] for r in recs.values())


def paragraphs(archive: Path, rare_before: int | None = None) -> int:
    """Paragraphs the template store holds (only those seen on fewer than 3 pages and
    last seen before the site's page `rare_before`, if given)."""
    where = (
        ""
        if rare_before is None
        else f" WHERE fixed = 0 AND pages < 3 AND last_seen < {rare_before}"
    )
    with sqlite3.connect(archive / "state" / "newsbot.sqlite") as conn:
        return int(conn.execute(f"SELECT COUNT(*) FROM tmpl_paragraphs{where}").fetchone()[0])


def test_rare_paragraphs_are_forgotten_at_the_end_of_a_crawl(tmp_path: Path) -> None:
    site = tmp_path / "site"
    build_site(site, 24, seed=5)
    kept, pruned = tmp_path / "kept", tmp_path / "pruned"
    with serve_folder(site) as server:
        for archive, idle in ((kept, 0), (pruned, 4)):
            run_scrapy(
                "crawl",
                "news",
                "-a",
                f"url={server.url('/sitemap.xml')}",
                archive=archive,
                settings={"TEMPLATES_PRUNE_IDLE_PAGES": str(idle)},
            )
    assert paragraphs(kept, rare_before=24 - 4) > 40  # every early page's own paragraphs
    assert paragraphs(pruned, rare_before=24 - 4) == 0
    summary = json.loads(next((pruned / "runs").glob("*.summary.json")).read_text())
    assert paragraphs(pruned) + summary["stats"]["newsbot/templates/pruned"] == paragraphs(kept)
    recs = records(pruned)  # what was learnt still cleaned the records
    assert len(recs) == 24
    assert all(shared not in rec["text"] for rec in recs for shared in SHARED_PARAGRAPHS)
