from __future__ import annotations

import gzip
import importlib.util
import json
import multiprocessing
import pickle
import random
import re
import sqlite3
import sys
from pathlib import Path

import pytest

from newsbot.dedup import make_signature, make_signatures
from newsbot.dedupstore import DedupIndex, StaleSignatures
from newsbot.dedupstore import main as dedupstore_main

SHARED = Path(__file__).resolve().parents[1].parent / "shared"
PAIRS_SCRIPT = Path(__file__).resolve().parents[1] / "benchmarks" / "dedup_pairs.py"

TALKS = [
    (
        "Ukraine's president said on Monday that two days of talks in Berlin with envoys of the United "
        "States had been difficult but had brought real progress on the security guarantees Kyiv wants."
    ),
    (
        "The envoys met the Ukrainian delegation for a second day at the chancellery, where German "
        "officials hosted the discussions about a plan to end the war that began with the invasion."
    ),
    (
        "Washington offered guarantees modelled on the mutual defence clause of the Atlantic alliance, "
        "a senior official said, adding that the offer would not stay on the table for ever."
    ),
    (
        "Differences remained over territory in the east, which Moscow wants Kyiv to give up and which "
        "the Ukrainian leader has repeatedly said his country will not surrender."
    ),
    (
        "The German chancellor praised what he called a remarkable step forward and said any ceasefire "
        "must be backed by legal and material guarantees from Europe and the United States."
    ),
    (
        "European leaders, among them the British and French heads of government, were due to join the "
        "discussions by telephone later in the evening, officials in Berlin said."
    ),
    (
        "The Kremlin said it expected to be briefed on the concept discussed in Berlin and repeated that "
        "its core demands, including on territory and on alliance membership, had not changed."
    ),
    (
        "The talks are due to continue next week in Miami, where the envoys will meet negotiators from "
        "both sides separately before any joint meeting is considered, a diplomat said."
    ),
]
KREMLIN = [
    (
        "The Kremlin on Tuesday dismissed the proposals discussed in Berlin as unacceptable, saying that "
        "any deployment of European troops in Ukraine would be treated as a direct threat to Russia."
    ),
    (
        "A spokesman told journalists in Moscow that Russia had not received the documents and would "
        "study them carefully once Washington delivered them through the usual channels."
    ),
    (
        "Russian forces meanwhile claimed the capture of two more villages in the eastern Donetsk region, "
        "where fighting has intensified as winter approaches and supply lines grow longer."
    ),
    (
        "In Kyiv, officials reported overnight drone attacks on energy facilities that left thousands of "
        "homes without power, the third such attack in a week according to the grid operator."
    ),
    (
        "Analysts in Moscow said the Kremlin was in no hurry to conclude a deal while its troops were "
        "advancing, and that the talks in Berlin changed little in its calculations for now."
    ),
]
DISCLAIMER = (
    "(This story has not been edited by our staff and is auto-generated from a syndicated feed; the "
    "publisher takes no responsibility for its accuracy, completeness or the views it expresses.)"
)


def story(pars: list[str]) -> str:
    return "\n\n".join(pars)


@pytest.fixture
def index(tmp_path: Path) -> DedupIndex:
    idx = DedupIndex(tmp_path / "state.sqlite")
    yield idx
    idx.close()


def test_trimmed_copy_matches(index: DedupIndex) -> None:
    index.add("wire", make_signature("PARIS (AFP) - " + story(TALKS)))
    match = index.match(make_signature(story(TALKS[:5]) + "\n\n(With AFP inputs)"))
    assert match is not None and match.canonical_id == "wire" and match.score >= 0.9


def test_copy_with_new_headline_and_intro_matches(index: DedupIndex) -> None:
    index.add("wire", make_signature(story(TALKS)))
    intro = (
        "Zelensky hails progress in Berlin. The talks were tough but useful, the president said."
    )
    match = index.match(
        make_signature(story(["Zelensky hails progress in Berlin talks", intro, *TALKS]))
    )
    assert match is not None and match.score >= 0.8


def test_reordered_paragraphs_match(index: DedupIndex) -> None:
    index.add("wire", make_signature(story(TALKS)))
    shuffled = TALKS[:2] + TALKS[5:] + TALKS[2:5]
    match = index.match(make_signature(story(shuffled)))
    assert match is not None and match.score >= 0.9


def test_different_story_on_the_same_topic_does_not_match(index: DedupIndex) -> None:
    index.add("berlin", make_signature(story(TALKS)))
    assert index.match(make_signature(story(KREMLIN))) is None


def test_two_briefs_under_one_disclaimer_do_not_match(index: DedupIndex) -> None:
    index.add("brief-1", make_signature(story([TALKS[0], DISCLAIMER])))
    assert index.match(make_signature(story([KREMLIN[0], DISCLAIMER]))) is None


def test_canonical_is_the_first_copy_even_through_a_later_one(index: DedupIndex) -> None:
    index.add("top", make_signature(story(TALKS[:4])))
    index.add("full", make_signature(story(TALKS)))  # contains "top" whole: a copy of it
    assert index.match(make_signature(story(TALKS))).canonical_id == "top"  # type: ignore[union-attr]
    # shares nothing with "top": its only candidate is "full", whose canonical is "top"
    tail = index.match(make_signature(story(TALKS[4:])))
    assert tail is not None and tail.canonical_id == "top"


def test_add_is_idempotent_and_persists_across_reopen(tmp_path: Path) -> None:
    path = tmp_path / "state.sqlite"
    with DedupIndex(path) as index:
        index.add("wire", make_signature(story(TALKS)))
        index.add("wire", make_signature(story(KREMLIN)))
        assert len(index) == 1
    with DedupIndex(path) as index:
        assert "wire" in index and "other" not in index
        assert index.match(make_signature(story(TALKS[:6]))).canonical_id == "wire"  # type: ignore[union-attr]


def test_other_banding_on_an_existing_file_is_refused(tmp_path: Path) -> None:
    DedupIndex(tmp_path / "state.sqlite").close()
    with pytest.raises(ValueError, match="other parameters"):
        DedupIndex(tmp_path / "state.sqlite", bands=32, rows=4)


def test_short_texts_never_match(index: DedupIndex) -> None:
    short = "Markets closed higher on Monday as investors cheered the news."
    sig = make_signature(short)
    assert sig.too_short
    index.add("short", sig)
    assert index.match(sig) is None
    assert index.match(make_signature(short + " " + short)) is None


def test_signature_is_compact_and_pickles(tmp_path: Path) -> None:
    sig = make_signature(story(TALKS))
    data = pickle.dumps(sig)
    assert pickle.loads(data) == sig and len(data) < 800
    assert make_signatures([story(TALKS), story(KREMLIN)]) == [sig, make_signature(story(KREMLIN))]


def test_syndication_marks_do_not_change_the_signature() -> None:
    plain = make_signature(story(TALKS))
    assert make_signature("BERLIN (AFP) - " + story(TALKS) + "\n\n— AFP") == plain


def _random_story(rng: random.Random) -> str:
    words = [f"w{rng.randrange(5000)}" for _ in range(200)]
    return "\n\n".join(" ".join(words[i : i + 40]) for i in range(0, 200, 40))


def _writer(path: str, worker: int, stories: int) -> None:
    rng = random.Random(7)
    texts = [_random_story(rng) for _ in range(stories)]
    with DedupIndex(path) as index:
        for k, text in enumerate(texts):
            sig = make_signature(text + f"\n\nCopy {worker} of story {k}, as republished here.")
            index.match(sig)
            index.add(f"p{worker}-{k}", sig)


@pytest.mark.slow
def test_two_processes_share_one_file(tmp_path: Path) -> None:
    path = str(tmp_path / "state.sqlite")
    ctx = multiprocessing.get_context("spawn")
    procs = [ctx.Process(target=_writer, args=(path, w, 60)) for w in (1, 2)]
    for p in procs:
        p.start()
    for p in procs:
        p.join(120)
    assert [p.exitcode for p in procs] == [0, 0]
    conn = sqlite3.connect(path)
    assert conn.execute("PRAGMA integrity_check").fetchone() == ("ok",)
    assert conn.execute("SELECT COUNT(*) FROM dedup_articles").fetchone() == (120,)
    # each story was added by both processes: exactly one copy of each is the canonical
    assert conn.execute(
        "SELECT COUNT(*) FROM dedup_articles WHERE canonical IS NULL"
    ).fetchone() == (60,)
    conn.close()


@pytest.mark.slow
@pytest.mark.skipif(
    not (SHARED / "benchmarks").exists(), reason="shared/benchmarks is not beside the project"
)
def test_labelled_pairs_sample(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    spec = importlib.util.spec_from_file_location("dedup_pairs", PAIRS_SCRIPT)
    assert spec and spec.loader
    pairs_module = importlib.util.module_from_spec(spec)
    monkeypatch.setitem(sys.modules, spec.name, pairs_module)  # its dataclass looks itself up there
    spec.loader.exec_module(pairs_module)
    bodies = pairs_module.load_bodies(SHARED / "benchmarks" / "article-extraction")
    pairs = pairs_module.build_pairs(bodies, seed=5, positives=30, negatives=30)
    tp = fp = 0
    for k, pair in enumerate(pairs):
        with DedupIndex(tmp_path / f"{k}.sqlite") as index:
            index.add("a", make_signature(pair.a))
            found = index.match(make_signature(pair.b)) is not None
        tp += found and pair.duplicate
        fp += found and not pair.duplicate
    assert tp / max(1, tp + fp) >= 0.98
    assert tp / sum(p.duplicate for p in pairs) >= 0.95


# --- scripts without spaces between words: shingled by characters ------------------------

NEWS_DEV = SHARED / "benchmarks" / "news-dev"


def _news_dev(set_name: str, page_id: str) -> dict[str, object]:
    for line in (NEWS_DEV / set_name / "truth.jsonl").read_text(encoding="utf-8").splitlines():
        page = json.loads(line)
        if page["id"] == page_id:
            return page
    raise KeyError(page_id)


def _page_text(set_name: str, page_id: str) -> str:
    """The article text newsbot extracts from a news-dev page (for sets without body truth)."""
    from newsbot.extraction.article import extract_article
    from newsbot.extraction.page import decode

    page = _news_dev(set_name, page_id)
    body = gzip.decompress((NEWS_DEV / set_name / "html" / f"{page_id}.html.gz").read_bytes())
    article = extract_article(decode(body, None)[0], str(page["url"]))
    assert article is not None
    return str(article["text"])


def _lightly_edited(text: str) -> str:
    """A republished copy: a new intro and sign-off, one paragraph dropped, a few characters
    changed in every paragraph."""
    rng = random.Random(7)
    paragraphs = [p for p in text.split("\n") if p.strip()]
    if len(paragraphs) > 3:
        paragraphs.pop(rng.randrange(1, len(paragraphs)))
    edited = []
    for paragraph in paragraphs:
        chars = list(paragraph)
        for _ in range(max(1, len(chars) // 60)):
            chars[rng.randrange(len(chars))] = "の"
        edited.append("".join(chars))
    return "【共同】本社特約記者。\n" + "\n".join(edited) + "\n（編集：山田）"


needs_news_dev = pytest.mark.skipif(
    not NEWS_DEV.exists(), reason="shared/benchmarks/news-dev is absent"
)


@needs_news_dev
@pytest.mark.parametrize("page_id", ["gmw", "qq", "youth", "hukumusume", "yahoo-4"])
def test_chinese_and_japanese_copy_is_linked(tmp_path: Path, page_id: str) -> None:
    text = str(_news_dev("readability", page_id)["body"])
    assert not make_signature(text).too_short  # under word shingles, most were
    with DedupIndex(tmp_path / "state.sqlite") as index:
        index.add(page_id, make_signature(text))
        match = index.match(make_signature(_lightly_edited(text)))
    assert match is not None and match.canonical_id == page_id


@needs_news_dev
def test_two_articles_from_one_japanese_site_are_not_linked(tmp_path: Path) -> None:
    first, second = (
        _page_text("mercury", "www.yomiuri.co.jp"),
        _page_text("htmldate", "yomiuri.co.jp-gaza"),
    )
    with DedupIndex(tmp_path / "state.sqlite") as index:
        index.add("sports", make_signature(first))
        assert index.match(make_signature(second)) is None


@needs_news_dev
def test_different_chinese_and_japanese_articles_are_not_linked(tmp_path: Path) -> None:
    ids = ["gmw", "qq", "youth", "hukumusume", "yahoo-4", "pixnet"]
    with DedupIndex(tmp_path / "state.sqlite") as index:
        for page_id in ids:
            sig = make_signature(str(_news_dev("readability", page_id)["body"]))
            assert index.match(sig) is None, page_id
            index.add(page_id, sig)


def test_minimum_is_set_per_script() -> None:
    sentence = "東京株式市場で日経平均株価は大幅に反発した。"  # 22 characters, one "word"
    second = "前日の米国市場で主要な株価指数がそろって上昇したことが追い風となった。"
    assert make_signature(sentence).too_short
    assert make_signature(sentence + second).size > 25  # enough shingles for Latin text ...
    assert make_signature(sentence + second).too_short  # ... but two sentences here are not
    third = "市場関係者は、半導体関連株を中心に買い戻しの動きが広がったと話している。"
    assert not make_signature(sentence + second + third).too_short


# --- an index signed before the change -----------------------------------------------------

OLD_VERSION = "minhash-affine32-p128-seed1-w5-v1"


def _old_index(path: Path, texts: dict[str, str], monkeypatch: pytest.MonkeyPatch) -> None:
    """An index as the previous release wrote it: word shingles only, version v1."""
    import re

    import newsbot.dedup as dedup
    import newsbot.state.sqlite_dedup as store

    with monkeypatch.context() as m:
        m.setattr(dedup, "_TOKEN_RE", re.compile(r"\w+"))
        m.setattr(dedup, "_UNSPACED_RE", re.compile(r"(?!x)x"))
        m.setattr(store, "SIGNATURE_VERSION", OLD_VERSION)
        with DedupIndex(path) as index:
            for article_id, text in texts.items():
                index.add(article_id, make_signature(text))


@needs_news_dev
def test_index_made_before_the_change_is_refused_without_texts(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    _old_index(
        tmp_path / "state.sqlite",
        {"gmw": str(_news_dev("readability", "gmw")["body"])},
        monkeypatch,
    )
    with pytest.raises(
        StaleSignatures, match=re.escape("python -m newsbot.dedupstore resign ARCHIVE_DIR")
    ):
        DedupIndex(tmp_path / "state.sqlite")


@needs_news_dev
def test_index_made_before_the_change_is_resigned_from_the_archive(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    texts = {"gmw": str(_news_dev("readability", "gmw")["body"]), "talks": "\n".join(TALKS)}
    state = tmp_path / "state" / "newsbot.sqlite"
    state.parent.mkdir()
    _old_index(state, {**texts, "lost": "\n".join(TALKS[:3])}, monkeypatch)
    (tmp_path / "articles").mkdir()
    lines = [json.dumps({"id": k, "text": v}, ensure_ascii=False) for k, v in texts.items()]
    (tmp_path / "articles" / "news-1.jsonl").write_text("\n".join(lines) + "\n", encoding="utf-8")
    assert dedupstore_main(["resign", str(tmp_path)]) == 0
    with DedupIndex(state) as index:  # now of this version: opens without texts
        assert len(index) == 3
        match = index.match(make_signature(_lightly_edited(texts["gmw"])))
        assert match is not None and match.canonical_id == "gmw"
        assert index.match(make_signature("\n".join(TALKS))).canonical_id == "talks"  # type: ignore[union-attr]
