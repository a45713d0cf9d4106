from __future__ import annotations

import gzip
import json

import pytest

from newsbot.pagetype import body_class_kind, declared_kind, is_candidate, page_kind, url_kind


@pytest.mark.parametrize(
    "url, kind",
    [
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
        ("https://blog.x.de/?p=959", "article"),  # WordPress permalink
        ("https://x.com/article.php?id=4521", "article"),
    ],
)
def test_url_kind(url: str, kind: str) -> None:
    assert url_kind(url) == kind


def test_declarations() -> None:
    assert declared_kind(b'<meta property="og:type" content="article">') == "article"
    assert declared_kind(b'<meta content="video.other" property="og:type">') == "media"
    assert declared_kind(b'<meta value="music.song" name="og:type">') == "media"
    assert declared_kind(b'{"@type": "NewsArticle"}') == "article"
    assert declared_kind(b'{"@type":"CollectionPage"}') == "listing"
    assert declared_kind(b'{"@type": "https://schema.org/Product"}') == "product"
    assert declared_kind(b'<div itemscope itemtype="https://schema.org/Product">') == "product"
    assert declared_kind(b'<div itemscope itemtype="http://schema.org/BlogPosting">') == "article"
    assert declared_kind(b'<meta property="og:type" content="website">') == "weak-other"
    # an article that embeds a video, or lists related stories, still declares the article
    assert (
        declared_kind(b'<meta property="og:type" content="video.other">{"@type":"Article"}')
        == "article"
    )
    assert declared_kind(b'{"@type":"ItemList"} {"@type":"NewsArticle"}') == "article"


def test_wordpress_body_classes() -> None:
    assert body_class_kind(b'<body class="home blog">') == "listing"
    assert body_class_kind(b'<body class="archive category category-world">') == "listing"
    assert body_class_kind(b'<body class="error404">') == "error_page"
    assert (
        body_class_kind(b'<body class="post-template-default single single-post postid-7">') is None
    )
    assert body_class_kind(b'<body class="blog-post">') is None
    assert body_class_kind(b"<body>") is None


def test_path_words_decide_nothing_for_candidates() -> None:
    news = b'<script type="application/ld+json">{"@type": "NewsArticle"}</script>'
    website = b'<html><head><meta property="og:type" content="website"></head></html>'
    url = "https://www.theatlantic.com/ideas/archive/2020/08/some-essay/614000/"
    assert page_kind(url, news) == "article"  # declared: a candidate even if only linked
    assert page_kind("https://x.com/about-us-page", website, candidate=True) == "article"
    assert (
        page_kind("https://x.com/people/jane-doe-interview", b"<html></html>", candidate=True)
        == "article"
    )
    # reached by a link only, the URL's shape still decides
    assert page_kind("https://x.com/news/a-long-story-slug-here", website) == "article"
    assert page_kind("https://x.com/world/", website) == "listing"
    assert page_kind("https://x.com/about", b"<html></html>") == "listing"


def test_front_pages_and_declared_others_are_never_candidates() -> None:
    og_article = b'<meta property="og:type" content="article">'
    assert page_kind("https://www.austria.info/", og_article, candidate=True) == "listing"
    assert page_kind("http://unexpecteduser.blogspot.de/2011/", b"", candidate=True) == "listing"
    assert page_kind("https://x.com/", b"", candidate=True) == "listing"
    assert page_kind("https://x.com/?p=12", b"", candidate=True) == "article"
    assert page_kind("https://x.com/s/kit", b'{"@type": "Product"}', candidate=True) == "product"
    assert (
        page_kind(
            "https://x.com/v/1", b'<meta property="og:type" content="video.movie">', candidate=True
        )
        == "media"
    )


def test_candidates_from_contexts() -> None:
    assert is_candidate({"candidate": True})
    assert is_candidate({"listed": True})  # contexts archived by older newsbot versions
    assert is_candidate({"hints": {"sitemap": "2025-12-16"}})
    assert not is_candidate({"candidate": False, "hints": {}})


def test_real_benchmark_pages_are_articles(bench_dir) -> None:
    truth = json.loads((bench_dir / "ground-truth.json").read_text())
    kinds = [
        page_kind(
            v["url"],
            gzip.decompress((bench_dir / "html" / f"{k}.html.gz").read_bytes()),
            candidate=True,
        )
        for k, v in truth.items()
    ]
    assert kinds.count("article") == len(truth)
