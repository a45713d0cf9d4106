"""Crawler safety: never fetch a private address that nobody named.

A hostile or careless page, sitemap, feed or redirect can point the crawler
at ``http://169.254.169.254/latest/meta-data/`` (cloud credentials),
``http://10.0.0.1/`` or ``http://127.0.0.1:6800/`` (Scrapyd): server-side
request forgery through the crawler. This middleware refuses, before any
connection, every request whose host is, or resolves to, a loopback,
private, shared, link-local, multicast, reserved or unspecified address,
IPv4 or IPv6 (IPv4-mapped, 6to4 and NAT64 forms judged by the IPv4 address
inside), and every non-HTTP(S) URL, unless

- the user named that host *and port* in a start URL: ``-a
  url=http://127.0.0.1:8000/sitemap.xml`` lets the crawl fetch anything on
  127.0.0.1:8000, not 127.0.0.1:6800. Host and port, because on one machine
  the port is the service; the default port stands for a URL without one; or
- the request's source says ``allow_private = true`` in the sources file (an
  intranet site); robots.txt requests for a host so allowed pass too.

Refusals are counted (``newsbot/guard/refused``, ``newsbot/guard/refused_hosts``)
and logged once per host. Ordered after OffsiteMiddleware (50), so offsite
links cost no DNS lookup, and before RobotsTxtMiddleware (100), so a refused
host is not even asked for its robots.txt. Redirects come back through the
chain as new requests and are judged like links.

Host names are resolved with the crawl's own resolver (``reactor.resolve``:
DNS_RESOLVER, and Scrapy's DNS cache), so the guard judges the address the
download will connect to, and forms like ``http://2130706433/`` (127.0.0.1 in
decimal) are caught by resolution. DNS rebinding: the check and the
connection are two lookups. With DNSCACHE_ENABLED (Scrapy's default) the
second is answered from the cache the first filled, for the whole crawl; with
the cache off, a name can resolve to a public address for the guard and to a
private one for the connection. A name that does not resolve is let through:
the download fails on the same lookup and is counted there.
"""

from __future__ import annotations

import ipaddress
import logging
from collections.abc import Awaitable, Callable
from typing import TYPE_CHECKING, Any
from urllib.parse import urlparse

from scrapy import signals
from scrapy.exceptions import IgnoreRequest, NotConfigured
from scrapy.utils.defer import maybe_deferred_to_future
from scrapy.utils.httpobj import urlparse_cached
from twisted.internet.error import DNSLookupError
from twisted.internet.error import TimeoutError as DNSTimeoutError

if TYPE_CHECKING:
    from urllib.parse import ParseResult

    from scrapy import Request, Spider
    from scrapy.crawler import Crawler
    from scrapy.statscollectors import StatsCollector

logger = logging.getLogger(__name__)

IPAddress = ipaddress.IPv4Address | ipaddress.IPv6Address
Resolve = Callable[[str], Awaitable[str]]
Endpoint = tuple[str, int]
DEFAULT_PORTS = {"http": 80, "https": 443}
NAT64 = ipaddress.ip_network("64:ff9b::/96")
MAX_VERDICTS = 10_000  # hosts whose resolution is remembered


class RefusedRequest(IgnoreRequest):
    """A request the guard would not send (counted and logged by the guard)."""


def embedded_ipv4(ip: ipaddress.IPv6Address) -> ipaddress.IPv4Address | None:
    """The IPv4 address an IPv6 address carries (IPv4-mapped, 6to4, NAT64), if any."""
    if ip.ipv4_mapped is not None:
        return ip.ipv4_mapped
    if ip.sixtofour is not None:
        return ip.sixtofour
    if ip in NAT64:
        return ipaddress.IPv4Address(int(ip) & 0xFFFFFFFF)
    return None


def forbidden_kind(ip: IPAddress) -> str | None:
    """Why a crawler must not connect to `ip` ('loopback', 'private'...), or None if public."""
    if isinstance(ip, ipaddress.IPv6Address):
        inner = embedded_ipv4(ip)
        if inner is not None:  # the packets go to the IPv4 address inside
            return forbidden_kind(inner)
    for kind, hit in (
        ("unspecified", ip.is_unspecified),
        ("loopback", ip.is_loopback),
        ("link-local", ip.is_link_local),
        ("multicast", ip.is_multicast),
        ("private", ip.is_private),
        ("reserved", ip.is_reserved),
    ):
        if hit:
            return kind
    return None if ip.is_global else "non-global"


def literal_ip(host: str) -> IPAddress | None:
    """The address a URL host spells in standard form ('10.0.0.1', '::1'), or None for a name."""
    try:
        return ipaddress.ip_address(host.split("%", 1)[0])  # an IPv6 zone id names no other host
    except ValueError:
        return None


def endpoint(parts: ParseResult) -> Endpoint | None:
    """(host, port) of an http(s) URL, the scheme's default port when none is given."""
    host = (parts.hostname or "").rstrip(".")
    if not host or parts.scheme not in DEFAULT_PORTS:
        return None
    try:
        port = parts.port or DEFAULT_PORTS[parts.scheme]
    except ValueError:  # a port out of range: not a URL anything can fetch
        return None
    return host, port


async def reactor_resolve(host: str) -> str:
    """The address Scrapy's downloader would connect to (DNS_RESOLVER, DNS cache)."""
    from twisted.internet import reactor

    return await maybe_deferred_to_future(reactor.resolve(host))  # type: ignore[arg-type]


class GuardMiddleware:
    def __init__(
        self,
        stats: StatsCollector,
        named: set[Endpoint] | None = None,
        private_sources: set[str] | None = None,
        resolve: Resolve = reactor_resolve,
    ) -> None:
        self.stats = stats
        self.named = set(named or ())  # endpoints of start URLs
        self.private_sources = set(private_sources or ())  # sources with allow_private
        self.vouched: set[Endpoint] = set()  # endpoints a private source reached
        self.resolve = resolve
        self.verdicts: dict[str, str | None] = {}  # host -> "address is kind", or None if fine
        self.refused_hosts: set[str] = set()

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> GuardMiddleware:
        if not crawler.settings.getbool("GUARD_ENABLED"):
            raise NotConfigured("GUARD_ENABLED is off")
        guard = cls(crawler.stats)
        crawler.signals.connect(guard.spider_opened, signal=signals.spider_opened)
        return guard

    def spider_opened(self, spider: Spider) -> None:
        """Learn the named endpoints and the private-allowing sources from the spider."""
        sources = getattr(spider, "sources", None) or []
        urls = [u for s in sources for u in s.start_urls] or list(getattr(spider, "start_urls", []))
        self.named |= {e for e in (endpoint(urlparse(u)) for u in urls) if e}
        self.private_sources |= {s.name for s in sources if getattr(s, "allow_private", False)}

    async def process_request(self, request: Request, spider: Spider | None = None) -> None:
        parts = urlparse_cached(request)
        target = endpoint(parts)
        if target is None:
            self._refuse(
                request, parts.hostname or parts.scheme, f"a {parts.scheme or 'relative'}: URL"
            )
        elif target not in self.named and not self._vouched(request, target):
            reason = await self._verdict(target[0])
            if reason is not None:
                self._refuse(request, f"{target[0]}:{target[1]}", reason)

    def _vouched(self, request: Request, target: Endpoint) -> bool:
        context: dict[str, Any] = request.meta.get("newsbot_context") or {}
        if context.get("source") in self.private_sources:
            self.vouched.add(target)
            return True
        return not context and target in self.vouched  # robots.txt of a host a source reached

    async def _verdict(self, host: str) -> str | None:
        if host not in self.verdicts:
            if len(self.verdicts) >= MAX_VERDICTS:
                self.verdicts.clear()
            self.verdicts[host] = await self._judge(host)
        return self.verdicts[host]

    async def _judge(self, host: str) -> str | None:
        ip = literal_ip(host)
        if ip is None:
            try:
                ip = literal_ip(await self.resolve(host))
            except (DNSLookupError, DNSTimeoutError, OSError):
                return None  # no address, no connection: the download reports the lookup
        kind = forbidden_kind(ip) if ip is not None else None
        return f"address {ip} is {kind}" if kind else None

    def _refuse(self, request: Request, host: str, reason: str) -> None:
        self.stats.inc_value("newsbot/guard/refused")
        if host not in self.refused_hosts:
            self.refused_hosts.add(host)
            self.stats.inc_value("newsbot/guard/refused_hosts")
            logger.warning(
                "refused %s: %s, not named in a start URL (first refusal for %s; "
                "allow_private = true in the sources file allows it)",
                request.url,
                reason,
                host,
            )
        raise RefusedRequest(f"refused by the guard: {reason}")
