"""iter_captures over our WARCs and other tools' layouts (wget, Heritrix, make_warc.py)."""

from __future__ import annotations

import gzip
import json
import subprocess
import sys
import uuid
from datetime import datetime, timedelta, timezone
from pathlib import Path

import pytest

from newsbot.warc import DigestStore, Exchange, WarcArchive, iter_captures, payload_digest

SHARED = Path(__file__).resolve().parents[1].parent / "shared"
T0 = datetime(2025, 12, 16, 9, 30, tzinfo=timezone.utc)
HTML = b"<html><body><p>Berlin talks resume</p></body></html>"


def exchange(
    url: str,
    body: bytes = HTML,
    headers: list[tuple[str, str]] | None = None,
    seconds: int = 0,
    status: int = 200,
) -> Exchange:
    return Exchange(
        url=url,
        method="GET",
        request_headers=[],
        request_body=b"",
        status=status,
        reason=None,
        protocol="HTTP/1.1",
        response_headers=headers or [("Content-Type", "text/html")],
        body=body,
        ip_address="192.0.2.9",
        date=T0 + timedelta(seconds=seconds),
    )


# -- other tools' layouts, written byte by byte ---------------------------------


def warc_record(headers: list[tuple[str, str]], block: bytes, version: str = "WARC/1.0") -> bytes:
    head = [version] + [f"{k}: {v}" for k, v in headers] + [f"Content-Length: {len(block)}"]
    return "\r\n".join(head).encode() + b"\r\n\r\n" + block + b"\r\n\r\n"


def rid() -> str:
    return f"<urn:uuid:{uuid.uuid4()}>"


def write_warc(path: Path, records: list[bytes]) -> Path:
    gz = path.name.endswith(".gz")
    path.write_bytes(b"".join(gzip.compress(r) if gz else r for r in records))
    return path


def http_response(status: str, headers: list[tuple[str, str]], body: bytes) -> bytes:
    lines = [f"HTTP/1.1 {status}"] + [f"{k}: {v}" for k, v in headers]
    return "\r\n".join(lines).encode() + b"\r\n\r\n" + body


def wget_records() -> list[bytes]:
    """What ``wget --warc-file`` writes: request, then response naming it, then its log."""
    out = [
        warc_record(
            [
                ("WARC-Type", "warcinfo"),
                ("WARC-Record-ID", rid()),
                ("WARC-Date", "2025-12-16T09:30:00Z"),
                ("WARC-Filename", "wget.warc.gz"),
                ("Content-Type", "application/warc-fields"),
            ],
            b"software: Wget/1.21.3 (linux-gnu)\r\nformat: WARC File Format 1.0\r\n",
        )
    ]
    parts = [b"<html><body>chunk one, ", b"chunk two</body>"]
    chunked = b"".join(b"%x\r\n%s\r\n" % (len(p), p) for p in parts) + b"0\r\n\r\n"
    pages = [
        (
            "http://news.example/plain",
            [("Content-Type", "text/html"), ("Content-Length", str(len(HTML)))],
            HTML,
        ),
        (
            "<http://news.example/chunked>",
            [("Content-Type", "text/html"), ("Transfer-Encoding", "chunked")],
            chunked,
        ),
    ]
    for url, headers, body in pages:
        req_id = rid()
        out.append(
            warc_record(
                [
                    ("WARC-Type", "request"),
                    ("WARC-Target-URI", url),
                    ("Content-Type", "application/http;msgtype=request"),
                    ("WARC-Date", "2025-12-16T09:30:01Z"),
                    ("WARC-Record-ID", req_id),
                ],
                b"GET / HTTP/1.1\r\nHost: news.example\r\nUser-Agent: Wget/1.21.3\r\n\r\n",
            )
        )
        out.append(
            warc_record(
                [
                    ("WARC-Type", "response"),
                    ("WARC-Record-ID", rid()),
                    ("WARC-Warcinfo-ID", rid()),
                    ("WARC-Concurrent-To", req_id),
                    ("WARC-Target-URI", url),
                    ("WARC-Date", "2025-12-16T09:30:01Z"),
                    ("WARC-IP-Address", "192.0.2.1"),
                    ("Content-Type", "application/http;msgtype=response"),
                ],
                http_response("200 OK", headers, body),
            )
        )
    out.append(
        warc_record(
            [
                ("WARC-Type", "metadata"),
                ("WARC-Record-ID", rid()),
                ("WARC-Target-URI", "metadata://gnu.org/software/wget/warc/MANIFEST.txt"),
                ("WARC-Date", "2025-12-16T09:30:02Z"),
                ("Content-Type", "text/plain"),
            ],
            b"<urn:uuid:whatever>\n",
        )
    )
    out.append(
        warc_record(
            [
                ("WARC-Type", "resource"),
                ("WARC-Record-ID", rid()),
                ("WARC-Target-URI", "metadata://gnu.org/software/wget/warc/wget.log"),
                ("WARC-Date", "2025-12-16T09:30:02Z"),
                ("Content-Type", "text/plain"),
            ],
            b"--2025-12-16 09:30:01--  http://news.example/plain\n",
        )
    )
    return out


def heritrix_records() -> list[bytes]:
    """Heritrix 3 layout: dns:, response/request/metadata triples, whois:."""
    out = [
        warc_record(
            [
                ("WARC-Type", "warcinfo"),
                ("WARC-Record-ID", rid()),
                ("WARC-Date", "2025-12-16T09:30:00Z"),
                ("Content-Type", "application/warc-fields"),
            ],
            b"software: Heritrix/3.4.0 http://crawler.archive.org\r\n",
        ),
        warc_record(
            [
                ("WARC-Type", "response"),
                ("WARC-Target-URI", "dns:news.example"),
                ("WARC-Date", "2025-12-16T09:30:00Z"),
                ("WARC-Record-ID", rid()),
                ("Content-Type", "text/dns"),
            ],
            b"20251216093000\nnews.example.\t300\tIN\tA\t192.0.2.7\n",
        ),
    ]
    for path, body in (("robots.txt", b"User-agent: *\nDisallow:\n"), ("page", HTML)):
        url, resp_id = f"http://news.example/{path}", rid()
        out.append(
            warc_record(
                [
                    ("WARC-Type", "response"),
                    ("WARC-Target-URI", url),
                    ("WARC-Date", "2025-12-16T09:30:01Z"),
                    ("WARC-Payload-Digest", payload_digest(body)),
                    ("WARC-IP-Address", "192.0.2.7"),
                    ("WARC-Record-ID", resp_id),
                    ("Content-Type", "application/http; msgtype=response"),
                ],
                http_response(
                    "200 OK",
                    [("Content-Type", "text/plain"), ("Content-Length", str(len(body)))],
                    body,
                ),
            )
        )
        out.append(
            warc_record(
                [
                    ("WARC-Type", "request"),
                    ("WARC-Target-URI", url),
                    ("WARC-Date", "2025-12-16T09:30:01Z"),
                    ("WARC-Concurrent-To", resp_id),
                    ("WARC-Record-ID", rid()),
                    ("Content-Type", "application/http; msgtype=request"),
                ],
                f"GET /{path} HTTP/1.0\r\nHost: news.example\r\n\r\n".encode(),
            )
        )
        out.append(
            warc_record(
                [
                    ("WARC-Type", "metadata"),
                    ("WARC-Target-URI", url),
                    ("WARC-Date", "2025-12-16T09:30:01Z"),
                    ("WARC-Concurrent-To", resp_id),
                    ("WARC-Record-ID", rid()),
                    ("Content-Type", "application/warc-fields"),
                ],
                b"via: http://news.example/\r\nhopsFromSeed: P\r\nfetchTimeMs: 12\r\n",
            )
        )
    out.append(
        warc_record(
            [
                ("WARC-Type", "response"),
                ("WARC-Target-URI", "whois://whois.example/news.example"),
                ("WARC-Date", "2025-12-16T09:30:02Z"),
                ("WARC-Record-ID", rid()),
                ("Content-Type", "text/plain"),
            ],
            b"Domain Name: NEWS.EXAMPLE\n",
        )
    )
    return out


@pytest.mark.parametrize("name", ["wget.warc", "wget.warc.gz"])
def test_wget_layout(tmp_path: Path, name: str) -> None:
    path = write_warc(tmp_path / name, wget_records())
    captures = list(iter_captures(path))
    assert [c.url for c in captures] == ["http://news.example/plain", "http://news.example/chunked"]
    plain, chunked = captures
    assert plain.body == HTML and plain.status == 200 and plain.ip == "192.0.2.1"
    assert plain.metadata == {} and plain.file == str(path)
    assert chunked.body == b"<html><body>chunk one, chunk two</body>"
    assert ("Transfer-Encoding", "chunked") in chunked.headers
    assert "Transfer-Encoding" not in dict(chunked.replay_headers())


@pytest.mark.parametrize("name", ["heritrix.warc", "heritrix.warc.gz"])
def test_heritrix_layout_skips_dns_whois_and_warc_fields(tmp_path: Path, name: str) -> None:
    path = write_warc(tmp_path / name, heritrix_records())
    captures = list(iter_captures(path))
    assert [c.url for c in captures] == [
        "http://news.example/robots.txt",
        "http://news.example/page",
    ]
    assert captures[1].body == HTML and captures[1].metadata == {}
    assert captures[1].payload_digest == payload_digest(HTML)


def test_make_warc_output(tmp_path: Path) -> None:
    tool = SHARED / "tools" / "make_warc.py"
    bench = SHARED / "benchmarks" / "article-extraction"
    if not tool.exists() or not (bench / "ground-truth.json").exists():
        pytest.skip(f"shared tools not found at {SHARED}")
    out = tmp_path / "bench.warc.gz"
    subprocess.run(
        [sys.executable, str(tool), str(out), "--limit", "5"],
        check=True,
        capture_output=True,
        timeout=120,
    )
    truth = json.loads((bench / "ground-truth.json").read_text(encoding="utf-8"))
    keys = sorted(truth)[:5]
    captures = list(iter_captures(out, root=tmp_path))
    assert [c.url for c in captures] == [truth[k]["url"] for k in keys]
    for key, capture in zip(keys, captures):
        assert capture.status == 200 and capture.file == "bench.warc.gz"
        assert capture.body == gzip.decompress((bench / "html" / f"{key}.html.gz").read_bytes())


# -- our own WARCs -------------------------------------------------------------------


@pytest.fixture
def run_dirs(tmp_path: Path) -> tuple[Path, Path, dict[str, object]]:
    """Two runs sharing a digest store: run 2 revisits run 1's payloads and its own."""
    store = DigestStore(tmp_path / "state.sqlite")
    run1 = WarcArchive(tmp_path / "run1", root=tmp_path, digests=store)
    a = run1.write_exchange(exchange("http://news.example/a"))
    run1.write_metadata(a, "http://news.example/a", {"zone": "Europe/Berlin", "seq": 1})
    run1.close()
    run2 = WarcArchive(tmp_path / "run2", root=tmp_path, digests=store)
    zipped = gzip.compress(b"<html>zipped</html>" * 50)
    z = run2.write_exchange(
        exchange(
            "http://news.example/z",
            zipped,
            [
                ("Content-Type", "text/html"),
                ("Content-Encoding", "gzip"),
                ("Content-Length", str(len(zipped))),
            ],
            seconds=10,
        )
    )
    b = run2.write_exchange(exchange("http://news.example/b", seconds=11))
    run2.write_metadata(b, "http://news.example/b", {"feed_date": "2025-12-16", "seq": 2})
    z2 = run2.write_exchange(
        exchange(
            "http://news.example/z2",
            zipped,
            [("Content-Type", "text/html"), ("Content-Encoding", "gzip")],
            seconds=12,
        )
    )
    run2.close()
    return tmp_path / "run1", tmp_path / "run2", {"a": a, "z": z, "b": b, "z2": z2}


def test_revisits_resolve_and_metadata_merges(run_dirs: tuple[Path, Path, dict]) -> None:
    run1, run2, pointers = run_dirs
    captures = {c.url: c for c in iter_captures([run1, run2], root=run1.parent)}
    assert list(captures) == [f"http://news.example/{k}" for k in ("a", "z", "b", "z2")]
    a, b = captures["http://news.example/a"], captures["http://news.example/b"]
    assert a.metadata == {"zone": "Europe/Berlin", "seq": 1} and not a.revisit
    assert b.revisit and b.resolved and b.body == HTML
    assert b.metadata == {"feed_date": "2025-12-16", "seq": 2}
    z2 = captures["http://news.example/z2"]
    assert z2.revisit and z2.body == b"<html>zipped</html>" * 50 and z2.decoded
    for key, pointer in pointers.items():
        capture = captures[f"http://news.example/{key}"]
        assert (capture.file, capture.offset, capture.record_id, capture.date) == (
            pointer.file,
            pointer.offset,
            pointer.record_id,
            pointer.date,
        )


def test_content_encoding_is_undone_and_replay_headers_say_so(
    run_dirs: tuple[Path, Path, dict],
) -> None:
    _, run2, _ = run_dirs
    z = next(c for c in iter_captures(run2) if c.url == "http://news.example/z")
    assert z.body == b"<html>zipped</html>" * 50 and z.decoded
    assert ("Content-Encoding", "gzip") in z.headers
    assert z.replay_headers() == [("Content-Type", "text/html")]


def test_original_later_in_the_set_is_found(run_dirs: tuple[Path, Path, dict]) -> None:
    run1, run2, _ = run_dirs
    captures = list(iter_captures([run2, run1]))
    b = next(c for c in captures if c.url == "http://news.example/b")
    assert b.resolved and b.body == HTML
    assert captures[-1].url == "http://news.example/a"


def test_unresolved_revisit_is_skipped_or_flagged(run_dirs: tuple[Path, Path, dict]) -> None:
    _, run2, _ = run_dirs
    assert "http://news.example/b" not in [c.url for c in iter_captures(run2)]
    b = next(
        c for c in iter_captures(run2, skip_unresolved=False) if c.url == "http://news.example/b"
    )
    assert b.revisit and not b.resolved and b.body == b""


def test_paths_as_folder_glob_file_and_list(run_dirs: tuple[Path, Path, dict]) -> None:
    run1, run2, _ = run_dirs
    (f1,) = run1.glob("*.warc.gz")
    (f2,) = run2.glob("*.warc.gz")
    expected = [c.url for c in iter_captures([f1, f2])]
    assert len(expected) == 4
    assert [c.url for c in iter_captures(str(run1.parent / "run*" / "*.warc.gz"))] == expected
    assert [c.url for c in iter_captures([str(run1), run2])] == expected
    assert [c.url for c in iter_captures(f1)] == ["http://news.example/a"]


def test_late_metadata_merges_far_down_the_file(tmp_path: Path) -> None:
    """Article metadata is written after extraction: many records after its response."""
    archive = WarcArchive(tmp_path)
    first = archive.write_exchange(exchange("http://news.example/first"))
    archive.write_metadata(first, "http://news.example/first", {"context": {"zone": "IST"}})
    for i in range(40):
        archive.write_exchange(exchange(f"http://news.example/{i}", HTML + bytes([i])))
    archive.write_metadata(
        {"record_id": first.record_id, "file": first.file},
        "http://news.example/first",
        {"article": {"id": "a1"}},
    )
    archive.close()
    captures = list(iter_captures(tmp_path))
    assert captures[0].metadata == {"context": {"zone": "IST"}, "article": {"id": "a1"}}
    assert all(c.metadata == {} for c in captures[1:])


def test_metadata_in_the_next_file_after_a_rotation(tmp_path: Path) -> None:
    archive = WarcArchive(tmp_path, max_size=1)  # every exchange starts a new file
    a = archive.write_exchange(exchange("http://news.example/a"))
    b = archive.write_exchange(exchange("http://news.example/b", HTML + b"b"))
    archive.write_metadata(a, "http://news.example/a", {"late": "next file"})
    archive.write_exchange(exchange("http://news.example/c", HTML + b"c"))
    archive.write_metadata(a, "http://news.example/a", {"too": "late"})
    archive.write_metadata(b, "http://news.example/b", {"late": "next file"})
    archive.close()
    captures = list(iter_captures(tmp_path, root=tmp_path))
    assert [c.file for c in captures[:2]] == [a.file, b.file]
    assert len({c.file for c in captures}) == 3
    assert [c.metadata for c in captures] == [{"late": "next file"}, {"late": "next file"}, {}]


def test_one_pass_with_a_metadata_window(tmp_path: Path) -> None:
    """The replay's single pass: metadata within the window is merged (also from the next
    file after a rotation), later metadata is not, and the captures are the same, in order."""
    far, rotated = tmp_path / "far", tmp_path / "rotated"
    archive = WarcArchive(far)
    first = archive.write_exchange(exchange("http://news.example/first"))
    archive.write_metadata(first, "http://news.example/first", {"context": {"zone": "IST"}})
    for i in range(12):
        archive.write_exchange(exchange(f"http://news.example/{i}", HTML + bytes([i])))
    archive.write_metadata(first, "http://news.example/first", {"article": {"id": "a1"}})
    archive.close()
    archive = WarcArchive(rotated, max_size=1)  # every exchange starts a new file
    a = archive.write_exchange(exchange("http://news.example/a"))
    archive.write_exchange(exchange("http://news.example/b", HTML + b"b"))
    archive.write_metadata(a, "http://news.example/a", {"context": {"zone": "UTC"}})
    archive.close()
    for folder in (far, rotated):
        full = list(iter_captures(folder))
        windowed = list(iter_captures(folder, metadata_window=8))
        assert [(c.url, c.record_id, c.body) for c in windowed] == [
            (c.url, c.record_id, c.body) for c in full
        ]
    full, windowed = list(iter_captures(far)), list(iter_captures(far, metadata_window=8))
    assert full[0].metadata == {"context": {"zone": "IST"}, "article": {"id": "a1"}}
    assert windowed[0].metadata == {"context": {"zone": "IST"}}  # 26 records on: out of reach
    assert all(c.metadata == {} for c in windowed[1:])
    assert [c.metadata for c in iter_captures(rotated, metadata_window=8)] == [
        {"context": {"zone": "UTC"}},
        {},
    ]


def test_non_2xx_and_redirects_are_captures_too(tmp_path: Path) -> None:
    archive = WarcArchive(tmp_path)
    archive.write_exchange(
        exchange(
            "http://news.example/old", b"", [("Location", "http://news.example/new")], status=301
        )
    )
    archive.write_exchange(exchange("http://news.example/gone", b"gone", status=404))
    archive.close()
    assert [(c.status, c.body) for c in iter_captures(tmp_path)] == [(301, b""), (404, b"gone")]
