"""The sites a crawl covers: from a sources TOML file or from `-a url=...`.

A source names its start URLs (home or section pages, sitemaps, robots.txt,
RSS/Atom feeds), the domains it may stay within, its time zone (which decides
what a printed "IST" means), optional allow/deny patterns for article URLs,
and `allow_private` for a site on an intranet (see downloadermiddlewares/guard.py).
"""

from __future__ import annotations

import re
import sys
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

if sys.version_info >= (3, 11):
    import tomllib
else:  # pragma: no cover
    import tomli as tomllib

from newsbot.sitestats import site_of


class SourceError(ValueError):
    """A sources file or URL list that cannot be crawled as given."""


@dataclass
class Source:
    name: str
    start_urls: list[str]
    allowed_domains: list[str]
    timezone: str | None = None
    allow: list[re.Pattern[str]] = field(default_factory=list)
    deny: list[re.Pattern[str]] = field(default_factory=list)
    allow_private: bool = (
        False  # may fetch private/loopback addresses it did not name (intranet sites)
    )

    def covers(self, url: str) -> bool:
        """Whether a URL's host is one of the source's domains or below one."""
        host = (urlsplit(url).hostname or "").lower().rstrip(".")
        return any(host == d or host.endswith("." + d) for d in self.allowed_domains)

    def denies(self, url: str) -> bool:
        """Deny patterns apply to every URL the crawl would follow."""
        return any(p.search(url) for p in self.deny)

    def permits(self, url: str) -> bool:
        """Whether an article URL is in scope: not denied, and allowed if allow is given."""
        if self.denies(url):
            return False
        return not self.allow or any(p.search(url) for p in self.allow)


def from_urls(spec: str, timezone: str | None = None) -> list[Source]:
    """One source per host:port (its name) from a comma-separated URL list."""
    by_host: dict[str, Source] = {}
    for url in (u.strip() for u in spec.split(",")):
        if not url:
            continue
        host = _check_url(url)
        name = site_of(url)
        src = by_host.setdefault(name, Source(name, [], [host], _check_zone(timezone, host)))
        src.start_urls.append(url)
    if not by_host:
        raise SourceError("no start URL given")
    return list(by_host.values())


def load(path: str | Path) -> list[Source]:
    """Read a sources TOML file (see sources.toml in the repository for the format)."""
    try:
        data = tomllib.loads(Path(path).read_text(encoding="utf-8"))
    except (OSError, tomllib.TOMLDecodeError, UnicodeDecodeError) as exc:
        raise SourceError(f"cannot read sources file {path}: {exc}") from exc
    entries = data.get("source") or data.get("sources") or []
    if not entries:
        raise SourceError(f"{path}: no [[source]] entries")
    return [_source(entry, i) for i, entry in enumerate(entries)]


def _source(entry: dict[str, Any], index: int) -> Source:
    name = str(entry.get("name") or f"source-{index}")
    urls = entry.get("start_urls") or ([entry["url"]] if entry.get("url") else [])
    if not urls:
        raise SourceError(f"source {name!r}: no start_urls")
    hosts = [_check_url(u) for u in urls]
    domains = entry.get("allowed_domains") or sorted(set(hosts))
    try:
        allow = [re.compile(p) for p in entry.get("allow", [])]
        deny = [re.compile(p) for p in entry.get("deny", [])]
    except re.error as exc:
        raise SourceError(f"source {name!r}: bad pattern: {exc}") from exc
    allow_private = entry.get("allow_private", False)
    if not isinstance(allow_private, bool):
        raise SourceError(f"source {name!r}: allow_private must be true or false")
    return Source(
        name,
        list(urls),
        list(domains),
        _check_zone(entry.get("timezone"), name),
        allow,
        deny,
        allow_private,
    )


def _check_url(url: str) -> str:
    parts = urlsplit(url)
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise SourceError(f"not an http(s) URL: {url!r}")
    return parts.hostname.lower()


def _check_zone(zone: str | None, where: str) -> str | None:
    if not zone:
        return None
    try:
        ZoneInfo(zone)
    except (ZoneInfoNotFoundError, ValueError) as exc:
        raise SourceError(
            f"{where}: unknown time zone {zone!r} (use an IANA name such as Asia/Kolkata)"
        ) from exc
    return zone
