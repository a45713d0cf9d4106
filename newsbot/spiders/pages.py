"""What live and replay spiders share: turning an HTML response into a Page item.

Both spiders call `ArticlePages.page_from`, so a replay decides "article or
not" exactly as the live crawl did, and numbers article pages in the order
they were captured (the order dedup's "first copy wins" relies on).
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from newsbot import norecord
from newsbot.items import Page
from newsbot.pagetype import is_candidate, page_kind
from newsbot.runtime import utc_stamp
from newsbot.sitestats import site_key

if TYPE_CHECKING:
    from scrapy.http import Response
    from scrapy.statscollectors import StatsCollector

    from newsbot.items import CaptureContext

HTML_TYPES = (b"text/html", b"application/xhtml")


def is_html(response: Response) -> bool:
    ctype = (response.headers.get(b"Content-Type") or b"").lower()
    if ctype:
        return any(t in ctype for t in HTML_TYPES)
    head = response.body[:512].lstrip().lower()
    return head.startswith((b"<!doctype html", b"<html"))


# Signatures of formats servers send as text/html by mistake: images, PDF, archives, media.
BINARY_MAGIC = (
    b"\x89PNG",
    b"GIF8",
    b"\xff\xd8\xff",
    b"%PDF-",
    b"PK\x03\x04",
    b"\x1f\x8b",
    b"RIFF",
    b"OggS",
    b"ID3",
    b"\x00\x00\x00",
)
UTF16_BOMS = (b"\xff\xfe", b"\xfe\xff")


def looks_binary(body: bytes) -> bool:
    """Whether a body is no text at all, whatever its Content-Type said (NULs, a file signature)."""
    head = body[:1024]
    if head.startswith(UTF16_BOMS):
        return False
    return head.startswith(BINARY_MAGIC) or b"\x00" in head


class ArticlePages:
    """Mixin: numbering and building of Page items."""

    page_seq = 0

    def page_from(
        self, response: Response, context: CaptureContext, capture: dict[str, Any] | None = None
    ) -> Page | None:
        """A Page item if the response is an HTML article candidate, else None (counted
        under its reason, see `newsbot.norecord`).

        `capture`: when and where the response was archived (by default what the
        capture middleware put in the request's meta)."""
        candidate = is_candidate(context)
        reason = self._no_page_reason(response, candidate)
        if reason is not None:
            norecord.count(
                self.stats, reason, response.url, context.get("source"), candidate=candidate
            )
            return None
        if capture is None:
            capture = response.meta.get("newsbot_capture") or {}
        page = Page(
            url=response.url,
            body=response.body,
            encoding=getattr(response, "encoding", None),
            seq=self.page_seq,
            fetched_at=capture.get("fetched_at") or utc_stamp(),
            warc=capture.get("warc"),
            context=context,
        )
        self.page_seq += 1
        self._inc("newsbot/pages/article")
        self._inc(site_key(context.get("source"), "article_candidates"))
        return page

    @staticmethod
    def _no_page_reason(response: Response, candidate: bool) -> str | None:
        if not is_html(response):
            return "not_html"
        if looks_binary(response.body):
            return "binary"
        kind = page_kind(response.url, response.body, candidate=candidate)
        return None if kind == "article" else kind

    @property
    def stats(self) -> StatsCollector | None:
        """The crawl's stats, once the crawl has started (Scrapy sets them late)."""
        crawler = getattr(self, "crawler", None)
        try:
            return crawler.stats if crawler is not None else None
        except RuntimeError:
            return None

    def _inc(self, key: str, count: int = 1) -> None:
        stats = self.stats
        if stats is not None:
            stats.inc_value(key, count)
