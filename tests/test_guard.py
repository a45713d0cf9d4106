"""Crawler safety: the guard middleware, archive paths, and no network at run time.

Unit tests drive `GuardMiddleware` with a stub resolver. Crawl tests start at
127.0.0.1 and are led (links, redirects, sitemap children, made-up host names
resolving to loopback) towards two trap listeners that count connections: a
working guard leaves them at zero, and the same crawl with `allow_private`
proves the traps would notice. Crawls that are led outside 127.0.0.0/8 run
only in a loopback-only network namespace, so a broken guard fails the test
instead of sending traffic anywhere.
"""

from __future__ import annotations

import asyncio
import ipaddress
import logging
import os
import re
import sys
from collections import Counter
from pathlib import Path
from typing import Any

import faultsite
import pytest
from conftest import LOCAL, PROJECT, records
from faultsite import GOOD, REMOTE_PRIVATE, Crawl, article_path
from scrapy import Request
from scrapy.exceptions import IgnoreRequest

from newsbot import sources
from newsbot.downloadermiddlewares.guard import (
    GuardMiddleware,
    RefusedRequest,
    endpoint,
    forbidden_kind,
)

NETNS = faultsite.netns_available()
needs_netns = pytest.mark.skipif(not NETNS, reason="no loopback-only network namespace (unshare -rn) here: "
                                                   "this crawl would reach outside 127.0.0.0/8 if the guard broke")
GUARD_SETTINGS = {**LOCAL, "DOWNLOAD_TIMEOUT": "3", "RETRY_TIMES": "0",
                  "TWISTED_DNS_RESOLVER": "faultsite.StubResolver",
                  "FAULTSITE_HOSTS": "internal.test=127.0.0.9"}


# --- Addresses ------------------------------------------------------------------------

@pytest.mark.parametrize("address,kind", [
    ("127.0.0.1", "loopback"), ("127.0.0.9", "loopback"), ("10.0.0.1", "private"),
    ("172.16.5.4", "private"), ("192.168.1.1", "private"), ("169.254.169.254", "link-local"),
    ("0.0.0.0", "unspecified"), ("100.64.0.1", "non-global"), ("224.0.0.1", "multicast"),
    ("240.0.0.1", "private"), ("255.255.255.255", "private"),
    ("::1", "loopback"), ("::", "unspecified"), ("fc00::1", "private"), ("fd12:3456::1", "private"),
    ("fe80::1", "link-local"), ("ff02::1", "multicast"), ("2001:db8::1", "private"),
    ("::ffff:127.0.0.1", "loopback"), ("::ffff:10.0.0.1", "private"),
    ("::ffff:169.254.169.254", "link-local"), ("2002:a00:1::", "private"),  # 6to4 of 10.0.0.1
    ("64:ff9b::a9fe:a9fe", "link-local"),  # NAT64 of 169.254.169.254
])
def test_forbidden_addresses(address: str, kind: str) -> None:
    assert forbidden_kind(ipaddress.ip_address(address)) == kind


@pytest.mark.parametrize("address", ["8.8.8.8", "93.184.216.34", "2606:4700::1111", "::ffff:8.8.8.8",
                                     "64:ff9b::808:808", "2002:808:808::"])
def test_public_addresses(address: str) -> None:
    assert forbidden_kind(ipaddress.ip_address(address)) is None


@pytest.mark.parametrize("url,expected", [
    ("http://a.example/x", ("a.example", 80)), ("https://A.Example./", ("a.example", 443)),
    ("http://[::1]:8080/", ("::1", 8080)), ("ftp://a.example/", None), ("file:///etc/passwd", None),
    ("http://a.example:99999/", None),
])
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


def make_guard(table: dict[str, str] | None = None, **kwargs: Any) -> tuple[GuardMiddleware, Stats, StubDNS]:
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


@pytest.mark.parametrize("url", [
    "http://169.254.169.254/latest/meta-data/", "http://10.0.0.1/", "http://[::1]:8000/",
    "http://0.0.0.0:8000/", "http://[::ffff:10.0.0.1]/", "http://[fc00::1]/", "http://192.168.0.1:80/",
    "file:///etc/passwd", "ftp://10.0.0.1/",
])
def test_literal_private_addresses_are_refused_without_a_lookup(url: str) -> None:
    guard, stats, dns = make_guard()
    assert not passes(guard, url)
    assert not dns.asked and stats["newsbot/guard/refused"] == 1


def test_names_resolving_to_private_addresses_are_refused() -> None:
    guard, stats, dns = make_guard({"internal.test": "10.1.2.3", "news.example": "93.184.216.34",
                                    "2130706433": "127.0.0.1"})
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
    assert passes(guard, "http://intranet.test/robots.txt")  # Scrapy's robots.txt request: no source
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


def test_sources_file_allow_private(tmp_path: Path) -> None:
    path = tmp_path / "sources.toml"
    path.write_text('[[source]]\nname = "intranet"\nstart_urls = ["http://news.corp.test/"]\n'
                    'allow_private = true\n\n[[source]]\nname = "web"\nstart_urls = ["https://a.example/"]\n')
    intranet, web = sources.load(path)
    assert intranet.allow_private is True and web.allow_private is False
    path.write_text('[[source]]\nname = "x"\nstart_urls = ["http://a.example/"]\nallow_private = "yes"\n')
    with pytest.raises(sources.SourceError, match="allow_private"):
        sources.load(path)


# --- Crawls ---------------------------------------------------------------------------

LOOPBACK_SOURCES = """[[source]]
name = "guarded"
start_urls = ["@BASE@/guard/loopback", "@BASE@/guard/loopback-index.xml"]
allowed_domains = ["127.0.0.1", "127.0.0.9", "internal.test", "2130706441", "::ffff:127.0.0.9", "0.0.0.0"]
"""
LOOPBACK_TARGETS = 10  # 6 links, 2 redirects, 2 sitemap children (see faultsite.guard_routes)
LOOPBACK_HOSTS = 6  # trap, port trap, internal.test, decimal, IPv4-mapped, 0.0.0.0


def guarded_crawl(tmp: Path, sources_text: str, *, isolate: bool = NETNS,
                  env: dict[str, str] | None = None) -> Crawl:
    path = tmp / "sources.toml"
    path.write_text(sources_text, encoding="utf-8")
    return faultsite.crawl_beside_site(tmp, ["crawl", "news", "-a", f"sources={path}"], GUARD_SETTINGS,
                                       isolate=isolate, render=(path,), env=env)


@pytest.fixture(scope="module")
def loopback_crawl(tmp_path_factory: pytest.TempPathFactory) -> Crawl:
    return guarded_crawl(tmp_path_factory.mktemp("guard"), LOOPBACK_SOURCES)


def test_loopback_links_redirects_and_children_get_no_connection(loopback_crawl: Crawl) -> None:
    crawl = loopback_crawl
    assert crawl.proc.returncode == 0 and "Traceback" not in crawl.proc.stderr, crawl.proc.stderr[-4000:]
    assert crawl.site["trap_connections"] == 0  # 127.0.0.9: linked, redirected to, named internal.test...
    assert crawl.site["port_trap_connections"] == 0  # 127.0.0.1 on a port no start URL named
    assert crawl.stats["newsbot/guard/refused"] == LOOPBACK_TARGETS
    assert crawl.stats["newsbot/guard/refused_hosts"] == LOOPBACK_HOSTS
    assert not [k for k in crawl.stats if k.startswith("newsbot/errors/")]


def test_named_host_and_port_are_crawled(loopback_crawl: Crawl) -> None:
    crawl = loopback_crawl
    assert crawl.hits("/guard/to-trap") == 1 and crawl.hits("/guard/to-port-trap") == 1
    [rec] = records(crawl.archive)
    assert rec["url"].endswith(article_path(GOOD[0]))


def test_crawl_logs_one_refusal_per_host(loopback_crawl: Crawl) -> None:
    lines = re.findall(r"WARNING: refused (\S+): (.*)", loopback_crawl.proc.stderr)
    assert len(lines) == LOOPBACK_HOSTS
    assert any("internal.test" in url and "127.0.0.9 is loopback" in why for url, why in lines)


def test_allow_private_lets_the_same_crawl_reach_the_traps(tmp_path: Path) -> None:
    """The control: without the guard's refusals, the traps above would have counted connections."""
    crawl = guarded_crawl(tmp_path, LOOPBACK_SOURCES.replace("[[source]]\n", "[[source]]\nallow_private = true\n"))
    assert crawl.proc.returncode == 0
    assert crawl.site["trap_connections"] > 0 and crawl.site["port_trap_connections"] > 0
    assert "newsbot/guard/refused" not in crawl.stats


@needs_netns
def test_remote_private_addresses_are_refused_before_any_connection(tmp_path: Path) -> None:
    hosts = ["127.0.0.1", "169.254.169.254", "10.0.0.1", "192.168.1.1", "100.64.0.1", "::ffff:10.0.0.1"]
    text = ('[[source]]\nname = "guarded"\n'
            'start_urls = ["@BASE@/guard/remote", "@BASE@/guard/remote-index.xml"]\n'
            f"allowed_domains = {hosts!r}\n").replace("'", '"')
    env = faultsite.audit_env(tmp_path)
    crawl = guarded_crawl(tmp_path, text, isolate=True, env=env)
    assert crawl.proc.returncode == 0, crawl.proc.stderr[-4000:]
    # links, sitemap entries (twice: page and sitemap) and a sitemap-index child
    assert crawl.stats["newsbot/guard/refused"] == len(REMOTE_PRIVATE) + 1
    assert not [k for k in crawl.stats if k.startswith("newsbot/errors/")]
    contacted = {h for _, h in faultsite.audited_hosts(Path(env["NETAUDIT_LOG"]))}
    assert contacted and all(faultsite.is_local_host(h) for h in contacted), contacted
    recorded = {r["url"] for r in records(crawl.archive)}
    assert {crawl.site["base"] + article_path(s) for s in GOOD[1:3]} <= recorded


# --- Files ----------------------------------------------------------------------------

def test_names_from_arguments_cannot_escape_archive_dir(tmp_path: Path) -> None:
    sub = tmp_path / "sub"
    sub.mkdir()
    (tmp_path / "sources.toml").write_text(
        '[[source]]\nname = "../../evil"\nstart_urls = ["@BASE@/news/2025/12/harbour-cranes-return.html"]\n',
        encoding="utf-8")
    settings = {**GUARD_SETTINGS, "WARC_PREFIX": "../../evil", "NEWSBOT_STATE_FILE": "../../evil.sqlite"}
    before = set(PROJECT.rglob("*evil*"))
    crawl = faultsite.crawl_beside_site(
        tmp_path, ["crawl", "news", "-a", f"sources={sub}/../sources.toml"], settings, isolate=NETNS,
        render=(tmp_path / "sources.toml",))
    assert crawl.proc.returncode == 0, crawl.proc.stderr[-4000:]
    root = crawl.archive.resolve()
    outside = [p for p in tmp_path.parent.rglob("*") if "evil" in p.name and not p.resolve().is_relative_to(root)]
    assert not outside and set(PROJECT.rglob("*evil*")) == before
    warcs = list((root / "warc").glob("*.warc.gz"))
    assert warcs and all(w.name.startswith("evil-") for w in warcs)
    assert [r["source"] for r in records(crawl.archive)] == ["../../evil"]  # a name, never a path


# --- No network at run time ----------------------------------------------------------

@needs_netns
def test_demo_crawl_needs_no_network(tmp_path: Path) -> None:
    """tldextract, trafilatura, courlan, htmldate, dateparser: nothing looks anything up."""
    env = faultsite.audit_env(tmp_path)
    cmd = faultsite.isolated_command([sys.executable, "-m", "scrapy", "demo", "-s",
                                      f"ARCHIVE_DIR={tmp_path / 'archive'}", "-s", "EXTRACT_WORKERS=2"],
                                     isolate=True)
    proc = faultsite.run_in_session(cmd, dict(os.environ, **env), timeout=300)
    assert proc.returncode == 0, proc.stderr[-4000:]
    assert records(tmp_path / "archive")
    contacted = {h for _, h in faultsite.audited_hosts(Path(env["NETAUDIT_LOG"]))}
    assert contacted and all(faultsite.is_local_host(h) for h in contacted), contacted
    for symptom in ("DNSLookupError", "CannotResolveHost", "unreachable", "Name or service not known",
                    "Temporary failure in name resolution", "suffix list", "Traceback"):
        assert symptom not in proc.stderr, symptom
