"""Crash recovery: cut WARC files anywhere, recover, and every whole record reads back."""

from __future__ import annotations

import io
import os
import signal
import subprocess
import sys
import time
from datetime import datetime, timezone
from pathlib import Path

import pytest
from warcio.archiveiterator import ArchiveIterator
from warcio.statusandheaders import StatusAndHeaders
from warcio.warcwriter import WARCWriter

from newsbot.warc import (
    DigestStore,
    Exchange,
    WarcArchive,
    iter_captures,
    recover_open_file,
    recover_open_files,
)

PROJECT = Path(__file__).resolve().parents[1]
T0 = datetime(2025, 12, 16, 9, 30, tzinfo=timezone.utc)


def exchange(i: int, body: bytes) -> Exchange:
    return Exchange(
        url=f"http://news.example/{i}",
        method="GET",
        request_headers=[],
        request_body=b"",
        status=200,
        reason=None,
        protocol="HTTP/1.1",
        response_headers=[("Content-Type", "text/html")],
        body=body,
        ip_address=None,
        date=T0,
    )


def record_spans(path: Path) -> list[tuple[int, int, str]]:
    """(offset, end, record id) of each record; a record ends where the next begins."""
    starts, ids = [], []
    with open(path, "rb") as fh:
        it = ArchiveIterator(fh)
        for rec in it:
            rec.raw_stream.read()
            starts.append(it.get_record_offset())
            ids.append(rec.rec_headers.get_header("WARC-Record-ID"))
    ends = [*starts[1:], path.stat().st_size]
    return list(zip(starts, ends, ids))


def record_ids(path: Path) -> list[str]:
    return [rid for _, _, rid in record_spans(path)]


def warcio_check(*paths: Path) -> subprocess.CompletedProcess[str]:
    code = "import sys; from warcio.cli import main; sys.exit(main())"
    return subprocess.run(
        [sys.executable, "-c", code, "check", *map(str, paths)],
        check=False,
        capture_output=True,
        text=True,
        timeout=120,
    )


@pytest.fixture(scope="module")
def whole_gz(tmp_path_factory: pytest.TempPathFactory) -> Path:
    directory = tmp_path_factory.mktemp("whole")
    archive = WarcArchive(directory, host="h")
    for i in range(4):
        archive.write_exchange(exchange(i, os.urandom(3000)))
    (path,) = archive.close()
    return path


@pytest.fixture(scope="module")
def whole_plain(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """An uncompressed WARC (not what we write, but what recovery may meet)."""
    path = tmp_path_factory.mktemp("plain") / "other-tool.warc"
    with open(path, "wb") as fh:
        writer = WARCWriter(fh, gzip=False, warc_version="1.1")
        writer.write_record(writer.create_warcinfo_record(path.name, {"software": "test"}))
        for i in range(3):
            headers = StatusAndHeaders("200 OK", [("Content-Type", "text/plain")], "HTTP/1.1")
            writer.write_record(
                writer.create_warc_record(
                    f"http://news.example/{i}",
                    "response",
                    payload=io.BytesIO(b"x" * 999),
                    length=999,
                    http_headers=headers,
                )
            )
    return path


def cut_copy(src: Path, directory: Path, size: int, garbage: bytes = b"") -> Path:
    directory.mkdir(parents=True, exist_ok=True)
    dst = directory / (src.name + ".open")
    with open(src, "rb") as fin, open(dst, "wb") as fout:
        fout.write(fin.read(size) + garbage)
    return dst


def cut_points(spans: list[tuple[int, int, str]]) -> list[tuple[int, int]]:
    """(cut offset, records expected to survive): inside each record, at boundaries, in trailers."""
    points = []
    for k, (start, end, _) in enumerate(spans):
        points += [
            (start + 1, k),
            ((start + end) // 2, k),
            (end - 2, k),
            (end - 1, k),
            (end, k + 1),
        ]
    return points


@pytest.mark.slow  # a recovery per cut point: hundreds
@pytest.mark.parametrize("which", ["whole_gz", "whole_plain"])
def test_cut_anywhere_keeps_exactly_the_whole_records(
    which: str, request: pytest.FixtureRequest, tmp_path: Path
) -> None:
    src: Path = request.getfixturevalue(which)
    spans = record_spans(src)
    ids = [rid for _, _, rid in spans]
    for n, (cut, survivors) in enumerate(cut_points(spans)):
        open_path = cut_copy(src, tmp_path / str(n), cut)
        result = recover_open_file(open_path)
        assert result is not None
        assert not open_path.exists()
        if survivors == 0:
            assert result.path is None and result.cut_bytes == cut
            continue
        assert result.path == tmp_path / str(n) / src.name
        assert result.records == survivors, (cut, survivors)
        assert result.kept_bytes + result.cut_bytes == cut
        assert record_ids(result.path) == ids[:survivors]
        assert (result.path.parent / (result.path.name + ".cdxj")).exists()
        assert warcio_check(result.path).returncode == 0


@pytest.mark.parametrize(
    "garbage",
    [
        b"\x00" * 100,
        b"garbage\r\n\r\n",
        b"\x1f\x8b\x08\x00junk",
        b"WARC/1.1\r\nWARC-Type: response\r\nContent-Length: 99\r\n",
    ],
)
def test_garbage_after_the_last_record_is_cut(
    whole_gz: Path, tmp_path: Path, garbage: bytes
) -> None:
    size = whole_gz.stat().st_size
    result = recover_open_file(cut_copy(whole_gz, tmp_path, size, garbage))
    assert result is not None and result.path is not None
    assert result.kept_bytes == size and result.cut_bytes == len(garbage)
    assert record_ids(result.path) == record_ids(whole_gz)


def test_a_closed_file_left_unindexed_gets_its_cdxj(whole_gz: Path, tmp_path: Path) -> None:
    """Killed after the rename, while indexing: the next start writes the index."""
    path = tmp_path / whole_gz.name
    path.write_bytes(whole_gz.read_bytes())
    assert recover_open_files(tmp_path) == []
    lines = (tmp_path / (path.name + ".cdxj")).read_text().splitlines()
    assert len(lines) == 4


def test_garbage_after_a_cut_member(whole_gz: Path, tmp_path: Path) -> None:
    start, end, _ = record_spans(whole_gz)[3]
    result = recover_open_file(cut_copy(whole_gz, tmp_path, (start + end) // 2, b"\x00" * 50))
    assert result is not None and result.records == 3 and result.kept_bytes == start


def test_recover_open_files_renames_indexes_and_forgets_cut_digests(
    whole_gz: Path, tmp_path: Path
) -> None:
    store = DigestStore(tmp_path / "state.sqlite")
    warcs = tmp_path / "warcs"
    archive = WarcArchive(warcs, digests=store, host="h")
    pointers = [archive.write_exchange(exchange(i, os.urandom(2000))) for i in range(3)]
    open_path = next(warcs.glob("*.open"))
    archive._fh.close()  # simulate the crash: the process dies, the file stays .open
    cut = pointers[2].offset + 100
    os.truncate(open_path, cut)
    (path,) = recover_open_files(warcs, digests=store)
    assert path.name == pointers[0].file and not list(warcs.glob("*.open"))
    assert len(record_ids(path)) == 1 + 2 * 2  # warcinfo, two whole pairs
    assert store.get(pointers[0].payload_digest) is not None
    assert store.get(pointers[2].payload_digest) is None
    assert (warcs / (path.name + ".cdxj")).read_text().count("\n") == 2


WRITER_LOOP = """
import os, sys
from datetime import datetime, timezone
from newsbot.warc import DigestStore, Exchange, WarcArchive
directory = sys.argv[1]
archive = WarcArchive(directory, max_size=1_000_000, host="killed",
                      digests=DigestStore(os.path.join(directory, "state.sqlite")))
i = 0
while True:
    body = os.urandom(200_000) + str(i).encode()
    archive.write_exchange(Exchange(
        url=f"http://news.example/{i}", method="GET", request_headers=[], request_body=b"",
        status=200, reason=None, protocol="HTTP/1.1",
        response_headers=[("Content-Type", "application/octet-stream")], body=body,
        ip_address=None, date=datetime.now(timezone.utc)))
    i += 1
"""


def _kill_writer_midway(directory: Path, delay: float) -> None:
    env = {**os.environ, "PYTHONPATH": str(PROJECT)}
    proc = subprocess.Popen([sys.executable, "-c", WRITER_LOOP, str(directory)], env=env)
    try:
        deadline = time.monotonic() + 60
        while len(list(directory.glob("*.warc.gz"))) < 2 and time.monotonic() < deadline:
            assert proc.poll() is None, f"writer died by itself ({proc.returncode})"
            time.sleep(0.02)
        time.sleep(delay)  # land somewhere inside a later write
    finally:
        os.kill(proc.pid, signal.SIGKILL)
        proc.wait()


@pytest.mark.slow  # a writer process killed mid-write
def test_kill_9_mid_write_then_recover(tmp_path: Path) -> None:
    """Kill a writer at a few moments; at least one kill lands inside a record."""
    cuts = []
    for attempt, delay in enumerate((0.011, 0.037, 0.063, 0.089, 0.117) * 2):
        directory = tmp_path / str(attempt)
        directory.mkdir()
        _kill_writer_midway(directory, delay)
        open_paths = list(directory.glob("*.open"))  # none if killed between files
        size = sum(p.stat().st_size for p in open_paths)
        recovered = recover_open_files(directory)  # [] if killed before a whole warcinfo
        kept = sum(p.stat().st_size for p in recovered)
        cuts.append(size - kept)
        files = sorted(directory.glob("*.warc.gz"))
        assert len(files) >= 2 and set(recovered) <= set(files)
        assert not list(directory.glob("*.open"))
        assert all((f.parent / (f.name + ".cdxj")).exists() for f in files)
        result = warcio_check(*files)
        assert result.returncode == 0, result.stdout
        urls = [c.url for c in iter_captures(files)]
        assert urls == [f"http://news.example/{i}" for i in range(len(urls))], cuts
        if cuts[-1]:
            break
    assert any(cuts), f"no kill landed inside a record: {cuts}"
