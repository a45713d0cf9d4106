"""WARC archives as a crawl writes them: rotation, CDXJ, revisits, kill -9."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import pytest
from warcio.archiveiterator import ArchiveIterator

from newsbot.commands.demo import write_sources
from support.crawls import LOCAL, PROJECT, run_scrapy

pytestmark = pytest.mark.slow  # end to end: real crawls in subprocesses


def first_record_types(path: Path) -> str:
    with open(path, "rb") as fh:
        return next(iter(ArchiveIterator(fh))).rec_type


def count_types(files: list[Path]) -> dict[str, int]:
    """Record types; robots.txt apart (the robots middleware and discovery both fetch it)."""
    counts: dict[str, int] = {}
    for path in files:
        with open(path, "rb") as fh:
            for rec in ArchiveIterator(fh):
                uri = rec.rec_headers.get_header("WARC-Target-URI") or ""
                kind = rec.rec_type + ("/robots" if uri.endswith("/robots.txt") else "")
                counts[kind] = counts.get(kind, 0) + 1
    return counts


def test_rotation_cdxj_and_revisits_across_runs(tmp_path: Path, demo_sites: Any) -> None:
    archive = tmp_path / "archive"
    sources = write_sources(demo_sites, tmp_path / "sources.toml")
    crawl = ("crawl", "news", "-a", f"sources={sources}")
    run_scrapy(*crawl, archive=archive, settings={"WARC_MAX_SIZE": "60000"})
    files = sorted((archive / "warc").glob("*.warc.gz"))
    assert len(files) >= 3
    for path in files:
        assert first_record_types(path) == "warcinfo"
        cdxj = Path(f"{path}.cdxj") if Path(f"{path}.cdxj").exists() else path.with_suffix(".cdxj")
        lines = [ln for ln in cdxj.read_text().splitlines() if ln.strip()]
        assert lines, cdxj
        for line in lines[:5]:
            entry = json.loads(line.split(" ", 2)[2])
            with open(path, "rb") as fh:
                fh.seek(int(entry["offset"]))
                rec = next(iter(ArchiveIterator(fh)))
                assert rec.rec_headers.get_header("WARC-Target-URI") == entry["url"]
    first = count_types(files)
    assert first.get("revisit", 0) == 0
    # Second run over the unchanged site: what it fetches again is stored as revisits.
    run_scrapy(*crawl, archive=archive, settings={"WARC_MAX_SIZE": "60000"})
    second = count_types(sorted(set((archive / "warc").glob("*.warc.gz")) - set(files)))
    assert second.get("revisit", 0) >= 5
    assert second.get("revisit", 0) >= second.get("response", 0)


def test_kill_9_leaves_readable_open_warc(tmp_path: Path) -> None:
    archive = tmp_path / "archive"
    cmd = [
        sys.executable,
        "-m",
        "scrapy",
        "demo",
        "-s",
        f"ARCHIVE_DIR={archive}",
        "-s",
        "DOWNLOAD_DELAY=0.3",
        "-s",
        "CONCURRENT_REQUESTS_PER_DOMAIN=1",
    ]
    cmd += [
        a
        for k, v in LOCAL.items()
        if k != "DOWNLOAD_DELAY" and k != "CONCURRENT_REQUESTS_PER_DOMAIN"
        for a in ("-s", f"{k}={v}")
    ]
    proc = subprocess.Popen(
        cmd,
        cwd=PROJECT,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        start_new_session=True,
    )
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        opened = list((archive / "warc").glob("*.open")) if (archive / "warc").exists() else []
        if opened and opened[0].stat().st_size > 20000:
            break
        time.sleep(0.1)
    os.killpg(proc.pid, signal.SIGKILL)
    proc.wait()
    opened = list((archive / "warc").glob("*.warc.gz.open"))
    assert len(opened) == 1
    with open(opened[0], "rb") as fh:
        recs = [(r.rec_type, r.content_stream().read()) for r in ArchiveIterator(fh)]
    assert recs[0][0] == "warcinfo" and any(t == "response" for t, _ in recs)
    # The next run recovers it: renamed, indexed, still whole.
    run_scrapy("demo", archive=archive)
    assert not list((archive / "warc").glob("*.open"))
    assert Path(str(opened[0])[: -len(".open")]).exists()
