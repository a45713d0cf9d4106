"""Log lines about items that name the article, not print it.

Scrapy's default formatter writes each scraped item's repr at DEBUG and each
dropped item's at the drop's level: for newsbot that is an article's whole
text, or a page's whole HTML body, per line of log. Here an item is named by
its id and URL; the records themselves are in the JSONL archives.

Scrapy sets the root logger to pass everything and filters in its handler, so
every `logger.debug` call builds a record that is then thrown away: two per
page in a large crawl. newsbot's own loggers get the crawl's LOG_LEVEL, and the
per-item DEBUG line is not built when no handler would print it.

Scrapy logs a robots.txt download that failed (reset, timeout, DNS) at ERROR
with a traceback; the line already names the request and the exception, so
the traceback is dropped: one readable line per site, as for other failures.
"""

from __future__ import annotations

import logging
from typing import TYPE_CHECKING, Any

from itemadapter import ItemAdapter
from scrapy.logformatter import LogFormatter, LogFormatterResult

if TYPE_CHECKING:
    from scrapy import Spider
    from scrapy.crawler import Crawler
    from scrapy.http import Response
    from twisted.python.failure import Failure


def describe(item: Any) -> str:
    """`<id> <url>` of an article, the URL of a page, the type of anything else."""
    try:
        adapter = ItemAdapter(item)
    except TypeError:
        return type(item).__name__
    return " ".join(str(adapter[k]) for k in ("id", "url") if adapter.get(k)) or type(item).__name__


ROBOTS_LOGGER = "scrapy.downloadermiddlewares.robotstxt"


class WithoutTraceback(logging.Filter):
    """Keep a record's message, drop its traceback."""

    def filter(self, record: logging.LogRecord) -> bool:
        record.exc_info = None
        record.exc_text = None
        return True


def printed(level: int) -> bool:
    """Would a handler of the root logger (Scrapy's, or one the user added) print `level`?"""
    return any(handler.level <= level for handler in logging.root.handlers)


class NewsLogFormatter(LogFormatter):
    @classmethod
    def from_crawler(cls, crawler: Crawler) -> NewsLogFormatter:
        logging.getLogger("newsbot").setLevel(crawler.settings.get("LOG_LEVEL") or logging.DEBUG)
        robots = logging.getLogger(ROBOTS_LOGGER)
        if not any(isinstance(f, WithoutTraceback) for f in robots.filters):
            robots.addFilter(WithoutTraceback())
        return cls()

    def scraped(  # type: ignore[override]  # Scrapy's scraper skips a None: nothing logged
        self, item: Any, response: Response | Failure | None, spider: Spider
    ) -> LogFormatterResult | None:
        if not printed(logging.DEBUG):
            return None
        return {"level": logging.DEBUG, "msg": "Scraped %(item)s", "args": {"item": describe(item)}}

    def dropped(
        self,
        item: Any,
        exception: BaseException,
        response: Response | Failure | None,
        spider: Spider,
    ) -> LogFormatterResult:
        result = super().dropped(item, exception, response, spider)
        return {
            **result,
            "msg": "Dropped %(item)s: %(exception)s",
            "args": {"exception": exception, "item": describe(item)},
        }

    def item_error(
        self,
        item: Any,
        exception: BaseException,
        response: Response | Failure | None,
        spider: Spider,
    ) -> LogFormatterResult:
        return {
            "level": logging.ERROR,
            "msg": "Error processing %(item)s",
            "args": {"item": describe(item)},
        }
