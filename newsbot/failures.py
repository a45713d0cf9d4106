"""What went wrong with a request, as one readable stats key.

Every request the news spider makes ends in its errback when it fails, with
whatever Scrapy raised: an HttpError for a 404 or a 503 that outlived its
retries, a download exception for a timeout or a reset, an IgnoreRequest
from a middleware. `failure_key` turns that into the key counted under
`newsbot/` (``http/503``, ``errors/DownloadTimeoutError``, ``errors/maxsize``,
``errors/redirect_max``...), so the summary says what happened in words, once
per URL. Requests a middleware chose not to fetch (offsite, robots.txt,
already archived, refused by the guard) are not failures: those middlewares
count them themselves, and `failure_key` returns None.
"""

from __future__ import annotations

from scrapy.exceptions import DownloadCancelledError, IgnoreRequest
from scrapy.spidermiddlewares.httperror import HttpError

MAX_REDIRECTS_MESSAGE = "max redirections reached"  # RedirectMiddleware's IgnoreRequest
DECOMPRESSION_MAXSIZE_MESSAGE = "exceeded DOWNLOAD_MAXSIZE"  # HttpCompressionMiddleware's


class FetchFault(IgnoreRequest):
    """A response newsbot will not use, with the stats key saying why (e.g. ``truncated_gzip``)."""

    def __init__(self, kind: str, message: str) -> None:
        super().__init__(message)
        self.kind = kind


def failure_key(exc: BaseException) -> str | None:
    """The `newsbot/...` stats key (without the prefix) of a failed request, or None."""
    if isinstance(exc, FetchFault):
        return f"errors/{exc.kind}"
    if isinstance(exc, HttpError):
        return f"http/{exc.response.status}"
    if isinstance(
        exc, DownloadCancelledError
    ):  # the HTTP handlers cancel only over DOWNLOAD_MAXSIZE
        return "errors/maxsize"
    if isinstance(exc, IgnoreRequest):
        message = str(exc)
        if MAX_REDIRECTS_MESSAGE in message:
            return "errors/redirect_max"
        if DECOMPRESSION_MAXSIZE_MESSAGE in message:
            return "errors/maxsize"
        return None
    return f"errors/{type(exc).__name__}"


def describe(exc: BaseException) -> str:
    """A one-line reason for the log: 'HTTP 503', 'DownloadTimeoutError: took longer than 3 s'."""
    if isinstance(exc, HttpError):
        return f"HTTP {exc.response.status}"
    name = exc.kind if isinstance(exc, FetchFault) else type(exc).__name__
    message = " ".join(str(exc).split())[:200]
    return f"{name}: {message}" if message else name
