"""Date figures: page-level coverage on the article-extraction pages, and parsing speed.

(a) how many of the benchmark pages get a published date from find_dates, by source;
(b) normalize_date throughput on varied strings beside dateparser.parse on the same strings.

    python benchmarks/dates.py [--bench DIR] [--rounds N]
"""

from __future__ import annotations

import argparse
import gzip
import json
import sys
import time
import warnings
from collections import Counter
from collections.abc import Callable, Sized
from datetime import datetime, timezone
from pathlib import Path

import dateparser
import lxml.html

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))  # run as a script from a checkout
from newsbot.dates.parse import normalize_date
from newsbot.dates.search import find_dates, guess_site_timezone

SHARED = Path(__file__).resolve().parents[1].parent / "shared"
DEFAULT_BENCH = SHARED / "benchmarks" / "article-extraction"
NOW = datetime(2025, 12, 16, 10, 30, tzinfo=timezone.utc)
CORPUS = [  # (string, site zone): the forms feeds, meta tags and date lines print
    ("2025-12-16T01:13:00+05:30", None),
    ("2025-12-16T01:13:00.000Z", None),
    ("2025-12-16", None),
    ("2025-12-16 10:13:45", "Asia/Shanghai"),
    ("Tue, 16 Dec 2025 01:13:00 +0530", None),
    ("Tue, 16 Dec 2025 01:13:00 GMT", None),
    ("Tue Dec 16 2025 01:13:00 GMT+0530 (India Standard Time)", None),
    ("December 16, 2025 / 01:13 IST", "Asia/Kolkata"),
    ("first published: Dec 16, 2025 01:13 am", "Asia/Kolkata"),
    ("Updated: Dec 16, 2025, 01:13 IST", "Asia/Kolkata"),
    ("Tue 16 Dec 2025 01.13 GMT", "Europe/London"),
    ("Dec. 16, 2025, 1:13 a.m. ET", "America/New_York"),
    ("Updated 1:13 AM EST, Tue December 16, 2025", "America/New_York"),
    ("Publié le 16 décembre 2025 à 01h13", "Europe/Paris"),
    ("16.12.2025, 13.13 Uhr", "Europe/Berlin"),
    ("Actualizado: 16 dic 2025 - 13:13 CET", "Europe/Madrid"),
    ("Aggiornato il 16 dicembre 2025 alle 13:13", "Europe/Rome"),
    ("16 de dezembro de 2025 | 13h13", "America/Sao_Paulo"),
    ("2025年12月16日 10時13分", "Asia/Tokyo"),
    ("12/16/2025", "America/New_York"),
    ("16/12/2025", "Europe/London"),
    ("1765827780", None),
    ("2 hours ago", None),
    ("il y a 3 heures", "Europe/Paris"),
]


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--bench", type=Path, default=DEFAULT_BENCH, help="the pages' folder")
    parser.add_argument("--rounds", type=int, default=40, help="passes over the string corpus")
    args = parser.parse_args()
    truth = args.bench / "ground-truth.json"
    if not truth.is_file():
        print(f"benchmark pages not found: {truth} (pass --bench DIR)", file=sys.stderr)
        return 1
    page_coverage(args.bench, json.loads(truth.read_text("utf-8")))
    throughput(args.rounds)
    return 0


def page_coverage(bench: Path, truth: dict[str, dict[str, str]]) -> None:
    pages = []
    for page_id, entry in truth.items():
        html = gzip.decompress((bench / "html" / f"{page_id}.html.gz").read_bytes())
        pages.append((lxml.html.fromstring(html), entry["url"]))
    cold, results = _search_all(pages)  # the first pass loads dateparser's languages once
    warm, _ = _search_all(pages)
    sources = Counter(found["published_source"] or "none" for _, found in results)
    precisions = Counter(found["published_precision"] or "none" for _, found in results)
    total = len(pages)
    print(f"(a) find_dates on {total} pages ({bench}):")
    print(f"    published found: {total - sources['none']}/{total}; ", end="")
    print(f"modified found: {sum(found['modified'] is not None for _, found in results)}")
    print("    by source:", ", ".join(f"{s} {n}" for s, n in sources.most_common()))
    print("    by precision:", ", ".join(f"{p} {n}" for p, n in precisions.most_common()))
    print(f"    site zone guessed for {sum(tz is not None for tz, _ in results)}/{total} pages")
    print("    zone guess + date search, HTML parse excluded: ", end="")
    print(f"{cold / total * 1000:.2f} ms/page first pass, {warm / total * 1000:.2f} ms/page second")


def _search_all(
    pages: list[tuple[lxml.html.HtmlElement, str]],
) -> tuple[float, list[tuple[str | None, dict[str, str | None]]]]:
    """Seconds spent, and (guessed zone, find_dates result) per page."""
    results = []
    started = time.perf_counter()
    for tree, url in pages:
        tz = guess_site_timezone(tree, url)
        results.append((tz, find_dates(tree, url, tz=tz, now=NOW)))
    return time.perf_counter() - started, results


def throughput(rounds: int) -> None:
    strings = CORPUS * rounds
    ours = _rate(lambda: [normalize_date(s, tz=tz, now=NOW) for s, tz in strings], strings)
    settings = {"RELATIVE_BASE": NOW.replace(tzinfo=None)}
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        dateparser.parse(CORPUS[0][0])  # load its languages outside the timing
        base = _rate(lambda: [dateparser.parse(s, settings=settings) for s, _ in strings], strings)
    print(f"(b) throughput on {len(CORPUS)} varied strings x {rounds}:")
    print(f"    normalize_date   {ours:10,.0f} strings/s")
    print(f"    dateparser.parse {base:10,.0f} strings/s (baseline, same strings, same run)")
    print(f"    ratio            {ours / base:10.1f}x")


def _rate(run: Callable[[], object], strings: Sized) -> float:
    """Strings per second of one call of run over strings."""
    started = time.perf_counter()
    run()
    return len(strings) / (time.perf_counter() - started)


if __name__ == "__main__":
    sys.exit(main())
