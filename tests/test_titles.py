from __future__ import annotations

import pytest
from lxml import html

from newsbot.titles import displayed_headline, strip_site


def page(head: str = "", body: str = "") -> html.HtmlElement:
    return html.fromstring(f"<html><head>{head}</head><body>{body}</body></html>")


URL = "https://www.example-news.com/2025/12/16/story.html"
HEADLINE = "Officials agree on the budget after a long night"


def test_h1_repeated_by_the_title_wins_without_the_site_name() -> None:
    tree = page(f"<title>{HEADLINE} | Example News</title>", f"<h1>{HEADLINE}</h1>")
    assert displayed_headline(tree, URL) == HEADLINE


def test_site_prefix_is_dropped_too() -> None:
    tree = page(f"<title>r/Showerthoughts - {HEADLINE}</title>", f"<h1>{HEADLINE}</h1>")
    assert displayed_headline(tree, URL) == HEADLINE


def test_title_without_h1_loses_its_site_suffix() -> None:
    tree = page(f'<meta property="og:title" content="{HEADLINE} - Example News">')
    assert displayed_headline(tree, URL, site="Example News") == HEADLINE
    tree = page(f"<title>{HEADLINE} | eHow</title>")
    assert displayed_headline(tree, "https://www.ehow.com/how_123/") == HEADLINE


def test_logo_h1_is_not_the_headline() -> None:
    tree = page(
        f"<title>{HEADLINE} · V8</title>", f"<h1>V8</h1><article><h1>{HEADLINE}</h1></article>"
    )
    assert displayed_headline(tree, URL) == HEADLINE


def test_sources_vote_against_a_generic_og_title() -> None:
    tree = page(
        '<meta property="og:title" content="Yahoo News - Latest News &amp; Headlines">'
        f"<title>{HEADLINE}</title>",
        f"<h1>{HEADLINE}</h1>",
    )
    assert displayed_headline(tree, "https://www.yahoo.com/news/x.html") == HEADLINE


def test_short_section_h1_loses_to_the_metadata() -> None:
    tree = page(f'<meta property="og:title" content="{HEADLINE}">', "<h1>Business Monday</h1>")
    assert displayed_headline(tree, URL) == HEADLINE


def test_jsonld_headline_and_permalink_marks() -> None:
    tree = page(
        f'<script type="application/ld+json">{{"@type": "NewsArticle", "headline": "{HEADLINE}"}}</script>',
        f"<h1>{HEADLINE} ¶</h1>",
    )
    assert displayed_headline(tree, URL) == HEADLINE


def test_no_source_gives_the_fallback() -> None:
    assert displayed_headline(page(), URL, "From trafilatura") == "From trafilatura"


@pytest.mark.parametrize(
    ("title", "expected"),
    [
        (f"{HEADLINE} | Example News", HEADLINE),
        (f"Example News - {HEADLINE}", HEADLINE),
        (f"{HEADLINE}：Example News", HEADLINE),
        (f"{HEADLINE} : Sports : Example News", f"{HEADLINE} : Sports"),
        ("Russia: Space ship breaks up", "Russia: Space ship breaks up"),  # a colon in a headline
        ("Example News", "Example News"),  # nothing left: keep it
    ],
)
def test_strip_site(title: str, expected: str) -> None:
    assert strip_site(title, {"examplenews"}) == expected
