"""The extraction worker pool, and the one name the crawl process pickles to it.

Workers are forked from a server process that has imported newsbot.extraction.page
(trafilatura, dateparser, lxml) once; the crawl process itself never imports
them, which keeps its start-up short and its memory small.
"""

from __future__ import annotations

import importlib
import multiprocessing
from collections.abc import Callable
from concurrent.futures import Executor, Future, ProcessPoolExecutor
from multiprocessing import forkserver
from typing import TYPE_CHECKING, Any, TypeVar

if TYPE_CHECKING:
    from newsbot.items import CaptureContext, PageResult

T = TypeVar("T")
IN_PROCESS = -1  # EXTRACT_WORKERS value: extract in the crawl's own thread, no pool


def process_page(
    url: str, body: bytes, encoding: str | None, context: CaptureContext
) -> PageResult:
    """Runs in a worker: see newsbot.extraction.page.process_page."""
    from newsbot.extraction.page import process_page as work

    return work(url, body, encoding, context)


WORKER_MODULES = [
    "newsbot.extraction.page",
    "datasketch",
]  # datasketch: newsbot.dedup imports it late


def warm_up() -> None:
    """Runs once in each new worker: import the extraction stack before the first page."""
    for module in WORKER_MODULES:
        importlib.import_module(module)


def start_server() -> multiprocessing.context.BaseContext:
    """Start the server process workers are forked from, if not yet running; it imports
    the extraction stack (about a second of CPU) while the crawl process sets up Scrapy."""
    ctx = multiprocessing.get_context("forkserver")
    ctx.set_forkserver_preload(WORKER_MODULES)
    forkserver.ensure_running()
    return ctx


class InProcessExecutor(Executor):
    """Runs each call at once in the caller's thread (``EXTRACT_WORKERS=-1``): no process
    starts, so a test builds the extraction stage in milliseconds, and a debugger or a
    profiler sees the extraction. A page then blocks the reactor while it is extracted,
    and EXTRACT_TIMEOUT cannot stop it: for tests and debugging, not for crawls."""

    def submit(self, fn: Callable[..., T], /, *args: Any, **kwargs: Any) -> Future[T]:
        future: Future[T] = Future()
        try:
            future.set_result(fn(*args, **kwargs))
        except BaseException as exc:  # handed to the awaiting caller, as a pool would
            future.set_exception(exc)
        return future


def make_pool(workers: int) -> Executor:
    """Workers forked from a clean server process that has already imported newsbot.extraction.page,
    started at once, so their start-up overlaps the crawl's own; ``IN_PROCESS`` (-1): none,
    every page extracted in this thread."""
    if workers == IN_PROCESS:
        return InProcessExecutor()
    ctx = start_server()
    pool = ProcessPoolExecutor(max_workers=workers, mp_context=ctx)
    for _ in range(workers):
        pool.submit(warm_up)
    return pool
