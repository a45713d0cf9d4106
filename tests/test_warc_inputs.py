"""Reading the archives users have: tests/data/archives/ (made by tests/data/make_archives.py
with warcio, wget, gzip and our own ARC writer), damaged ones included."""

from __future__ import annotations

import gzip
import io
import json
import shutil
import subprocess
import sys
import threading
from functools import partial
from http.server import ThreadingHTTPServer
from pathlib import Path
from typing import Any

import brotli
import pytest
from warcio.archiveiterator import ArchiveIterator
from warcio.bufferedreaders import BufferedReader

from newsbot.warc import ReadReport, iter_captures
from newsbot.warc.reader import resolve_paths
from newsbot.warc.records import read_one

DATA = Path(__file__).resolve().parent / "data"
ARCHIVES = DATA / "archives"
EXPECTED: dict[str, dict[str, Any]] = json.loads((ARCHIVES / "expected.json").read_text())

sys.path.insert(0, str(DATA))
import make_archives  # noqa: E402

if sys.version_info >= (3, 14):
    from compression import zstd
else:
    from backports import zstd


def read(*names: str) -> tuple[list[Any], ReadReport]:
    report = ReadReport()
    captures = list(iter_captures([ARCHIVES / n for n in names], report=report, metadata_window=64))
    return captures, report


@pytest.mark.parametrize("name", sorted(EXPECTED))
def test_every_readable_capture_is_read(name: str, capfd: pytest.CaptureFixture[str]) -> None:
    expected = EXPECTED[name]
    names = [expected["original_in"], name] if "original_in" in expected else [name]
    captures, report = read(*names)
    result = report.files[-1]
    assert [c.url for c in captures if c.file.endswith(name)] == expected["urls"]
    assert (result.cut is not None) == expected["cut"], result.cut
    assert result.bad_records == expected.get("bad_records", 0)
    assert result.whole_file_gzip == expected.get("whole_file_gzip", False)
    assert all(c.status in (200, 404) and c.body for c in captures if c.status == 200)
    assert capfd.readouterr().err == "", "warcio's stderr output must become log lines"


def test_damage_is_one_warning_naming_file_offset_and_cause(
    caplog: pytest.LogCaptureFixture,
) -> None:
    read("corrupt-member.warc.gz", "truncated.warc.gz", "bad-chunk.warc.gz")
    cuts = [r.getMessage() for r in caplog.records if "cut short" in r.getMessage()]
    assert len(cuts) == 3
    assert "corrupt-member.warc.gz at offset 1894: corrupt gzip member" in cuts[0]
    assert "truncated.warc.gz at offset" in cuts[1] and "bytes of the record missing" in cuts[1]
    assert "bad chunk" in cuts[2]
    assert all(r.levelname == "WARNING" and r.exc_info is None for r in caplog.records)


def test_bodies_in_br_and_zstd_are_decoded() -> None:
    captures, _ = read("encoded.warc.gz")
    assert [c.body for c in captures] == [make_archives.article(6)[1], make_archives.article(7)[1]]
    assert [dict(c.headers)["Content-Encoding"] for c in captures] == ["br", "zstd"]
    assert all(c.decoded and "Content-Encoding" not in dict(c.replay_headers()) for c in captures)


@pytest.mark.parametrize("coding", ["br", "zstd"])
def test_decompressors_registered_in_warcio(coding: str) -> None:
    body = b"<p>zstd and brotli bodies</p>" * 50
    packed = {
        "br": brotli.compress,
        "zstd": lambda b: zstd.compress(b[:700]) + zstd.compress(b[700:]),
    }
    reader = BufferedReader(io.BytesIO(packed[coding](body)), decomp_type=coding, block_size=64)
    assert reader.read() == body


def test_arc_record_ids_are_derived_from_file_and_offset() -> None:
    first, _ = read("arc-v1.arc.gz", "arc-v2.arc.gz", "arc-v1.arc")
    again, _ = read("arc-v1.arc.gz", "arc-v2.arc.gz", "arc-v1.arc")
    assert [c.record_id for c in first] == [c.record_id for c in again]
    for capture in first:
        assert capture.record_id == f"<urn:arc:{Path(capture.file).name}:{capture.offset}>"
        item = read_one(Path(capture.file), capture.offset)  # (warcio alone misreads ARC v2)
        assert (
            item is not None
            and item.record.rec_headers.get_header("WARC-Target-URI") == capture.url
        )


def test_arc_v2_lines_give_the_right_url_and_date() -> None:
    captures, _ = read("arc-v2.arc.gz")
    assert [c.url for c in captures] == EXPECTED["arc-v2.arc.gz"]["urls"]
    assert {c.date for c in captures} == {"2025-12-16T09:30:00Z"} and {c.ip for c in captures} == {
        make_archives.IP
    }


def test_whole_file_gzip_offsets_are_uncompressed_positions() -> None:
    captures, report = read("whole-file.warc.gz")
    assert report.files[0].whole_file_gzip
    plain = gzip.decompress((ARCHIVES / "whole-file.warc.gz").read_bytes())
    for capture in captures:
        record = next(iter(ArchiveIterator(io.BytesIO(plain[capture.offset :]))))
        assert record.rec_headers.get_header("WARC-Target-URI") == capture.url


def test_revisit_resolved_from_another_file_and_alone_counted() -> None:
    captures, _ = read("revisit-1-original.warc.gz", "revisit-2-later.warc.gz")
    original, revisit = captures
    assert revisit.revisit and revisit.body == original.body
    alone, report = read("revisit-2-later.warc.gz")
    assert alone == [] and report.unresolved_revisits == 1


def test_a_folder_gives_warc_and_arc_files_and_logs_the_rest(
    caplog: pytest.LogCaptureFixture, tmp_path: Path
) -> None:
    for name in ("arc-v1.arc", "arc-v1.arc.gz", "warcio-1.0.warc", "warcio-1.1.warc.gz"):
        shutil.copy(ARCHIVES / name, tmp_path / name)
    (tmp_path / "notes.txt").write_text("not an archive")
    (tmp_path / "warcio-1.1.warc.gz.cdxj").write_text("")
    assert [p.name for p in resolve_paths(tmp_path)] == [
        "arc-v1.arc",
        "arc-v1.arc.gz",
        "warcio-1.0.warc",
        "warcio-1.1.warc.gz",
    ]
    assert [p.name for p in resolve_paths(str(tmp_path / "*.arc*"))] == [
        "arc-v1.arc",
        "arc-v1.arc.gz",
    ]
    assert [r.getMessage() for r in caplog.records] == [
        f"not replayed: {tmp_path / 'notes.txt'} (not a .warc, .warc.gz, .arc or .arc.gz file)"
    ]


def test_an_unreadable_file_is_cut_at_zero(tmp_path: Path) -> None:
    (tmp_path / "page.warc").write_bytes(b"<html>not an archive</html>\n")
    (tmp_path / "empty.warc.gz").write_bytes(b"")
    captures, report = [], ReadReport()
    captures = list(iter_captures(tmp_path, report=report))
    assert captures == []
    assert [(f.path.name, f.cut and f.cut[0]) for f in report.files] == [
        ("empty.warc.gz", None),
        ("page.warc", 0),
    ]


@pytest.mark.skipif(shutil.which("wget") is None, reason="GNU wget is not installed")
def test_wget_warc_of_a_local_site(tmp_path: Path) -> None:
    """wget's own --warc-file output, made now (the committed wget.warc.gz may be older)."""
    site = tmp_path / "site"
    url, body = make_archives.article(40)
    page = site / url.split("/", 3)[3]
    page.parent.mkdir(parents=True)
    page.write_bytes(body)
    (site / "index.html").write_text(f'<a href="/{url.split("/", 3)[3]}">story</a>')
    server = ThreadingHTTPServer(
        ("127.0.0.1", 0), partial(make_archives._QuietHandler, directory=str(site))
    )
    threading.Thread(target=server.serve_forever, daemon=True).start()
    try:
        base = f"http://127.0.0.1:{server.server_port}"
        subprocess.run(
            [
                "wget",
                "-q",
                "-r",
                "-l",
                "1",
                "-P",
                str(tmp_path / "files"),
                f"--warc-file={tmp_path / 'wget'}",
                f"{base}/",
            ],
            check=False,
            timeout=60,
        )
    finally:
        server.shutdown()
    report = ReadReport()
    captures = list(iter_captures(tmp_path / "wget.warc.gz", report=report))
    assert [c.url for c in captures] == [
        f"{base}/",
        f"{base}/robots.txt",
        url.replace(make_archives.HOST, base),
    ]
    assert captures[-1].body == body and report.files[0].cut is None


def test_a_file_cut_inside_a_record_that_is_not_read_is_still_cut(tmp_path: Path) -> None:
    """The last record is a request (its block is skipped, not read): still a truncation."""
    url, body = make_archives.article(44)
    request = make_archives.warc_block(
        [("WARC-Type", "request"), ("WARC-Target-URI", url), ("WARC-Date", make_archives.DATE)],
        b"GET / HTTP/1.1\r\n" * 40,
    )
    path = tmp_path / "cut-request.warc"
    path.write_bytes(make_archives.response(url, make_archives.http(body)) + request[:-300])
    captures, report = read(str(path))
    assert [c.url for c in captures] == [url]
    assert report.files[0].cut is not None and "truncated" in report.files[0].cut[1]


def test_a_file_cut_inside_the_headers_of_its_last_record_is_cut(tmp_path: Path) -> None:
    url, body = make_archives.article(60)
    last = make_archives.response(make_archives.article(61)[0], make_archives.http(body))
    path = tmp_path / "cut-headers.warc"
    path.write_bytes(make_archives.response(url, make_archives.http(body)) + last[:120])
    captures, report = read(str(path))
    assert [c.url for c in captures] == [url]
    assert report.files[0].cut is not None
    assert report.files[0].cut[1] == "no Content-Length, and no record after it"
