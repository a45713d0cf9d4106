"""CaptureOrder (newsbot/extraction/order.py): released in capture order, whatever order
the workers finish in."""

from __future__ import annotations

import asyncio
import logging

import pytest

from newsbot.extraction.order import CaptureOrder


def test_capture_order_releases_in_sequence() -> None:
    async def main() -> list[int]:
        order, released = CaptureOrder(stall_timeout=5), []

        async def item(seq: int, delay: float) -> None:
            await asyncio.sleep(delay)
            await order.turn(seq)
            released.append(seq)
            order.finish(seq)

        await asyncio.gather(*(item(s, d) for s, d in [(0, 0.05), (1, 0.0), (2, 0.02), (3, 0.0)]))
        return released

    assert asyncio.run(main()) == [0, 1, 2, 3]


def test_a_page_that_never_leaves_stalls_the_line_only_until_the_timeout(
    caplog: pytest.LogCaptureFixture,
) -> None:
    async def main() -> None:
        order = CaptureOrder(stall_timeout=0.1)
        await order.turn(1)  # page 0 never finishes

    with caplog.at_level(logging.ERROR):
        asyncio.run(main())
    assert "page 1 waited 0s for page 0; going on out of order" in caplog.text


def test_finished_pages_release_the_next_at_once() -> None:
    order = CaptureOrder()
    for seq in (2, 0, 1):
        order.finish(seq)
    assert order.next_seq == 3 and not order.done
    order.finish(-1)  # an item that was never a page
    assert order.next_seq == 3
