"""A hostile web on loopback: a news site whose pages fail in every way real ones do.

`FaultSite` serves, on 127.0.0.1 (port 0, threads), a few ordinary article
pages and, among them, one page or document per fault: HTTP errors, hangs and
drips, resets, broken and bombing gzip, oversized bodies, lying charsets,
binary served as HTML, redirect loops, hostile links, XML bombs, external
entities, truncated feeds, tracking-parameter duplicates and a page of 50 000
links. A home page, robots.txt, a sitemap index, sitemaps and feeds expose
them all, so a plain ``scrapy crawl news -a url=BASE/`` reaches every one.
Two `Trap` listeners count connections, one on 127.0.0.9 and one on another
port of the site's own host: crawler-safety tests assert they get none.

Run as a script, it serves them, renders ``@BASE@``/``@TRAP@``/``@PORTTRAP@`` in
the files and arguments it is given, runs the command, and writes what the
servers saw (hits per path, trap connections, the command's peak RSS) to a
JSON file. Tests run it inside a loopback-only network namespace
(`isolated_command`), so a crawler that misbehaves cannot reach anything
outside 127.0.0.0/8; the site must then live in the namespace too.

    python -m support.faultsite --state out.json [--render FILE]... -- CMD...   (from tests/)

The parts: `content` (pages and fault bodies), `server` (the HTTP server and `FaultSite`),
`routes` (what each path serves), `traps` (connection-counting listeners, a resolver for
made-up names), `isolation` (running a command beside the site, network-isolated and
audited), `__main__` (the command line).
"""

from __future__ import annotations

from typing import Any

from support.faultsite.content import (
    ARTICLES,
    CP1252_BARE_TITLE,
    CP1252_PARAS,
    CP1252_TITLE,
    FAULT_PAGES,
    GOOD,
    MANY_LINKS,
    PDF_BYTES,
    PNG_BYTES,
    REMOTE_PRIVATE,
    SECRET,
    SJIS_PARAS,
    SJIS_TITLE,
    TRUNCATED_FEED,
    UNICODE_SLUG,
    article_html,
    article_path,
    fault_path,
    gzip_bomb,
    urlset,
)
from support.faultsite.isolation import (
    Crawl,
    audit_env,
    audited_hosts,
    crawl_beside_site,
    is_local_host,
    isolated_command,
    netns_available,
    run_in_session,
)
from support.faultsite.routes import page
from support.faultsite.server import FaultSite
from support.faultsite.traps import stub_resolver_class

__all__ = [
    "ARTICLES",
    "CP1252_BARE_TITLE",
    "CP1252_PARAS",
    "CP1252_TITLE",
    "FAULT_PAGES",
    "GOOD",
    "MANY_LINKS",
    "PDF_BYTES",
    "PNG_BYTES",
    "REMOTE_PRIVATE",
    "SECRET",
    "SJIS_PARAS",
    "SJIS_TITLE",
    "TRUNCATED_FEED",
    "UNICODE_SLUG",
    "Crawl",
    "FaultSite",
    "article_html",
    "article_path",
    "audit_env",
    "audited_hosts",
    "crawl_beside_site",
    "fault_path",
    "gzip_bomb",
    "is_local_host",
    "isolated_command",
    "netns_available",
    "page",
    "run_in_session",
    "urlset",
]


def __getattr__(name: str) -> Any:
    """`support.faultsite.StubResolver` (a DNS_RESOLVER), built on first use so serving the
    site needs no Scrapy import."""
    if name == "StubResolver":
        return stub_resolver_class()
    raise AttributeError(name)
