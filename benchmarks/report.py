"""`scrapy report` on a large archive: how long it takes and how big the page is.

    python benchmarks/report.py [--articles 10000] [--outlets 20] [--days 60] [--dup-share 0.3]

Writes a synthetic archive under benchmarks/out/report-archive/ (git-ignored): one run
a day for `--days` days, each run's records spread over the outlets, `--dup-share` of
them copies of an earlier story (wire copy), 1 in 40 undated, text 800-4,000 characters,
and a summary per run with its `sites` figures. Then times `build_report` (in this
process, so without Scrapy's start-up) and splits the page's size into the articles
table (JSON), the charts (SVG) and the rest. Targets: under 30 s, under 5 MB.
"""

from __future__ import annotations

import argparse
import json
import random
import re
import shutil
import sys
import time
from collections import Counter, defaultdict
from datetime import datetime, timedelta, timezone
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from newsbot.report import build_report

OUT = Path(__file__).resolve().parent / "out" / "report-archive"
WIRES = ["AFP", "Reuters", "AP", "PTI", "agency", "dpa", "ANSA", "EFE"]
ZONES = ["Europe/Paris", "Asia/Kolkata", "America/New_York", "Europe/London", "Asia/Tokyo"]
WORDS = [
    "minister",
    "said",
    "officials",
    "week",
    "market",
    "company",
    "election",
    "council",
    "court",
    "bank",
    "rate",
    "energy",
    "climate",
    "talks",
    "security",
    "border",
    "health",
    "school",
    "growth",
    "economy",
    "budget",
    "tax",
    "storm",
    "train",
]


def headline(rng: random.Random) -> str:
    return " ".join(rng.choice(WORDS) for _ in range(rng.randint(6, 11))).capitalize()


def record(
    rng: random.Random,
    n: int,
    outlet: int,
    when: datetime,
    original: dict[str, Any] | None,
    offset: int,
) -> dict[str, Any]:
    host = f"outlet{outlet:02d}.example"
    title = original["title"] if original else headline(rng)
    published = None if rng.random() < 0.025 else when
    local = published.astimezone(timezone(timedelta(hours=offset))) if published else None
    return {
        "id": f"{n:016x}",
        "url": f"https://{host}/news/{when:%Y/%m/%d}/story-{n}.html",
        "title": title,
        "text": "x" * rng.randint(800, 4000),
        "source": f"Outlet {outlet:02d}",
        "site": host,
        "published": published.strftime("%Y-%m-%dT%H:%M:%SZ") if published else None,
        "published_local": local.isoformat() if local else None,
        "wires": (original or {}).get("wires")
        or ([rng.choice(WIRES)] if rng.random() < 0.3 else []),
        "duplicate_of": original["id"] if original else None,
        "fetched_at": (when + timedelta(hours=1)).strftime("%Y-%m-%dT%H:%M:%SZ"),
    }


def make_archive(root: Path, articles: int, outlets: int, days: int, dup_share: float) -> None:
    """One run a day; records spread over outlets; a share of them copies of earlier stories."""
    shutil.rmtree(root, ignore_errors=True)
    (root / "articles").mkdir(parents=True)
    (root / "runs").mkdir()
    rng = random.Random(17)
    start = datetime(2025, 10, 1, tzinfo=timezone.utc)
    canon: list[dict[str, Any]] = []
    per_day = articles // days
    for day in range(days):
        run_id = f"{start + timedelta(days=day):%Y%m%dT%H%M%SZ}-{day:06x}"
        files = {
            "articles": root / "articles" / f"news-{run_id}.jsonl",
            "duplicates": root / "articles" / f"news-{run_id}.duplicates.jsonl",
        }
        sites: dict[str, Counter[str]] = defaultdict(Counter)
        with files["articles"].open("w") as a, files["duplicates"].open("w") as d:
            for i in range(per_day if day < days - 1 else articles - per_day * (days - 1)):
                n = day * per_day + i
                outlet = rng.randrange(outlets)
                when = start + timedelta(days=day, minutes=rng.randrange(24 * 60))
                original = rng.choice(canon[-500:]) if canon and rng.random() < dup_share else None
                rec = record(rng, n, outlet, when, original, [1, 5, -5, 0, 9][outlet % 5])
                (d if original else a).write(json.dumps(rec) + "\n")
                if original is None:
                    canon.append(rec)
                site = sites[rec["source"]]
                site.update(
                    pages_fetched=3,
                    article_candidates=1,
                    undated=rec["published"] is None,
                    **{"duplicates" if original else "records": 1},
                )
        summary = {
            "ok": True,
            "run_id": run_id,
            "pages_fetched": sum(s["pages_fetched"] for s in sites.values()),
            "articles": sum(s["records"] for s in sites.values()),
            "duplicates": sum(s["duplicates"] for s in sites.values()),
            "articles_without_date": sum(s["undated"] for s in sites.values()),
            "errors": {"http_5xx": rng.randrange(1, 4)} if day % 7 == 0 else {},
            "sites": {
                name: {**s, "timezone": ZONES[int(name[-2:]) % 5]} for name, s in sites.items()
            },
            "outputs": {k: p.relative_to(root).as_posix() for k, p in files.items()},
        }
        (root / "runs" / f"news-{run_id}.summary.json").write_text(json.dumps(summary))


def size_split(html: str) -> dict[str, int]:
    data = re.search(
        r'<script type="application/json" id="articles-data">(.*?)</script>', html, re.S
    )
    svgs = sum(len(m.group(0).encode()) for m in re.finditer(r"<svg.*?</svg>", html, re.S))
    table = len(data.group(1).encode()) if data else 0
    total = len(html.encode())
    return {
        "total": total,
        "articles table (JSON)": table,
        "charts (SVG)": svgs,
        "rest (tables, style, script)": total - table - svgs,
    }


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--articles", type=int, default=10_000)
    parser.add_argument("--outlets", type=int, default=20)
    parser.add_argument("--days", type=int, default=60)
    parser.add_argument("--dup-share", type=float, default=0.3)
    args = parser.parse_args()
    began = time.perf_counter()
    make_archive(OUT, args.articles, args.outlets, args.days, args.dup_share)
    made = time.perf_counter() - began
    began = time.perf_counter()
    path = build_report(OUT)
    took = time.perf_counter() - began
    split = size_split(path.read_text(encoding="utf-8"))
    print(
        f"archive: {args.articles} records, {args.outlets} outlets, {args.days} runs/days, "
        f"{args.dup_share:.0%} copies (made in {made:.1f} s)"
    )
    print(f"report written in {took:.1f} s (target < 30 s): {path}")
    for part, size in split.items():
        print(f"  {part:<30} {size / 1e6:6.2f} MB")
    print(f"  {'target':<30} {5:6.2f} MB")


if __name__ == "__main__":
    main()
