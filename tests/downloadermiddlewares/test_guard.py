"""GuardMiddleware: refuses private targets nobody named, before any connection.

Built by Scrapy's own means where it matters (`build_from_crawler`, the spider's start
URLs learnt at spider_opened, the crawl's stats); host names are resolved by a stub
resolver (a table), so no test depends on DNS.
"""

from __future__ import annotations

import asyncio
import ipaddress
import logging
from collections import Counter
from pathlib import Path
from typing import Any

import pytest
from scrapy import Request, signals
from scrapy.exceptions import IgnoreRequest, NotConfigured

from newsbot.downloadermiddlewares.guard import (
    GuardMiddleware,
    RefusedRequest,
    endpoint,
    forbidden_kind,
)
from newsbot.spiders.news import NewsSpider
from support.crawler import build, crawler_for

# --- Addresses ------------------------------------------------------------------------


@pytest.mark.parametrize(
    "address,kind",
    [
        ("127.0.0.1", "loopback"),
        ("127.0.0.9", "loopback"),
        ("10.0.0.1", "private"),
        ("172.16.5.4", "private"),
        ("192.168.1.1", "private"),
        ("169.254.169.254", "link-local"),
        ("0.0.0.0", "unspecified"),
        ("100.64.0.1", "non-global"),
        ("224.0.0.1", "multicast"),
        ("240.0.0.1", "private"),
        ("255.255.255.255", "private"),
        ("::1", "loopback"),
        ("::", "unspecified"),
        ("fc00::1", "private"),
        ("fd12:3456::1", "private"),
        ("fe80::1", "link-local"),
        ("ff02::1", "multicast"),
        ("2001:db8::1", "private"),
        ("::ffff:127.0.0.1", "loopback"),
        ("::ffff:10.0.0.1", "private"),
        ("::ffff:169.254.169.254", "link-local"),
        ("2002:a00:1::", "private"),  # 6to4 of 10.0.0.1
        ("64:ff9b::a9fe:a9fe", "link-local"),  # NAT64 of 169.254.169.254
    ],
)
def test_forbidden_addresses(address: str, kind: str) -> None:
    assert forbidden_kind(ipaddress.ip_address(address)) == kind


@pytest.mark.parametrize(
    "address",
    [
        "8.8.8.8",
        "93.184.216.34",
        "2606:4700::1111",
        "::ffff:8.8.8.8",
        "64:ff9b::808:808",
        "2002:808:808::",
    ],
)
def test_public_addresses(address: str) -> None:
    assert forbidden_kind(ipaddress.ip_address(address)) is None


@pytest.mark.parametrize(
    "url,expected",
    [
        ("http://a.example/x", ("a.example", 80)),
        ("https://A.Example./", ("a.example", 443)),
        ("http://[::1]:8080/", ("::1", 8080)),
        ("ftp://a.example/", None),
        ("file:///etc/passwd", None),
        ("http://a.example:99999/", None),
    ],
)
def test_endpoint(url: str, expected: tuple[str, int] | None) -> None:
    from urllib.parse import urlparse

    assert endpoint(urlparse(url)) == expected


# --- The middleware with a stub resolver ---------------------------------------------


class Stats(Counter[str]):
    def inc_value(self, key: str, count: int = 1) -> None:
        self[key] += count


class StubDNS:
    def __init__(self, table: dict[str, str]) -> None:
        self.table = table
        self.asked: list[str] = []

    async def __call__(self, host: str) -> str:
        from twisted.internet.error import DNSLookupError

        self.asked.append(host)
        if host not in self.table:
            raise DNSLookupError(host)
        return self.table[host]


def make_guard(
    table: dict[str, str] | None = None, **kwargs: Any
) -> tuple[GuardMiddleware, Stats, StubDNS]:
    stats, dns = Stats(), StubDNS(table or {})
    return GuardMiddleware(stats, resolve=dns, **kwargs), stats, dns  # type: ignore[arg-type]


def passes(guard: GuardMiddleware, url: str, source: str | None = None) -> bool:
    meta = {"newsbot_context": {"source": source}} if source else {}
    try:
        asyncio.run(guard.process_request(Request(url, meta=meta)))
    except RefusedRequest:
        return False
    return True


def test_named_endpoint_passes_without_a_lookup() -> None:
    guard, stats, dns = make_guard(named={("127.0.0.1", 8000)})
    assert passes(guard, "http://127.0.0.1:8000/news/a.html")
    assert not dns.asked and not stats


def test_same_host_other_port_is_not_named() -> None:
    guard, stats, _ = make_guard(named={("127.0.0.1", 8000)})
    assert not passes(guard, "http://127.0.0.1:6800/schedule.json")
    assert stats["newsbot/guard/refused"] == 1


@pytest.mark.parametrize(
    "url",
    [
        "http://169.254.169.254/latest/meta-data/",
        "http://10.0.0.1/",
        "http://[::1]:8000/",
        "http://0.0.0.0:8000/",
        "http://[::ffff:10.0.0.1]/",
        "http://[fc00::1]/",
        "http://192.168.0.1:80/",
        "file:///etc/passwd",
        "ftp://10.0.0.1/",
    ],
)
def test_literal_private_addresses_are_refused_without_a_lookup(url: str) -> None:
    guard, stats, dns = make_guard()
    assert not passes(guard, url)
    assert not dns.asked and stats["newsbot/guard/refused"] == 1


def test_names_resolving_to_private_addresses_are_refused() -> None:
    guard, stats, dns = make_guard(
        {"internal.test": "10.1.2.3", "news.example": "93.184.216.34", "2130706433": "127.0.0.1"}
    )
    assert not passes(guard, "http://internal.test/a.html")
    assert not passes(guard, "http://2130706433:8000/")  # 127.0.0.1 spelled in decimal
    assert passes(guard, "http://news.example/a.html")
    assert passes(guard, "http://news.example/b.html")
    assert dns.asked.count("news.example") == 1  # verdicts are remembered
    assert passes(guard, "http://unknown.test/")  # no address: the download reports the lookup
    assert stats["newsbot/guard/refused"] == 2


def test_a_source_may_allow_private_addresses() -> None:
    guard, _, _ = make_guard({"intranet.test": "10.9.9.9"}, private_sources={"Intranet"})
    assert passes(guard, "http://intranet.test/news/a.html", source="Intranet")
    assert passes(
        guard, "http://intranet.test/robots.txt"
    )  # Scrapy's robots.txt request: no source
    assert not passes(guard, "http://intranet.test/news/b.html", source="Public")
    assert not passes(guard, "http://10.9.9.9/", source="Public")


def test_refusals_are_logged_once_per_host(caplog: pytest.LogCaptureFixture) -> None:
    guard, stats, _ = make_guard()
    with caplog.at_level(logging.WARNING, logger="newsbot.downloadermiddlewares.guard"):
        for path in ("a", "b", "c"):
            assert not passes(guard, f"http://10.0.0.1/{path}")
        assert not passes(guard, "http://10.0.0.2/")
    assert stats["newsbot/guard/refused"] == 4 and stats["newsbot/guard/refused_hosts"] == 2
    lines = [r.getMessage() for r in caplog.records]
    assert len(lines) == 2 and "address 10.0.0.1 is private" in lines[0], lines
    assert issubclass(RefusedRequest, IgnoreRequest)


def test_built_by_the_crawler_it_learns_the_start_urls(tmp_path: Path) -> None:
    with crawler_for(
        NewsSpider, tmp_path, url="http://127.0.0.1:8000/sitemap.xml,https://news.example/"
    ) as crawler:
        guard = build(GuardMiddleware, crawler)
        guard.resolve = StubDNS({"news.example": "93.184.216.34"})
        crawler.signals.send_catch_log(signal=signals.spider_opened, spider=crawler.spider)
        assert guard.named == {("127.0.0.1", 8000), ("news.example", 443)}
        assert passes(guard, "http://127.0.0.1:8000/news/a.html")
        assert not passes(guard, "http://127.0.0.1:6800/schedule.json")
        assert crawler.stats.get_value("newsbot/guard/refused") == 1


def test_the_guard_can_be_switched_off(tmp_path: Path) -> None:
    with (
        crawler_for(NewsSpider, tmp_path, {"GUARD_ENABLED": False}, url="http://a.example/") as c,
        pytest.raises(NotConfigured),
    ):
        build(GuardMiddleware, c)
