"""UrlKeyDupeFilter: one fetch per page, whatever spelling of its URL a link used."""

from __future__ import annotations


def test_dupefilter_keys_pages_not_spellings() -> None:
    from scrapy import Request

    from newsbot.dupefilter import UrlKeyDupeFilter

    seen = UrlKeyDupeFilter()
    assert not seen.request_seen(Request("http://a.example/x.html?id=1&utm_source=rss"))
    for variant in (
        "https://a.example/x.html?id=1",
        "http://a.example/x.html?fbclid=1&id=1#top",
        "http://A.example:80/x.html?id=1",
    ):
        assert seen.request_seen(Request(variant)), variant
    assert not seen.request_seen(Request("http://a.example/x.html?id=2"))
    upgrade = Request(
        "https://a.example/x.html?id=1", meta={"redirect_urls": ["http://a.example/x.html?id=1"]}
    )
    assert not seen.request_seen(upgrade)  # http -> https of a page already let in
