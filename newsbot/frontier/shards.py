"""Which shards this worker pops from: politeness across workers.

Each site (registered domain) hashes to one of ``NEWSBOT_SHARDS`` shards; a worker pops
only from shards whose lease it holds, so one downloader at a time fetches a site and
Scrapy's per-domain delay, AutoThrottle, robots.txt and the site's template learning
work as in a single crawl. Which shards are whose is computed by every worker alike
from the live set (`FrontierStore.assignment`: rendezvous hashing capped at the fair
share, ceil(S / live workers) + 1), so a joining worker takes about 1/N of each other's
shards, and shards sit still while the set does. At each renewal a worker takes its free
assigned shards, queued ones first; a shard no longer assigned to it (a worker joined)
gets no new pops and is released once its requests on the wire have come back, so two
workers never fetch one site at once except across that hand-over. A dead worker's
heartbeat and shard leases expire; the others' assignment then covers its shards.
"""

from __future__ import annotations

import logging
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from collections.abc import Iterable

    from newsbot.frontier.store import FrontierStore

logger = logging.getLogger(__name__)

# Renewals a worker above its fair share may take to let its requests on the wire come back
# (it pops nothing from the shards it gives up meanwhile).
HAND_OVER_RENEWALS = 3


class ShardManager:
    def __init__(self, store: FrontierStore) -> None:
        self.store = store
        self.owned: list[int] = []
        self.active: list[int] = []  # owned and not draining: popped from
        self.live = 1
        self.fair = store.shards + 1
        self._turn = 0
        self.settling = 0  # renewals left for a hand-over (requests on the wire to come back)

    def renew(self, busy: Iterable[int]) -> None:
        """Heartbeat, renew, release the excess, take free shards (one script)."""
        owned, live, fair, assigned = self.store.claim_shards(busy)
        if live != self.live:
            logger.info("frontier: %d live workers, fair share %d shards", live, fair)
            self.settling = HAND_OVER_RENEWALS
        else:
            self.settling = max(0, self.settling - 1)
        self.owned, self.live, self.fair = owned, live, fair
        self.active = [s for s in owned if s in assigned]  # not those being handed over

    def pop_order(self) -> list[int]:
        """The active shards, starting one further each call, so no site starves the others."""
        if not self.active:
            return []
        self._turn = (self._turn + 1) % len(self.active)
        return self.active[self._turn :] + self.active[: self._turn]
