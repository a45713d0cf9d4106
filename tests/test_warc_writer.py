"""WarcArchive: what it writes, read back through warcio and checked by its CLI."""

from __future__ import annotations

import dataclasses
import gzip
import json
import random
import re
import sqlite3
import subprocess
import sys
from datetime import datetime, timedelta, timezone
from pathlib import Path

import pytest
from warcio.archiveiterator import ArchiveIterator

from newsbot.warc import (
    DigestStore,
    Exchange,
    Original,
    Pointer,
    WarcArchive,
    payload_digest,
    recover_open_files,
)
from newsbot.warc.writer import METADATA_URI_PREFIX, REVISIT_PROFILE

T0 = datetime(2025, 12, 16, 9, 30, 0, 250000, tzinfo=timezone.utc)
HTML = b"<html><head><title>t</title></head><body><p>Berlin talks</p></body></html>"


def exchange(
    url: str,
    body: bytes = HTML,
    status: int = 200,
    headers: list[tuple[str, str]] | None = None,
    *,
    reason: str | None = None,
    seconds: int = 0,
    method: str = "GET",
    request_body: bytes = b"",
) -> Exchange:
    return Exchange(
        url=url,
        method=method,
        request_headers=[("User-Agent", "newsbot/0.1"), ("Accept-Encoding", "gzip, deflate")],
        request_body=request_body,
        status=status,
        reason=reason,
        protocol="HTTP/1.1",
        response_headers=headers if headers is not None else [("Content-Type", "text/html")],
        body=body,
        ip_address="192.0.2.7",
        date=T0 + timedelta(seconds=seconds),
    )


def warcio_check(*paths: Path) -> subprocess.CompletedProcess[str]:
    """Run the ``warcio check`` CLI (digests and structure) as a user would."""
    code = "import sys; from warcio.cli import main; sys.exit(main())"
    return subprocess.run(
        [sys.executable, "-c", code, "check", "-v", *map(str, paths)],
        check=False,
        capture_output=True,
        text=True,
        timeout=120,
    )


def records(path: Path) -> list[tuple[int, object, bytes]]:
    """(offset, record, raw payload after HTTP headers) for every record of a file."""
    out = []
    with open(path, "rb") as fh:
        it = ArchiveIterator(fh, check_digests=True)
        for record in it:
            raw = record.raw_stream.read()
            out.append((it.get_record_offset(), record, raw))
            assert record.digest_checker.passed is not False, record.digest_checker.problems
    return out


CASES = {
    "gzip": exchange(
        "http://news.example/gz",
        gzip.compress(HTML * 20),
        headers=[
            ("Content-Type", "text/html; charset=utf-8"),
            ("Content-Encoding", "gzip"),
            ("Vary", "Accept-Encoding"),
        ],
    ),
    "cookies": exchange(
        "http://news.example/cookies?a=1&b=2",
        seconds=1,
        headers=[
            ("Set-Cookie", "a=1; Path=/"),
            ("Content-Type", "text/html"),
            ("Set-Cookie", "b=2; HttpOnly"),
            ("Set-Cookie", "a=3"),
        ],
    ),
    "redirect": exchange(
        "https://news.example/old",
        b"",
        status=301,
        seconds=2,
        headers=[("Location", "https://news.example/new"), ("Content-Length", "0")],
    ),
    "error": exchange("http://news.example/boom", b"oops", status=500, seconds=3),
    "chunked": exchange(
        "http://news.example/chunked",
        HTML,
        seconds=4,
        headers=[
            ("Content-Type", "text/html"),
            ("Transfer-Encoding", "chunked"),
            ("Connection", "keep-alive"),
        ],
    ),
}


@pytest.fixture
def written(tmp_path: Path) -> tuple[Path, dict[str, Pointer]]:
    archive = WarcArchive(tmp_path, info={"operator": "desk@news.example", "robots": "obey"})
    pointers = {name: archive.write_exchange(ex) for name, ex in CASES.items()}
    (path,) = archive.close()
    return path, pointers


def test_file_starts_with_warcinfo(written: tuple[Path, dict[str, Pointer]]) -> None:
    path, _ = written
    offset, info, raw = records(path)[0]
    assert offset == 0 and info.rec_type == "warcinfo"
    assert info.rec_headers.protocol == "WARC/1.1"
    assert info.rec_headers.get_header("WARC-Filename") == path.name
    fields = dict(line.split(": ", 1) for line in raw.decode().splitlines() if line)
    assert fields["software"].startswith("newsbot/")
    assert fields["format"] == "WARC File Format 1.1"
    assert "warc-1.1" in fields["conformsTo"]
    assert fields["hostname"] and fields["operator"] == "desk@news.example"
    assert fields["robots"] == "obey"


def test_responses_hold_status_headers_and_body_as_received(
    written: tuple[Path, dict[str, Pointer]],
) -> None:
    path, pointers = written
    by_id = {
        rec.rec_headers.get_header("WARC-Record-ID"): (rec, raw) for _, rec, raw in records(path)
    }
    for name, ex in CASES.items():
        rec, raw = by_id[pointers[name].record_id]
        assert rec.rec_type == "response"
        assert rec.rec_headers.get_header("WARC-Target-URI") == ex.url
        assert rec.rec_headers.get_header("WARC-IP-Address") == "192.0.2.7"
        assert rec.rec_headers.get_header("WARC-Date") == pointers[name].date
        assert rec.rec_headers.get_header("WARC-Payload-Digest") == payload_digest(ex.body)
        assert rec.rec_headers.get_header("WARC-Block-Digest").startswith("sha1:")
        assert rec.http_headers.protocol == "HTTP/1.1"
        assert rec.http_headers.get_statuscode() == str(ex.status)
        assert raw == ex.body  # compressed bodies stay compressed
        expected = [h for h in ex.response_headers if h[0] != "Transfer-Encoding"]
        assert rec.http_headers.headers == expected


def test_status_lines_use_standard_phrases(written: tuple[Path, dict[str, Pointer]]) -> None:
    path, _ = written
    lines = {
        rec.rec_headers.get_header("WARC-Target-URI"): rec.http_headers.statusline
        for _, rec, _ in records(path)
        if rec.rec_type == "response"
    }
    assert lines["https://news.example/old"] == "301 Moved Permanently"
    assert lines["http://news.example/boom"] == "500 Internal Server Error"


def test_gzip_body_decodes_through_warcio(written: tuple[Path, dict[str, Pointer]]) -> None:
    path, pointers = written
    with open(path, "rb") as fh:
        fh.seek(pointers["gzip"].offset)
        record = next(iter(ArchiveIterator(fh)))
        assert record.content_stream().read() == HTML * 20


def test_dechunked_body_loses_its_transfer_encoding(
    written: tuple[Path, dict[str, Pointer]],
) -> None:
    path, pointers = written
    with open(path, "rb") as fh:
        fh.seek(pointers["chunked"].offset)
        record = next(iter(ArchiveIterator(fh)))
        assert record.http_headers.get_header("Transfer-Encoding") is None
        assert record.http_headers.get_header("Content-Length") is None  # not invented
        assert record.http_headers.get_header("Connection") == "keep-alive"
        assert record.content_stream().read() == HTML


def test_requests_follow_their_response_and_link_to_it(
    written: tuple[Path, dict[str, Pointer]],
) -> None:
    path, _ = written
    recs = [rec for _, rec, _ in records(path)][1:]
    assert [r.rec_type for r in recs] == ["response", "request"] * len(CASES)
    for resp, req in zip(recs[::2], recs[1::2]):
        assert req.rec_headers.get_header("WARC-Concurrent-To") == resp.rec_headers.get_header(
            "WARC-Record-ID"
        )
        assert req.rec_headers.get_header("WARC-Date") == resp.rec_headers.get_header("WARC-Date")
        assert req.rec_headers.get_header("WARC-Target-URI") == resp.rec_headers.get_header(
            "WARC-Target-URI"
        )
    req = recs[3]  # cookies
    assert req.http_headers.protocol == "GET"
    assert req.http_headers.statusline == "/cookies?a=1&b=2 HTTP/1.1"
    assert req.http_headers.headers[0] == ("Host", "news.example")
    assert req.http_headers.get_header("User-Agent") == "newsbot/0.1"


def test_warcio_check_passes(written: tuple[Path, dict[str, Pointer]]) -> None:
    path, _ = written
    result = warcio_check(path)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "digest pass" in result.stdout and "fail" not in result.stdout.lower()


def test_header_bytes_are_written_as_given(tmp_path: Path) -> None:
    """warcio would %-encode non-ASCII values; latin-1 bytes must survive as bytes."""
    ex = exchange(
        "http://news.example/x",
        reason="Fine Thanks",
        headers=[
            ("content-type", "text/html"),
            ("X-Title", "Caf\xe9 M\xfcnchen"),
            ("X-Odd", "a\r\nb"),
        ],
    )
    archive = WarcArchive(tmp_path)
    archive.write_exchange(ex)
    (path,) = archive.close()
    data = gzip.decompress(path.read_bytes())
    assert b"HTTP/1.1 200 Fine Thanks\r\ncontent-type: text/html\r\n" in data
    assert b"X-Title: Caf\xe9 M\xfcnchen\r\n" in data
    assert b"X-Odd: a b\r\n" in data  # no header injection
    assert warcio_check(path).returncode == 0


@pytest.mark.parametrize(
    "protocol, line, warc_protocol",
    [
        ("HTTP/1.1", "HTTP/1.1", None),
        ("HTTP/1.0", "HTTP/1.0", None),
        ("h2", "HTTP/1.1", "h2"),
        ("HTTP/2.0", "HTTP/1.1", "h2"),
        ("HTTP/3", "HTTP/1.1", "h3"),
    ],
)
def test_http2_is_written_in_http1_syntax_with_warc_protocol(
    tmp_path: Path, protocol: str, line: str, warc_protocol: str | None
) -> None:
    archive = WarcArchive(tmp_path)
    archive.write_exchange(
        dataclasses.replace(exchange("https://news.example/"), protocol=protocol)
    )
    (path,) = archive.close()
    resp, req = [rec for _, rec, _ in records(path)][1:]
    assert resp.http_headers.protocol == line and req.http_headers.statusline.endswith(line)
    assert resp.rec_headers.get_header("WARC-Protocol") == warc_protocol
    assert req.rec_headers.get_header("WARC-Protocol") == warc_protocol


def test_post_request_body_is_archived(tmp_path: Path) -> None:
    ex = exchange("http://news.example/search", method="POST", request_body=b"q=berlin")
    archive = WarcArchive(tmp_path)
    archive.write_exchange(ex)
    (path,) = archive.close()
    (req,) = [(rec, raw) for _, rec, raw in records(path) if rec.rec_type == "request"]
    assert req[0].http_headers.protocol == "POST" and req[1] == b"q=berlin"


def test_rotation_keeps_pairs_together_and_indexes_each_file(tmp_path: Path) -> None:
    rng = random.Random(7)
    archive = WarcArchive(tmp_path, max_size=6000, prefix="rot")
    pointers = [
        archive.write_exchange(exchange(f"http://news.example/{i}", rng.randbytes(2500), seconds=i))
        for i in range(9)
    ]
    files = archive.close()
    assert len(files) >= 3
    assert not list(tmp_path.glob("*.open"))
    assert sorted(files) == sorted(tmp_path.glob("*.warc.gz"))
    seen = set()
    for path in files:
        recs = records(path)
        assert recs[0][1].rec_type == "warcinfo"
        types = [rec.rec_type for _, rec, _ in recs[1:]]
        assert types == ["response", "request"] * (len(types) // 2)
        lines = (path.parent / (path.name + ".cdxj")).read_text().splitlines()
        assert len(lines) == len(types) // 2
        for line in lines:
            _, ts, blob = line.split(" ", 2)
            entry = json.loads(blob)
            index = int(entry["url"].rsplit("/", 1)[1])
            assert entry["filename"] == path.name
            assert ts == (T0 + timedelta(seconds=index)).strftime("%Y%m%d%H%M%S")
            with open(path, "rb") as fh:
                fh.seek(int(entry["offset"]))
                it = ArchiveIterator(fh)
                rec = next(iter(it))
                assert rec.rec_type == "response"
                assert rec.rec_headers.get_header("WARC-Target-URI") == entry["url"]
                rec.raw_stream.read()
                assert it.get_record_length() == int(entry["length"])
            seen.add(entry["url"])
    assert seen == {f"http://news.example/{i}" for i in range(9)}
    assert {p.file for p in pointers} == {f.name for f in files}
    assert warcio_check(*files).returncode == 0


def test_pointers_open_to_their_response(tmp_path: Path) -> None:
    archive = WarcArchive(tmp_path / "warcs", root=tmp_path, max_size=3000)
    pointers = [
        archive.write_exchange(exchange(f"http://news.example/p{i}", HTML * (i + 1)))
        for i in range(6)
    ]
    open_name = pointers[-1].file + ".open"
    assert (tmp_path / open_name).exists() and not pointers[-1].file.endswith(".open")
    archive.close()
    for i, pointer in enumerate(pointers):
        assert pointer.file.startswith("warcs/")
        with open(tmp_path / pointer.file, "rb") as fh:
            fh.seek(pointer.offset)
            rec = next(iter(ArchiveIterator(fh)))
            assert rec.rec_type == "response"
            assert rec.rec_headers.get_header("WARC-Record-ID") == pointer.record_id
            assert rec.rec_headers.get_header("WARC-Target-URI") == f"http://news.example/p{i}"


def test_revisit_across_runs_sharing_a_digest_store(tmp_path: Path) -> None:
    state = tmp_path / "state" / "state.sqlite"
    run1 = WarcArchive(tmp_path / "warcs", digests=DigestStore(state))
    first = run1.write_exchange(
        exchange("http://news.example/a", headers=[("Content-Type", "text/html"), ("ETag", '"v1"')])
    )
    run1.close()
    run2 = WarcArchive(tmp_path / "warcs", digests=DigestStore(state))
    again = run2.write_exchange(
        exchange(
            "http://news.example/b",
            seconds=60,
            headers=[("Content-Type", "text/html"), ("ETag", '"v2"')],
        )
    )
    not_ok = run2.write_exchange(exchange("http://news.example/404", status=404, seconds=61))
    empty = run2.write_exchange(exchange("http://news.example/empty", b"", seconds=62))
    empty2 = run2.write_exchange(exchange("http://news.example/empty2", b"", seconds=63))
    (path,) = run2.close()
    assert not first.revisit and again.revisit
    assert not (not_ok.revisit or empty.revisit or empty2.revisit)
    with open(path, "rb") as fh:
        fh.seek(again.offset)
        rec = next(iter(ArchiveIterator(fh)))
        assert rec.rec_type == "revisit"
        assert rec.rec_headers.get_header("WARC-Profile") == REVISIT_PROFILE
        assert rec.rec_headers.get_header("WARC-Refers-To") == first.record_id
        assert rec.rec_headers.get_header("WARC-Refers-To-Target-URI") == "http://news.example/a"
        assert rec.rec_headers.get_header("WARC-Refers-To-Date") == first.date
        assert rec.rec_headers.get_header("WARC-Payload-Digest") == first.payload_digest
        assert rec.http_headers.get_header("ETag") == '"v2"'  # this capture's headers
        assert rec.raw_stream.read() == b""
    assert warcio_check(path).returncode == 0


def test_digest_store_is_shared_sqlite(tmp_path: Path) -> None:
    db = tmp_path / "state.sqlite"
    sqlite3.connect(db).execute("CREATE TABLE articles (id TEXT)").connection.commit()
    store = DigestStore(db)
    other = DigestStore(db)  # another process would open its own connection the same way
    assert store.add("sha1:X", Original("http://a/", "2025-01-01T00:00:00Z", "<urn:uuid:1>"))
    assert not other.add("sha1:X", Original("http://b/", "2025-01-02T00:00:00Z", "<urn:uuid:2>"))
    assert other.get("sha1:X").uri == "http://a/"
    con = sqlite3.connect(db)
    assert con.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
    tables = {r[0] for r in con.execute("SELECT name FROM sqlite_master WHERE type='table'")}
    assert tables == {"articles", "warc_digests"}


def test_metadata_record_links_to_the_response(tmp_path: Path) -> None:
    archive = WarcArchive(tmp_path)
    pointer = archive.write_exchange(exchange("http://news.example/a"))
    meta = archive.write_metadata(
        pointer, "http://news.example/a", {"zone": "Asia/Kolkata", "feed_date": T0, "seq": 3}
    )
    (path,) = archive.close()
    assert meta.file == pointer.file and meta.offset > pointer.offset
    with open(path, "rb") as fh:
        fh.seek(meta.offset)
        rec = next(iter(ArchiveIterator(fh)))
        assert rec.rec_type == "metadata"
        assert rec.rec_headers.get_header("Content-Type") == "application/json"
        assert rec.rec_headers.get_header("WARC-Refers-To") == pointer.record_id
        assert rec.rec_headers.get_header("WARC-Concurrent-To") == pointer.record_id
        assert (
            rec.rec_headers.get_header("WARC-Target-URI")
            == METADATA_URI_PREFIX + "http://news.example/a"
        )
        assert json.loads(rec.raw_stream.read()) == {
            "zone": "Asia/Kolkata",
            "feed_date": "2025-12-16T09:30:00.250000+00:00",
            "seq": 3,
        }
    cdxj = (tmp_path / (path.name + ".cdxj")).read_text()
    assert "application/json" not in cdxj  # replay tools must not serve it as the page


NAME = re.compile(r"^[A-Za-z0-9._-]+-\d{17}-\d{5}-[A-Za-z0-9._-]+\.warc\.gz$")


@pytest.mark.parametrize(
    "prefix, host",
    [
        ("../../escape", "../etc"),
        ("a/b\\c", "host/..//x"),
        ("", ""),
        ("..", "."),
        ("news bot\n", "h\x00st"),
    ],
)
def test_file_names_stay_inside_directory(tmp_path: Path, prefix: str, host: str) -> None:
    directory = tmp_path / "warcs"
    archive = WarcArchive(directory, prefix=prefix, host=host)
    pointer = archive.write_exchange(exchange("http://news.example/"))
    (path,) = archive.close()
    assert path.parent == directory and NAME.match(path.name), path.name
    assert pointer.file == path.name
    assert [p.name for p in tmp_path.rglob("*.warc.gz")] == [path.name]


def test_name_follows_heritrix_convention(tmp_path: Path) -> None:
    archive = WarcArchive(tmp_path, prefix="newsbot", host="crawler-1", max_size=1)
    for i in range(3):
        archive.write_exchange(exchange(f"http://news.example/{i}"))
    names = [p.name for p in archive.close()]
    assert [n.split("-")[2] for n in names] == ["00000", "00001", "00002"]
    assert all(n.startswith("newsbot-") and n.endswith("-crawler-1.warc.gz") for n in names)


def test_warcinfo_drops_secret_looking_fields(tmp_path: Path) -> None:
    info = {
        "operator": "ops",
        "API_KEY": "k-123",
        "aws_secret_access_key": "s-456",
        "auth_token": "t-789",
        "db_password": "p-000",
        "proxy": "http://user:hunter2@proxy.example:3128/",
        "user-agent": "newsbot",
    }
    archive = WarcArchive(tmp_path, info=info)
    archive.write_exchange(exchange("http://news.example/"))
    (path,) = archive.close()
    data = gzip.decompress(path.read_bytes())
    for secret in (b"k-123", b"s-456", b"t-789", b"p-000", b"hunter2"):
        assert secret not in data
    assert b"proxy: http://proxy.example:3128/" in data and b"user-agent: newsbot" in data


def test_naive_capture_date_is_refused(tmp_path: Path) -> None:
    archive = WarcArchive(tmp_path)
    naive = dataclasses.replace(exchange("http://news.example/"), date=datetime(2025, 1, 1))
    with pytest.raises(ValueError, match="timezone-aware"):
        archive.write_exchange(naive)
    archive.close()


def test_recovery_leaves_a_live_writers_file_alone(tmp_path: Path) -> None:
    archive = WarcArchive(tmp_path)
    archive.write_exchange(exchange("http://news.example/"))
    assert recover_open_files(tmp_path) == []
    assert len(list(tmp_path.glob("*.open"))) == 1
    archive.close()
    assert not list(tmp_path.glob("*.open"))


def test_close_is_idempotent_and_archive_reusable(tmp_path: Path) -> None:
    archive = WarcArchive(tmp_path)
    assert archive.close() == []
    archive.write_exchange(exchange("http://news.example/1"))
    first = archive.close()
    archive.write_exchange(exchange("http://news.example/2"))
    second = archive.close()
    assert len(first) == len(second) == 1 and first != second
