"""Scheduled runs: fetch only what is new, re-fetch what changed, never record twice."""

from __future__ import annotations

import json
import os
import random
import re
import signal
import sqlite3
import subprocess
import time
from pathlib import Path
from typing import Any

import pytest
from warcio.archiveiterator import ArchiveIterator

from newsbot.demo.server import serve_folder
from support.crawls import LOCAL, records, run_scrapy, start_scrapy
from support.sitegen import build_site

pytestmark = pytest.mark.slow  # end to end: real crawls in subprocesses

SITE_SIZE = 500


@pytest.fixture(scope="module")
def big_site(tmp_path_factory: pytest.TempPathFactory) -> Any:
    root = tmp_path_factory.mktemp("bigsite")
    paths = build_site(root, SITE_SIZE)
    with serve_folder(root) as server:
        yield server, root, paths


def summary(archive: Path) -> dict[str, Any]:
    newest = max((archive / "runs").glob("*.summary.json"), key=lambda p: p.stat().st_mtime)
    return json.loads(newest.read_text())


def all_records(archive: Path) -> list[dict[str, Any]]:
    return records(archive) + records(archive, "duplicates")


def test_second_run_fetches_only_what_is_new(big_site: Any, tmp_path: Path) -> None:
    server, _root, _paths = big_site
    start = f"url={server.url('/sitemap.xml')},{server.url('/rss.xml')},{server.url('/')}"
    run_scrapy("crawl", "news", "-a", start, archive=tmp_path)
    first = summary(tmp_path)
    assert first["articles"] + first["duplicates"] == SITE_SIZE
    run_scrapy("crawl", "news", "-a", start, archive=tmp_path)
    second = summary(tmp_path)
    assert second["pages_fetched"] < 0.05 * first["pages_fetched"], (first, second)
    assert second["articles"] == second["duplicates"] == 0
    assert len(all_records(tmp_path)) == SITE_SIZE


def test_corrected_article_becomes_a_new_version(tmp_path: Path) -> None:
    site = tmp_path / "site"
    paths = build_site(site, 12, seed=3)
    archive = tmp_path / "archive"
    with serve_folder(site) as server:
        start = f"url={server.url('/sitemap.xml')}"
        run_scrapy("crawl", "news", "-a", start, archive=archive)
        changed, touched = paths[3], paths[5]
        page = site / changed.lstrip("/")
        page.write_text(
            page.read_text().replace(
                "<p>", "<p>Correction: an earlier version misstated the figures. ", 1
            )
        )
        sitemap = site / "sitemap.xml"
        text = sitemap.read_text()
        for path in (changed, touched):  # both say they changed; only one really did
            text = re.sub(
                rf"({re.escape(path)}</loc><lastmod>)[^<]+", r"\g<1>2099-01-01T00:00:00+00:00", text
            )
        sitemap.write_text(text)
        run_scrapy("crawl", "news", "-a", start, archive=archive)
        fetched = server.requests.snapshot()
    recs = all_records(archive)
    versions = [r for r in recs if r["url"].endswith(changed)]
    assert sorted(r["version"] for r in versions) == [1, 2]
    v1, v2 = sorted(versions, key=lambda r: r["version"])
    assert v2["supersedes"] == v1["id"] and v2["id"] != v1["id"]
    assert v2["text"].startswith("Correction:") and v2["duplicate_of"] is None
    assert len([r for r in recs if r["url"].endswith(touched)]) == 1
    assert fetched.count(touched) == 2 and fetched.count(paths[0]) == 1


def test_three_kills_then_every_article_exactly_once(big_site: Any, tmp_path: Path) -> None:
    server, _root, _paths = big_site
    archive = tmp_path / "archive"
    crawl = ("crawl", "news", "-a", f"url={server.url('/sitemap.xml')}")
    settings = {"ARCHIVE_DIR": str(archive), **LOCAL, "CONCURRENT_REQUESTS_PER_DOMAIN": "4"}
    rng = random.Random(11)
    for _ in range(3):
        proc = start_scrapy(
            *crawl,
            settings=settings,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
            start_new_session=True,
        )
        time.sleep(rng.uniform(4.0, 9.0))
        os.killpg(proc.pid, signal.SIGKILL)
        proc.wait()
        for path in (archive / "articles").glob("*.jsonl"):  # whole lines only, but for the last
            lines = path.read_bytes().split(b"\n")
            for line in lines[:-1]:
                json.loads(line)
    run_scrapy("crawl", "news", "-a", f"url={server.url('/sitemap.xml')}", archive=archive)
    recs = all_records(archive)
    urls = [r["url"] for r in recs]
    assert len(urls) == len(set(urls)) == SITE_SIZE
    assert summary(archive)["ok"] is True
    with sqlite3.connect(
        archive / "state" / "newsbot.sqlite"
    ) as db:  # the index survived the kills
        assert db.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
        indexed = {row[0] for row in db.execute("SELECT article_id FROM dedup_articles")}
        recorded = {row[0] for row in db.execute("SELECT id FROM articles")}
        runs = sorted(status for (status,) in db.execute("SELECT status FROM runs"))
    assert {r["id"] for r in recs} == recorded <= indexed
    # each killed run repaired by the next at once (same boot, pid gone), not after its lease
    assert runs.count("finished") == 1 and set(runs) == {"finished", "interrupted"}
    for warc in (archive / "warc").iterdir():
        assert not warc.name.endswith(".open")
        if warc.name.endswith(".warc.gz"):
            with open(warc, "rb") as fh:
                for rec in ArchiveIterator(fh):
                    rec.content_stream().read()


def _whole_lines(archive: Path) -> int:
    """Lines written so far, read while the crawl appends (a line being written is not one)."""
    return sum(p.read_bytes().count(b"\n") for p in archive.glob("articles/*.jsonl"))


def test_jobdir_pause_and_resume(big_site: Any, tmp_path: Path) -> None:
    """Ctrl-C pauses a JOBDIR crawl; the same command resumes it from its disk queue."""
    server, _root, _paths = big_site
    archive, jobdir = tmp_path / "archive", tmp_path / "job"
    server.requests.clear()
    crawl = ("crawl", "news", "-a", f"url={server.url('/sitemap.xml')}")
    settings = {
        "ARCHIVE_DIR": str(archive),
        "JOBDIR": str(jobdir),
        **LOCAL,
        "CONCURRENT_REQUESTS_PER_DOMAIN": "2",
    }
    proc = start_scrapy(
        *crawl, settings=settings, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL
    )
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline and _whole_lines(archive) < 30:
        time.sleep(0.2)
    proc.send_signal(signal.SIGINT)
    assert proc.wait(timeout=120) == 0
    paused = len(all_records(archive))
    assert 30 <= paused < SITE_SIZE
    assert summary(archive)["finish_reason"] == "shutdown"
    run_scrapy(*crawl, archive=archive, settings={"JOBDIR": str(jobdir)})
    urls = [r["url"] for r in all_records(archive)]
    assert len(urls) == len(set(urls)) == SITE_SIZE
    assert server.requests.count("/sitemap.xml") == 1  # resumed from the queue, not rediscovered
