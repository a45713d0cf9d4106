"""Build the labelled near-duplicate evaluation set from the article-extraction ground truth.

Positives are syndicated copies made by the edits outlets make to a wire story (new
headline or intro, trimmed tail, only the top 60%, credit line, dateline, reordered or
dropped paragraphs, British/American spelling, light rewording, site footer). Negatives
are different stories: random pairs, and hard ones (same topic by vocabulary overlap,
follow-ups quoting a paragraph of the first story, two briefs under one long disclaimer or
footer). Deterministic for a seed; the pairs are built at run time and never stored.

    python benchmarks/dedup_pairs.py [--bench DIR] [--seed N] [--out FILE.jsonl]
"""

from __future__ import annotations

import argparse
import json
import math
import random
import re
from collections import Counter
from collections.abc import Callable
from dataclasses import asdict, dataclass
from pathlib import Path

SHARED = Path(__file__).resolve().parents[1].parent / "shared"
BENCH = SHARED / "benchmarks" / "article-extraction"
MIN_WORDS = 120  # shorter bodies cannot lose 40% and still be judged

AGENCY_STYLES = [  # (dateline, credit line)
    ("PARIS (AFP) - ", "(With AFP inputs)"),
    ("WASHINGTON, Nov 19 (Reuters) - ", "— Reuters"),
    ("NEW DELHI, Nov 19 (PTI): ", "(With inputs from PTI)"),
    ("NEW YORK (AP) — ", "The Associated Press contributed to this report."),
    ("Washington, Nov 19 (IANS) ", "-- IANS"),
    ("BEIJING, Nov. 19 (Xinhua) -- ", "Xinhua"),
    ("Berlin (dpa) - ", "dpa"),
    ("(Bloomberg) -- ", "Bloomberg News"),
]
DISCLAIMERS = [
    "(This story has not been edited by NDTV staff and is auto-generated from a syndicated feed.)",
    (
        "(Only the headline and picture of this report may have been reworked by the Business Standard "
        "staff; the rest of the content is auto-generated from a syndicated feed.)"
    ),
    (
        "This article has been published from a wire agency feed without modifications to the text. "
        "Only the headline has been changed."
    ),
    (
        "Copyright 2019 The Associated Press. All rights reserved. This material may not be published, "
        "broadcast, rewritten or redistributed without permission."
    ),
    (
        "Disclaimer: This story is auto-generated from a syndicated feed; the publisher has not edited "
        "the text and takes no responsibility for its accuracy, completeness or the views expressed, "
        "which are those of the agency and its sources, not of the publisher or of its editors."
    ),
]
FOOTERS = [
    (
        "Discover the latest Business News, Sensex, and Nifty updates. Obtain Personal Finance insights, "
        "tax queries, and expert opinions on Moneycontrol or download the Moneycontrol App to stay updated!"
    ),
    (
        "Sign up for our daily newsletter to get the top stories of the day delivered to your inbox every "
        "morning, along with analysis from our correspondents around the world and exclusive offers."
    ),
    (
        "Follow us on Twitter, Facebook and Instagram for the latest news from around the region, and "
        "download our app to read the stories that matter to you wherever you are, even offline."
    ),
]
UK_US = {
    "colour": "color",
    "favour": "favor",
    "labour": "labor",
    "honour": "honor",
    "behaviour": "behavior",
    "neighbour": "neighbor",
    "centre": "center",
    "theatre": "theater",
    "metre": "meter",
    "defence": "defense",
    "licence": "license",
    "offence": "offense",
    "programme": "program",
    "organise": "organize",
    "recognise": "recognize",
    "realise": "realize",
    "analyse": "analyze",
    "travelled": "traveled",
    "cancelled": "canceled",
    "modelling": "modeling",
    "catalogue": "catalog",
    "organisation": "organization",
    "apologise": "apologize",
    "criticise": "criticize",
    "percent": "per cent",
    "jewellery": "jewelry",
    "tyre": "tire",
    "grey": "gray",
}
REWORDS = {
    "said": "stated",
    "says": "notes",
    "told": "informed",
    "but": "however",
    "also": "additionally",
    "about": "around",
    "because": "as",
    "big": "large",
    "help": "assist",
    "show": "reveal",
    "start": "begin",
    "buy": "purchase",
    "people": "persons",
    "new": "fresh",
    "very": "highly",
    "get": "obtain",
    "many": "several",
    "need": "require",
    "use": "utilise",
    "before": "prior to",
}


@dataclass(frozen=True)
class Pair:
    a: str
    b: str
    duplicate: bool
    kind: str
    source: str


def load_bodies(bench: Path = BENCH) -> dict[str, str]:
    """id -> article body of the benchmark's ground truth."""
    data = json.loads((bench / "ground-truth.json").read_text(encoding="utf-8"))
    return {key: value["articleBody"] for key, value in sorted(data.items())}


def paragraphs(text: str) -> list[str]:
    return [p.strip() for p in text.split("\n") if p.strip()]


def sentences(text: str) -> list[str]:
    return [s for s in re.split(r"(?<=[.!?])\s+", text.replace("\n", " ")) if s.strip()]


def join(pars: list[str]) -> str:
    return "\n\n".join(pars)


# Edits an outlet makes to a wire story. Each takes the text and the generator.


def new_headline(text: str, rng: random.Random, other: str) -> str:
    words = rng.choice(sentences(text)).split()[:9]
    return join([" ".join(w.capitalize() for w in words).rstrip(".,"), text])


def new_intro(text: str, rng: random.Random, other: str) -> str:
    """An outlet's own summary sentence: new words, at most a quarter of the story's length."""
    words = rng.choice(sentences(other)).split()
    limit = max(12, min(35, len(text.split()) // 4))
    return join([" ".join(words[:limit]), text])


def trim_tail(text: str, rng: random.Random, other: str) -> str:
    pars = paragraphs(text)
    keep = max(2, math.ceil(len(pars) * rng.uniform(0.65, 0.85)))
    return join(pars[:keep])


def top_60(text: str, rng: random.Random, other: str) -> str:
    """Only the top 60%, cut at a sentence, as outlets that run the first few paragraphs."""
    out, total, budget = [], 0, 0.6 * len(text.split())
    for par in paragraphs(text):
        kept = []
        for s in sentences(par):
            if total >= budget:
                break
            kept.append(s)
            total += len(s.split())
        if kept:
            out.append(" ".join(kept))
    return join(out)


def credit_line(text: str, rng: random.Random, other: str) -> str:
    return join([text, rng.choice([c for _, c in AGENCY_STYLES] + DISCLAIMERS)])


def dateline(text: str, rng: random.Random, other: str) -> str:
    pars = paragraphs(text)
    pars[0] = rng.choice([d for d, _ in AGENCY_STYLES] + ["NEW DELHI: ", "LONDON — "]) + pars[0]
    return join(pars)


def reorder(text: str, rng: random.Random, other: str) -> str:
    pars = paragraphs(text)
    for _ in range(2):
        if len(pars) >= 4:
            i, j = rng.sample(range(1, len(pars)), 2)
            pars[i], pars[j] = pars[j], pars[i]
    return join(pars)


def drop_paragraphs(text: str, rng: random.Random, other: str) -> str:
    pars = paragraphs(text)
    for _ in range(rng.randint(1, 2)):
        if len(pars) >= 5:
            pars.pop(rng.randrange(1, len(pars) - 1))
    return join(pars)


def spelling(text: str, rng: random.Random, other: str) -> str:
    table = UK_US if rng.random() < 0.5 else {v: k for k, v in UK_US.items()}
    pattern = re.compile(r"\b(" + "|".join(map(re.escape, table)) + r")\b", re.IGNORECASE)
    text = pattern.sub(lambda m: table.get(m.group(0).lower(), m.group(0)), text)
    return re.sub(
        r"\b(\w{3,})i([sz])(e|es|ed|ing|ation)\b",
        lambda m: m[1] + "i" + "zs"[m[2] == "z"] + m[3],
        text,
    )


def reword(text: str, rng: random.Random, other: str) -> str:
    """Light rewording: a few words swapped or dropped in about a quarter of the sentences."""
    out = []
    for par in paragraphs(text):
        sents = sentences(par)
        for k, s in enumerate(sents):
            if rng.random() < 0.25:
                words = [REWORDS.get(w, w) for w in s.split()]
                if len(words) > 8:
                    words.pop(rng.randrange(1, len(words) - 1))
                sents[k] = " ".join(words)
        out.append(" ".join(sents))
    return join(out)


def site_footer(text: str, rng: random.Random, other: str) -> str:
    return join([text, rng.choice(FOOTERS)])


def merge_paragraphs(text: str, rng: random.Random, other: str) -> str:
    pars = paragraphs(text)
    if len(pars) >= 3:
        i = rng.randrange(len(pars) - 1)
        pars[i : i + 2] = [pars[i] + " " + pars[i + 1]]
    return join(pars)


Edit = Callable[[str, random.Random, str], str]
Bodies = dict[str, str]
Neighbours = list[tuple[str, str]]
EDITS: list[Edit] = [
    new_headline,
    new_intro,
    trim_tail,
    credit_line,
    dateline,
    reorder,
    drop_paragraphs,
    spelling,
    reword,
    site_footer,
    merge_paragraphs,
]


def wire_original(text: str, rng: random.Random) -> str:
    """The agency's own copy: its dateline and, sometimes, its credit."""
    place, credit = rng.choice(AGENCY_STYLES)
    pars = paragraphs(text)
    pars[0] = place + pars[0]
    return join(pars + ([credit] if rng.random() < 0.5 else []))


def syndicate(text: str, rng: random.Random, other: str) -> tuple[str, str]:
    """A republished copy: 3 to 5 edits (a third of them cut to the top 60%)."""
    edits = rng.sample(EDITS, rng.randint(3, 5))
    if rng.random() < 1 / 3:  # runs only the top instead of trimming the tail
        edits = [e for e in edits if e is not trim_tail]
        edits.insert(rng.randrange(len(edits) + 1), top_60)
    for edit in edits:
        text = edit(text, rng, other)
    return text, "+".join(e.__name__ for e in edits)


def vocabulary_neighbours(bodies: dict[str, str]) -> list[tuple[str, str]]:
    """Pairs of different articles, most overlapping vocabulary (tf-idf cosine) first."""
    bags = {
        k: Counter(w for w in re.findall(r"[^\W\d_]{4,}", v.lower())) for k, v in bodies.items()
    }
    df = Counter(w for bag in bags.values() for w in bag)
    vecs = {
        k: {w: c * math.log(len(bags) / df[w]) for w, c in bag.items()} for k, bag in bags.items()
    }
    norms = {k: math.sqrt(sum(x * x for x in v.values())) or 1.0 for k, v in vecs.items()}
    keys = sorted(vecs)
    scored = []
    for i, a in enumerate(keys):
        for b in keys[i + 1 :]:
            dot = sum(x * vecs[b].get(w, 0.0) for w, x in vecs[a].items())
            scored.append((dot / (norms[a] * norms[b]), a, b))
    return [(a, b) for _, a, b in sorted(scored, reverse=True)]


def follow_up(first: str, other: str, rng: random.Random) -> str:
    """A new story quoting one paragraph (or a few sentences) of the first, amid its own text."""
    own = paragraphs(other)[:12]
    budget = len(join(own).split()) // 3  # the quote is at most a quarter of the new story
    pars = [p for p in paragraphs(first) if len(p.split()) >= 15] or paragraphs(first)
    quote = " ".join(sentences(rng.choice(pars))[:3])
    quote = " ".join(quote.split()[:budget])
    own.insert(min(2, len(own)), "Earlier, the agency reported: " + quote)
    return join(own)


def brief(text: str, rng: random.Random) -> str:
    return " ".join(text.split()[: rng.randint(60, 110)])


def build_pairs(
    bodies: dict[str, str], *, seed: int = 20251216, positives: int = 180, negatives: int = 180
) -> list[Pair]:
    """The labelled pairs, positives first; a third of the negatives random, the rest hard."""
    rng = random.Random(seed)
    long = [k for k, v in bodies.items() if len(v.split()) >= MIN_WORDS]
    rng.shuffle(long)
    pairs = [_positive(bodies, long, i, rng) for i in range(positives)]
    neighbours = [(a, b) for a, b in vocabulary_neighbours(bodies) if a in long and b in long]
    makers = [_random_negative, _topic_negative, _follow_up_negative, _disclaimer_negative]
    for i in range(negatives):
        pairs.append(makers[i % 4](bodies, long, neighbours, i, rng))
    return pairs


def _positive(bodies: dict[str, str], long: list[str], i: int, rng: random.Random) -> Pair:
    key = long[i % len(long)]
    other = bodies[rng.choice([k for k in long if k != key])]
    original = wire_original(bodies[key], rng)
    copy, kind = syndicate(bodies[key], rng, other)
    if rng.random() < 0.3:  # two outlets' copies: the first one seen is edited too
        original, first = syndicate(bodies[key], rng, other)
        kind = f"{first} | {kind}"
    return Pair(original, copy, True, kind, key)


def _random_negative(
    bodies: Bodies, long: list[str], neighbours: Neighbours, i: int, rng: random.Random
) -> Pair:
    a, b = rng.sample(long, 2)
    return Pair(
        wire_original(bodies[a], rng), wire_original(bodies[b], rng), False, "random", f"{a}/{b}"
    )


def _topic_negative(
    bodies: Bodies, long: list[str], neighbours: Neighbours, i: int, rng: random.Random
) -> Pair:
    a, b = neighbours[i // 4]
    return Pair(wire_original(bodies[a], rng), bodies[b], False, "same-topic", f"{a}/{b}")


def _follow_up_negative(
    bodies: Bodies, long: list[str], neighbours: Neighbours, i: int, rng: random.Random
) -> Pair:
    a, b = neighbours[i // 4]
    return Pair(bodies[a], follow_up(bodies[a], bodies[b], rng), False, "follow-up", f"{a}/{b}")


def _disclaimer_negative(
    bodies: Bodies, long: list[str], neighbours: Neighbours, i: int, rng: random.Random
) -> Pair:
    a, b = neighbours[i // 4]
    footer = rng.choice(DISCLAIMERS + FOOTERS)
    kind = "shared-disclaimer" if footer in DISCLAIMERS else "shared-footer"
    return Pair(
        join([brief(bodies[a], rng), footer]),
        join([brief(bodies[b], rng), footer]),
        False,
        kind,
        f"{a}/{b}",
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument(
        "--bench", type=Path, default=BENCH, help="article-extraction benchmark folder"
    )
    parser.add_argument("--seed", type=int, default=20251216)
    parser.add_argument(
        "--out", type=Path, help="write the pairs as JSON lines (keep it under benchmarks/out/)"
    )
    args = parser.parse_args()
    pairs = build_pairs(load_bodies(args.bench), seed=args.seed)
    print(
        Counter(
            (p.duplicate, p.kind.split("+")[0] if p.duplicate else p.kind) for p in pairs
        ).most_common()
    )
    print(
        f"{len(pairs)} pairs: {sum(p.duplicate for p in pairs)} positive, {sum(not p.duplicate for p in pairs)} negative"
    )
    if args.out:
        args.out.parent.mkdir(parents=True, exist_ok=True)
        args.out.write_text("".join(json.dumps(asdict(p)) + "\n" for p in pairs), encoding="utf-8")


if __name__ == "__main__":
    main()
