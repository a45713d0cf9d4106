"""Article-body extraction: newsbot's `extract_article` beside trafilatura alone.

Runs both over the public article-extraction benchmark (181 pages) in one run,
writes `benchmarks/out/extraction-{newsbot,trafilatura}.jsonl`, scores both
with the shared scorer and prints F1, precision, recall, exact-match rate
(the scorer's: pages whose \\w+ tokens equal the truth's) and pages per CPU
second (the two interleaved page by page) side by side. Then the two-fold
check of every threshold newsbot chose: the grid of fallback and furniture
thresholds is searched on one half of the pages (split by a hash of the page
id) and scored on the other, both ways.

    python benchmarks/extraction.py [--bench DIR] [--no-twofold]

The scoring functions (`load_pages`, `score_jsonl`, `page_counts`,
`summarise`) are reusable by other modes, e.g. extraction through replay.
"""

from __future__ import annotations

import argparse
import gzip
import hashlib
import importlib.util
import itertools
import json
import logging
import statistics
import subprocess
import sys
import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass, replace
from pathlib import Path
from types import ModuleType

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))  # run as a script from a checkout

import trafilatura
from trafilatura.utils import load_html

from newsbot.extraction.article import (
    DEFAULT_OPTIONS,
    ExtractOptions,
    detect_language,
    extract_article,
    extract_blocks,
    extract_metadata,
    page_facts,
    page_headlines,
)
from newsbot.extraction.cleanup import Block, CleanupRule, PageFacts, clean_blocks
from newsbot.extraction.fallback import (
    FallbackRule,
    choose_body,
    needs_second_opinion,
    paragraph_chars,
    readability_blocks,
)

SHARED = ROOT.parent / "shared"
BENCH = SHARED / "benchmarks" / "article-extraction"
SCORER = SHARED / "tools" / "score_extraction.py"
OUT = ROOT / "benchmarks" / "out"
METRICS = ("f1", "precision", "recall", "exact")
# Every threshold newsbot chose, with the values the two-fold search tries.
FALLBACK_GRID = [
    FallbackRule(tiny_chars=t, short_share=s, min_growth=g, min_overlap=o)
    for t, s, g, o in itertools.product(
        (150, 300, 500, 800), (0.3, 0.4, 0.5, 0.6), (2.0, 1.5, 1.2, 1.1), (0.7, 0.5, 0.3)
    )
]  # each axis from its most conservative value: among equals the first wins
CLEANUP_GRID = [
    CleanupRule(max_chars=m, date_chars=d, top_lines=t, headline_share=h)
    for m, d, t, h in itertools.product((150, 300, 600), (60, 90, 150), (2, 3, 5), (0.8, 0.6, 0.4))
]


@dataclass(frozen=True)
class BenchPage:
    id: str
    url: str
    html: str
    truth: str


# --- loading and scoring (reusable) ---------------------------------------------
def load_pages(bench: Path = BENCH) -> list[BenchPage]:
    """The benchmark's pages with their true bodies, in id order."""
    truth = json.loads((bench / "ground-truth.json").read_text(encoding="utf-8"))
    return [
        BenchPage(
            pid,
            rec["url"],
            gzip.decompress((bench / "html" / f"{pid}.html.gz").read_bytes()).decode("utf-8"),
            rec.get("articleBody", ""),
        )
        for pid, rec in sorted(truth.items())
    ]


def load_scorer(path: Path = SCORER) -> ModuleType:
    """The shared scorer as a module, for its per-page functions."""
    spec = importlib.util.spec_from_file_location("score_extraction", path)
    if spec is None or spec.loader is None:
        raise ImportError(f"cannot load the scorer at {path}")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def write_jsonl(path: Path, pages: Iterable[BenchPage], texts: dict[str, str]) -> Path:
    """One record per page (an empty text rather than a missing page)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("w", encoding="utf-8") as out:
        for page in pages:
            out.write(
                json.dumps({"url": page.url, "text": texts.get(page.id, "")}, ensure_ascii=False)
                + "\n"
            )
    return path


def score_jsonl(jsonl: Path, bench: Path = BENCH, scorer: Path = SCORER) -> dict[str, float]:
    """The shared scorer's own figures for a predictions file."""
    cmd = [
        sys.executable,
        str(scorer),
        str(jsonl),
        "--truth",
        str(bench / "ground-truth.json"),
        "--json",
    ]
    return json.loads(subprocess.run(cmd, check=True, capture_output=True, text=True).stdout)


def page_counts(scorer: ModuleType, truth: str, pred: str) -> tuple[float, float, float]:
    """Normalised (tp, fp, fn) of one page, as the scorer computes them."""
    return scorer.page_counts(truth, pred)  # type: ignore[no-any-return]


def summarise(scorer: ModuleType, counts: list[tuple[float, float, float]]) -> dict[str, float]:
    """Macro precision/recall and F1 over pages, the scorer's aggregation."""
    p = statistics.mean(scorer.precision(*c) for c in counts if c[0] + c[1] > 0)
    r = statistics.mean(scorer.recall(*c) for c in counts if c[0] + c[2] > 0)
    return {"f1": 2 * p * r / (p + r) if p + r else 0.0, "precision": p, "recall": r}


def half_of(page_id: str) -> int:
    """The deterministic fold of a page: 0 or 1 by a hash of its id."""
    return int(hashlib.sha1(page_id.encode()).hexdigest()[:8], 16) % 2


# --- the two extractors ---------------------------------------------------------
def newsbot_text(html: str, url: str) -> str:
    fields = extract_article(html, url)
    return fields["text"] if fields else ""


def trafilatura_text(html: str, url: str) -> str:
    return trafilatura.extract(html, url=url, include_comments=False) or ""


def run(
    extractors: dict[str, Callable[[str, str], str]], pages: list[BenchPage]
) -> tuple[dict[str, dict[str, str]], dict[str, float]]:
    """Texts by extractor and page id, and pages per CPU second of each.

    The extractors take turns page by page, in alternating order, and are timed
    in process CPU time, so other load on the machine weighs on both alike; each
    first extracts one page untimed, after the language model's one-time load.
    """
    detect_language(pages[0].truth)  # py3langid loads its model on first use (~0.6 s, once)
    for extract in extractors.values():
        extract(pages[0].html, pages[0].url)
    texts: dict[str, dict[str, str]] = {name: {} for name in extractors}
    spent = dict.fromkeys(extractors, 0.0)
    names = list(extractors)
    for i, page in enumerate(pages):
        for name in names if i % 2 == 0 else reversed(names):
            start = time.process_time()
            texts[name][page.id] = extractors[name](page.html, page.url)
            spent[name] += time.process_time() - start
    return texts, {name: len(pages) / max(spent[name], 1e-9) for name in names}


# --- two-fold validation of the thresholds --------------------------------------
@dataclass
class Candidates:
    """Everything the thresholds choose between, for one page."""

    first: list[Block]
    second: list[Block]
    page_chars: int
    facts: PageFacts


def candidates(page: BenchPage) -> Candidates:
    tree = load_html(page.html)
    facts = page_facts(extract_metadata(tree, page.url), page_headlines(tree))
    first = extract_blocks(tree, page.url, replace(DEFAULT_OPTIONS, second_opinion=False))
    return Candidates(first, readability_blocks(tree), paragraph_chars(tree), facts)


def chosen(cand: Candidates, rule: FallbackRule) -> list[Block]:
    """The body `extract_article` would take under `rule`, from the cached candidates."""
    return choose_body(cand.first, cand.page_chars, lambda: cand.second, rule)


def twofold(scorer: ModuleType, pages: list[BenchPage]) -> list[str]:
    """Choose thresholds on each half, score them on the other, both ways; report lines.

    The fallback thresholds are chosen first (furniture rules at their defaults),
    then the furniture thresholds given those. Ties go to the more conservative
    set (fewer second opinions taken, then fewer asked for).
    """
    cands = {page.id: candidates(page) for page in pages}
    texts: dict[tuple[str, bool, CleanupRule], str] = {}
    cache: dict[tuple[str, str], tuple[float, float, float]] = {}

    def counts(page: BenchPage, options: ExtractOptions) -> tuple[float, float, float]:
        cand = cands[page.id]
        body = chosen(cand, options.fallback)
        key = (page.id, body is cand.second, options.cleanup)
        if key not in texts:
            texts[key] = "\n".join(b.text for b in clean_blocks(body, cand.facts, options.cleanup))
        if (page.id, texts[key]) not in cache:
            cache[page.id, texts[key]] = page_counts(scorer, page.truth, texts[key])
        return cache[page.id, texts[key]]

    def score(options: ExtractOptions, half: list[BenchPage]) -> dict[str, float]:
        return summarise(scorer, [counts(p, options) for p in half])

    def cost(options: ExtractOptions, half: list[BenchPage]) -> tuple[int, int]:
        took = asked = 0
        for page in half:
            cand = cands[page.id]
            first_chars = sum(len(b.text) + 1 for b in cand.first) - 1
            asked += needs_second_opinion(first_chars, cand.page_chars, options.fallback)
            took += chosen(cand, options.fallback) is cand.second
        return took, asked

    def best(options: list[ExtractOptions], train: list[BenchPage]) -> ExtractOptions:
        scored = [(round(score(o, train)["f1"], 4), o) for o in options]
        top = max(f1 for f1, _ in scored)
        return min((o for f1, o in scored if f1 == top), key=lambda o: cost(o, train))

    def fit(train: list[BenchPage]) -> ExtractOptions:
        fallback = best([replace(DEFAULT_OPTIONS, fallback=r) for r in FALLBACK_GRID], train)
        return best([replace(fallback, cleanup=r) for r in CLEANUP_GRID], train)

    halves = [[p for p in pages if half_of(p.id) == h] for h in (0, 1)]
    lines = [
        (
            f"two-fold: halves A/B of {len(halves[0])}/{len(halves[1])} pages (by id hash);"
            f" {len(FALLBACK_GRID)} fallback x {len(CLEANUP_GRID)} furniture threshold sets"
        )
    ]
    for train, test, name in ((halves[0], halves[1], "A->B"), (halves[1], halves[0], "B->A")):
        picked = fit(train)
        tr, te = score(picked, train), score(picked, test)
        lines.append(f"  {name}: chosen on {name[0]}: {_describe(picked)}")
        lines.append(
            f"        train F1 {tr['f1']:.4f} | held-out {name[-1]}: F1 {te['f1']:.4f}"
            f"  P {te['precision']:.4f}  R {te['recall']:.4f}"
        )
    for name, half in (("A", halves[0]), ("B", halves[1])):
        s = score(DEFAULT_OPTIONS, half)
        lines.append(
            f"  defaults on {name}: F1 {s['f1']:.4f}  P {s['precision']:.4f}  R {s['recall']:.4f}"
        )
    lines.append(f"  defaults: {_describe(DEFAULT_OPTIONS)}")
    return lines


def _describe(options: ExtractOptions) -> str:
    f, c = options.fallback, options.cleanup
    return (
        f"tiny={f.tiny_chars} share={f.short_share} growth={f.min_growth} overlap={f.min_overlap}"
        f" | max_chars={c.max_chars} date_chars={c.date_chars} top_lines={c.top_lines}"
        f" headline_share={c.headline_share}"
    )


# --- report ----------------------------------------------------------------------
def report(scores: dict[str, dict[str, float]], speed: dict[str, float]) -> list[str]:
    lines = [f"{'':12}{'newsbot':>10}{'trafilatura':>13}{'ratio':>8}"]
    for metric in METRICS:
        a, b = scores["newsbot"][metric], scores["trafilatura"][metric]
        lines.append(f"{metric:12}{a:>10.4f}{b:>13.4f}{a / b if b else float('nan'):>8.3f}")
    a, b = speed["newsbot"], speed["trafilatura"]
    lines.append(f"{'pages/cpu-s':12}{a:>10.1f}{b:>13.1f}{a / b:>8.3f}")
    for key in ("pages", "missing"):
        lines.append(f"{key:12}{scores['newsbot'][key]:>10}{scores['trafilatura'][key]:>13}")
    return lines


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    ap.add_argument(
        "--bench", type=Path, default=BENCH, help="benchmark folder (html/, ground-truth.json)"
    )
    ap.add_argument("--scorer", type=Path, default=SCORER)
    ap.add_argument("--no-twofold", action="store_true", help="skip the threshold check")
    args = ap.parse_args(argv)
    for need in (args.bench / "ground-truth.json", args.scorer):
        if not need.is_file():
            sys.exit(
                f"missing {need}: pass --bench/--scorer (the shared folder sits beside the repo)"
            )
    logging.disable(logging.WARNING)  # trafilatura warns about every odd page
    pages = load_pages(args.bench)
    texts, speed = run({"newsbot": newsbot_text, "trafilatura": trafilatura_text}, pages)
    scores = {
        name: score_jsonl(
            write_jsonl(OUT / f"extraction-{name}.jsonl", pages, texts[name]),
            args.bench,
            args.scorer,
        )
        for name in texts
    }
    print(f"article extraction, {len(pages)} pages ({args.bench})")
    print("\n".join(report(scores, speed)))
    if not args.no_twofold:
        print("\n".join(twofold(load_scorer(args.scorer), pages)))
    return 0


if __name__ == "__main__":
    sys.exit(main())
