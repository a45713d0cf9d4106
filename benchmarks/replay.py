"""Replay throughput: the full pipeline over a WARC, against single-process loops.

    python benchmarks/replay.py [--pages 2000] [--rounds 3] [--workers 0] [--bench DIR] [--newsdev]

Packs the benchmark pages with ../shared/tools/make_warc.py (with --newsdev: the
406 news-dev pages with make_newsdev_warc.py, where the fallbacks fire more often)
and repeats them under distinct URLs up to N pages in one WARC. Then, in each round, times as
whole processes on that WARC one after another: the plain trafilatura loop
(defaults, with metadata), newsbot's own per-page work in one process, and
`scrapy crawl replay` with every pipeline on. The machine is shared and its
speed drifts by a quarter between minutes, so each ratio is taken within a
round (processes a minute apart) and the median over rounds is the figure.
"""

from __future__ import annotations

import argparse
import statistics
from pathlib import Path

from common import (
    BENCH,
    OUT,
    make_newsdev_warc,
    make_warc,
    own_loop,
    plain_loop,
    repeat_warc,
    replay_archive,
)

ROWS = (
    "plain trafilatura loop (1 process)",
    "newsbot extraction loop (1 process)",
    "newsbot replay, full pipeline",
)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("--pages", type=int, default=2000)
    ap.add_argument("--rounds", type=int, default=3)
    ap.add_argument("--workers", type=int, default=0, help="EXTRACT_WORKERS (0: one per core)")
    ap.add_argument("--bench", type=Path, default=BENCH)
    ap.add_argument("--newsdev", action="store_true", help="the news-dev pages instead")
    args = ap.parse_args()
    source = make_newsdev_warc() if args.newsdev else make_warc(args.bench)
    name = "newsdev" if args.newsdev else "replay"
    warc = repeat_warc(source, OUT / f"{name}-{args.pages}.warc.gz", args.pages)
    rounds = [
        (
            plain_loop(warc),
            own_loop(warc),
            replay_archive(warc, f"EXTRACT_WORKERS={args.workers}")[0],
        )
        for _ in range(args.rounds)
    ]
    n = args.pages
    print(
        f"replay benchmark ({source.name}): {n} pages, WARC {warc.stat().st_size / 1e6:.1f} MB, {args.rounds} rounds"
    )
    print(
        f"  {'seconds per round':<38}"
        + "".join(f"{f'#{i + 1}':>8}" for i in range(args.rounds))
        + f"{'median':>9}{'pages/s':>9}{'peak RSS':>10}"
    )
    for col, name in enumerate(ROWS):
        times = [r[col].seconds for r in rounds]
        rss = max(r[col].peak_rss_mb for r in rounds)
        median = statistics.median(times)
        print(
            f"  {name:<38}"
            + "".join(f"{t:8.1f}" for t in times)
            + f"{median:9.1f}{n / median:9.1f}{rss:7.0f} MB"
        )
    for col, name, target in (
        (0, "plain trafilatura loop", 1.3),
        (1, "newsbot extraction loop", 1.5),
    ):
        ratios = [r[col].seconds / r[2].seconds for r in rounds]
        print(
            f"  replay / {name:<28}"
            + "".join(f"{x:7.2f}x" for x in ratios)
            + f"{statistics.median(ratios):8.2f}x   (target >= {target}x)"
        )


if __name__ == "__main__":
    main()
