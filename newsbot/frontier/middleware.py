"""Acknowledgement at the end of a callback's output: the spider middleware half.

Scrapy has no "callback done" signal. This middleware sits outermost (nearest the
engine), so it sees a leased request's output after every other middleware filtered
it, and every request in it has been handed to the scheduler by the time the output is
exhausted. It tells the ledger: response reached, each item yielded (the item then
owes its own ending), output done. A callback that raised counts as done too. The
failure half is `Acknowledging`, the errback the scheduler puts on every leased request.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from scrapy import Request
from scrapy.exceptions import NotConfigured

from newsbot.frontier import META_KEY, Frontier, enabled

if TYPE_CHECKING:
    from collections.abc import AsyncIterator, Iterable, Iterator

    from scrapy.crawler import Crawler
    from scrapy.http import Response
    from twisted.python.failure import Failure

    from newsbot.frontier.ledger import Ledger


class AcknowledgeMiddleware:
    def __init__(self, ledger: Ledger) -> None:
        self.ledger = ledger

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> AcknowledgeMiddleware:
        if not enabled(crawler.settings):
            raise NotConfigured("no shared frontier (NEWSBOT_REDIS_URL, NEWSBOT_CRAWL_ID)")
        return cls(Frontier.of(crawler).ledger)

    def process_spider_input(self, response: Response) -> None:
        entry = response.meta.get(META_KEY)
        if entry is not None:
            self.ledger.reached(entry)

    def process_spider_output(self, response: Response, result: Iterable[Any]) -> Iterator[Any]:
        entry = response.meta.get(META_KEY)
        try:
            for out in result:
                self._count(entry, out)
                yield out
        finally:
            self._done(entry)

    async def process_spider_output_async(
        self, response: Response, result: AsyncIterator[Any]
    ) -> AsyncIterator[Any]:
        entry = response.meta.get(META_KEY)
        try:
            async for out in result:
                self._count(entry, out)
                yield out
        finally:
            self._done(entry)

    def process_spider_exception(self, response: Response, exception: BaseException) -> None:
        self._done(response.meta.get(META_KEY))

    def _count(self, entry: str | None, out: Any) -> None:
        if entry is not None and out is not None and not isinstance(out, Request):
            self.ledger.item_yielded(entry)

    def _done(self, entry: str | None) -> None:
        if entry is not None:
            self.ledger.output_done(entry)


class Acknowledging:
    """An errback that reports its request's ending to the ledger, after the spider's own
    errback (or in its place) ran. Taken off again before a request is serialised."""

    def __init__(self, original: Any, ledger: Ledger, entry_id: str) -> None:
        self.original, self.ledger, self.entry_id = original, ledger, entry_id

    def __call__(self, failure: Failure) -> Any:
        self.ledger.reached(self.entry_id)
        if self.original is None:
            self.ledger.output_done(self.entry_id)
            failure.raiseException()
        try:
            output = self.original(failure)
        except Exception:
            self.ledger.output_done(self.entry_id)
            raise
        if output is None:
            self.ledger.output_done(self.entry_id)
            return None
        return _then(output, lambda: self.ledger.output_done(self.entry_id))


def _then(output: Any, done: Any) -> Any:
    def gen() -> Any:
        try:
            yield from output
        finally:
            done()

    return gen()
