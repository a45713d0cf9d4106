"""Generalisation: newsbot through replay beside trafilatura alone, on every benchmark set.

    python benchmarks/generalisation.py [--shared DIR] [--sets article-extraction,readability,...]
                                        [--json OUT]

Packs every set under ../shared/benchmarks/ into a WARC with the sets' own tools
(article-extraction with make_warc.py, the news-dev sets with make_newsdev_warc.py),
replays each through the whole pipeline (`scrapy crawl replay`), and runs the one
baseline `trafilatura.bare_extraction(page_bytes, url=url, with_metadata=True)`
(trafilatura decodes the bytes) on the same pages in the same run. Both are scored
by the shared scorer (news-dev's `score_pages`, whose body metric is
score_extraction.py's 4-gram F1) on the whole set and on each half of it, split by
a hash of the URL: half A is where newsbot's rules are tuned, half B is held out.
newsbot's `published` is UTC; the scorer is given `published_local` where the
record has one (the same instant with the site's offset), so that "day" is the day
printed on the page, as the truth has it. Then lists, per set, the article pages without a newsbot record where trafilatura
found more than 500 characters, and the records written for pages of kind `other`,
each with the reason newsbot logged.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import re
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from common import PYTHON, ROOT, SHARED
from warcio.archiveiterator import ArchiveIterator

NEWSDEV_SETS = ("readability", "htmldate", "mercury")
ALL_SETS = ("article-extraction", *NEWSDEV_SETS)
COLS = (
    ("present", "present", "{}"),
    ("body_f1", "body F1", "{:.3f}"),
    ("body_precision", "P", "{:.3f}"),
    ("body_recall", "R", "{:.3f}"),
    ("title_exact", "title", "{:.3f}"),
    ("authors_recall", "auth R", "{:.3f}"),
    ("authors_precision", "auth P", "{:.3f}"),
    ("day_accuracy", "day", "{:.3f}"),
    ("records_on_other", "on other", "{}"),
)
NO_RECORD = re.compile(r"no record \((?P<reason>[a-z_]+)\): (?P<url>\S+)")


def half(url: str) -> str:
    """'A' (rules tuned here) or 'B' (held out), by a hash of the page address."""
    digest = hashlib.sha1(url.strip().rstrip("/").encode("utf-8")).digest()
    return "A" if digest[0] % 2 == 0 else "B"


@dataclass
class BenchSet:
    name: str
    pages: list[dict[str, Any]]  # truth records in score_newsdev's layout
    warc: Path
    newsbot: dict[str, dict[str, Any]] = field(default_factory=dict)
    trafilatura: dict[str, dict[str, Any]] = field(default_factory=dict)
    reasons: dict[str, str] = field(default_factory=dict)  # url -> why newsbot wrote no record


def scorer(shared: Path) -> Any:
    """The shared scorer module (score_newsdev, which imports score_extraction's metric)."""
    sys.path.insert(0, str(shared / "tools"))
    import score_newsdev  # type: ignore[import-not-found]

    return score_newsdev


def pack(name: str, shared: Path, out: Path) -> tuple[list[dict[str, Any]], Path]:
    """A set's truth (in score_newsdev's layout) and its pages packed by the set's own tool."""
    warc = out / f"{name}.warc.gz"
    tools = shared / "tools"
    if name == "article-extraction":
        bench = shared / "benchmarks" / "article-extraction"
        subprocess.run(
            [PYTHON, str(tools / "make_warc.py"), str(warc), "--bench", str(bench)],
            check=True,
            capture_output=True,
        )
        truth = json.loads((bench / "ground-truth.json").read_text(encoding="utf-8"))
        pages = [
            {"id": k, "url": v["url"], "body": v.get("articleBody"), "kind": None}
            for k, v in truth.items()
        ]
        return pages, warc
    subprocess.run(
        [PYTHON, str(tools / "make_newsdev_warc.py"), str(warc), "--sets", name],
        check=True,
        capture_output=True,
    )
    truth = shared / "benchmarks" / "news-dev" / name / "truth.jsonl"
    pages = [
        json.loads(line) for line in truth.read_text(encoding="utf-8").splitlines() if line.strip()
    ]
    return pages, warc


def replay(bench: BenchSet, norm_url: Any) -> float:
    """Replay the set's WARC through newsbot: its records by URL, and the no-record reasons."""
    with tempfile.TemporaryDirectory() as archive:
        log = Path(archive) / "replay.log"
        cmd = [
            PYTHON,
            "-m",
            "scrapy",
            "crawl",
            "replay",
            "-a",
            f"warc={bench.warc}",
            "-s",
            f"ARCHIVE_DIR={archive}",
            "-s",
            "NEWSBOT_PROGRESS_INTERVAL=0",
            "-s",
            "LOG_LEVEL=INFO",
            "-s",
            f"LOG_FILE={log}",
        ]
        start = time.perf_counter()
        proc = subprocess.run(cmd, cwd=ROOT, capture_output=True, text=True)
        seconds = time.perf_counter() - start
        if proc.returncode not in (0, 3):
            raise RuntimeError(
                f"replay of {bench.name} failed ({proc.returncode}):\n{proc.stderr[-3000:]}"
            )
        for path in sorted(Path(archive, "articles").glob("*.jsonl")):
            for line in path.read_text(encoding="utf-8").splitlines():
                if line.strip():
                    rec = json.loads(line)
                    # the day a reader saw: the same instant in the site's offset, where known
                    rec["published"] = rec.get("published_local") or rec.get("published")
                    bench.newsbot.setdefault(norm_url(rec["url"]), rec)
        text = log.read_text(encoding="utf-8", errors="replace") if log.exists() else ""
        for match in NO_RECORD.finditer(text):
            bench.reasons[norm_url(match["url"])] = match["reason"]
    return seconds


def trafilatura_alone(bench: BenchSet, norm_url: Any) -> float:
    """The baseline on the same captures: bare_extraction(page_bytes, url, with_metadata)."""
    import trafilatura

    start = time.process_time()
    with open(bench.warc, "rb") as fh:
        for rec in ArchiveIterator(fh):
            if rec.rec_type != "response":
                continue
            url = rec.rec_headers.get_header("WARC-Target-URI")
            body = rec.content_stream().read()
            doc = trafilatura.bare_extraction(body, url=url, with_metadata=True)
            if doc is None:
                continue
            bench.trafilatura[norm_url(url)] = {
                "url": url,
                "text": doc.text or "",
                "title": doc.title,
                "authors": doc.author,
                "published": doc.date,
            }
    return time.process_time() - start


def score(sc: Any, pages: list[dict[str, Any]], preds: dict[str, dict[str, Any]]) -> dict[str, Any]:
    result: dict[str, Any] = sc.score_pages(pages, preds, "text")
    return result


def table(sc: Any, bench: BenchSet) -> list[str]:
    """Rows newsbot / trafilatura for the whole set and for each half."""
    rows = [f"{bench.name}: {len(bench.pages)} pages"]
    header = f"{'':22}{'pages':>6}" + "".join(f"{h:>9}" for _, h, _ in COLS)
    rows.append(header)
    parts = [("all", bench.pages)] + [
        (
            f"half {h}{' (held out)' if h == 'B' else ''}",
            [p for p in bench.pages if half(p["url"]) == h],
        )
        for h in "AB"
    ]
    for label, pages in parts:
        for tool, preds in (("newsbot", bench.newsbot), ("trafilatura", bench.trafilatura)):
            got = score(sc, pages, preds)
            cells = "".join(
                f"{fmt.format(got[k]):>9}" if k in got else f"{'-':>9}" for k, _, fmt in COLS
            )
            rows.append(f"{label + ' ' + tool:22}{got['pages']:>6}{cells}")
    return rows


def losses(sc: Any, bench: BenchSet) -> list[str]:
    """Article pages without a newsbot record where trafilatura found > 500 characters,
    and newsbot records on pages of kind `other`."""
    rows = []
    for page in bench.pages:
        key = sc.norm_url(page["url"])
        ours, theirs = bench.newsbot.get(key), bench.trafilatura.get(key)
        if page.get("kind") == "other":
            if ours is not None:
                rows.append(f"  record on kind other: {page['url']}")
        elif ours is None and theirs is not None and len(theirs["text"]) > 500:
            reason = bench.reasons.get(key, "?")
            rows.append(
                f"  no record ({reason}), trafilatura {len(theirs['text'])} chars: {page['url']}"
            )
    return rows


def summary(sc: Any, benches: Iterable[BenchSet]) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for bench in benches:
        out[bench.name] = {
            f"{part}/{tool}": score(sc, pages, preds)
            for part, pages in [
                ("all", bench.pages),
                *((f"half{h}", [p for p in bench.pages if half(p["url"]) == h]) for h in "AB"),
            ]
            for tool, preds in (("newsbot", bench.newsbot), ("trafilatura", bench.trafilatura))
        }
        out[bench.name]["losses"] = losses(sc, bench)
    return out


def main() -> None:
    ap = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    ap.add_argument("--shared", type=Path, default=SHARED)
    ap.add_argument("--sets", default=",".join(ALL_SETS))
    ap.add_argument("--json", type=Path, help="also write the figures as JSON here")
    args = ap.parse_args()
    if not (args.shared / "benchmarks").is_dir():
        sys.exit(f"no benchmarks under {args.shared} (give --shared DIR)")
    sc = scorer(args.shared)
    benches = []
    with tempfile.TemporaryDirectory() as tmp:
        for name in filter(None, args.sets.split(",")):
            pages, warc = pack(name, args.shared, Path(tmp))
            bench = BenchSet(name, pages, warc)
            seconds = replay(bench, sc.norm_url)
            cpu = trafilatura_alone(bench, sc.norm_url)
            benches.append(bench)
            print("\n".join(table(sc, bench)))
            print(f"  (replay {seconds:.1f} s whole process; trafilatura {cpu:.1f} CPU-s)")
            print("\n".join(losses(sc, bench)) or "  no article page lost, no record on kind other")
            print()
    if args.json:
        args.json.write_text(json.dumps(summary(sc, benches), indent=1), encoding="utf-8")


if __name__ == "__main__":
    main()
