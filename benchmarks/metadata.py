"""Metadata figures on news-dev: title, authors and published day, newsbot beside trafilatura.

Reads every page of `../shared/benchmarks/news-dev/` directly (no crawl, no replay: this
measures the metadata rules alone, on every page, whether or not the body extraction
gives a record) and runs, on the same bytes in the same run:

* newsbot: `worker.decode`, `extract_metadata` (title, authors with the byline search)
  and `find_dates` in the zone `guess_site_timezone` finds;
* trafilatura alone: `bare_extraction(page_bytes, url=url, with_metadata=True)`.

Records hold `published` in UTC; where the truth is a date without offset, a late-evening
story west of Greenwich (or early-morning one east of it) then counts as a wrong day. The
row `newsbot@local` scores the same values as the site's wall clock shows them (a
diagnostic of how much of the day gap is that; only its `day` column differs).

Both are scored by `../shared/tools/score_newsdev.py`, per set, on the full set and on
each half of it (split by `int(sha1(url).hexdigest(), 16) % 2`): rules are chosen on
half 0 and reported on half 1, the held-out half.

    python benchmarks/metadata.py [--corpus DIR] [--out DIR] [--no-trafilatura]
"""

from __future__ import annotations

import argparse
import gzip
import hashlib
import json
import sys
from datetime import datetime, timezone
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))  # run as a script from a checkout
SHARED = ROOT.parent / "shared"
sys.path.insert(0, str(SHARED / "tools"))

import trafilatura
from trafilatura.utils import load_html

from newsbot.dates.search import find_dates, guess_site_timezone
from newsbot.dates.zones import get_zone
from newsbot.extraction.article import extract_metadata
from newsbot.extraction.page import decode

DEFAULT_CORPUS = SHARED / "benchmarks" / "news-dev"
FIELDS = (
    ("title_exact", "title"),
    ("authors_recall", "auth R"),
    ("authors_precision", "auth P"),
    ("day_accuracy", "day"),
)
NOW = datetime(2026, 1, 1, tzinfo=timezone.utc)  # after every page of the corpus


def half(url: str) -> int:
    """The half a page belongs to: 0 to choose rules on, 1 to report them on."""
    return int(hashlib.sha1(url.encode("utf-8")).hexdigest(), 16) % 2


def newsbot_record(url: str, body: bytes) -> dict[str, Any]:
    """newsbot's title, authors and published date of one page."""
    html, _ = decode(body, None)
    tree = load_html(html)
    if tree is None:
        return {"url": url}
    zone = guess_site_timezone(tree, url)
    dates = find_dates(tree, url, tz=zone, now=NOW)
    fields = extract_metadata(tree, url)
    return {
        "url": url,
        "title": fields["title"],
        "authors": fields["authors"],
        "published": dates["published"],
        "published_local": _local(dates["published"], zone),
        "raw": (dates["published_source"], dates["published_raw"]),
    }


def _local(value: str | None, zone: str | None) -> str | None:
    """A UTC instant as the site's wall clock shows it (the day a reader sees), with offset."""
    if not value or "T" not in value:
        return value
    moment = datetime.fromisoformat(value.replace("Z", "+00:00"))
    return moment.astimezone(get_zone(zone) or timezone.utc).isoformat()


def trafilatura_record(url: str, body: bytes) -> dict[str, Any]:
    doc = trafilatura.bare_extraction(body, url=url, with_metadata=True)
    if doc is None:
        return {"url": url}
    return {"url": url, "title": doc.title, "authors": doc.author, "published": doc.date}


def run(corpus: Path, tool: str, cache: Path | None) -> dict[str, dict[str, Any]]:
    """Records of one tool for every page, keyed by URL (trafilatura's from cache if kept)."""
    if cache is not None and cache.exists():
        return {r["url"]: r for r in map(json.loads, cache.read_text().splitlines())}
    make = newsbot_record if tool == "newsbot" else trafilatura_record
    records = {}
    for truth in sorted(corpus.glob("*/truth.jsonl")):
        for line in truth.read_text(encoding="utf-8").splitlines():
            page = json.loads(line)
            body = gzip.decompress((truth.parent / "html" / f"{page['id']}.html.gz").read_bytes())
            records[page["url"]] = make(page["url"], body)
    if cache is not None:
        cache.write_text("".join(json.dumps(r) + "\n" for r in records.values()))
    return records


def table(corpus: Path, results: dict[str, dict[str, dict[str, Any]]]) -> None:
    from score_newsdev import load_corpus, norm_url, score_pages

    sets = load_corpus(corpus)
    sets["all"] = [p for pages in list(sets.values()) for p in pages]
    head = " ".join(f"{h:>7}" for _, h in FIELDS)
    print(f"{'set':12} {'half':5} {'tool':14} {'pages':>5} {head}")
    for name, pages in sets.items():
        for label, part in (
            ("full", pages),
            ("0", [p for p in pages if half(p["url"]) == 0]),
            ("1 (h)", [p for p in pages if half(p["url"]) == 1]),
        ):
            for tool, records in results.items():
                preds = {norm_url(u): r for u, r in records.items()}
                score = score_pages(part, preds, "text")
                cells = " ".join(
                    f"{score[k]:7.3f}" if k in score else f"{'-':>7}" for k, _ in FIELDS
                )
                print(f"{name:12} {label:5} {tool:14} {score['pages']:5} {cells}")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--corpus", type=Path, default=DEFAULT_CORPUS)
    parser.add_argument("--out", type=Path, default=ROOT / "benchmarks" / "out")
    parser.add_argument("--no-trafilatura", action="store_true")
    args = parser.parse_args()
    if not args.corpus.exists():
        print(f"no corpus at {args.corpus}", file=sys.stderr)
        return 1
    args.out.mkdir(parents=True, exist_ok=True)
    results = {"newsbot": run(args.corpus, "newsbot", None)}
    (args.out / "metadata-newsbot.jsonl").write_text(
        "".join(json.dumps(r) + "\n" for r in results["newsbot"].values())
    )
    results["newsbot@local"] = {  # diagnostic: the day in the site's zone, not the record's UTC day
        u: {**r, "published": r.get("published_local")} for u, r in results["newsbot"].items()
    }
    if not args.no_trafilatura:
        results["trafilatura"] = run(
            args.corpus, "trafilatura", args.out / "metadata-trafilatura.jsonl"
        )
    table(args.corpus, results)
    return 0


if __name__ == "__main__":
    sys.exit(main())
