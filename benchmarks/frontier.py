"""Two crawl workers sharing one frontier against one worker: pages per second.

    .venv/bin/python benchmarks/frontier.py [STORIES]   (default 180: 540 articles)

Sixteen local outlets (tests/support/outletsite.py, 540 articles), politeness lifted, one
extraction process per worker (one core each on this 2-core machine), one redis-server.
Prints the one-worker baseline and the two-worker figure of the same run, and their ratio.
"""

from __future__ import annotations

import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "tests"))

from support import outletsite
from support.outletsite import serve_outlets
from support.redisserver import RedisServer

SETTINGS = {
    "AUTOTHROTTLE_ENABLED": "0",
    "DOWNLOAD_DELAY": "0",
    "ROBOTSTXT_OBEY": "0",
    "CONCURRENT_REQUESTS_PER_DOMAIN": "16",
    "NEWSBOT_PROGRESS_INTERVAL": "0",
    "EXTRACT_WORKERS": "1",
    "NEWSBOT_IDLE_CLOSE": "1",
    "LOG_LEVEL": "WARNING",
}


def run(workers: int, redis_url: str, tmp: Path) -> tuple[float, float]:
    """Seconds from the start to the last article fetched, and to the last worker's exit
    (less NEWSBOT_IDLE_CLOSE)."""
    with serve_outlets(slow=0) as site:
        started = time.time()
        procs = []
        for n in range(workers):
            cmd = [
                sys.executable,
                "-m",
                "scrapy",
                "crawl",
                "news",
                "-a",
                f"url={site.start_urls}",
                "-s",
                f"ARCHIVE_DIR={tmp}/w{workers}-{n}",
                "-s",
                f"NEWSBOT_REDIS_URL={redis_url}",
                "-s",
                f"NEWSBOT_CRAWL_ID=bench{workers}",
                "-s",
                f"NEWSBOT_WORKER_ID=w{n}",
            ]
            for key, value in SETTINGS.items():
                cmd += ["-s", f"{key}={value}"]
            procs.append(
                subprocess.Popen(
                    cmd, cwd=ROOT, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL
                )
            )
        for proc in procs:
            proc.wait(timeout=600)
        ended = time.time() - started - float(SETTINGS["NEWSBOT_IDLE_CLOSE"])
        hits = site.log.articles()
        assert len({(h.host, h.path) for h in hits}) == articles()
        return max(h.at for h in hits) - started, ended


def articles() -> int:
    return outletsite.STORIES * outletsite.COPIES


def main() -> None:
    if len(sys.argv) > 1:
        outletsite.STORIES = int(sys.argv[1])
    with tempfile.TemporaryDirectory() as tmp:
        server = RedisServer(Path(tmp) / "redis")
        server.start()
        try:
            one = run(1, server.url, Path(tmp))
            two = run(2, server.url, Path(tmp))
        finally:
            server.stop()
    for name, (fetched, done) in (("1 worker ", one), ("2 workers", two)):
        print(
            f"{name}: last of {articles()} articles fetched at {fetched:.1f} s, all done at"
            f" {done:.1f} s ({articles() / done:.1f} articles/s; {one[1] / done:.2f}x the"
            f" 1-worker baseline)"
        )


if __name__ == "__main__":
    main()
