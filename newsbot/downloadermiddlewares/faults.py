"""Responses that cannot be used as they came: broken compressed bodies, redirect loops.

Ordered between WARC capture (950) and RedirectMiddleware (600) /
HttpCompressionMiddleware (590): the raw exchange is archived first, then
this middleware fails the request with a `FetchFault` that names the fault,
and the spider's errback counts it (`newsbot/errors/<kind>`) and logs it once.

- A gzip or deflate body whose stream stops before its end marker
  (``truncated_gzip``) or does not inflate at all (``corrupt_gzip``). Scrapy
  inflates what it can and says nothing, so a cut page would become a record
  with half its text. A wrong checksum after a complete stream is let through,
  as Scrapy does on purpose.
- A compressed body inflating past DOWNLOAD_MAXSIZE (``maxsize``): a gzip bomb.
  Inflated in chunks and counted, never held.
- A redirect back to a URL already visited in the same chain
  (``redirect_loop``); the dupefilter would drop it silently otherwise.
  Long chains end at REDIRECT_MAX_TIMES (``redirect_max``, see newsbot.failures).
"""

from __future__ import annotations

import zlib
from typing import TYPE_CHECKING
from urllib.parse import urljoin

from scrapy.exceptions import NotConfigured
from w3lib.url import canonicalize_url, safe_url_string

from newsbot.failures import FetchFault

if TYPE_CHECKING:
    from scrapy import Request, Spider
    from scrapy.crawler import Crawler
    from scrapy.http import Response

CHUNK = 64 * 1024
REDIRECT_STATUSES = frozenset({301, 302, 303, 307, 308})
GZIP_MAGIC = b"\x1f\x8b"
TRAILER_ERRORS = ("incorrect data check", "incorrect length check")  # complete stream, bad checksum


def _inflate_member(data: bytes, wbits: int, budget: int) -> tuple[int, bool, bytes]:
    """Inflate one stream, keeping nothing: (bytes out, stream ended, bytes after it).

    Stops early once more than `budget` bytes came out (budget < 0: no limit).
    """
    inflater = zlib.decompressobj(wbits)
    size, pending = 0, data
    while not inflater.eof:
        size += len(inflater.decompress(pending, CHUNK))
        pending = inflater.unconsumed_tail
        if 0 <= budget < size:
            break
        if not pending and not inflater.eof:
            size += len(inflater.flush())  # input exhausted: only buffered output is left
            break
    return size, inflater.eof, inflater.unused_data


def compressed_body_fault(body: bytes, encoding: bytes, max_size: int) -> FetchFault | None:
    """The fault of a gzip/deflate body, or None when it inflates whole within max_size."""
    if encoding == b"deflate":  # zlib-wrapped, or raw as some servers send it (Scrapy reads both)
        wbits = zlib.MAX_WBITS if _zlib_header(body) else -zlib.MAX_WBITS
    else:
        wbits = 16 + zlib.MAX_WBITS
    members, total = [body], 0
    while members:
        try:
            budget = max_size - total if max_size else -1
            size, ended, rest = _inflate_member(members.pop(), wbits, budget)
        except zlib.error as exc:
            if any(text in str(exc) for text in TRAILER_ERRORS):
                return None
            return FetchFault("corrupt_gzip", f"{encoding.decode()} body does not inflate: {exc}")
        total += size
        if max_size and total > max_size:
            return FetchFault(
                "maxsize",
                f"{encoding.decode()} body inflates past DOWNLOAD_MAXSIZE "
                f"({len(body)} B compressed, over {max_size} B inflated)",
            )
        if not ended:
            return FetchFault(
                "truncated_gzip",
                f"{encoding.decode()} stream cut after {len(body)} B ({total} B inflated)",
            )
        if rest.startswith(GZIP_MAGIC) and wbits > zlib.MAX_WBITS:
            members.append(rest)  # concatenated gzip members (RFC 1952 allows them)
    return None


def _zlib_header(body: bytes) -> bool:
    return len(body) >= 2 and body[0] & 0x0F == 8 and (body[0] << 8 | body[1]) % 31 == 0


def redirect_target(request: Request, response: Response) -> str | None:
    """Where a 3xx response sends the request, as RedirectMiddleware would resolve it."""
    location = response.headers.get(b"Location")
    if (
        response.status not in REDIRECT_STATUSES
        or not location
        or request.meta.get("dont_redirect")
    ):
        return None
    return urljoin(response.url, safe_url_string(location.decode("latin-1")))


class FaultMiddleware:
    def __init__(self, max_size: int) -> None:
        self.max_size = max_size

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> FaultMiddleware:
        if not crawler.settings.getbool("FAULTS_ENABLED"):
            raise NotConfigured("FAULTS_ENABLED is off")
        return cls(crawler.settings.getint("DOWNLOAD_MAXSIZE"))

    def process_response(
        self, request: Request, response: Response, spider: Spider | None = None
    ) -> Response:
        target = redirect_target(request, response)
        if target is not None:
            self._check_loop(request, target)
        encodings = [
            e.strip().lower()
            for v in response.headers.getlist(b"Content-Encoding")
            for e in v.split(b",")
            if e.strip()
        ]
        if (
            request.method != "HEAD"
            and len(encodings) == 1
            and encodings[0] in (b"gzip", b"x-gzip", b"deflate")
        ):
            max_size = request.meta.get("download_maxsize", self.max_size)
            fault = compressed_body_fault(response.body, encodings[0], max_size)
            if fault is not None:
                raise fault
        return response

    @staticmethod
    def _check_loop(request: Request, target: str) -> None:
        chain = [*request.meta.get("redirect_urls", []), request.url]
        if canonicalize_url(target) in {canonicalize_url(u) for u in chain}:
            raise FetchFault("redirect_loop", f"redirect loop: {' -> '.join(chain)} -> {target}")
