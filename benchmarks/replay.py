"""Replay throughput: the full pipeline over a WARC, against single-process loops.

    python benchmarks/replay.py [--pages 2000] [--workers 0] [--bench DIR]

Builds a WARC of N pages (the 181 benchmark pages repeated under distinct
URLs), then times, each as a whole process on the same WARC in the same run:
the plain trafilatura loop (defaults, with metadata), newsbot's own per-page
work in one process, and `scrapy crawl replay` with every pipeline on.
"""

from __future__ import annotations

import argparse
import tempfile
from pathlib import Path

from common import BENCH, OUT, PYTHON, ROOT, own_loop, pages, plain_loop, run_timed, write_warc


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("--pages", type=int, default=2000)
    ap.add_argument("--workers", type=int, default=0, help="EXTRACT_WORKERS (0: one per core)")
    ap.add_argument("--bench", type=Path, default=BENCH)
    args = ap.parse_args()
    warc = write_warc(OUT / f"replay-{args.pages}.warc.gz", pages(args.bench, args.pages))
    plain = plain_loop(warc)
    own = own_loop(warc)
    with tempfile.TemporaryDirectory() as archive:
        replay = run_timed([PYTHON, "-m", "scrapy", "crawl", "replay", "-a", f"warc={warc}",
                            "-s", f"ARCHIVE_DIR={archive}", "-s", f"EXTRACT_WORKERS={args.workers}",
                            "-s", "NEWSBOT_PROGRESS_INTERVAL=0", "-s", "LOG_LEVEL=WARNING"], cwd=ROOT)
    n = args.pages
    rows = [("plain trafilatura loop (1 process)", plain), ("newsbot extraction loop (1 process)", own),
            ("newsbot replay, full pipeline", replay)]
    print(f"replay benchmark: {n} pages, WARC {warc.stat().st_size / 1e6:.1f} MB")
    for name, t in rows:
        print(f"  {name:<38} {t.seconds:7.1f} s  {n / t.seconds:6.1f} pages/s  peak RSS {t.peak_rss_mb:6.0f} MB")
    print(f"  replay / plain trafilatura loop   {plain.seconds / replay.seconds:5.2f}x   (target >= 1.2x)")
    print(f"  replay / newsbot extraction loop  {own.seconds / replay.seconds:5.2f}x   (target >= 1.5x)")


if __name__ == "__main__":
    main()
