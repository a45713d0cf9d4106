"""When the state cannot be had: one line, exit status 1, no traceback.

A crawl without its state cannot decide what is recorded, so when the backend cannot be
opened (a Redis that does not answer, a worker id a live process holds) or is lost past
its retry budget, the process ends at once. Not through Scrapy's shutdown: that would
finish the run in the state first, and wait on the same Redis again. What was written
stays whole (JSONL lines are written whole, WARC files left open are repaired by the next
run's recovery, run leases expire).
"""

from __future__ import annotations

import contextlib
import logging
import os
import sys
from typing import NoReturn

logger = logging.getLogger(__name__)


class StateUnavailable(RuntimeError):
    """The state backend cannot be used: the run cannot do its job."""


def exit_fatal(message: str) -> NoReturn:
    """Log ``message`` (CRITICAL), print it to stderr in one line, exit with status 1."""
    logger.critical("%s", message)
    for handler in logging.getLogger().handlers:
        handler.flush()
    sys.stderr.write(f"newsbot: {message}\n")
    sys.stderr.flush()
    _end_children()
    os._exit(1)


def _end_children() -> None:
    """Stop this process's extraction workers and their fork server: ``os._exit`` skips
    the pool's shutdown, and they would live on, holding the output the caller waits on."""
    import multiprocessing
    import signal
    from multiprocessing import forkserver

    for child in multiprocessing.active_children():
        child.terminate()
    server = getattr(getattr(forkserver, "_forkserver", None), "_forkserver_pid", None)
    if server:
        with contextlib.suppress(OSError):  # already gone
            os.kill(server, signal.SIGTERM)
