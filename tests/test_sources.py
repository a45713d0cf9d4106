"""newsbot.sources: the sites of a crawl, from a sources file or a list of start URLs."""

from __future__ import annotations

from pathlib import Path

import pytest

from newsbot import sources


def test_urls_make_one_source_per_host_and_port() -> None:
    a, b = sources.from_urls(
        "http://127.0.0.1:8000/sitemap.xml, http://127.0.0.1:8000/rss.xml,https://News.Example/",
        timezone="Asia/Kolkata",
    )
    assert (a.name, a.start_urls, a.allowed_domains) == (
        "127.0.0.1:8000",
        ["http://127.0.0.1:8000/sitemap.xml", "http://127.0.0.1:8000/rss.xml"],
        ["127.0.0.1"],
    )
    assert b.allowed_domains == ["news.example"] and b.timezone == "Asia/Kolkata"
    with pytest.raises(sources.SourceError, match="no start URL"):
        sources.from_urls(" , ")
    with pytest.raises(sources.SourceError, match="not an http"):
        sources.from_urls("ftp://news.example/")
    with pytest.raises(sources.SourceError, match="unknown time zone"):
        sources.from_urls("https://news.example/", timezone="Mars/Olympus")


def test_a_sources_file_scopes_each_site(tmp_path: Path) -> None:
    path = tmp_path / "sources.toml"
    path.write_text(
        '[[source]]\nname = "Ledger"\nstart_urls = ["https://www.ledger.example/sitemap.xml"]\n'
        'allowed_domains = ["ledger.example"]\nallow = ["/news/"]\ndeny = ["/video/"]\n'
    )
    [src] = sources.load(path)
    assert src.covers("https://m.ledger.example/news/a.html")
    assert not src.covers("https://ledger.example.evil.test/news/a.html")
    assert src.permits("https://www.ledger.example/news/a.html")
    assert not src.permits("https://www.ledger.example/markets/a.html")  # not allowed
    assert src.denies("https://www.ledger.example/news/video/a.html")
    assert not src.permits("https://www.ledger.example/news/video/a.html")


def test_unreadable_sources_files_say_why(tmp_path: Path) -> None:
    path = tmp_path / "sources.toml"
    with pytest.raises(sources.SourceError, match="cannot read"):
        sources.load(path)
    path.write_text("title = 'no sources'\n")
    with pytest.raises(sources.SourceError, match="no \\[\\[source\\]\\] entries"):
        sources.load(path)
    path.write_text('[[source]]\nname = "x"\nstart_urls = ["http://a.example/"]\ndeny = ["("]\n')
    with pytest.raises(sources.SourceError, match="bad pattern"):
        sources.load(path)


def test_sources_file_allow_private(tmp_path: Path) -> None:
    path = tmp_path / "sources.toml"
    path.write_text(
        '[[source]]\nname = "intranet"\nstart_urls = ["http://news.corp.test/"]\n'
        'allow_private = true\n\n[[source]]\nname = "web"\nstart_urls = ["https://a.example/"]\n'
    )
    intranet, web = sources.load(path)
    assert intranet.allow_private is True and web.allow_private is False
    path.write_text(
        '[[source]]\nname = "x"\nstart_urls = ["http://a.example/"]\nallow_private = "yes"\n'
    )
    with pytest.raises(sources.SourceError, match="allow_private"):
        sources.load(path)
