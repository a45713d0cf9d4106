"""Replay our WARCs in pywb: the real consumer of a web archive, not our own reader.

pywb pins old dependencies, so it gets its own virtualenv, built once and cached
(``$NEWSBOT_PYWB_VENV`` or ``~/.cache/newsbot-test/pywb-venv``).
"""

from __future__ import annotations

import gzip
import socket
import subprocess
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from datetime import datetime, timezone
from pathlib import Path

import pytest
from warcio.timeutils import iso_date_to_timestamp

from newsbot.warc import DigestStore, Exchange, Pointer, WarcArchive
from support.netns import ensure_pywb_venv

pytestmark = [pytest.mark.pywb, pytest.mark.slow]  # a pywb server, and a demo crawl

HTML = (
    b"<!doctype html><html><head><title>Berlin talks</title></head><body><p>Hello</p></body></html>"
)
ARTICLE = (
    b"<html><body>" + b"<p>Long article text, compressed on the wire.</p>" * 200 + b"</body></html>"
)


@pytest.fixture(scope="session")
def pywb_bin() -> Path:
    bindir, why = ensure_pywb_venv()
    if bindir is None:
        pytest.skip(why)
    return bindir


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def _exchange(url: str, body: bytes, headers: list[tuple[str, str]], second: int) -> Exchange:
    return Exchange(
        url=url,
        method="GET",
        request_headers=[("User-Agent", "newsbot-test")],
        request_body=b"",
        status=200,
        reason=None,
        protocol="HTTP/1.1",
        response_headers=headers,
        body=body,
        ip_address="127.0.0.1",
        date=datetime(2025, 12, 16, 10, 0, second, tzinfo=timezone.utc),
    )


@pytest.fixture
def collection(tmp_path: Path, pywb_bin: Path) -> tuple[Path, dict[str, Pointer]]:
    """A pywb collection holding one WARC of ours: plain page, gzip page, revisit."""
    archive = WarcArchive(tmp_path / "warcs", digests=DigestStore(tmp_path / "state.sqlite"))
    html_type = ("Content-Type", "text/html; charset=utf-8")
    pointers = {
        "plain": archive.write_exchange(
            _exchange(
                "http://news.example/berlin",
                HTML,
                [html_type, ("Content-Length", str(len(HTML)))],
                1,
            )
        ),
        "gzip": archive.write_exchange(
            _exchange(
                "http://news.example/article",
                gzip.compress(ARTICLE),
                [html_type, ("Content-Encoding", "gzip"), ("Transfer-Encoding", "chunked")],
                2,
            )
        ),
        "revisit": archive.write_exchange(
            _exchange("http://news.example/berlin?utm=x", HTML, [html_type], 3)
        ),
    }
    archive.write_metadata(
        pointers["plain"], "http://news.example/berlin", {"zone": "Europe/Berlin"}
    )
    assert pointers["revisit"].revisit
    (warc,) = archive.close()
    for args in (["init", "coll"], ["add", "coll", str(warc)]):
        subprocess.run(
            [str(pywb_bin / "wb-manager"), *args],
            cwd=tmp_path,
            check=True,
            capture_output=True,
            timeout=120,
        )
    return tmp_path, pointers


@pytest.fixture
def wayback(
    collection: tuple[Path, dict[str, Pointer]], pywb_bin: Path
) -> Iterator[tuple[str, dict[str, Pointer]]]:
    root, pointers = collection
    port = _free_port()
    log = open(root / "wayback.log", "wb")  # noqa: SIM115 - outlives this block
    proc = subprocess.Popen(
        [str(pywb_bin / "wayback"), "-p", str(port), "-b", "127.0.0.1"],
        cwd=root,
        stdout=log,
        stderr=subprocess.STDOUT,
    )
    base = f"http://127.0.0.1:{port}"
    try:
        _wait_until_up(base, proc)
        yield base, pointers
    finally:
        proc.terminate()
        try:
            proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()
        log.close()


def _wait_until_up(base: str, proc: subprocess.Popen[bytes], timeout: float = 60) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            pytest.fail(f"wayback exited with {proc.returncode}")
        try:
            with urllib.request.urlopen(base + "/", timeout=2):
                return
        except (urllib.error.URLError, ConnectionError, TimeoutError):
            time.sleep(0.2)
    pytest.fail("wayback did not start listening")


def _fetch(
    base: str, pointer: Pointer | None, url: str, accept_gzip: bool = False
) -> tuple[int, dict[str, str], bytes]:
    ts = iso_date_to_timestamp(pointer.date) if pointer else "2099"
    request = urllib.request.Request(f"{base}/coll/{ts}id_/{url}")
    if accept_gzip:
        request.add_header("Accept-Encoding", "gzip")
    with urllib.request.urlopen(request, timeout=30) as resp:
        return resp.status, {k.lower(): v for k, v in resp.headers.items()}, resp.read()


def test_plain_page_replays_byte_for_byte(wayback: tuple[str, dict[str, Pointer]]) -> None:
    base, pointers = wayback
    status, headers, body = _fetch(base, pointers["plain"], "http://news.example/berlin")
    assert status == 200
    assert body == HTML
    assert headers["content-type"].startswith("text/html")


def test_metadata_record_is_never_served_as_the_page(
    wayback: tuple[str, dict[str, Pointer]],
) -> None:
    """Asked for a date after the capture, pywb picks the closest record: still the page."""
    base, _ = wayback
    status, _, body = _fetch(base, None, "http://news.example/berlin")
    assert (status, body) == (200, HTML)


@pytest.mark.parametrize("accept_gzip", [True, False])
def test_gzip_capture_replays(wayback: tuple[str, dict[str, Pointer]], accept_gzip: bool) -> None:
    base, pointers = wayback
    status, headers, body = _fetch(
        base, pointers["gzip"], "http://news.example/article", accept_gzip=accept_gzip
    )
    assert status == 200
    if headers.get("content-encoding") == "gzip":
        body = gzip.decompress(body)
    assert body == ARTICLE


def test_revisit_replays_original_payload(wayback: tuple[str, dict[str, Pointer]]) -> None:
    base, pointers = wayback
    status, _, body = _fetch(base, pointers["revisit"], "http://news.example/berlin?utm=x")
    assert status == 200
    assert body == HTML


def test_pywb_serves_a_demo_article_from_a_crawl(
    tmp_path: Path, pywb_bin: Path, demo_archive: Path
) -> None:
    """The real thing: `scrapy demo`'s own WARCs, loaded with wb-manager, replayed in id_ mode."""
    from warcio.archiveiterator import ArchiveIterator

    from support.crawls import records

    archive = demo_archive
    seed = next(
        r
        for r in records(archive) + records(archive, "duplicates")
        if "/news/world/berlin-talks-" in r["url"]
    )
    with open(archive / seed["warc"]["file"], "rb") as fh:
        fh.seek(seed["warc"]["offset"])
        captured = next(iter(ArchiveIterator(fh))).content_stream().read()
    root = tmp_path / "pywb"
    root.mkdir()
    subprocess.run(
        [str(pywb_bin / "wb-manager"), "init", "demo"],
        cwd=root,
        check=True,
        capture_output=True,
        timeout=120,
    )
    warcs = sorted(str(p) for p in (archive / "warc").glob("*.warc.gz"))
    subprocess.run(
        [str(pywb_bin / "wb-manager"), "add", "demo", *warcs],
        cwd=root,
        check=True,
        capture_output=True,
        timeout=300,
    )
    port = _free_port()
    proc = subprocess.Popen(
        [str(pywb_bin / "wayback"), "-p", str(port), "-b", "127.0.0.1"],
        cwd=root,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    base = f"http://127.0.0.1:{port}"
    try:
        _wait_until_up(base, proc)
        ts = iso_date_to_timestamp(seed["fetched_at"].replace("Z", "")[:19] + "Z")
        with urllib.request.urlopen(f"{base}/demo/{ts}id_/{seed['url']}", timeout=30) as resp:
            body = resp.read()
            if resp.headers.get("Content-Encoding") == "gzip":
                body = gzip.decompress(body)
    finally:
        proc.terminate()
        proc.wait(timeout=10)
    assert body == captured
    assert b"01:13 IST" in body and b"(With AFP inputs)" in body
