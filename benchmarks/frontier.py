"""Two crawl workers sharing one frontier against one worker: pages per second.

    .venv/bin/python benchmarks/frontier.py [STORIES]   (default 180: 540 articles)
    .venv/bin/python benchmarks/frontier.py --exit      (how soon workers exit)

With ``--exit``: how long after the last article page a plain crawl, then 1, 2 and 4
workers on one frontier exit (issue 19 asks for NEWSBOT_IDLE_CLOSE + 5 s), on the crawl
tests' outlets with their slow start page.

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
from typing import Any

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


def launch(
    workers: int, site: Any, tmp: Path, redis_url: str | None, crawl: str, settings: dict[str, str]
) -> list[float]:
    """Start ``workers`` crawl processes on ``site`` (one shared frontier when ``redis_url``
    is given, else one plain crawl) and return each one's exit time (``time.time()``)."""
    procs = []
    for n in range(workers):
        every = {**SETTINGS, **settings, "ARCHIVE_DIR": f"{tmp}/{crawl}-{n}"}
        if redis_url is not None:
            every |= {
                "NEWSBOT_REDIS_URL": redis_url,
                "NEWSBOT_CRAWL_ID": crawl,
                "NEWSBOT_WORKER_ID": f"w{n}",
            }
        cmd = [sys.executable, "-m", "scrapy", "crawl", "news", "-a", f"url={site.start_urls}"]
        for key, value in every.items():
            cmd += ["-s", f"{key}={value}"]
        procs.append(
            subprocess.Popen(cmd, cwd=ROOT, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        )
    ended: dict[int, float] = {}
    deadline = time.time() + 600
    while len(ended) < len(procs) and time.time() < deadline:
        for i, proc in enumerate(procs):
            if i not in ended and proc.poll() is not None:
                ended[i] = time.time()
        time.sleep(0.05)
    assert all(proc.returncode == 0 for proc in procs), [p.returncode for p in procs]
    return [ended[i] for i in range(len(procs))]


def last_article(site: Any) -> float:
    hits = site.log.articles()
    assert len({(h.host, h.path) for h in hits}) == articles()
    return max(h.at for h in hits)


def run(workers: int, redis_url: str, tmp: Path) -> tuple[float, float]:
    """Seconds from the start to the last article fetched, and to the last worker's exit
    (less NEWSBOT_IDLE_CLOSE)."""
    with serve_outlets(slow=0) as site:
        started = time.time()
        ended = launch(workers, site, tmp, redis_url, f"bench{workers}", {})
        done = max(ended) - started - float(SETTINGS["NEWSBOT_IDLE_CLOSE"])
        return last_article(site) - started, done


def exit_latency(workers: int, redis_url: str | None, tmp: Path, idle: float) -> list[float]:
    """Each process's exit less the last article page's fetch, on the test's outlets (the
    slow start page, polite defaults of the crawl tests), frontier workers started 1 s apart."""
    settings = {"NEWSBOT_IDLE_CLOSE": str(idle), "ROBOTSTXT_OBEY": "1"}
    with serve_outlets() as site:
        ended = launch(workers, site, tmp, redis_url, f"exit{workers}{redis_url is None}", settings)
        last = last_article(site)
    return [round(at - last, 2) for at in ended]


def exits(redis_url: str, tmp: Path, idle: float = 3.0) -> None:
    """Exit after the last page: a plain crawl (the baseline) and 1, 2, 4 frontier workers."""
    base = exit_latency(1, None, tmp, idle)[0]
    print(f"plain crawl (no frontier): exits {base:.2f} s after its last article page")
    for workers in (1, 2, 4):
        late = exit_latency(workers, redis_url, tmp, idle)
        print(
            f"{workers} worker(s), NEWSBOT_IDLE_CLOSE={idle:g}: exit {min(late):.2f}-{max(late):.2f} s"
            f" after the last page (bound {idle + 5:g} s: {'met' if max(late) <= idle + 5 else 'MISSED'});"
            f" {max(late) - idle - base:+.2f} s beyond the plain crawl's + NEWSBOT_IDLE_CLOSE"
        )


def articles() -> int:
    return outletsite.STORIES * outletsite.COPIES


def main() -> None:
    args = [a for a in sys.argv[1:] if a != "--exit"]
    if args:
        outletsite.STORIES = int(args[0])
    with tempfile.TemporaryDirectory() as tmp:
        server = RedisServer(Path(tmp) / "redis")
        server.start()
        try:
            if "--exit" in sys.argv:
                exits(server.url, Path(tmp))
                return
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
