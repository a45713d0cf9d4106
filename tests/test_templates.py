"""Tests of newsbot.templates: a site's recurring paragraphs are learnt and removed."""

from __future__ import annotations

import random
import sqlite3
from collections.abc import Iterator
from pathlib import Path

import pytest

from newsbot.templates import Paragraphs, TemplateStore, normalise, paragraph_hash

SITE = "www.example-markets.com"
DISCOVER = (
    "Discover the latest Business News, Sensex, and Nifty updates. Obtain Personal Finance insights, tax "
    "queries, and expert opinions on Example Markets or download the Example Markets App to stay updated!"
)
NEWSLETTER = "Subscribe to Tech Newsletters: find the best of AI News in one place, every weekend."
ADVISORY = (
    "Advisory Alert: It has come to our attention that certain individuals are representing themselves as "
    "affiliates of Example Markets and soliciting funds on the false promise of assured returns."
)
ALSO_READ = "Also read: Sensex, Nifty end flat as investors await the US Fed decision"
TEMPLATE = [DISCOVER, NEWSLETTER, ADVISORY, "Advertisement"]
CREDIT = "(With AFP inputs)"

SUBJECTS = [
    "The finance ministry",
    "Zelensky",
    "The central bank",
    "Infosys",
    "The Kremlin",
    "Merz",
    "The election commission",
    "Tata Motors",
    "NATO",
    "The Supreme Court",
    "Reliance",
    "Starmer",
]
VERBS = [
    "said on Monday that",
    "warned that",
    "told reporters that",
    "announced that",
    "denied that",
]
CLAUSES = [
    "talks in Berlin had made real progress",
    "quarterly profit rose 12 percent",
    "a ceasefire would need firm security guarantees",
    "exports slowed for a third month",
    "the deal would be signed before Christmas",
    "rates would stay on hold until March",
    "the territory question was still open",
    "the new plant would employ 4,000 people",
]


def story(rng: random.Random, n: int) -> list[str]:
    """n distinct, realistic news paragraphs."""
    paras: list[str] = []
    while len(paras) < n:
        para = " ".join(
            f"{rng.choice(SUBJECTS)} {rng.choice(VERBS)} {rng.choice(CLAUSES)}."
            for _ in range(rng.randint(2, 4))
        )
        if para not in paras:
            paras.append(para)
    return paras


def page(rng: random.Random, i: int) -> str:
    """A page of the site: its story, sometimes a credit and an 'Also read', then the template."""
    body = story(rng, rng.randint(4, 9))
    if i % 3 == 0:
        body.insert(2, ALSO_READ)
    if i % 2 == 0:
        body.append(CREDIT)
    # whitespace differs from page to page: the hash must not care
    return "\n".join(body + [f"  {p}  ".replace(" ", "  ", i % 2) for p in TEMPLATE])


def story_only(text: str) -> list[str]:
    template = {normalise(p) for p in [*TEMPLATE, ALSO_READ]}
    return [p for p in text.split("\n") if normalise(p) not in template]


@pytest.fixture
def store(tmp_path: Path) -> Iterator[TemplateStore]:
    with TemplateStore(tmp_path / "state.sqlite") as s:
        yield s


@pytest.fixture(scope="module")
def pages() -> list[str]:
    rng = random.Random(7)
    return [page(rng, i) for i in range(24)]


def test_recurring_blocks_are_removed_once_learnt(store: TemplateStore, pages: list[str]) -> None:
    results = [
        store.clean_text(SITE, f"https://{SITE}/news/{i}.html", text)
        for i, text in enumerate(pages)
    ]
    for text, removed in results[store.min_pages - 1 :]:
        lines = text.split("\n")
        assert removed >= len(TEMPLATE)
        assert not any(t in lines for t in [normalise(p) for p in TEMPLATE])
        assert DISCOVER not in text and "Advisory Alert" not in text
    # the limitation: the first min_pages - 1 pages keep the template
    assert all(removed == 0 for _, removed in results[: store.min_pages - 1])


def test_paragraphs_computed_beforehand_decide_as_the_text_does(
    tmp_path: Path, pages: list[str]
) -> None:
    """Workers hash a page's paragraphs (and mark credit and blank lines) for the crawl
    process: the store must clean exactly as when it reads the text itself."""
    text = pages[0] + "\n\n   \n" + CREDIT
    profile = Paragraphs.of(text)
    lines = text.split("\n")
    assert profile.hashes == tuple(paragraph_hash(p) for p in lines)
    assert {lines[i] for i in profile.protected} == {"", "   ", CREDIT}
    with TemplateStore(tmp_path / "a.sqlite") as plain, TemplateStore(tmp_path / "b.sqlite") as fed:
        for i, page_text in enumerate(pages):
            key = f"https://{SITE}/news/{i}.html"
            expected = plain.clean_text(SITE, key, page_text)
            assert fed.clean_text(SITE, key, page_text, Paragraphs.of(page_text)) == expected


def test_story_paragraphs_and_credit_are_kept(store: TemplateStore, pages: list[str]) -> None:
    for i, text in enumerate(pages):
        cleaned, _ = store.clean_text(SITE, f"https://{SITE}/news/{i}.html", text)
        assert story_only(cleaned) == story_only(text)  # the story itself is untouched, in order
        if i % 2 == 0:
            assert CREDIT in cleaned.split("\n")  # recurs on every other page, yet a wire credit


def test_recurring_also_read_block_goes_and_a_one_page_paragraph_stays(
    store: TemplateStore,
) -> None:
    rng = random.Random(3)
    for i in range(12):
        store.clean_text(SITE, f"p{i}", "\n".join([*story(rng, 5), ALSO_READ]))
    unique = (
        "A paragraph that appears on this page only, about a bridge closed for repairs in Pune."
    )
    text, removed = store.clean_text(SITE, "last", "\n".join([unique, *story(rng, 4), ALSO_READ]))
    assert removed == 1 and unique in text and ALSO_READ not in text


def test_observe_counts_distinct_pages_only(store: TemplateStore) -> None:
    assert store.observe(SITE, "same-page", [NEWSLETTER]) is True
    for _ in range(4):
        assert store.observe(SITE, "same-page", [NEWSLETTER]) is False
    assert store.boilerplate(SITE, [NEWSLETTER]) == set()
    store.observe(SITE, "other-1", [NEWSLETTER, NEWSLETTER])
    store.observe(SITE, "other-2", [NEWSLETTER])
    assert store.boilerplate(SITE, ["x", NEWSLETTER]) == {1}


def test_sites_are_separate(store: TemplateStore) -> None:
    for i in range(5):
        store.observe(SITE, f"p{i}", [NEWSLETTER])
    assert store.boilerplate("other.example", [NEWSLETTER]) == set()


def test_ratio_guard_protects_a_paragraph_reused_by_a_few_pages(tmp_path: Path) -> None:
    rng = random.Random(5)
    background = "Moscow controls almost all of Lugansk and about 80 percent of the Donetsk region."
    with TemplateStore(tmp_path / "s.sqlite", min_pages=3, min_share=0.05) as store:
        for i in range(200):
            store.observe(SITE, f"p{i}", [*story(rng, 4), NEWSLETTER])
        for i in range(4):  # a short series of follow-ups reusing one background paragraph
            store.observe(SITE, f"follow-up-{i}", [*story(rng, 4), background])
        assert store.boilerplate(SITE, [background, NEWSLETTER]) == {1}


def test_never_empties_or_halves_a_page(store: TemplateStore) -> None:
    for i in range(5):
        store.observe(SITE, f"p{i}", [DISCOVER, ADVISORY])
    assert store.clean_text(SITE, "only-template", f"{DISCOVER}\n{ADVISORY}") == (
        f"{DISCOVER}\n{ADVISORY}",
        0,
    )
    short = "A two-line brief."
    assert store.clean_text(SITE, "brief", f"{short}\n{DISCOVER}\n{ADVISORY}")[1] == 0


def test_decisions_stay_stable_as_the_site_grows(tmp_path: Path) -> None:
    rng = random.Random(11)
    with TemplateStore(tmp_path / "s.sqlite", min_pages=3, min_share=0.1) as store:
        for i in range(3):
            store.clean_text(SITE, f"p{i}", "\n".join([*story(rng, 5), NEWSLETTER]))
        for i in range(60):  # the site grows; the newsletter box is now on 3 pages of 63 (< 10%)
            store.observe(SITE, f"q{i}", story(rng, 5))
        text, removed = store.clean_text(SITE, "late", "\n".join([*story(rng, 5), NEWSLETTER]))
        assert removed == 1 and NEWSLETTER not in text


def test_persistence_across_reopen(tmp_path: Path, pages: list[str]) -> None:
    path = tmp_path / "state.sqlite"
    with TemplateStore(path) as store:
        for i, text in enumerate(pages[:5]):
            store.clean_text(SITE, f"u{i}", text)
    with TemplateStore(path) as store:
        text, removed = store.clean_text(SITE, "u-new", pages[5])
        assert removed >= len(TEMPLATE) and DISCOVER not in text
        assert store.observe(SITE, "u0", ["seen before"]) is False


def test_tables_are_prefixed_and_the_file_is_wal(tmp_path: Path) -> None:
    path = tmp_path / "state.sqlite"
    TemplateStore(path).close()
    conn = sqlite3.connect(path)
    tables = {
        name for (name,) in conn.execute("SELECT name FROM sqlite_master WHERE type = 'table'")
    }
    assert tables and all(t.startswith("tmpl_") for t in tables)
    assert conn.execute("PRAGMA journal_mode").fetchone()[0] == "wal"


def test_two_stores_share_one_file(tmp_path: Path) -> None:
    path = tmp_path / "state.sqlite"
    with TemplateStore(path) as a, TemplateStore(path) as b:
        a.observe(SITE, "p1", [NEWSLETTER])
        b.observe(SITE, "p2", [NEWSLETTER])
        a.observe(SITE, "p3", [NEWSLETTER])
        assert b.boilerplate(SITE, [NEWSLETTER]) == {0}


def test_prune_forgets_rare_paragraphs_only(store: TemplateStore) -> None:
    for i in range(5):
        store.observe(SITE, f"p{i}", [NEWSLETTER, f"unique paragraph {i}"])
    assert store.prune(idle_pages=1) == 3  # unique paragraphs of p0..p2 (p3, p4 are recent)
    assert store.boilerplate(SITE, [NEWSLETTER]) == {0}


def test_hash_is_stable_and_whitespace_blind() -> None:
    assert paragraph_hash("Advertisement") == paragraph_hash("  Advertisement \n")
    assert paragraph_hash("a b") == paragraph_hash("a   b") != paragraph_hash("ab")
    assert paragraph_hash("Advertisement") == 2063782059951228451
