"""Crawls and replays with NEWSBOT_REDIS_URL: real `scrapy` processes, a real redis-server."""

from __future__ import annotations

import json
import re
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from newsbot.commands.demo import write_sources
from support.crawls import PROJECT, records, run_scrapy
from support.redisserver import RedisServer

pytestmark = pytest.mark.slow  # end to end: crawls and replays in subprocesses

ARCHIVES = Path(__file__).resolve().parent / "data" / "archives"
ONE_WORKER = {"EXTRACT_WORKERS": "1"}
# One request at a time: the capture order (which copy of a story is first) is then the
# same in both crawls, so any difference would be the backend's.
SERIAL = {"CONCURRENT_REQUESTS": "1", "CONCURRENT_REQUESTS_PER_DOMAIN": "1"}
VARYING = ("fetched_at", "warc")  # the capture time and the file a record points into


def comparable(archive: Path) -> list[dict[str, Any]]:
    return sorted(
        (
            {k: v for k, v in r.items() if k not in VARYING}
            for kind in ("articles", "duplicates")
            for r in records(archive, kind)
        ),
        key=lambda r: r["id"],
    )


def metadata(archive: Path) -> list[dict[str, Any]]:
    """The newsbot_article metadata records of an archive's WARC files."""
    from warcio.archiveiterator import ArchiveIterator

    found = []
    for path in sorted((archive / "warc").glob("*.warc.gz")):
        with open(path, "rb") as fh:
            for rec in ArchiveIterator(fh):
                if rec.rec_type == "metadata":
                    body = json.loads(rec.content_stream().read())
                    if "newsbot_article" in body:
                        found.append(body["newsbot_article"])
    return found


@pytest.mark.slow
def test_a_crawl_through_redis_gives_the_records_of_one_without(
    demo_sites: Any, redis_server: RedisServer, tmp_path: Path
) -> None:
    sources = write_sources(demo_sites, tmp_path / "sources.toml")
    out = {}
    for name, extra in (
        ("sqlite", {}),
        ("redis", {"NEWSBOT_REDIS_URL": redis_server.url, "NEWSBOT_WORKER_ID": "one"}),
    ):
        archive = tmp_path / name
        run_scrapy(
            "crawl",
            "news",
            "-a",
            f"sources={sources}",
            archive=archive,
            settings={**ONE_WORKER, **SERIAL, **extra},
        )
        out[name] = comparable(archive)
    assert len(out["sqlite"]) > 10 and any(r["duplicate_of"] for r in out["sqlite"])
    assert out["redis"] == out["sqlite"]
    shared = tmp_path / "redis"
    assert not (shared / "state").exists()  # nothing of the state on disk
    assert all(re.search(r"-[^-]+~one\.warc\.gz$", p.name) for p in (shared / "warc").glob("*.gz"))
    assert all("~one" in p.name for p in (shared / "articles").glob("*.jsonl"))
    commits = [m["commit"] for m in metadata(shared)]
    assert len(commits) == len(out["redis"]) and sorted(commits) == list(range(1, len(commits) + 1))


SPY = """
import sys
from scrapy.crawler import CrawlerProcess
from scrapy.utils.project import get_project_settings
settings = get_project_settings()
settings.set("ARCHIVE_DIR", sys.argv[1], "cmdline")
settings.set("EXTRACT_WORKERS", 1, "cmdline")
if len(sys.argv) > 3:
    settings.set("NEWSBOT_REDIS_URL", sys.argv[3], "cmdline")
process = CrawlerProcess(settings)
process.crawl("replay", warc=sys.argv[2])
process.start()
print(sorted(m for m in ("redis", "scrapy_redis") if m in sys.modules))
"""


def test_without_a_redis_url_redis_is_never_imported(
    redis_server: RedisServer, tmp_path: Path
) -> None:
    warc = ARCHIVES / "warcio-1.1.warc.gz"
    for args, imported in (([], "[]"), ([redis_server.url], "['redis']")):
        proc = subprocess.run(
            [sys.executable, "-c", SPY, str(tmp_path / "a"), str(warc), *args],
            cwd=PROJECT,
            capture_output=True,
            text=True,
            timeout=300,
        )
        assert proc.returncode == 0, proc.stderr[-3000:]
        assert proc.stdout.strip().splitlines()[-1] == imported


def test_a_worker_id_in_use_is_refused_in_one_line(
    redis_server: RedisServer, tmp_path: Path
) -> None:
    from newsbot.state.redis_backend import RedisBackend

    holder = RedisBackend(tmp_path / "state" / "x", url=redis_server.url, worker="busy")
    try:
        proc = run_scrapy(
            "crawl",
            "replay",
            "-a",
            f"warc={ARCHIVES}",
            archive=tmp_path / "a",
            settings={
                "NEWSBOT_REDIS_URL": redis_server.url,
                "NEWSBOT_REDIS_PREFIX": "newsbot",  # the holder's archive
                "NEWSBOT_WORKER_ID": "busy",
            },
            check=False,
        )
    finally:
        holder.close()
    assert proc.returncode == 1 and "Traceback" not in proc.stderr
    assert "newsbot: worker id 'busy' is in use by a live process" in proc.stderr


def test_an_unreachable_redis_exits_1_with_the_message(tmp_path: Path) -> None:
    from support.redisserver import free_port

    url = f"redis://127.0.0.1:{free_port()}/0"
    proc = run_scrapy(
        "crawl",
        "replay",
        "-a",
        f"warc={ARCHIVES}",
        archive=tmp_path / "a",
        settings={"NEWSBOT_REDIS_URL": url, "NEWSBOT_REDIS_RETRY_SECONDS": "1"},
        check=False,
    )
    assert proc.returncode == 1 and "Traceback" not in proc.stderr
    assert re.search(r"newsbot: Redis at 127\.0\.0\.1:\d+ unreachable for 1 s\n", proc.stderr)
