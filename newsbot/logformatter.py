"""Log lines about items that name the article, not print it.

Scrapy's default formatter writes each scraped item's repr at DEBUG and each
dropped item's at the drop's level: for newsbot that is an article's whole
text, or a page's whole HTML body, per line of log. Here an item is named by
its id and URL; the records themselves are in the JSONL archives.
"""

from __future__ import annotations

import logging
from typing import TYPE_CHECKING, Any

from itemadapter import ItemAdapter
from scrapy.logformatter import LogFormatter, LogFormatterResult

if TYPE_CHECKING:
    from scrapy import Spider
    from scrapy.http import Response
    from twisted.python.failure import Failure


def describe(item: Any) -> str:
    """`<id> <url>` of an article, the URL of a page, the type of anything else."""
    try:
        adapter = ItemAdapter(item)
    except TypeError:
        return type(item).__name__
    return " ".join(str(adapter[k]) for k in ("id", "url") if adapter.get(k)) or type(item).__name__


class NewsLogFormatter(LogFormatter):
    def scraped(self, item: Any, response: Response | Failure | None,
                spider: Spider) -> LogFormatterResult:
        return {"level": logging.DEBUG, "msg": "Scraped %(item)s", "args": {"item": describe(item)}}

    def dropped(self, item: Any, exception: BaseException, response: Response | Failure | None,
                spider: Spider) -> LogFormatterResult:
        result = super().dropped(item, exception, response, spider)
        return {**result, "msg": "Dropped %(item)s: %(exception)s",
                "args": {"exception": exception, "item": describe(item)}}

    def item_error(self, item: Any, exception: BaseException, response: Response | Failure | None,
                   spider: Spider) -> LogFormatterResult:
        return {"level": logging.ERROR, "msg": "Error processing %(item)s",
                "args": {"item": describe(item)}}
