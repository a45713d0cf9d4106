"""What this process sent to Redis in the last seconds, to send again after a restart.

Redis with ``appendfsync everysec`` may lose the last second or so of writes in a crash.
The JSONL lines of that second are re-applied exactly, from the offsets Redis confirmed
(`redis_records`). Template and zone counts have no such file behind them, but each of
their scripts counts a page once (a set of the pages seen), so sending the same call
again is harmless: this keeps the calls of the last ``seconds`` and sends them again
when the backend notices a restart, so the counts a restart lost come back too.
"""

from __future__ import annotations

import logging
import time
from collections import deque
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from collections.abc import Callable

logger = logging.getLogger(__name__)

# A few times the one second ``everysec`` may lose (a slow disk can make it two).
RECENT_SECONDS = 5.0


class Recent:
    """Idempotent calls of the last ``seconds``, oldest first."""

    def __init__(
        self,
        name: str,
        seconds: float = RECENT_SECONDS,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.name, self.seconds, self.clock = name, seconds, clock
        self._calls: deque[tuple[float, Callable[[], object]]] = deque()

    def add(self, again: Callable[[], object]) -> None:
        """Keep ``again`` (a call that succeeded) for a while."""
        now = self.clock()
        self._calls.append((now, again))
        while self._calls and self._calls[0][0] < now - self.seconds:
            self._calls.popleft()

    def send_again(self) -> int:
        """After a restart: every call still kept, in their order (the restart hook)."""
        calls = [again for at, again in self._calls if at >= self.clock() - self.seconds]
        for again in calls:
            again()
        if calls:
            logger.warning("sent the last %d calls of the %s again", len(calls), self.name)
        return len(calls)

    def __len__(self) -> int:
        return len(self._calls)
