"""The crawl's seen set in Redis, keyed like newsbot's own dupefilter.

A subclass of scrapy-redis's `RFPDupeFilter`: its scheduler calls
`dupefilter_cls.from_settings` unless the class has `from_spider`, and Scrapy's own
`RFPDupeFilter` lost `from_settings` in 2.14. The key is `newsbot.dupefilter.stand_in`
(the page's url_key, and today's rule that a redirect to the same key passes), so one
worker's `http://` link and another's `https://?utm_source=` one are one page. The set
is the crawl's (`NEWSBOT_CRAWL_ID`) and is never cleared by a closing worker.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from scrapy_redis.dupefilter import RFPDupeFilter

from newsbot.dupefilter import stand_in

if TYPE_CHECKING:
    from scrapy import Request

    from newsbot.redisconn import RedisConn


class UrlKeyRedisDupeFilter(RFPDupeFilter):  # type: ignore[misc]  # scrapy-redis is untyped
    def __init__(self, conn: RedisConn, key: str, debug: bool = False) -> None:
        super().__init__(conn.client, key, debug)
        self.conn = conn  # retried within NEWSBOT_REDIS_RETRY_SECONDS

    def request_seen(self, request: Request) -> bool:
        key = stand_in(request)
        if key is None:
            return False
        fingerprint = self.request_fingerprint(key)
        return bool(self.conn.call(lambda: self.server.sadd(self.key, fingerprint)) == 0)

    def close(self, reason: str = "") -> None:
        """Keep the seen set: other workers of the crawl still use it."""
