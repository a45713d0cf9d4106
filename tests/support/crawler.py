"""Components built as Scrapy builds them, in this process: for unit tests of pipelines,
middlewares, extensions and spiders.

`scrapy.utils.test.get_crawler` makes a crawler with newsbot's project settings (the add-on
applied, the resources extension built, so the state backend and the WARC service are
open); `scrapy.utils.misc.build_from_crawler` then builds one component through its
`from_crawler`, as the engine would. State lives in the in-memory backend and extraction
runs in this thread (`EXTRACT_WORKERS=-1`), so no process starts and nothing outlives
the test. No reactor is installed in the test process: Scrapy's test helper then makes a
reactorless crawler, and the async components, which await asyncio futures only, are
driven with `asyncio.run`.
"""

from __future__ import annotations

import asyncio
import urllib.error
import urllib.request
from collections.abc import AsyncIterator, Coroutine, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING, Any, TypeVar

from scrapy.utils.misc import build_from_crawler
from scrapy.utils.test import get_crawler

import newsbot.settings
from newsbot.runtime import Runtime

if TYPE_CHECKING:
    from scrapy import Request, Spider
    from scrapy.crawler import Crawler
    from scrapy.http import HtmlResponse

T = TypeVar("T")

# Unit-test settings: the project's, minus the reactor (get_crawler picks what fits the
# process), with state in memory and extraction in this thread.
UNIT = {
    "STATE_BACKEND": "newsbot.state.MemoryBackend",
    "EXTRACT_WORKERS": -1,
    "NEWSBOT_PROGRESS_INTERVAL": 0,
    "LOG_LEVEL": "INFO",
}


def project_settings() -> dict[str, Any]:
    """newsbot/settings.py as a dict, without TWISTED_REACTOR."""
    return {
        name: getattr(newsbot.settings, name)
        for name in dir(newsbot.settings)
        if name.isupper() and name != "TWISTED_REACTOR"
    }


@contextmanager
def crawler_for(
    spidercls: type[Spider],
    archive: Path,
    settings: dict[str, Any] | None = None,
    **spider_kwargs: Any,
) -> Iterator[Crawler]:
    """A crawler of `spidercls` (created with `spider_kwargs`) whose archive is `archive`;
    its resources are released at the end, as the resources extension releases them."""
    crawler = get_crawler(
        spidercls, {**project_settings(), **UNIT, "ARCHIVE_DIR": str(archive), **(settings or {})}
    )
    crawler.spider = crawler._create_spider(**spider_kwargs)
    try:
        yield crawler
    finally:
        runtime = Runtime.of(crawler)
        if runtime.warc is not None:
            runtime.warc.close()
            runtime.warc = None
        runtime.close()


def build(component: type[T], crawler: Crawler) -> T:
    """`component` built through its from_crawler, as Scrapy's managers build it."""
    return build_from_crawler(component, crawler)


def run(coro: Coroutine[Any, Any, T]) -> T:
    """Await a coroutine of an async component on a fresh asyncio loop."""
    return asyncio.run(coro)


async def collect(items: AsyncIterator[T]) -> list[T]:
    """Everything an async generator (a spider's `start()`) yields."""
    return [item async for item in items]


def fetch(url: str, request: Request | None = None) -> HtmlResponse:
    """GET `url` from a real (loopback) server: the response Scrapy would have built,
    bound to `request` (a plain GET of `url` by default)."""
    from scrapy import Request
    from scrapy.http import HtmlResponse

    try:
        with urllib.request.urlopen(url, timeout=30) as resp:
            status, headers, body = resp.status, resp.headers.items(), resp.read()
    except urllib.error.HTTPError as err:
        status, headers, body = err.code, err.headers.items(), err.read()
    merged: dict[str, list[str]] = {}
    for key, value in headers:
        merged.setdefault(key, []).append(value)
    return HtmlResponse(
        url, status=status, headers=merged, body=body, request=request or Request(url)
    )
