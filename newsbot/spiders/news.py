"""The `news` spider: discover article pages from sitemaps, feeds and section pages.

    scrapy crawl news -a url=https://example.com/sitemap.xml[,https://example.com/rss]
    scrapy crawl news -a sources=sources.toml [-a since=2025-12-01]

Start URLs may be home or section pages, sitemaps (indexes, Google News
sitemaps, gzipped), robots.txt or RSS/Atom feeds: each response is read for
what it is, whatever the URL said. Only article pages become items; listings
are followed (up to NEWSBOT_FOLLOW_DEPTH), everything stays inside each
source's allowed domains.
"""

from __future__ import annotations

import logging
from collections.abc import AsyncIterator, Iterator
from datetime import date
from typing import TYPE_CHECKING, Any
from urllib.parse import urljoin, urlsplit

from scrapy import Request, Spider
from scrapy.http import HtmlResponse
from scrapy.linkextractors import LinkExtractor

from newsbot import discovery, norecord, sources
from newsbot.dates.parse import normalize_date
from newsbot.dates.sitezones import EarlierRuns
from newsbot.failures import describe, failure_key
from newsbot.items import CaptureContext, capture_context
from newsbot.pagetype import url_kind
from newsbot.runtime import Runtime
from newsbot.sitestats import site_key
from newsbot.spiders.pages import ArticlePages, is_html
from newsbot.urls import host_of, without_tracking

if TYPE_CHECKING:
    from scrapy.http import Response
    from twisted.python.failure import Failure

    from newsbot.items import Page

logger = logging.getLogger(__name__)

# Link elements of a page in document order (a descendant-axis path: libxml2 sorts unions slowly).
LINK_ELEMENTS = "/descendant::*[self::a or self::area][@href]"


def link_extractor(cap: int) -> LinkExtractor:
    """Reads only the first `cap` links of a page (0: all); its allow_domains misses hosts with a port."""
    restrict = f"{LINK_ELEMENTS}[position() <= {cap}]" if cap > 0 else ()
    return LinkExtractor(unique=True, restrict_xpaths=restrict)


class NewsSpider(ArticlePages, Spider):
    name = "news"

    def __init__(
        self,
        url: str | None = None,
        sources: str | None = None,
        since: str | None = None,
        timezone: str | None = None,
        **kwargs: Any,
    ) -> None:
        super().__init__(**kwargs)
        self.sources = self._load_sources(url, sources, timezone)
        self.by_name = {s.name: s for s in self.sources}
        self.allowed_domains = sorted({d for s in self.sources for d in s.allowed_domains})
        self.since = self._parse_since(since)
        # Read in start(): Scrapy builds the spider before it applies the add-on's defaults.
        self.follow_depth: int
        self.discover_sitemaps: bool
        self.max_links: int
        self.links: LinkExtractor

    def _read_settings(self) -> None:
        settings = self.crawler.settings
        self.follow_depth = settings.getint("NEWSBOT_FOLLOW_DEPTH")
        self.discover_sitemaps = settings.getbool("NEWSBOT_DISCOVER_SITEMAPS")
        self.max_links = settings.getint("NEWSBOT_MAX_LINKS_PER_PAGE")
        self.links = link_extractor(self.max_links)
        self.site_zones = EarlierRuns(
            Runtime.of(self.crawler).backend.site_zones(),
            min_pages=settings.getint("NEWSBOT_ZONE_MIN_PAGES"),
            agreement=settings.getfloat("NEWSBOT_ZONE_AGREEMENT"),
        )

    @staticmethod
    def _load_sources(url: str | None, path: str | None, zone: str | None) -> list[sources.Source]:
        if bool(url) == bool(path):
            raise sources.SourceError("give exactly one of -a url=URL[,URL...] or -a sources=FILE")
        return sources.from_urls(url, zone) if url else sources.load(path)  # type: ignore[arg-type]

    @staticmethod
    def _parse_since(since: str | None) -> str | None:
        if not since:
            return None
        try:
            return date.fromisoformat(since).isoformat()
        except ValueError as exc:
            raise sources.SourceError(f"since must be YYYY-MM-DD, not {since!r}") from exc

    # --- start ----------------------------------------------------------------
    async def start(self) -> AsyncIterator[Any]:
        self._read_settings()
        for src in self.sources:  # the zone the report reads hours in (learnt from pages when none)
            if src.timezone:
                self.crawler.stats.set_value(site_key(src.name, "timezone"), src.timezone)
        for src in self.sources:
            for url in src.start_urls:
                yield self._request(url, src.name, callback=self.parse_start, depth=0, start=True)
                if self.discover_sitemaps and urlsplit(url).path in ("", "/"):
                    yield self._request(
                        urljoin(url, "/robots.txt"),
                        src.name,
                        callback=self.parse_start,
                        depth=0,
                        start=True,
                    )

    def _request(
        self,
        url: str,
        source: str,
        *,
        callback: Any,
        depth: int,
        hints: dict[str, str] | None = None,
        start: bool = False,
        listed: bool = False,
    ) -> Request:
        """A request whose capture context (archived with the response) says how the page
        was reached: `candidate` for start URLs and sitemap or feed entries, and its depth."""
        src = self.by_name[source]
        context = capture_context(source, src.timezone, hints or {}, listed or start, depth)
        if not src.timezone:
            context["site_zone"] = self.site_zones.zone(host_of(url))
        return Request(
            without_tracking(url),
            callback=callback,
            errback=self.on_error,
            meta={"newsbot_context": context, "newsbot_depth": depth, "newsbot_start": start},
        )

    def parse_start(self, response: Response) -> Iterator[Any]:
        self._inc("newsbot/start/reachable")
        yield from self.parse_any(response)

    def on_error(self, failure: Failure) -> None:
        """Count a failed request under one readable key and log it once, without a traceback."""
        request = failure.request  # type: ignore[attr-defined]
        if request.meta.get("newsbot_start"):
            self._inc("newsbot/start/failed")
        error = failure.value
        assert error is not None  # an errback's failure always holds its exception
        key = failure_key(error)
        if (
            key is None
        ):  # not fetched on purpose (offsite, robots.txt, archived, guard): counted there
            logger.debug("not fetched: %s (%s)", request.url, failure.getErrorMessage())
            return
        self._inc(f"newsbot/{key}")
        logger.warning("fetch failed: %s (%s)", request.url, describe(error))

    # --- dispatch on what the response is -------------------------------------
    def parse_any(self, response: Response) -> Iterator[Any]:
        context: CaptureContext = response.meta.get("newsbot_context") or CaptureContext()
        source = context.get("source") or self.sources[0].name
        self._inc(site_key(source, "pages_fetched"))
        if urlsplit(response.url).path.endswith("/robots.txt"):
            for url in discovery.robots_sitemaps(response.body, response.url):
                yield from self._entry_request(url, source, callback=self.parse_any, depth=0)
            return
        if is_html(response) and not discovery.is_xml_listing(response.body):
            yield from self.parse_html(response, source, context)
            return
        yield from self.parse_xml(response, source)

    def parse_xml(self, response: Response, source: str) -> Iterator[Request]:
        problems: list[str] = []
        try:
            body = discovery.maybe_gunzip(response.body)
            root = discovery.xml_root_name(body)
            if root in ("urlset", "sitemapindex"):
                entries = discovery.parse_sitemap(body, problems)
                hint_key = "sitemap"
            elif root in ("rss", "feed", "RDF"):
                entries = discovery.parse_feed(body, problems, base_url=response.url)
                hint_key = "feed"
            elif root is None and discovery.is_text_sitemap(body):
                entries, hint_key = discovery.parse_text_sitemap(body), "sitemap"
            else:
                norecord.count(self.stats, "not_html", response.url, source, candidate=False)
                return
        except discovery.DiscoveryError as exc:
            self._inc("newsbot/errors/bad_sitemap_or_feed")
            logger.warning("unreadable sitemap/feed %s: %s", response.url, exc)
            return
        self._inc(f"newsbot/discovery/{hint_key}s")
        if problems:
            self._inc("newsbot/discovery/malformed")
            logger.warning(
                "malformed %s %s (%d entries recovered): %s",
                hint_key,
                response.url,
                len(entries),
                problems[0],
            )
        for entry in entries:
            yield from self._follow_entry(entry, response.url, source, hint_key)

    def _follow_entry(
        self, entry: discovery.Entry, base: str, source: str, hint_key: str
    ) -> Iterator[Request]:
        """The request for a sitemap or feed entry, or none and the reason counted."""
        if not entry.url:
            self._skip("no_link", f"an entry of {base}")
            return
        try:
            url = urljoin(base, entry.url)
            reason = None if entry.kind == "sitemap" else self._unwanted(url, source, entry.date)
        except (ValueError, OverflowError):  # an unparseable URL (bad IPv6 address) or date
            self._skip("bad_url", entry.url)
            return
        if entry.kind == "sitemap":
            yield from self._entry_request(url, source, callback=self.parse_any, depth=0)
            return
        if reason is not None:
            self._skip(reason, url)
            return
        hints = {hint_key: entry.date} if entry.date else {}
        yield from self._entry_request(
            url, source, callback=self.parse_any, depth=1, hints=hints, listed=True
        )

    def _entry_request(self, url: str, source: str, **kwargs: Any) -> Iterator[Request]:
        """A request for a link a document gave, or none (a URL Scrapy refuses is counted)."""
        try:
            yield self._request(url, source, **kwargs)
        except ValueError:  # Request(): "Missing scheme", a bad port, ...
            self._skip("bad_url", url)

    def _unwanted(self, url: str, source: str, stated: str | None) -> str | None:
        """Why an entry link is not followed: bad_url, not_html, offsite, denied,
        older_than_since; None to follow it."""
        src = self.by_name[source]
        if urlsplit(url).scheme not in ("http", "https"):
            return "bad_url"
        if url_kind(url) == "skip":
            return "not_html"
        if not src.covers(url):
            return "offsite"
        if not src.permits(url):
            return "denied"
        if self.since and stated:
            day = normalize_date(stated)
            if day and day[:10] < self.since:
                return "older_than_since"
        return None

    def _skip(self, reason: str, url: str) -> None:
        self._inc(f"newsbot/discovery/skipped/{reason}")
        logger.debug("entry not followed (%s): %s", reason, url)

    def parse_html(self, response: Response, source: str, context: CaptureContext) -> Iterator[Any]:
        page = self.page_from(response, context)
        if page is not None:
            yield page
            return
        yield from self._listing_requests(response, source, response.meta.get("newsbot_depth", 0))

    def follow_listing(self, page: Page) -> list[Request]:
        """Requests for the links of a candidate the workers judged a listing (called by
        the extraction stage): followed like those of a page the spider could tell was one."""
        source, depth = page.context.get("source"), page.context.get("depth")
        if source not in self.by_name or not isinstance(depth, int):
            return []
        response = HtmlResponse(page.url, body=page.body, encoding=page.encoding or "utf-8")
        return list(self._listing_requests(response, source, depth))

    def _listing_requests(
        self, response: HtmlResponse | Response, source: str, depth: int
    ) -> Iterator[Request]:
        if depth >= self.follow_depth:
            return
        src = self.by_name[source]
        for link in self._page_links(response):
            kind = url_kind(link.url)
            if kind == "skip" or not src.covers(link.url) or src.denies(link.url):
                continue
            if kind == "article" and not src.permits(link.url):
                continue
            yield self._request(link.url, source, callback=self.parse_any, depth=depth + 1)

    def _page_links(self, response: Response) -> list[Any]:
        """The page's first NEWSBOT_MAX_LINKS_PER_PAGE links; the rest are counted, not read."""
        if self.max_links > 0:
            total = int(float(response.xpath(f"count({LINK_ELEMENTS})").get() or 0))
            if total > self.max_links:
                self._inc("newsbot/links/over_cap", total - self.max_links)
                logger.warning(
                    "%s has %d links: following the first %d (NEWSBOT_MAX_LINKS_PER_PAGE)",
                    response.url,
                    total,
                    self.max_links,
                )
        return self.links.extract_links(response)  # type: ignore[arg-type]  # an HTML response

    def closed(self, reason: str) -> None:
        """A crawl that reached no start URL and no article achieved nothing: say so.

        (A JOBDIR resume filters its start URLs as seen, but works its queue.)
        """
        stats = self.stats
        if stats is None or reason == "shutdown":
            return
        if stats.get_value("newsbot/frontier/crawl_done"):  # a shared crawl did work, maybe
            return  # all of it by other workers (newsbot/frontier/)
        if not stats.get_value("newsbot/start/reachable") and not stats.get_value(
            "newsbot/pages/article"
        ):
            stats.set_value("newsbot/failed", "no start URL reachable")
