"""One fetch per page, whatever variant of its URL a feed or a page gave.

Scrapy's dupefilter already ignores fragments and query-argument order; news
links also differ by tracking parameters (utm_*, fbclid...), which the spider
strips, and by http/https, which only `newsbot.urls.url_key` (the identity
records are keyed by) ignores. This filter keys GET requests by `url_key`.

A redirect to the same key (http -> https, a redirect that drops tracking
parameters) is the page the filter already let in, so it is let through:
otherwise the common http -> https redirect would be dropped as a duplicate.
Redirect loops are caught by the fault middleware, not here.
"""

from __future__ import annotations

from typing import TYPE_CHECKING
from urllib.parse import quote

from scrapy import Request
from scrapy.dupefilters import RFPDupeFilter

from newsbot.urls import url_key

if TYPE_CHECKING:
    from scrapy import Request as RequestT

KEY_URL = (
    "http://url-key.invalid/"  # the key rides in a stand-in URL (keys may hold bare IPv6 hosts)
)


def stand_in(request: RequestT) -> RequestT | None:
    """The request whose fingerprint stands for `request` (its url_key in a stand-in URL for a
    GET), or None to let it through (a redirect to the key already let in). Shared with the
    frontier's Redis dupefilter (newsbot/frontier/dupefilter.py)."""
    if request.method != "GET" or request.body:
        return request
    key = url_key(request.url)
    previous = request.meta.get("redirect_urls") or []
    if previous and url_key(previous[-1]) == key:
        return None
    return Request(KEY_URL + quote(key, safe=""))


class UrlKeyDupeFilter(RFPDupeFilter):
    def request_seen(self, request: RequestT) -> bool:
        key = stand_in(request)
        return key is not None and super().request_seen(key)
