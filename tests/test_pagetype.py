from __future__ import annotations

import gzip
import json

import pytest

from newsbot.pagetype import declared_kind, page_kind, url_kind


@pytest.mark.parametrize("url, kind", [
    ("https://x.in/", "listing"),
    ("https://x.in/world/", "listing"),
    ("https://x.in/markets", "listing"),
    ("https://x.in/tag/ukraine/", "listing"),
    ("https://x.in/author/jane-doe/", "listing"),
    ("https://x.in/videos/berlin-talks-what-we-know-so-far", "listing"),
    ("https://x.in/news/world/berlin-talks-zelensky-sees-progress-13712345.html", "article"),
    ("https://x.com/2025/12/16/us/politics/some-story.html", "article"),
    ("https://x.com/world/europe/zelensky-berlin-talks-security-guarantees", "article"),
    ("https://x.com/logo.png", "skip"),
    ("https://x.com/feed.xml", "skip"),
])
def test_url_kind(url: str, kind: str) -> None:
    assert url_kind(url) == kind


def test_declarations() -> None:
    assert declared_kind(b'<meta property="og:type" content="article">') == "article"
    assert declared_kind(b'<meta content="video.other" property="og:type">') == "other"
    assert declared_kind(b'{"@type": "NewsArticle"}') == "article"
    assert declared_kind(b'{"@type":"CollectionPage"}') == "other"
    assert declared_kind(b'<meta property="og:type" content="website">') == "weak-other"
    # an article that embeds a video still declares the article
    assert declared_kind(b'<meta property="og:type" content="video.other">{"@type":"Article"}') == "article"


def test_weak_declaration_defers_to_url_and_listing() -> None:
    website = b'<html><head><meta property="og:type" content="website"></head></html>'
    assert page_kind("https://x.com/news/a-long-story-slug-here", website) == "article"
    assert page_kind("https://x.com/world/", website) == "listing"
    assert page_kind("https://x.com/about-us-page", b"<html></html>", listed=True) == "article"
    assert page_kind("https://x.com/about", b"<html></html>", listed=False) == "listing"


def test_real_benchmark_pages_are_articles(bench_dir) -> None:
    truth = json.loads((bench_dir / "ground-truth.json").read_text())
    kinds = [page_kind(v["url"], gzip.decompress((bench_dir / "html" / f"{k}.html.gz").read_bytes()),
                       listed=True) for k, v in truth.items()]
    assert kinds.count("article") == len(truth)
