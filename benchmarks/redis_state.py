"""The Redis state backend: claim latency at scale, replay beside SQLite, shares beside one.

    python benchmarks/redis_state.py claims [--articles 1000000] [--claims 3000]
    python benchmarks/redis_state.py replay [--pages 2000] [--rounds 2]

`claims`: a fresh redis-server (no persistence), the dedup index bulk-loaded with
synthetic signatures (random MinHash values, real sizes: they never match each other, as
most stories of an archive do not), then timed claims of new signatures, a fifth of them
copies of loaded ones (those find their candidates and compare). Memory per article is
``used_memory`` after the load minus before, over the articles.

`replay`: the benchmark pages repeated to N pages in 8 files; in each round, one after
another, `scrapy crawl replay` on SQLite, the same on Redis (one process), and 2 shares
at once on Redis; ratios within a round (the machine's speed drifts), median over rounds.
"""

from __future__ import annotations

import argparse
import statistics
import sys
import tempfile
import time
from pathlib import Path

import numpy as np
from common import BENCH, OUT, PYTHON, ROOT, run_timed

sys.path.insert(0, str(ROOT / "tests"))
from newsbot.dedup import NUM_PERM, Signature
from support.redisserver import RedisServer


def synthetic(rng: np.random.Generator, count: int) -> list[Signature]:
    values = rng.integers(0, 2**32, size=(count, NUM_PERM), dtype=np.uint64).astype("<u4")
    sizes = rng.integers(80, 900, size=count)
    return [Signature(values[i].tobytes(), int(sizes[i])) for i in range(count)]


def claims(args: argparse.Namespace) -> None:
    from newsbot.state.redis_backend import RedisBackend

    with tempfile.TemporaryDirectory() as tmp:
        server = RedisServer(Path(tmp) / "redis")
        server.start()
        try:
            backend = RedisBackend(Path(tmp) / "state" / "x", url=server.url, prefix="bench")
            client = backend.conn.client
            before = int(client.info("memory")["used_memory"])
            index, rng = backend.dedup_index(0.6), np.random.default_rng(1)
            started, loaded, kept = time.perf_counter(), 0, []
            while loaded < args.articles:
                chunk = synthetic(rng, min(50_000, args.articles - loaded))
                index.bulk_load((f"a{loaded + i}", s) for i, s in enumerate(chunk))
                kept += chunk[: args.claims // 5 // (args.articles // 50_000 or 1) + 1]
                loaded += len(chunk)
            load_s = time.perf_counter() - started
            per_article = (int(client.info("memory")["used_memory"]) - before) / loaded
            new = synthetic(rng, args.claims)
            for i in range(0, len(new), 5):  # every fifth: a copy of a loaded article
                new[i] = kept[(i // 5) % len(kept)]
            times = []
            client.config_resetstat()  # so that commandstats count the claims alone
            for i, sig in enumerate(new):
                t = time.perf_counter()
                index.claim(f"new{i}", sig)
                times.append((time.perf_counter() - t) * 1000)
            times.sort()
            cpu = client.info("commandstats").get("cmdstat_evalsha", {})
            backend.close()
        finally:
            server.stop()
    print(f"dedup claims in Redis: {loaded:,} signatures bulk-loaded in {load_s:.0f} s")
    print(f"  Redis memory per article     {per_article / 1024:6.2f} KB   (target <= 2 KB)")
    print(f"  claim latency, median        {statistics.median(times):6.3f} ms  (target <= 1 ms)")
    print(
        f"  claim latency, p99           {times[int(len(times) * 0.99)]:6.3f} ms  (target <= 5 ms)"
    )
    print(
        f"  Redis CPU per claim          {cpu.get('usec_per_call', 0) / 1000:6.3f} ms"
        f"  ({len(times):,} claims, a fifth of them copies)"
    )


def replay(args: argparse.Namespace) -> None:
    from test_redis_replay import build_set

    with tempfile.TemporaryDirectory() as tmp:
        warcs = build_set(Path(tmp), args.bench, pages=args.pages)
        server = RedisServer(Path(tmp) / "redis", aof=True)
        server.start()
        rounds = []
        try:
            for r in range(args.rounds):
                rounds.append(
                    (
                        one(warcs, Path(tmp) / f"s{r}", []),
                        one(
                            warcs,
                            Path(tmp) / f"r{r}",
                            [
                                "-s",
                                f"NEWSBOT_REDIS_URL={server.url}",
                                "-s",
                                f"NEWSBOT_REDIS_PREFIX=one{r}",
                            ],
                        ),
                        shares(warcs, Path(tmp) / f"n{r}", server.url, f"two{r}", 2),
                    )
                )
        finally:
            server.stop()
    print(
        f"replay, {args.pages} pages in 8 files, EXTRACT_WORKERS=0 (one per core), "
        f"{args.rounds} rounds: seconds"
    )
    for col, name in enumerate(
        ("SQLite, one process", "Redis, one process", "Redis, 2 shares at once")
    ):
        times = [r[col] for r in rounds]
        print(
            f"  {name:<26}"
            + "".join(f"{t:8.1f}" for t in times)
            + f"   median {statistics.median(times):6.1f}  ({args.pages / statistics.median(times):.1f} pages/s)"
        )
    print(f"  Redis / SQLite time        {statistics.median([r[1] / r[0] for r in rounds]):8.2f}x")
    print(f"  2 shares / one (Redis)     {statistics.median([r[2] / r[1] for r in rounds]):8.2f}x")


def one(warcs: Path, archive: Path, extra: list[str]) -> float:
    cmd = [
        PYTHON,
        "-m",
        "scrapy",
        "crawl",
        "replay",
        "-a",
        f"warc={warcs}",
        "-s",
        f"ARCHIVE_DIR={archive}",
        "-s",
        "LOG_LEVEL=WARNING",
        "-s",
        "NEWSBOT_PROGRESS_INTERVAL=0",
        *extra,
    ]
    return run_timed(cmd).seconds


def shares(warcs: Path, archive: Path, url: str, prefix: str, n: int) -> float:
    from test_redis_replay import replay_shares

    started = time.perf_counter()
    replay_shares(warcs, archive, url, prefix, n, workers="0")
    return time.perf_counter() - started


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__)
    sub = ap.add_subparsers(dest="what", required=True)
    c = sub.add_parser("claims")
    c.add_argument("--articles", type=int, default=1_000_000)
    c.add_argument("--claims", type=int, default=3000)
    r = sub.add_parser("replay")
    r.add_argument("--pages", type=int, default=2000)
    r.add_argument("--rounds", type=int, default=2)
    r.add_argument("--bench", type=Path, default=BENCH)
    args = ap.parse_args()
    OUT.mkdir(parents=True, exist_ok=True)
    claims(args) if args.what == "claims" else replay(args)


if __name__ == "__main__":
    main()
