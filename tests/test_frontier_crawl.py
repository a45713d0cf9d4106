"""N `scrapy crawl news` workers (separate processes and ARCHIVE_DIRs, one redis-server) on
sixteen outlets: every page fetched once, every article recorded once, kills survived,
each site fetched by one worker at a time."""

from __future__ import annotations

import itertools
import json
import math
import os
import random
import signal
import subprocess
import time
from collections import Counter, defaultdict
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

from support.crawls import LOCAL, read_jsonl, start_scrapy
from support.outletsite import COPIES, STORIES, Outlets, serve_outlets
from support.redisserver import RedisServer

pytestmark = pytest.mark.slow
IDLE_CLOSE = 3.0
# The issue asks for an exit within IDLE_CLOSE + 5 s of the last page: a timing target, so
# `benchmarks/frontier.py --exit` measures it (BENCHMARKS.md; on an idle machine 5.7-6.7 s
# with IDLE_CLOSE = 3, no later than a plain crawl's own exit after its last page + IDLE_CLOSE:
# the last pages' extraction, closing WARCs, finishing the run). This bound only catches a
# worker that hangs on: it allows 5 s more for a loaded CI machine (11.1 s was seen there).
EXIT_SLACK = 10.0
LEASE = 6.0
ARTICLES = STORIES * COPIES


@dataclass
class Worker:
    worker_id: str
    archive: Path
    proc: subprocess.Popen[bytes]
    ended: float | None = None

    def wait(self, timeout: float = 240) -> int:
        code = self.proc.wait(timeout=timeout)
        self.ended = self.ended or time.time()
        return code


def start_worker(
    worker_id: str,
    site: Outlets,
    redis_url: str,
    tmp: Path,
    settings: dict[str, str] | None = None,
    crawl: str = "crawl1",
) -> Worker:
    archive = tmp / f"archive-{worker_id}"
    every = {
        **LOCAL,
        "EXTRACT_WORKERS": "1",
        "NEWSBOT_REDIS_URL": redis_url,
        "NEWSBOT_CRAWL_ID": crawl,
        "NEWSBOT_WORKER_ID": worker_id,
        "NEWSBOT_IDLE_CLOSE": str(IDLE_CLOSE),
        "NEWSBOT_FRONTIER_LEASE": str(LEASE),
        "ARCHIVE_DIR": str(archive),
        **(settings or {}),
    }
    tmp.mkdir(parents=True, exist_ok=True)
    with open(tmp / f"{worker_id}.log", "ab") as log:  # the process keeps its own copy
        proc = start_scrapy(
            "crawl",
            "news",
            "-a",
            f"url={site.start_urls}",
            settings=every,
            stdout=log,
            stderr=subprocess.STDOUT,
        )
    return Worker(worker_id, archive, proc)


def wait_all(workers: list[Worker], tmp: Path, timeout: float = 240) -> None:
    deadline = time.time() + timeout
    while any(w.proc.poll() is None for w in workers) and time.time() < deadline:
        for w in workers:
            if w.proc.poll() is not None and w.ended is None:
                w.ended = time.time()
        time.sleep(0.1)
    for w in workers:
        code = w.wait(timeout=5)
        assert code == 0, (
            f"{w.worker_id} exited {code}: "
            + (tmp / f"{w.worker_id}.log").read_text(errors="replace")[-4000:]
        )


def all_records(archive: Path) -> list[dict[str, Any]]:
    """Every line of every JSONL file (articles and duplicates), each parsed: no torn line."""
    out: list[dict[str, Any]] = []
    for path in sorted((archive / "articles").glob("*.jsonl")):
        out.extend(read_jsonl(path))
    return out


def run_summary(worker: Worker) -> dict[str, Any]:
    paths = sorted((worker.archive / "runs").glob("news-*.summary.json"))
    return json.loads(paths[-1].read_text())


def crawl(
    n: int,
    site: Outlets,
    redis: RedisServer,
    tmp: Path,
    stagger: float = 1.0,
    settings: dict[str, str] | None = None,
    crawl_id: str = "crawl1",
) -> list[Worker]:
    workers = []
    for i in range(n):
        workers.append(start_worker(f"w{i + 1}", site, redis.url, tmp, settings, crawl_id))
        time.sleep(stagger)
    wait_all(workers, tmp)
    return workers


def stories(records: list[dict[str, Any]]) -> set[frozenset[str]]:
    """The partition of article URLs into stories (a canonical and its copies)."""
    by_id = {r["id"]: r for r in records}
    groups: dict[str, set[str]] = defaultdict(set)
    for r in records:
        groups[r.get("duplicate_of") or r["id"]].add(r["url"].split("/story/")[1])
    return {frozenset(g) for g in groups.values() if by_id}


def check_crawl(workers: list[Worker], site: Outlets, crawl_id: str = "crawl1") -> None:
    """What every shared crawl must give: see the module docstring."""
    n, hits = len(workers), site.log.articles()
    fetched = Counter((h.host, h.path) for h in hits)
    assert len(fetched) == ARTICLES and max(fetched.values()) == 1, fetched.most_common(3)
    urls = Counter(r["url"] for w in workers for r in all_records(w.archive))
    assert len(urls) == ARTICLES and max(urls.values()) == 1  # recorded once across workers
    agents = Counter(h.agent.rsplit("worker/", 1)[-1] for h in hits)
    assert set(agents) == {w.worker_id for w in workers}, agents  # each fetched an outlet
    last_page = max(h.at for h in hits)
    for w in workers:
        assert w.ended is not None and w.ended - last_page <= IDLE_CLOSE + EXIT_SLACK, (
            w.worker_id,
            round(w.ended - last_page, 1),
        )
        held = run_summary(w)["stats"].get(f"newsbot/frontier/shards_held/{n}", 0)
        assert held <= math.ceil(64 / n) + 1, (w.worker_id, held)
    found = [
        p for w in workers for p in (w.archive / "runs").glob(f"crawl-{crawl_id}.summary.json")
    ]
    assert len(found) == 1, found  # written once, by the last worker to finish
    summary = json.loads(found[0].read_text())
    assert set(summary["workers"]) == {w.worker_id for w in workers}
    assert summary["articles"] + summary["duplicates"] == ARTICLES
    assert summary["frontier"]["pending"] == summary["frontier"]["queued"] == 0


def test_four_workers_share_one_frontier(tmp_path: Path, redis_server: RedisServer) -> None:
    with serve_outlets() as site:
        check_crawl(crawl(4, site, redis_server, tmp_path), site)


def test_one_and_two_workers_and_their_stories(tmp_path: Path, redis_server: RedisServer) -> None:
    """Two workers (one Redis state, as issue 18 built it) partition the articles into the
    stories one worker finds."""
    partitions = []
    for n, name in ((1, "one"), (2, "two")):
        with serve_outlets() as site:
            workers = crawl(
                n,
                site,
                redis_server,
                tmp_path / name,
                settings={"NEWSBOT_REDIS_PREFIX": name},
                crawl_id=name,
            )
            check_crawl(workers, site, name)
        partitions.append(stories([r for w in workers for r in all_records(w.archive)]))
    alone, shared = partitions
    assert len(alone) == STORIES and shared == alone


def read_warcs(archive: Path) -> int:
    from warcio.archiveiterator import ArchiveIterator

    count = 0
    for path in sorted((archive / "warc").glob("*.warc.gz")):
        with path.open("rb") as fh:
            count += sum(1 for _ in ArchiveIterator(fh))
    return count


def kill_moment() -> tuple[int, float]:
    seed = int(os.environ.get("NEWSBOT_KILL_SEED") or random.randrange(10**6))
    moment = random.Random(seed).uniform(4.0, 9.0)
    print(f"kill seed {seed}: kill -9 after {moment:.2f} s (NEWSBOT_KILL_SEED={seed} repeats it)")
    return seed, moment


KILL_PACE = {"DOWNLOAD_DELAY": "0.05", "CONCURRENT_REQUESTS_PER_DOMAIN": "1"}


@contextmanager
def one_of_two_killed(tmp_path: Path, redis_server: RedisServer) -> Iterator[tuple[Any, Any, Any]]:
    """Two workers on the outlet site; the second killed with -9 at the seeded moment."""
    _, moment = kill_moment()
    with serve_outlets(slow=0) as site:
        first = start_worker("w1", site, redis_server.url, tmp_path, KILL_PACE)
        second = start_worker("w2", site, redis_server.url, tmp_path, KILL_PACE)
        time.sleep(moment)
        second.proc.send_signal(signal.SIGKILL)
        second.proc.wait()
        yield site, first, second


def test_kill_9_of_one_worker_restarted_with_its_id(
    tmp_path: Path, redis_server: RedisServer
) -> None:
    with one_of_two_killed(tmp_path, redis_server) as (site, first, _):
        again = start_worker("w2", site, redis_server.url, tmp_path, KILL_PACE)
        wait_all([first, again], tmp_path)
        hits = site.log.articles()
    assert len({(h.host, h.path) for h in hits}) == ARTICLES
    urls = Counter(r["url"] for w in (first, again) for r in all_records(w.archive))
    assert len(urls) == ARTICLES and max(urls.values()) == 1, urls.most_common(3)
    assert read_warcs(first.archive) > 0 and read_warcs(again.archive) > 0


def test_a_worker_that_never_returns_has_its_pages_fetched_by_the_other(
    tmp_path: Path, redis_server: RedisServer
) -> None:
    with one_of_two_killed(tmp_path, redis_server) as (site, first, second):
        wait_all([first], tmp_path)
        hits = site.log.articles()
    assert len({(h.host, h.path) for h in hits}) == ARTICLES  # every page fetched at least once
    ids = [Counter(r["id"] for r in all_records(w.archive)) for w in (first, second)]
    assert len(set(ids[0]) | set(ids[1])) == ARTICLES
    summary = json.loads((first.archive / "runs" / "crawl-crawl1.summary.json").read_text())
    assert set(summary["ids_written_twice"]) >= set(ids[0]) & set(ids[1])
    assert summary["workers"].keys() == {"w1"}


def test_kill_9_of_redis_mid_crawl_and_its_restart(
    tmp_path: Path, redis_aof_server: RedisServer
) -> None:
    """Redis (AOF everysec) killed with -9 mid-crawl and back a second later: both workers
    wait within their retry budget and finish; what the restart lost of the frontier's last
    second comes back through lease expiry (a lost acknowledgement) or the queue (a lost
    pop), so every page is fetched, and each article is still recorded exactly once."""
    _, moment = kill_moment()
    with serve_outlets(slow=0) as site:
        workers = [
            start_worker(w, site, redis_aof_server.url, tmp_path, KILL_PACE) for w in ("w1", "w2")
        ]
        time.sleep(moment)
        fetched_before = len(site.log.articles())
        redis_aof_server.kill()
        time.sleep(1.0)
        redis_aof_server.start()
        wait_all(workers, tmp_path)
        hits = site.log.articles()
    assert 0 < fetched_before < ARTICLES, "Redis was killed before or after the crawl"
    assert len({(h.host, h.path) for h in hits}) == ARTICLES
    urls = Counter(r["url"] for w in workers for r in all_records(w.archive))
    assert len(urls) == ARTICLES and max(urls.values()) == 1, urls.most_common(3)
    assert all(read_warcs(w.archive) > 0 for w in workers)


def window_peak(times: list[float], width: float = 2.0) -> int:
    times = sorted(times)
    best, lo = 0, 0
    for hi, t in enumerate(times):
        while t - times[lo] > width:
            lo += 1
        best = max(best, hi - lo + 1)
    return best


def test_politeness_per_site_holds_across_workers(
    tmp_path: Path, redis_server: RedisServer
) -> None:
    polite = {
        "DOWNLOAD_DELAY": "0.2",
        "CONCURRENT_REQUESTS_PER_DOMAIN": "1",
        "RANDOMIZE_DOWNLOAD_DELAY": "0",
    }
    peaks: list[dict[str, int]] = []
    for n, crawl_id in ((1, "alone"), (2, "pair")):
        with serve_outlets(slow=0) as site:
            workers = []
            for i in range(n):
                workers.append(
                    start_worker(
                        f"{crawl_id}{i}",
                        site,
                        redis_server.url,
                        tmp_path / crawl_id,
                        polite,
                        crawl=crawl_id,
                    )
                )
                time.sleep(1.0)  # the second joins while the first fetches: a hand-over
            wait_all(workers, tmp_path / crawl_id)
            hits = [h for h in site.log.hits if not h.path.endswith("robots.txt")]
        by_host: dict[str, list[Any]] = defaultdict(list)
        for h in sorted(hits, key=lambda h: h.at):
            by_host[h.host].append(h)
        peaks.append({host: window_peak([h.at for h in hs]) for host, hs in by_host.items()})
        if n == 2:
            switches = {
                host: sum(a.agent != b.agent for a, b in itertools.pairwise(hs))
                for host, hs in by_host.items()
            }
            print(f"politeness: worker switches per host {sorted(switches.values())}")
            assert max(switches.values()) <= 2, switches
    alone, pair = peaks
    print(
        f"politeness: most requests per host in 2 s, 1 worker {max(alone.values())}, "
        f"2 workers {max(pair.values())}"
    )
    assert max(pair.values()) <= max(alone.values()) + 1, (alone, pair)


ARTICLE = (
    "<html><head><meta property='og:type' content='article'><title>{t}</title></head>"
    "<body><article><h1>{t}</h1><p>{body}</p></article></body></html>"
)


def endings_site(base: str) -> dict[str, tuple[int, str, bytes]]:
    """One page for each way a leased request ends."""
    words = " ".join(f"word{n} said the minister on monday" for n in range(60))
    entries = [
        "/a.html",
        "/empty.html",
        "/missing.html",
        "/private/p.html",
        "/moved.html",
        "/away.html",
    ]
    sitemap = "".join(f"<url><loc>{base}{e}</loc></url>" for e in entries)
    return {
        "/robots.txt": (200, "text/plain", b"User-agent: *\nDisallow: /private/\n"),
        "/sitemap.xml": (
            200,
            "application/xml",
            (
                '<?xml version="1.0"?><urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">'
                f"{sitemap}</urlset>"
            ).encode(),
        ),
        "/a.html": (200, "text/html", ARTICLE.format(t="Recorded", body=words).encode()),
        "/a2.html": (200, "text/html", ARTICLE.format(t="Moved", body=words[::-1]).encode()),
        "/empty.html": (200, "text/html", ARTICLE.format(t="Empty", body="").encode()),
        "/moved.html": (302, f"{base}/a2.html", b""),
        "/away.html": (302, "http://10.1.2.3/x.html", b""),  # the guard refuses the redirect
    }


def test_every_ending_acknowledges_its_request(tmp_path: Path, redis_server: RedisServer) -> None:
    """A 1-worker crawl where requests end by a record, an item without a record, a 404
    (errback), robots.txt and the guard refusing (middleware drops), and redirects (replaced):
    nothing is left pending, queued or failed, and the worker owes no ending."""
    import threading
    from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

    pages: dict[str, tuple[int, str, bytes]] = {}

    class Handler(BaseHTTPRequestHandler):
        def do_GET(self) -> None:
            status, kind, body = pages.get(self.path, (404, "text/plain", b"no"))
            self.send_response(status)
            self.send_header("Location" if status == 302 else "Content-Type", kind)
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, *args: Any) -> None:
            pass

    server = ThreadingHTTPServer(("127.0.0.2", 0), Handler)
    base = f"http://127.0.0.2:{server.server_port}"
    pages.update(endings_site(base))
    threading.Thread(target=server.serve_forever, daemon=True).start()
    try:
        site = Outlets([base], None)  # type: ignore[arg-type]
        worker = start_worker("solo", site, redis_server.url, tmp_path, crawl="endings")
        wait_all([worker], tmp_path, timeout=120)
    finally:
        server.shutdown()
        server.server_close()
    summary = json.loads((worker.archive / "runs" / "crawl-endings.summary.json").read_text())
    figures = summary["workers"]["solo"]
    assert summary["frontier"] == {
        "queued": 0,
        "pending": 0,
        "held": 0,
        "failed": 0,
        "done": figures["acknowledged"],
    }, summary
    assert figures["unacknowledged"] == 0 and figures["acknowledged"] >= 8
    assert summary["articles"] == 2  # /a.html and /a2.html
