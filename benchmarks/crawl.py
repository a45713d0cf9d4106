"""Live crawl throughput and memory: a local site of N real pages, full pipeline.

    python benchmarks/crawl.py [--pages 2000] [--rounds 3]   throughput vs the plain loop
    python benchmarks/crawl.py --memory 2000 10000        peak RSS of crawls of each size

The benchmark pages (repeated under distinct URLs) are served from 127.0.0.1
with a sitemap; `scrapy crawl news` fetches them with politeness limits
lifted for the local server and every pipeline on (capture to WARC, extraction
pool, dates, templates, dedup, JSONL). The baseline, timed in the same run as
a whole process, is the plain one-process trafilatura loop over a WARC of the
same pages; each round times both, one after the other, and the median of the
rounds' ratios is the figure (the machine's speed drifts between minutes).
"""

from __future__ import annotations

import argparse
import statistics
import sys
import tempfile
from pathlib import Path

from common import BENCH, OUT, PYTHON, ROOT, pages, plain_loop, run_timed, write_warc

sys.path.insert(0, str(ROOT))
from newsbot.demo.server import serve_folder

LOCAL = [
    "-s",
    "AUTOTHROTTLE_ENABLED=0",
    "-s",
    "DOWNLOAD_DELAY=0",
    "-s",
    "CONCURRENT_REQUESTS=32",
    "-s",
    "CONCURRENT_REQUESTS_PER_DOMAIN=32",
    "-s",
    "ROBOTSTXT_OBEY=0",
    "-s",
    "NEWSBOT_PROGRESS_INTERVAL=0",
    "-s",
    "LOG_LEVEL=WARNING",
]


def build_site(root: Path, items: list[tuple[str, bytes]]) -> None:
    """Pages under /p/NNNNN.html and a sitemap listing them."""
    (root / "p").mkdir(parents=True, exist_ok=True)
    locs = []
    for i, (_, html) in enumerate(items):
        (root / "p" / f"{i:05d}.html").write_bytes(html)
        locs.append(f"<url><loc>{{{{base}}}}/p/{i:05d}.html</loc></url>")
    (root / "sitemap.xml").write_text(
        '<?xml version="1.0"?><urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">'
        + "".join(locs)
        + "</urlset>"
    )


def crawl(items: list[tuple[str, bytes]], extra: list[str] | None = None) -> tuple[float, float]:
    """(seconds, peak RSS MB) of a whole `scrapy crawl news` over a local copy of `items`."""
    with tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp) / "site"
        build_site(root, items)
        with serve_folder(root) as server:
            timed = run_timed(
                [
                    PYTHON,
                    "-m",
                    "scrapy",
                    "crawl",
                    "news",
                    "-a",
                    f"url={server.url('/sitemap.xml')}",
                    "-s",
                    f"ARCHIVE_DIR={tmp}/archive",
                    *LOCAL,
                    *(extra or []),
                ],
                cwd=ROOT,
            )
    return timed.seconds, timed.peak_rss_mb


def throughput(n: int, bench: Path, rounds: int) -> None:
    items = pages(bench, n)
    warc = write_warc(OUT / f"crawl-baseline-{n}.warc.gz", items)
    runs = [(plain_loop(warc).seconds, *crawl(items)) for _ in range(rounds)]
    plain, ours = [r[0] for r in runs], [r[1] for r in runs]
    ratios = [p / c for p, c in zip(plain, ours)]
    cols = "".join(f"{f'#{i + 1}':>8}" for i in range(rounds))
    print(f"crawl benchmark: {n} pages from 127.0.0.1, {rounds} rounds")
    print(f"  {'seconds per round':<46}{cols}{'median':>9}{'pages/s':>9}")
    for name, times in (
        ("plain trafilatura loop (1 process, from WARC)", plain),
        ("newsbot crawl, full pipeline", ours),
    ):
        median = statistics.median(times)
        print(
            f"  {name:<46}"
            + "".join(f"{t:8.1f}" for t in times)
            + f"{median:9.1f}{n / median:9.1f}"
        )
    print(
        f"  {'crawl / plain loop':<46}"
        + "".join(f"{x:7.2f}x" for x in ratios)
        + f"{statistics.median(ratios):8.2f}x   (target >= 1.1x)"
    )
    print(f"  peak RSS of the crawl: {max(r[2] for r in runs):.0f} MB")


def memory(sizes: list[int], bench: Path) -> None:
    results = []
    for n in sizes:
        seconds, rss = crawl(pages(bench, n))
        results.append((n, seconds, rss))
        print(f"  crawl of {n:6d} pages: {seconds:7.1f} s, peak RSS {rss:6.0f} MB", flush=True)
    base = results[0][2]
    for n, _, rss in results[1:]:
        print(
            f"  peak RSS {n} / {results[0][0]} pages: {rss / base:5.2f}x   (target <= 1.25x, < 600 MB)"
        )


def main() -> None:
    ap = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    ap.add_argument("--pages", type=int, default=2000)
    ap.add_argument("--rounds", type=int, default=3)
    ap.add_argument("--memory", type=int, nargs="+")
    ap.add_argument("--bench", type=Path, default=BENCH)
    args = ap.parse_args()
    if args.memory:
        memory(args.memory, args.bench)
    else:
        throughput(args.pages, args.bench, args.rounds)


if __name__ == "__main__":
    main()
