"""Extraction quality through the replay path, beside trafilatura alone.

    python benchmarks/replay_quality.py [--bench DIR]

Packs the 181 benchmark pages into a WARC with ../shared/tools/make_warc.py,
replays it with `scrapy crawl replay` (every pipeline on: extraction,
templates, dates, dedup), joins the articles and duplicates JSONL, and scores
it with ../shared/tools/score_extraction.py; in the same run scores
trafilatura alone (`extract(html, url=url, include_comments=False)`) on the
same pages. The two-fold check of newsbot's thresholds is printed by
benchmarks/extraction.py.
"""

from __future__ import annotations

import argparse
from pathlib import Path

from common import BENCH, OUT, make_warc, replay_archive
from extraction import load_pages, score_jsonl, trafilatura_text, write_jsonl

FIELDS = ("f1", "precision", "recall", "exact")


def replay_records(warc: Path) -> tuple[Path, int, float]:
    """Replay the WARC; one JSONL of all records (canonical and duplicates), count, seconds."""
    timed, lines = replay_archive(warc)
    out = OUT / "replay-quality-newsbot.jsonl"
    out.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return out, len(lines), timed.seconds


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("--bench", type=Path, default=BENCH)
    args = ap.parse_args()
    OUT.mkdir(parents=True, exist_ok=True)
    warc = make_warc(args.bench)
    newsbot_jsonl, count, seconds = replay_records(warc)
    pages = load_pages(args.bench)
    alone = write_jsonl(
        OUT / "replay-quality-trafilatura.jsonl",
        pages,
        {p.id: trafilatura_text(p.html, p.url) for p in pages},
    )
    ours, theirs = score_jsonl(newsbot_jsonl, args.bench), score_jsonl(alone, args.bench)
    print(
        f"extraction through replay: {count} records from {len(pages)} pages ({seconds:.1f} s, whole process)"
    )
    print(f"{'':12}{'newsbot replay':>16}{'trafilatura':>14}{'ratio':>8}")
    for key in FIELDS:
        if key in ours and key in theirs:
            ratio = ours[key] / theirs[key] if theirs[key] else float("nan")
            print(f"{key:12}{ours[key]:16.4f}{theirs[key]:14.4f}{ratio:8.3f}")
    missing = len(pages) - count
    print(
        f"pages without a record: {missing}   targets: F1 >= 0.97, precision >= 0.95, none missing"
    )


if __name__ == "__main__":
    main()
