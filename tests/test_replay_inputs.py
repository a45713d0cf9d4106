"""`scrapy crawl replay` over the archives users have (tests/data/archives/), damaged ones
included: what it replays, what it names, how it exits."""

from __future__ import annotations

import json
import shutil
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from warcio.archiveiterator import ArchiveIterator

from support.crawls import COMPARED, read_jsonl, records, run_scrapy
from support.pagesite import Pages, serve_pages

pytestmark = pytest.mark.slow  # end to end: real crawls in subprocesses

DATA = Path(__file__).resolve().parent / "data"
ARCHIVES = DATA / "archives"
EXPECTED: dict[str, dict[str, Any]] = json.loads((ARCHIVES / "expected.json").read_text())

sys.path.insert(0, str(DATA))
import make_archives  # noqa: E402


def summary(archive: Path) -> dict[str, Any]:
    [path] = (archive / "runs").glob("replay-*.summary.json")
    return json.loads(path.read_text())  # type: ignore[no-any-return]


def replay(warc: Path, archive: Path) -> Any:
    return run_scrapy("crawl", "replay", "-a", f"warc={warc}", archive=archive, check=False)


def test_replay_of_every_test_archive(tmp_path: Path) -> None:
    archive = tmp_path / "archive"
    proc = replay(ARCHIVES, archive)
    assert proc.returncode == 3, proc.stderr[-3000:]
    assert "Traceback" not in proc.stderr
    articles = {
        u for e in EXPECTED.values() for u in e["urls"] if "/news/" in u or "/world/" in u
    }  # (wget's home page and robots.txt aside)
    recs = records(archive) + records(archive, "duplicates")
    assert sorted(r["url"] for r in recs) == sorted(articles)
    result = summary(archive)
    cut = sorted(n for n, e in EXPECTED.items() if e["cut"])
    assert sorted(Path(f["file"]).name for f in result["replay_incomplete_files"]) == cut
    assert all(f["offset"] > 0 and f["cause"] for f in result["replay_incomplete_files"])
    assert result["exit_status"] == 3 and result["ok"] is False and result["failure"] is None
    assert result["replay_bad_records"] == sum(e.get("bad_records", 0) for e in EXPECTED.values())
    assert [Path(f).name for f in result["replay_uncompressed_offsets"]] == ["whole-file.warc.gz"]
    assert result["pages_fetched"] == sum(len(e["urls"]) for e in EXPECTED.values())


def test_arc_captures_replay_as_their_warc_twins(tmp_path: Path) -> None:
    arcs, twins = tmp_path / "arcs", ARCHIVES / "twins"
    arcs.mkdir()
    for name in ("arc-v1.arc", "arc-v1.arc.gz", "arc-v2.arc.gz"):
        shutil.copy(ARCHIVES / name, arcs / name)
    outputs = []
    for folder in (arcs, twins):
        archive = tmp_path / folder.name / "archive"
        assert replay(folder, archive).returncode == 0
        outputs.append(
            sorted(
                (
                    {k: v for k, v in r.items() if k != "warc"}
                    for r in records(archive) + records(archive, "duplicates")
                ),
                key=lambda r: r["url"],
            )
        )
    assert len(outputs[0]) == 5 and outputs[0] == outputs[1]


def test_nothing_replayable_exits_1_and_says_why(tmp_path: Path) -> None:
    archive = tmp_path / "archive"
    proc = replay(ARCHIVES / "revisit-2-later.warc.gz", archive)
    assert proc.returncode == 1 and "Traceback" not in proc.stderr
    assert "1 revisits whose originals are not in these files" in summary(archive)["failure"]


# --- a site that serves zstd, crawled then replayed --------------------------------


def _zstd_pages(base: str) -> Pages:
    html = "text/html; charset=utf-8"
    pages = {
        make_archives.article(n)[0].replace(make_archives.HOST, ""): (
            html,
            make_archives.article(n)[1],
        )
        for n in (41, 42, 43)
    }
    locs = "".join(f"<url><loc>{base}{p}</loc></url>" for p in pages)
    pages["/sitemap.xml"] = (
        "application/xml",
        (
            '<?xml version="1.0"?><urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">'
            f"{locs}</urlset>"
        ).encode(),
    )
    return pages


@pytest.fixture
def zstd_site() -> Iterator[str]:
    with serve_pages("127.0.0.6", _zstd_pages, zstd_bodies=True) as base:
        yield base


def test_crawl_of_a_zstd_site_then_its_replay_give_identical_records(
    tmp_path: Path, zstd_site: str
) -> None:
    archive = tmp_path / "archive"
    run_scrapy("crawl", "news", "-a", f"url={zstd_site}/sitemap.xml", archive=archive)
    codings = []
    for path in (archive / "warc").glob("*.warc.gz"):
        with open(path, "rb") as fh:
            codings += [
                r.http_headers.get_header("Content-Encoding")
                for r in ArchiveIterator(fh)
                if r.rec_type == "response" and r.http_headers is not None
            ]
    assert codings.count("zstd") >= 4, codings  # the WARC holds the bodies as sent
    run_scrapy("crawl", "replay", "-a", f"warc={archive / 'warc'}", archive=archive)
    live = {r["id"]: r for p in (archive / "articles").glob("news-*.jsonl") for r in read_jsonl(p)}
    again = {
        r["id"]: r for p in (archive / "articles").glob("replay-*.jsonl") for r in read_jsonl(p)
    }
    assert len(live) == 3 and live.keys() == again.keys()
    for rid, rec in live.items():
        assert {f: again[rid][f] for f in COMPARED} == {f: rec[f] for f in COMPARED}


def test_a_capture_scrapy_refuses_is_counted_and_the_rest_replayed(tmp_path: Path) -> None:
    good_url, good = make_archives.article(45)
    bad_url = "http://[::1/news/2025/12/15/broken-address-46.html"  # urlsplit refuses it
    warc = tmp_path / "odd.warc.gz"
    warc.write_bytes(
        make_archives.gz(
            [
                make_archives.response(bad_url, make_archives.http(good)),
                make_archives.response(good_url, make_archives.http(good)),
            ]
        )
    )
    archive = tmp_path / "archive"
    proc = replay(warc, archive)
    assert proc.returncode == 0 and "Traceback" not in proc.stderr, proc.stderr[-3000:]
    assert [r["url"] for r in records(archive)] == [good_url]
    assert summary(archive)["stats"]["newsbot/replay/unreplayable"] == 1
    assert "capture not replayable: " in proc.stderr
