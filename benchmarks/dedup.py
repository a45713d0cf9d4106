"""Near-duplicate detection: precision/recall on the labelled pairs, and cost as the index grows.

    python benchmarks/dedup.py [--bench DIR] [--sizes 10000,100000,1000000] [--queries 1000]

1. Quality: for each pair of ``dedup_pairs.build_pairs`` a fresh index, add A, match B.
2. Scale: an index filled with N distinct documents made from the benchmark's 6,790
   sentences (recombined, ``--mutation`` of the words replaced from the corpus vocabulary,
   2% of the documents syndicated copies of earlier ones), then ``--queries`` articles
   (90% new stories, 10% copies of indexed ones) each matched and added as a crawl does;
   time per article with and without ``make_signature``, beside the smallest size as the
   baseline. Filled indexes are cached under benchmarks/out/ (git-ignored).

Why 0.3 by default: a million documents drawn from 132k words reuse each sentence
thousands of times, which no real archive does (its sentences grow with it). With one word
in three replaced, a shared sentence rarely survives intact in two documents, while common
phrases and the copies still collide. ``--mutation 0.2`` is the harsher stress case: there
each lookup meets ~100 false candidates at 1M against ~1 at 10k.
"""

from __future__ import annotations

import argparse
import random
import re
import shutil
import statistics
import sys
import tempfile
import time
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

import dedup_pairs

from newsbot.dedup import make_signature, make_signatures
from newsbot.dedupstore import DedupIndex

OUT = Path(__file__).resolve().parent / "out"
FILL_SEED = 1_000_003
BATCH = 20_000


def quality(pairs: list[dedup_pairs.Pair]) -> dict[str, float]:
    """Precision and recall over the pairs, each judged in a fresh index."""
    tp = fp = fn = 0
    misses: dict[str, int] = {}
    with tempfile.TemporaryDirectory() as tmp:
        for k, pair in enumerate(pairs):
            with DedupIndex(Path(tmp) / f"{k}.sqlite") as index:
                index.add("a", make_signature(pair.a))
                found = index.match(make_signature(pair.b)) is not None
            tp += found and pair.duplicate
            fp += found and not pair.duplicate
            fn += pair.duplicate and not found
            if found != pair.duplicate:
                kind = "positive" if pair.duplicate else pair.kind
                misses[kind] = misses.get(kind, 0) + 1
    print(f"  errors by kind: {misses or 'none'}")
    return {"precision": tp / max(1, tp + fp), "recall": tp / max(1, tp + fn)}


class Corpus:
    """Distinct, realistic documents by number: sentences recombined and mutated."""

    def __init__(self, bodies: dict[str, str], mutation: float) -> None:
        self.mutation = mutation
        self.sentences = [s for body in bodies.values() for s in dedup_pairs.sentences(body)]
        self.words = [w for body in bodies.values() for w in body.split()]
        self.bodies = bodies

    def document(self, number: int) -> str:
        rng = random.Random(FILL_SEED * 7919 + number)
        if number > 50 and rng.random() < 0.02:  # a syndicated copy of an earlier document
            return self.copy_of(rng.randrange(number), rng)
        pars, count = [], rng.randint(8, 24)
        while count > 0:
            take = min(count, rng.randint(1, 3))
            pars.append(
                " ".join(self._mutate(rng.choice(self.sentences), rng) for _ in range(take))
            )
            count -= take
        return "\n\n".join(pars)

    def copy_of(self, number: int, rng: random.Random) -> str:
        other = rng.choice(list(self.bodies.values()))
        return dedup_pairs.syndicate(self.document(number), rng, other)[0]

    def _mutate(self, sentence: str, rng: random.Random) -> str:
        words = sentence.split()
        return " ".join(
            rng.choice(self.words) if rng.random() < self.mutation else w for w in words
        )


_CORPUS: Corpus | None = None


def _init_worker(bench: Path, mutation: float) -> None:
    global _CORPUS
    _CORPUS = Corpus(dedup_pairs.load_bodies(bench), mutation)


def _signatures(numbers: range) -> list[tuple[str, object]]:
    assert _CORPUS is not None
    sigs = make_signatures(_CORPUS.document(n) for n in numbers)
    return [(f"fill-{n}", sig) for n, sig in zip(numbers, sigs)]


def fill_path(size: int, mutation: float) -> Path:
    return OUT / f"dedup-fill-m{mutation:g}-{size}.sqlite"


def fill(path: Path, target: int, bench: Path, mutation: float, workers: int) -> None:
    """Extend the cached index at ``path`` to ``target`` documents (resumable)."""
    with DedupIndex(path, cache_kib=1_000_000) as index:
        start = len(index)
        if start >= target:
            return
        t0 = time.perf_counter()
        batches = [range(n, min(n + BATCH, target)) for n in range(start, target, BATCH)]
        with ProcessPoolExecutor(
            workers, initializer=_init_worker, initargs=(bench, mutation)
        ) as pool:
            for done in pool.map(_signatures, batches):
                index.bulk_load(done)  # type: ignore[arg-type]
                print(f"  filled {len(index):,} ({time.perf_counter() - t0:.0f} s)", flush=True)


def _rss_mb() -> float:
    """Resident memory now (not the peak: the fill's batches would hide the lookups)."""
    status = Path("/proc/self/status").read_text()
    return int(re.search(r"VmRSS:\s+(\d+)", status)[1]) / 1024  # type: ignore[index]


def query_texts(corpus: Corpus, size: int, queries: int) -> list[str]:
    """90% new stories, 10% syndicated copies of stories in the index."""
    rng = random.Random(size)
    return [
        corpus.copy_of(rng.randrange(size), rng) if k % 10 == 0 else corpus.document(10**9 + k)
        for k in range(queries)
    ]


def measure(path: Path, texts: list[str], commit_every: int) -> dict[str, float]:
    """Per-article cost of signature, match and add, on a scratch copy of a filled index."""
    scratch = OUT / "scratch.sqlite"
    shutil.copyfile(path, scratch)
    w0, c0 = time.perf_counter(), time.process_time()
    sigs = [make_signature(t) for t in texts]
    sig_wall, sig_cpu = time.perf_counter() - w0, time.process_time() - c0
    found, rss0 = 0, _rss_mb()
    with DedupIndex(scratch, commit_every=commit_every) as index:
        w0, c0 = time.perf_counter(), time.process_time()
        for k, sig in enumerate(sigs):
            found += k % 10 == 0 and index.match(sig) is not None
            index.add(f"query-{k}", sig)
        index.commit()
        wall, cpu = time.perf_counter() - w0, time.process_time() - c0
    rss = _rss_mb() - rss0
    for suffix in ("", "-wal", "-shm"):
        Path(f"{scratch}{suffix}").unlink(missing_ok=True)
    n = len(texts)
    return {
        "wall": 1000 * wall / n,
        "cpu": 1000 * cpu / n,
        "with_sig": 1000 * (wall + sig_wall) / n,
        "sig_cpu": 1000 * sig_cpu / n,
        "found": found / len(range(0, n, 10)),
        "rss_mb": rss,
    }


def scale(
    sizes: list[int], corpus: Corpus, queries: int, rounds: int
) -> dict[int, dict[str, float]]:
    """Medians over ``rounds``, the sizes interleaved so that a busy spell of the machine
    does not land on one size only."""
    texts = {size: query_texts(corpus, size, queries) for size in sizes}
    runs: dict[tuple[int, int], list[dict[str, float]]] = {}
    for _ in range(rounds):
        for size in sizes:
            path = fill_path(size, corpus.mutation)
            for every in (1, 100):
                runs.setdefault((size, every), []).append(measure(path, texts[size], every))
    out = {}
    for size in sizes:
        each, batched = runs[(size, 1)], runs[(size, 100)]
        out[size] = {k: statistics.median(r[k] for r in each) for k in each[0]}
        out[size]["batched"] = statistics.median(r["wall"] for r in batched)
        out[size]["db_mb"] = fill_path(size, corpus.mutation).stat().st_size / 2**20
    return out


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--bench", type=Path, default=dedup_pairs.BENCH)
    parser.add_argument("--sizes", default="10000,100000,1000000")
    parser.add_argument("--queries", type=int, default=1000)
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument(
        "--mutation", type=float, default=0.3, help="share of words replaced in filled documents"
    )
    parser.add_argument("--seed", type=int, default=20251216)
    args = parser.parse_args()
    bodies = dedup_pairs.load_bodies(args.bench)

    pairs = dedup_pairs.build_pairs(bodies, seed=args.seed)
    positives = sum(p.duplicate for p in pairs)
    print(
        f"Labelled pairs (seed {args.seed}): {positives} positive, {len(pairs) - positives} negative"
    )
    scores = quality(pairs)
    print(
        f"  precision {scores['precision']:.4f}  recall {scores['recall']:.4f}  (targets 0.98, 0.95)"
    )

    OUT.mkdir(exist_ok=True)
    sizes = sorted(int(s) for s in args.sizes.split(","))
    for k, size in enumerate(sizes):
        path = fill_path(size, args.mutation)
        if not path.exists() and k:
            shutil.copyfile(fill_path(sizes[k - 1], args.mutation), path)  # grow the last
        fill(path, size, args.bench, args.mutation, args.workers)
    corpus = Corpus(bodies, args.mutation)
    _report(scale(sizes, corpus, args.queries, args.rounds), args.queries)


def _report(results: dict[int, dict[str, float]], queries: int) -> None:
    base = results[min(results)]

    def cell(r: dict[str, float], key: str) -> str:
        return f"{r[key]:>8.3f} {r[key] / base[key]:>5.2f}x"

    print(f"\nPer article, {queries} articles (10% copies) matched then added; median of rounds;")
    print("ratios against the smallest index. CPU = process time (steadier on a shared machine).")
    head = ["match+add wall", "match+add CPU", "with signature", "commit/100 wall"]
    print(
        f"{'signatures':>10} "
        + " ".join(f"{h:>15}" for h in head)
        + "  copies found  RSS +MB  DB MB"
    )
    for size, r in results.items():
        cells = " ".join(cell(r, k) for k in ("wall", "cpu", "with_sig", "batched"))
        print(f"{size:>10,} {cells} {r['found']:>13.2f} {r['rss_mb']:>8.1f} {r['db_mb']:>6.0f}")
    print(f"make_signature alone: {base['sig_cpu']:.3f} ms CPU per article")


if __name__ == "__main__":
    main()
