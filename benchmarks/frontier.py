"""Two crawl workers sharing one frontier against one worker: pages per second.

    .venv/bin/python benchmarks/frontier.py

Sixteen local outlets (tests/outletsite.py, 540 articles), politeness lifted, one
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

from outletsite import serve_outlets  # noqa: E402
from redisserver import RedisServer  # noqa: E402

SETTINGS = {"AUTOTHROTTLE_ENABLED": "0", "DOWNLOAD_DELAY": "0", "ROBOTSTXT_OBEY": "0",
            "CONCURRENT_REQUESTS_PER_DOMAIN": "16", "NEWSBOT_PROGRESS_INTERVAL": "0",
            "EXTRACT_WORKERS": "1", "NEWSBOT_IDLE_CLOSE": "1", "LOG_LEVEL": "WARNING"}


def run(workers: int, redis_url: str, tmp: Path) -> float:
    """Seconds from the first worker's start to the last article fetched."""
    with serve_outlets(slow=0) as site:
        started = time.time()
        procs = []
        for n in range(workers):
            cmd = [sys.executable, "-m", "scrapy", "crawl", "news", "-a", f"url={site.start_urls}",
                   "-s", f"ARCHIVE_DIR={tmp}/w{workers}-{n}", "-s", f"NEWSBOT_REDIS_URL={redis_url}",
                   "-s", f"NEWSBOT_CRAWL_ID=bench{workers}", "-s", f"NEWSBOT_WORKER_ID=w{n}"]
            for key, value in SETTINGS.items():
                cmd += ["-s", f"{key}={value}"]
            procs.append(subprocess.Popen(cmd, cwd=ROOT, stdout=subprocess.DEVNULL,
                                          stderr=subprocess.DEVNULL))
        for proc in procs:
            proc.wait(timeout=600)
        hits = site.log.articles()
        return max(h.at for h in hits) - started


def main() -> None:
    with tempfile.TemporaryDirectory() as tmp:
        server = RedisServer(Path(tmp) / "redis")
        server.start()
        try:
            one = run(1, server.url, Path(tmp))
            two = run(2, server.url, Path(tmp))
        finally:
            server.stop()
    print(f"1 worker : 540 articles in {one:.1f} s ({540 / one:.1f} pages/s)  baseline")
    print(f"2 workers: 540 articles in {two:.1f} s ({540 / two:.1f} pages/s)  {one / two:.2f}x")


if __name__ == "__main__":
    main()
