from __future__ import annotations

import pytest

from newsbot.urls import article_id, strip_tracking, url_key


@pytest.mark.parametrize(
    "variant",
    [
        "https://www.example.com/news/a-story-123.html",
        "http://www.example.com/news/a-story-123.html",
        "https://www.example.com/news/a-story-123.html#comments",
        "https://www.example.com/news/a-story-123.html?utm_source=rss&utm_medium=feed",
        "https://WWW.EXAMPLE.COM/news/a-story-123.html?fbclid=IwAR0abc",
        "https://www.example.com:443/news/a-story-123.html?gclid=x&utm_campaign=y",
    ],
)
def test_tracking_scheme_and_fragment_variants_share_one_id(variant: str) -> None:
    assert article_id(variant) == article_id("https://www.example.com/news/a-story-123.html")


def test_meaningful_query_arguments_are_kept_in_any_order() -> None:
    a = url_key("https://example.com/story?id=7&page=2")
    assert a == url_key("https://example.com/story?page=2&id=7&utm_source=x")
    assert a != url_key("https://example.com/story?id=8&page=2")


def test_versions_get_distinct_ids() -> None:
    url = "https://example.com/news/x-1.html"
    ids = {article_id(url, v) for v in (1, 2, 3)}
    assert len(ids) == 3 and all(len(i) == 16 for i in ids)


def test_strip_tracking_leaves_other_parameters() -> None:
    assert strip_tracking("http://h/p?a=1&utm_term=z&b=2#x") == "http://h/p?a=1&b=2"


def test_different_hosts_and_ports_differ() -> None:
    assert url_key("http://127.0.0.1:8001/a") != url_key("http://127.0.0.1:8002/a")
    assert url_key("http://a.example/x") != url_key("http://b.example/x")
