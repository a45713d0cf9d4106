"""URL canonicalisation and article ids.

One article is fetched once and gets one id even when feeds and sitemaps give
its URL with tracking parameters, another order of query arguments, a
fragment, or http instead of https.
"""

from __future__ import annotations

import hashlib
import re
from functools import lru_cache
from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit

from w3lib.url import canonicalize_url

TRACKING_PARAM = re.compile(
    r"^(utm_\w+|fbclid|gclid|dclid|gclsrc|msclkid|mc_cid|mc_eid|yclid|igshid|_ga|_gl|"
    r"ocid|cmpid|ito|icid|ncid|sr_share|share|smid|src|ref|ref_src|rss|taid|mbid)$",
    re.IGNORECASE,
)


def strip_tracking(url: str) -> str:
    """Drop tracking query parameters and the fragment, keep everything else as is."""
    parts = urlsplit(url)
    query = [
        (k, v)
        for k, v in parse_qsl(parts.query, keep_blank_values=True)
        if not TRACKING_PARAM.match(k)
    ]
    return urlunsplit((parts.scheme, parts.netloc, parts.path, urlencode(query), ""))


def without_tracking(url: str) -> str:
    """The URL to fetch: no fragment, no tracking parameters (an untracked query is kept byte for byte)."""
    parts = urlsplit(url)
    if any(TRACKING_PARAM.match(k) for k, _ in parse_qsl(parts.query, keep_blank_values=True)):
        return strip_tracking(url)
    return urlunsplit(parts._replace(fragment=""))


@lru_cache(maxsize=8192)  # asked several times per page by several stages
def url_key(url: str) -> str:
    """The identity of a page: canonical URL without scheme, tracking or fragment."""
    canon = canonicalize_url(strip_tracking(url.strip()), keep_fragments=False)
    parts = urlsplit(canon)
    host = (parts.hostname or "").rstrip(".")
    port = f":{parts.port}" if parts.port and parts.port not in (80, 443) else ""
    path = parts.path or "/"
    return f"{host}{port}{path}" + (f"?{parts.query}" if parts.query else "")


def article_id(url: str, version: int = 1) -> str:
    """Stable record id: a hash of the page's own canonical URL (and version from 2 on)."""
    key = url_key(url) if version == 1 else f"{url_key(url)}#v{version}"
    return hashlib.sha1(key.encode("utf-8")).hexdigest()[:16]


def host_of(url: str) -> str:
    return (urlsplit(url).hostname or "").lower()
