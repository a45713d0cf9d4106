"""The extraction worker pool, and the one name the crawl process pickles to it.

Workers are forked from a server process that has imported newsbot.worker
(trafilatura, dateparser, lxml) once; the crawl process itself never imports
them, which keeps its start-up short and its memory small.
"""

from __future__ import annotations

import multiprocessing
from concurrent.futures import ProcessPoolExecutor
from typing import Any


def process_page(url: str, body: bytes, encoding: str | None, context: dict[str, Any]) -> dict[str, Any]:
    """Runs in a worker: see newsbot.worker.process_page."""
    from newsbot.worker import process_page as work

    return work(url, body, encoding, context)


def warm_up() -> None:
    """Runs once in each new worker: import the extraction stack before the first page."""
    import newsbot.worker  # noqa: F401


def make_pool(workers: int) -> ProcessPoolExecutor:
    """Workers forked from a clean server process that has already imported newsbot.worker,
    started at once, so their start-up overlaps the crawl's own."""
    ctx = multiprocessing.get_context("forkserver")
    ctx.set_forkserver_preload(["newsbot.worker"])
    pool = ProcessPoolExecutor(max_workers=workers, mp_context=ctx)
    for _ in range(workers):
        pool.submit(warm_up)
    return pool
