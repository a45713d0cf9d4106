"""Capture order for the stateful stages, whatever order the workers finish in.

Pages are numbered in capture order by the spider. Extraction runs in
parallel, but an item only passes `turn(seq)` once every earlier page has
left the pipeline (scraped, dropped or failed), so dedup's "first captured
wins" and the JSONL order mean the same live, in replay, with one worker or
many.
"""

from __future__ import annotations

import asyncio
import logging

logger = logging.getLogger(__name__)


class CaptureOrder:
    """Releases sequence numbers 0, 1, 2... one at a time."""

    def __init__(self, stall_timeout: float = 300.0) -> None:
        self.next_seq = 0
        self.done: set[int] = set()
        self.waiters: dict[int, asyncio.Future[None]] = {}
        self.stall_timeout = stall_timeout

    async def turn(self, seq: int) -> None:
        """Wait until every page before `seq` has been fully processed."""
        if seq <= self.next_seq:
            return
        waiter = asyncio.get_running_loop().create_future()
        self.waiters[seq] = waiter
        try:
            await asyncio.wait_for(asyncio.shield(waiter), self.stall_timeout)
        except asyncio.TimeoutError:
            logger.error(
                "page %d waited %.0fs for page %d; going on out of order",
                seq,
                self.stall_timeout,
                self.next_seq,
            )
        finally:
            self.waiters.pop(seq, None)

    def finish(self, seq: int) -> None:
        """Page `seq` has left the pipeline; wake the next one in line."""
        if seq < 0:
            return
        self.done.add(seq)
        while self.next_seq in self.done:
            self.done.discard(self.next_seq)
            self.next_seq += 1
        waiter = self.waiters.get(self.next_seq)
        if waiter is not None and not waiter.done():
            waiter.set_result(None)
