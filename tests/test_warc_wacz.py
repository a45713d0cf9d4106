"""make_wacz: our WARCs and extracted pages as a WACZ that `wacz validate` accepts."""

from __future__ import annotations

import json
import subprocess
import sys
import zipfile
from datetime import datetime, timezone
from pathlib import Path

import pytest

from newsbot.warc import Exchange, WarcArchive, make_wacz

pytest.importorskip("wacz", reason="optional: pip install wacz 'chardet<6'")


def test_make_wacz_validates_and_holds_pages(tmp_path: Path) -> None:
    archive = WarcArchive(tmp_path / "warc")
    pages = []
    for i in range(2):
        url = f"http://news.example/story-{i}"
        pointer = archive.write_exchange(
            Exchange(
                url=url,
                method="GET",
                request_headers=[],
                request_body=b"",
                status=200,
                reason=None,
                protocol="HTTP/1.1",
                response_headers=[("Content-Type", "text/html")],
                body=f"<html><title>Story {i}</title><p>Körper {i}</p></html>".encode(),
                ip_address=None,
                date=datetime(2025, 12, 16, 9, 30, i, tzinfo=timezone.utc),
            )
        )
        pages.append(
            {
                "url": url,
                "ts": pointer.date,
                "title": f"Story {i}",
                "text": f"Körper {i}",
                "id": "dropped: not a page field",
            }
        )
    files = archive.close()
    out = make_wacz(files, pages, tmp_path / "crawl.wacz")
    code = "import sys; from wacz.main import main; sys.exit(main())"
    check = subprocess.run(
        [sys.executable, "-c", code, "validate", "-f", str(out)],
        check=False,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert check.returncode == 0, check.stdout + check.stderr
    with zipfile.ZipFile(out) as zf:
        names = set(zf.namelist())
        assert f"archive/{files[0].name}" in names
        assert any(n.startswith("indexes/") for n in names)
        lines = zf.read("pages/pages.jsonl").decode().splitlines()
    assert json.loads(lines[0])["format"] == "json-pages-1.0"
    assert [json.loads(line) for line in lines[1:]] == [
        {k: v for k, v in p.items() if k != "id"} for p in pages
    ]


def test_pages_need_url_and_ts(tmp_path: Path) -> None:
    with pytest.raises(ValueError, match="url and ts"):
        make_wacz([], [{"url": "http://news.example/"}], tmp_path / "x.wacz")


@pytest.mark.slow
def test_scrapy_wacz_command_packages_a_crawl(tmp_path: Path, demo_archive: Path) -> None:
    from support.crawls import run_scrapy

    archive = demo_archive
    out = tmp_path / "demo.wacz"
    run_scrapy("wacz", "-o", str(out), archive=archive)
    with zipfile.ZipFile(out) as z:
        names = z.namelist()
        pages = [json.loads(line) for line in z.read("pages/pages.jsonl").decode().splitlines()[1:]]
    assert any(n.startswith("archive/") and n.endswith(".warc.gz") for n in names)
    assert any(n.startswith("indexes/") for n in names)
    assert any("berlin-talks" in p["url"] and p.get("title") for p in pages)
