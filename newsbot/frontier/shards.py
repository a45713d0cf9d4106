"""Which shards this worker pops from: politeness across workers.

Each site (registered domain) hashes to one of ``NEWSBOT_SHARDS`` shards; a worker pops
only from shards whose lease it holds, so one downloader at a time fetches a site and
Scrapy's per-domain delay, AutoThrottle, robots.txt and the site's template learning
work as in a single crawl. At each renewal the worker takes at most its fair share,
ceil(S / live workers) + 1, shards with queued requests first. When workers join, a
worker above its fair share stops popping from its least wanted shards (rendezvous
hashing says which: the ones a live worker ranks higher) and releases each once its
requests on the wire have come back, so two workers never fetch one site at once
except across that hand-over.
"""

from __future__ import annotations

import logging
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from collections.abc import Iterable

    from newsbot.frontier.store import FrontierStore

logger = logging.getLogger(__name__)


class ShardManager:
    def __init__(self, store: FrontierStore) -> None:
        self.store = store
        self.owned: list[int] = []
        self.active: list[int] = []  # owned and not draining: popped from
        self.live = 1
        self.fair = store.shards + 1
        self.most_held = 0  # the most shards held at once since every worker joined
        self._turn = 0

    def renew(self, busy: Iterable[int]) -> None:
        """Heartbeat, renew, release the excess, take free shards (one script)."""
        owned, live, fair = self.store.claim_shards(busy)
        if live != self.live:
            logger.info("frontier: %d live workers, fair share %d shards", live, fair)
            self.most_held = 0
        self.owned, self.live, self.fair = owned, live, fair
        self.most_held = max(self.most_held, len(owned))
        # owned comes in preference order: beyond the fair share, the last ones drain
        self.active = owned[:fair]

    def pop_order(self) -> list[int]:
        """The active shards, starting one further each call, so no site starves the others."""
        if not self.active:
            return []
        self._turn = (self._turn + 1) % len(self.active)
        return self.active[self._turn:] + self.active[:self._turn]
