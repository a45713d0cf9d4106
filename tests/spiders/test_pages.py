"""ArticlePages (newsbot/spiders/pages.py): what live and replay spiders make a Page of."""

from __future__ import annotations

from pathlib import Path

from scrapy.http import HtmlResponse, Response

from newsbot.spiders.news import NewsSpider
from newsbot.spiders.pages import is_html, looks_binary
from support import faultsite
from support.crawler import crawler_for

PAGE = faultsite.article_html(*faultsite.ARTICLES["river-cleanup"]).encode()
URL = "http://news.example/2025/12/15/river-cleanup.html"


def test_binary_sniffing() -> None:
    assert looks_binary(faultsite.PNG_BYTES) and looks_binary(faultsite.PDF_BYTES)
    assert not looks_binary(PAGE) and not looks_binary(b"")
    assert not looks_binary("<html>é</html>".encode("utf-16"))  # UTF-16 with its BOM is text


def test_html_is_known_by_its_type_or_its_first_bytes() -> None:
    assert is_html(
        HtmlResponse(URL, body=b"x", headers={"Content-Type": "text/html; charset=utf-8"})
    )
    assert not is_html(Response(URL, body=PAGE, headers={"Content-Type": "application/pdf"}))
    assert is_html(Response(URL, body=b"  <!DOCTYPE html><html></html>"))
    assert not is_html(Response(URL, body=b"%PDF-1.4"))


def test_only_html_article_candidates_become_pages(tmp_path: Path) -> None:
    with crawler_for(NewsSpider, tmp_path, url="http://news.example/") as crawler:
        spider = crawler.spider
        assert isinstance(spider, NewsSpider)
        context = {"source": "Example", "candidate": True}
        html = {"Content-Type": "text/html"}
        page = spider.page_from(
            HtmlResponse(URL, body=PAGE, headers=html),
            context,
            {"fetched_at": "2025-12-15T10:00:00Z", "warc": None},
        )
        assert page is not None and (page.seq, page.fetched_at) == (0, "2025-12-15T10:00:00Z")
        png = HtmlResponse(URL, body=faultsite.PNG_BYTES, headers=html)
        assert spider.page_from(png, context) is None
        home = HtmlResponse("http://news.example/", body=PAGE, headers=html)
        assert spider.page_from(home, context) is None  # a site's home page is no article
        again = spider.page_from(HtmlResponse(URL, body=PAGE, headers=html), context, {})
        assert again is not None and again.seq == 1
        stats = crawler.stats
        assert stats.get_value("newsbot/pages/no_record/binary") == 1
        assert stats.get_value("newsbot/pages/article") == 2
        assert stats.get_value("newsbot/sites/Example/article_candidates") == 2
