"""The workers' article verdict on every benchmark page, per set and per half.

    python benchmarks/pagecontent.py [--shared DIR]

For each page of ../shared/benchmarks/ (article-extraction and the news-dev sets),
the cheap first look (`pagetype.page_kind`, as for a listed page) and, for
candidates, the verdict on the parsed page (`pagecontent.verdict`), beside the
page's kind in the truth (`other` for the nine non-articles). Printed per set and
per half (A: where the thresholds were chosen, B: held out, by a hash of the URL):
articles kept, articles lost (with their reason), non-articles caught and missed.
The benchmark holds few non-articles, so the thresholds lean to keeping articles:
an article lost is content lost from the archive.
"""

from __future__ import annotations

import argparse
import gzip
import json
import sys
from collections import Counter
from collections.abc import Iterator
from pathlib import Path

from common import ROOT, SHARED

sys.path.insert(0, str(ROOT))

from generalisation import half
from trafilatura.utils import load_html

from newsbot.extraction.article import extract_article
from newsbot.extraction.page import decode
from newsbot.pagecontent import PageSignals, verdict
from newsbot.pagetype import page_kind


def pages(shared: Path) -> Iterator[tuple[str, str, Path, str | None]]:
    """(set, url, html.gz path, kind) of every benchmark page."""
    ae = shared / "benchmarks" / "article-extraction"
    for key, rec in json.loads((ae / "ground-truth.json").read_text(encoding="utf-8")).items():
        yield "article-extraction", rec["url"], ae / "html" / f"{key}.html.gz", None
    for truth in sorted((shared / "benchmarks" / "news-dev").glob("*/truth.jsonl")):
        for line in truth.read_text(encoding="utf-8").splitlines():
            rec = json.loads(line)
            yield (
                truth.parent.name,
                rec["url"],
                truth.parent / "html" / f"{rec['id']}.html.gz",
                rec.get("kind"),
            )


def judge(url: str, raw: bytes) -> str | None:
    """None for an article, else the no-record reason, as spider and worker decide."""
    kind = page_kind(url, raw, candidate=True)
    if kind != "article":
        return kind
    html, _ = decode(raw, "utf-8")
    tree = load_html(html)
    signals = PageSignals.of(tree, html)
    return verdict((extract_article(tree, url) or {}).get("text") or "", signals)


def main() -> None:
    ap = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    ap.add_argument("--shared", type=Path, default=SHARED)
    args = ap.parse_args()
    counts: Counter[tuple[str, str, str]] = Counter()
    lost = []
    for name, url, path, kind in pages(args.shared):
        reason = judge(url, gzip.decompress(path.read_bytes()))
        truth = "other" if kind == "other" else "article"
        outcome = {
            ("article", True): "kept",
            ("article", False): "lost",
            ("other", True): "missed",
            ("other", False): "caught",
        }[truth, reason is None]
        counts[name, half(url), outcome] += 1
        if outcome in ("lost", "missed"):
            lost.append(f"  {outcome} ({reason or 'record'}), half {half(url)}: {url}")
    print(f"{'set':20}{'half':>5}{'kept':>7}{'lost':>7}{'caught':>8}{'missed':>8}")
    for name in sorted({k[0] for k in counts}):
        for h in "AB":
            row = [counts[name, h, o] for o in ("kept", "lost", "caught", "missed")]
            print(f"{name:20}{h:>5}{row[0]:>7}{row[1]:>7}{row[2]:>8}{row[3]:>8}")
    print("\n".join(lost))


if __name__ == "__main__":
    main()
