"""The workers' verdict on a candidate page: article, or why not (pages of our own)."""

from __future__ import annotations

import gzip
import json
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path

import pytest
from trafilatura.utils import load_html

from newsbot.extraction.article import extract_article
from newsbot.extraction.page import decode
from newsbot.pagecontent import BodyFigures, PageSignals, has_buy_box, verdict
from support.crawls import SHARED

PROSE = (
    "The council voted on Tuesday to close the old harbour bridge to cars for good, after "
    "engineers found that the steel under its southern span had corroded further than any "
    "survey had shown. "
) * 3


def judge(html: str, url: str = "https://news.example/world/story") -> str | None:
    tree = load_html(html)
    signals = PageSignals.of(tree, html)
    fields = extract_article(tree, url)
    return verdict((fields or {}).get("text") or "", signals)


def test_an_article_is_an_article() -> None:
    html = (
        f"<html><head><title>Bridge closed</title></head><body><article><h1>Bridge closed</h1>"
        f"<p>{PROSE}</p><p>{PROSE}</p></article><aside><a href='/a'>Another story on the bridge</a>"
        f"</aside></body></html>"
    )
    assert judge(html) is None


def test_a_body_of_headline_links_is_a_listing() -> None:
    heads = [f"Headline number {i} about the harbour bridge works" for i in range(8)]
    links = "".join(f"<li><a href='/story-{i}.html'>{h}</a></li>" for i, h in enumerate(heads))
    signals = PageSignals.of(load_html(f"<html><body><ul>{links}</ul></body></html>"))
    assert verdict("\n".join(heads), signals) == "listing"
    figures = BodyFigures.of("\n".join([*heads[:2], PROSE]), signals)
    assert figures.linked_lines == 2 and figures.linked_chars < figures.chars / 2
    assert verdict("\n".join([*heads[:2], PROSE]), signals) is None  # a story with two links


def test_login_and_error_pages_need_little_text() -> None:
    login = (
        "<html><head><title>Sign in</title></head><body><form><p>Sign in to read on</p>"
        "<input name=u><input type=password name=p></form></body></html>"
    )
    signals = PageSignals.of(load_html(login), login)
    assert verdict("Sign in to read on", signals) == "login"
    assert verdict(PROSE * 2, signals) is None  # an article with a login box beside it
    error = (
        "<html><head><title>404 - Page not found</title></head><body><p>Sorry.</p></body></html>"
    )
    signals = PageSignals.of(load_html(error), error)
    assert verdict("Sorry, this page does not exist.", signals) == "error_page"
    assert verdict("", signals) == "no_text"


def test_a_buy_box_makes_a_product_page_and_a_header_cart_does_not() -> None:
    shop = (
        "<html><body><header><a class='add-to-cart-icon' href='/cart'>Cart</a></header>"
        f"<main><p>{PROSE}</p><div class='buy'><span class='price'>24,99 EUR</span>"
        "<button onclick='addToCart(4711)'>Buy</button></div></main></body></html>"
    )
    assert has_buy_box(load_html(shop))
    assert judge(shop, "https://shop.example/p/kit") == "product"
    header_only = (
        "<html><body><header><a class='add-to-cart-icon' href='/cart'>Cart</a></header>"
        f"<main><p>{PROSE}</p><p class='price-note'>Prices rose 3 per cent.</p></main>"
        "</body></html>"
    )
    assert not has_buy_box(load_html(header_only))


def _benchmark_pages():
    root = SHARED / "benchmarks"
    ae = root / "article-extraction"
    if (ae / "ground-truth.json").exists():
        for key, rec in json.loads((ae / "ground-truth.json").read_text()).items():
            yield rec["url"], ae / "html" / f"{key}.html.gz", None
    for truth in sorted((root / "news-dev").glob("*/truth.jsonl")):
        for line in truth.read_text(encoding="utf-8").splitlines():
            rec = json.loads(line)
            yield rec["url"], truth.parent / "html" / f"{rec['id']}.html.gz", rec.get("kind")


def _judged_not_an_article(url: str, path: Path) -> str | None:
    """``url`` when the page's text gets a no-record verdict (listing, product, ...)."""
    html, _ = decode(gzip.decompress(path.read_bytes()), "utf-8")
    tree = load_html(html)
    signals = PageSignals.of(tree, html)
    text = (extract_article(tree, url) or {}).get("text") or ""
    return url if text and verdict(text, signals) is not None else None


@pytest.mark.slow
def test_no_benchmark_article_is_judged_a_listing_product_login_or_error() -> None:
    pages = [(url, path) for url, path, kind in _benchmark_pages() if kind != "other"]
    if not pages:
        pytest.skip("../shared/benchmarks is not here")
    with ProcessPoolExecutor(2) as pool:  # ~590 extractions: both cores
        judged = pool.map(_judged_not_an_article, *zip(*pages), chunksize=16)
        wrong = [url for url in judged if url is not None]
    assert wrong == []
