"""Replay shares through one Redis: `-a shard=K/N`, separate processes, one story partition.

The 181 benchmark pages (packed by ../shared/tools/make_warc.py) repeated to 2,000
(``NEWSBOT_SHARD_PAGES``; CI: 400) under
distinct URLs on distinct hosts, in 8 files, plus a revisit in the last file whose original
is in the first (another share's, for N > 1). Replayed by one process on SQLite, then by
N = 1, 2 and 4 shares at once sharing one ARCHIVE_DIR: every page recorded once, and the
same partition into stories (which member is canonical may differ).
"""

from __future__ import annotations

import os
import subprocess
import sys
from io import BytesIO
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit, urlunsplit

import pytest
from warcio.archiveiterator import ArchiveIterator
from warcio.warcwriter import WARCWriter

from support.crawls import LOCAL, SHARED, records, run_scrapy, start_scrapy
from support.redisserver import RedisServer

pytestmark = pytest.mark.slow  # end to end: crawls and replays in subprocesses

# The acceptance figure is 2,000 pages (about 130 s a replay here, 6-7 minutes for the
# test); CI replays 400 (the same 181 pages, two copies or more each) unless told.
PAGES = int(os.environ.get("NEWSBOT_SHARD_PAGES", "400"))
FILES = 8
ONE_WORKER = {"EXTRACT_WORKERS": "1"}


def on_host(url: str, copy: int) -> str:
    """The `copy`-th repetition of a page: the same path on a host of its own."""
    parts = urlsplit(url)
    return urlunsplit((parts.scheme, f"r{copy}.{parts.hostname}", parts.path, parts.query, ""))


def build_set(folder: Path, bench: Path, pages: int = PAGES, files: int = FILES) -> Path:
    """`pages` captures in `files` WARC files (consecutive runs of pages, as a crawl
    rotating its files would leave them), then one revisit of the first page."""
    packed = folder / "bench.warc.gz"
    subprocess.run(
        [
            sys.executable,
            str(SHARED / "tools" / "make_warc.py"),
            str(packed),
            "--bench",
            str(bench),
        ],
        check=True,
        capture_output=True,
    )
    with open(packed, "rb") as fh:
        captures = [
            (r.rec_headers.get_header("WARC-Target-URI"), r.http_headers, r.content_stream().read())
            for r in ArchiveIterator(fh)
            if r.rec_type == "response"
        ]
    out = folder / "set"
    out.mkdir()
    per_file = -(-pages // files)
    first: Any = None
    for f in range(files):
        with open(out / f"set-{f:02d}.warc.gz", "wb") as fh:
            writer = WARCWriter(fh, gzip=True)
            for i in range(f * per_file, min(pages, (f + 1) * per_file)):
                url, http_headers, body = captures[i % len(captures)]
                record = writer.create_warc_record(
                    on_host(url, i // len(captures)),
                    "response",
                    payload=BytesIO(body),
                    http_headers=http_headers,
                )
                writer.write_record(record)
                first = first or record
            if f == files - 1:  # another address of the first page, stored as a revisit
                h = first.rec_headers
                writer.write_record(
                    writer.create_revisit_record(
                        on_host(h.get_header("WARC-Target-URI"), 99),
                        h.get_header("WARC-Payload-Digest"),
                        h.get_header("WARC-Target-URI"),
                        h.get_header("WARC-Date"),
                        http_headers=first.http_headers,
                    )
                )
    packed.unlink()
    return out


def stories(archive: Path) -> tuple[list[str], set[frozenset[str]]]:
    """(every recorded URL, the partition of URLs into stories)."""
    found = records(archive) + records(archive, "duplicates")
    by_id = {r["id"]: r["url"] for r in found}
    groups: dict[str, set[str]] = {}
    for r in found:
        groups.setdefault(r["duplicate_of"] or r["id"], set()).add(r["url"])
    assert all(root in by_id for root in groups)
    return [r["url"] for r in found], {frozenset(g) for g in groups.values()}


def replay_shares(
    warcs: Path, archive: Path, url: str, prefix: str, n: int, workers: str = "1"
) -> None:
    """N shares at once, separate processes, one ARCHIVE_DIR and one Redis prefix."""
    settings = {
        **LOCAL,
        "EXTRACT_WORKERS": workers,
        "ARCHIVE_DIR": str(archive),
        "NEWSBOT_REDIS_URL": url,
        "NEWSBOT_REDIS_PREFIX": prefix,
        "LOG_LEVEL": "WARNING",
    }
    procs = [
        start_scrapy(
            "crawl",
            "replay",
            "-a",
            f"warc={warcs}",
            "-a",
            f"shard={k}/{n}",
            settings=settings,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        for k in range(1, n + 1)
    ]
    for proc in procs:
        _, err = proc.communicate(timeout=1200)
        assert proc.returncode == 0, err[-4000:]


@pytest.fixture(scope="module")
def shard_set(bench_dir: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    return build_set(tmp_path_factory.mktemp("shards"), bench_dir)


@pytest.fixture(scope="module")
def one_process(
    shard_set: Path, tmp_path_factory: pytest.TempPathFactory
) -> tuple[list[str], set[frozenset[str]]]:
    archive = tmp_path_factory.mktemp("sqlite") / "archive"
    run_scrapy(
        "crawl",
        "replay",
        "-a",
        f"warc={shard_set}",
        archive=archive,
        settings=ONE_WORKER,
        timeout=1200,
    )
    return stories(archive)


@pytest.mark.slow
@pytest.mark.parametrize("n", [1, 2, 4])
def test_replay_shares_record_every_page_once_in_the_same_stories(
    n: int,
    shard_set: Path,
    one_process: tuple[list[str], set[frozenset[str]]],
    redis_server: RedisServer,
    tmp_path: Path,
) -> None:
    urls, partition = one_process
    assert len(urls) == len(set(urls)) == PAGES + 1  # the revisit is a page too
    assert max(len(story) for story in partition) >= PAGES // 181  # copies were linked
    archive = tmp_path / "archive"  # one ARCHIVE_DIR for every share: allowed, and tested
    replay_shares(shard_set, archive, redis_server.url, f"shards-{n}", n)
    shared_urls, shared_partition = stories(archive)
    assert sorted(shared_urls) == sorted(urls)  # every page recorded once
    assert shared_partition == partition
    workers = {p.name.split("~")[1].split(".")[0] for p in (archive / "articles").glob("*.jsonl")}
    assert len(workers) == n  # each share its own worker id and files


def test_a_share_without_redis_says_why(tmp_path: Path) -> None:
    archive = tmp_path / "archive"
    proc = run_scrapy(
        "crawl", "replay", "-a", f"warc={tmp_path}", "-a", "shard=1/2", archive=archive, check=False
    )
    assert proc.returncode == 1 and "Traceback" not in proc.stderr
    assert "-a shard= needs NEWSBOT_REDIS_URL" in proc.stderr + str(
        next(iter((archive / "runs").glob("*.summary.json"))).read_text()
    )
