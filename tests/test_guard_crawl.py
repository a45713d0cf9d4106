"""Crawler safety in real crawls: the guard, archive paths, and no network at run time.

(Unit tests of `GuardMiddleware`: tests/downloadermiddlewares/test_guard.py.) Crawls start at
127.0.0.1 and are led (links, redirects, sitemap children, made-up host names
resolving to loopback) towards two trap listeners that count connections: a
working guard leaves them at zero, and the same crawl with `allow_private`
proves the traps would notice. Crawls that are led outside 127.0.0.0/8 run
only in a loopback-only network namespace, so a broken guard fails the test
instead of sending traffic anywhere.
"""

from __future__ import annotations

import os
import re
import sys
from pathlib import Path

import pytest

from support import faultsite
from support.crawls import LOCAL, PROJECT, records
from support.faultsite import GOOD, REMOTE_PRIVATE, Crawl, article_path

pytestmark = pytest.mark.slow  # end to end: real crawls in subprocesses


NETNS = faultsite.netns_available()
needs_netns = pytest.mark.skipif(
    not NETNS,
    reason="no loopback-only network namespace (unshare -rn) here: "
    "this crawl would reach outside 127.0.0.0/8 if the guard broke",
)
GUARD_SETTINGS = {
    **LOCAL,
    "DOWNLOAD_TIMEOUT": "3",
    "RETRY_TIMES": "0",
    "TWISTED_DNS_RESOLVER": "support.faultsite.StubResolver",
    "FAULTSITE_HOSTS": "internal.test=127.0.0.9",
}


# --- Crawls ---------------------------------------------------------------------------

LOOPBACK_SOURCES = """[[source]]
name = "guarded"
start_urls = ["@BASE@/guard/loopback", "@BASE@/guard/loopback-index.xml"]
allowed_domains = ["127.0.0.1", "127.0.0.9", "internal.test", "2130706441", "::ffff:127.0.0.9", "0.0.0.0"]
"""
LOOPBACK_TARGETS = 10  # 6 links, 2 redirects, 2 sitemap children (see faultsite.guard_routes)
LOOPBACK_HOSTS = 6  # trap, port trap, internal.test, decimal, IPv4-mapped, 0.0.0.0


def guarded_crawl(
    tmp: Path, sources_text: str, *, isolate: bool = NETNS, env: dict[str, str] | None = None
) -> Crawl:
    path = tmp / "sources.toml"
    path.write_text(sources_text, encoding="utf-8")
    return faultsite.crawl_beside_site(
        tmp,
        ["crawl", "news", "-a", f"sources={path}"],
        GUARD_SETTINGS,
        isolate=isolate,
        render=(path,),
        env=env,
    )


@pytest.fixture(scope="module")
def loopback_crawl(tmp_path_factory: pytest.TempPathFactory) -> Crawl:
    return guarded_crawl(tmp_path_factory.mktemp("guard"), LOOPBACK_SOURCES)


def test_loopback_links_redirects_and_children_get_no_connection(loopback_crawl: Crawl) -> None:
    crawl = loopback_crawl
    assert crawl.proc.returncode == 0 and "Traceback" not in crawl.proc.stderr, crawl.proc.stderr[
        -4000:
    ]
    assert (
        crawl.site["trap_connections"] == 0
    )  # 127.0.0.9: linked, redirected to, named internal.test...
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
    crawl = guarded_crawl(
        tmp_path, LOOPBACK_SOURCES.replace("[[source]]\n", "[[source]]\nallow_private = true\n")
    )
    assert crawl.proc.returncode == 0
    assert crawl.site["trap_connections"] > 0 and crawl.site["port_trap_connections"] > 0
    assert "newsbot/guard/refused" not in crawl.stats


@needs_netns
def test_remote_private_addresses_are_refused_before_any_connection(tmp_path: Path) -> None:
    hosts = [
        "127.0.0.1",
        "169.254.169.254",
        "10.0.0.1",
        "192.168.1.1",
        "100.64.0.1",
        "::ffff:10.0.0.1",
    ]
    text = (
        '[[source]]\nname = "guarded"\n'
        'start_urls = ["@BASE@/guard/remote", "@BASE@/guard/remote-index.xml"]\n'
        f"allowed_domains = {hosts!r}\n"
    ).replace("'", '"')
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
        encoding="utf-8",
    )
    settings = {
        **GUARD_SETTINGS,
        "WARC_PREFIX": "../../evil",
        "NEWSBOT_STATE_FILE": "../../evil.sqlite",
    }
    before = set(PROJECT.rglob("*evil*"))
    crawl = faultsite.crawl_beside_site(
        tmp_path,
        ["crawl", "news", "-a", f"sources={sub}/../sources.toml"],
        settings,
        isolate=NETNS,
        render=(tmp_path / "sources.toml",),
    )
    assert crawl.proc.returncode == 0, crawl.proc.stderr[-4000:]
    root = crawl.archive.resolve()
    outside = [
        p
        for p in tmp_path.parent.rglob("*")
        if "evil" in p.name and not p.resolve().is_relative_to(root)
    ]
    assert not outside and set(PROJECT.rglob("*evil*")) == before
    warcs = list((root / "warc").glob("*.warc.gz"))
    assert warcs and all(w.name.startswith("evil-") for w in warcs)
    assert [r["source"] for r in records(crawl.archive)] == ["../../evil"]  # a name, never a path


# --- No network at run time ----------------------------------------------------------


@needs_netns
def test_demo_crawl_needs_no_network(tmp_path: Path) -> None:
    """tldextract, trafilatura, courlan, htmldate, dateparser: nothing looks anything up."""
    env = faultsite.audit_env(tmp_path)
    cmd = faultsite.isolated_command(
        [
            sys.executable,
            "-m",
            "scrapy",
            "demo",
            "-s",
            f"ARCHIVE_DIR={tmp_path / 'archive'}",
            "-s",
            "EXTRACT_WORKERS=2",
        ],
        isolate=True,
    )
    proc = faultsite.run_in_session(cmd, dict(os.environ, **env), timeout=300)
    assert proc.returncode == 0, proc.stderr[-4000:]
    assert records(tmp_path / "archive")
    contacted = {h for _, h in faultsite.audited_hosts(Path(env["NETAUDIT_LOG"]))}
    assert contacted and all(faultsite.is_local_host(h) for h in contacted), contacted
    for symptom in (
        "DNSLookupError",
        "CannotResolveHost",
        "unreachable",
        "Name or service not known",
        "Temporary failure in name resolution",
        "suffix list",
        "Traceback",
    ):
        assert symptom not in proc.stderr, symptom
