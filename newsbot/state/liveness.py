"""Run leases: when may a run that never finished be repaired as interrupted?

Repairing a run cuts its JSONL's last line and records what it wrote, so repairing a
run that is still writing (on this machine or another sharing the archive) would tear a
line it is writing. Each run therefore carries an owner (host, boot id, pid) and a lease
that its process renews (a heartbeat, every quarter of the lease, from a thread of its
own so the reactor never waits on another crawl's write lock).

A run is dead when:
- it ran on this machine in this boot (same boot id, /proc/sys/kernel/random/boot_id):
  at once when its pid is gone or belongs to a process started after the run (a reused
  pid). Here the process table is the truth, so a ``kill -9`` followed by the same
  command repairs without waiting for the lease;
- it ran elsewhere (another host, or this host before a reboot): when its lease expired.
  A run written before leases existed has none: the old rule, host + pid, applies.
"""

from __future__ import annotations

import logging
import os
import socket
import threading
import time
from dataclasses import dataclass, field
from datetime import datetime, timezone
from functools import lru_cache
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from collections.abc import Callable

logger = logging.getLogger(__name__)

BOOT_ID = "/proc/sys/kernel/random/boot_id"
CLOCK_SLACK = 2.0  # seconds: /proc/stat's boot time is whole seconds, run starts too


@lru_cache(maxsize=1)
def boot_id() -> str:
    """This boot's id ('' where the kernel does not tell)."""
    try:
        with open(BOOT_ID, encoding="ascii") as fh:
            return fh.read().strip()
    except OSError:
        return ""


@dataclass(frozen=True)
class Owner:
    """Who runs a run: the host, its boot, the process."""

    host: str = field(default_factory=socket.gethostname)
    boot: str = field(default_factory=boot_id)
    pid: int = field(default_factory=os.getpid)

    @property
    def id(self) -> str:
        """One string for logs and the state file: host/boot/pid."""
        return f"{self.host}/{self.boot[:8] or '-'}/{self.pid}"


@dataclass(frozen=True)
class Lease:
    """A stored run's owner, its start (ISO 8601 UTC) and when its lease runs out."""

    owner: Owner
    started: str | None
    expires: float | None  # seconds since the epoch; None: a run from before leases


def is_dead(lease: Lease, now: float | None = None, me: Owner | None = None) -> bool:
    """Whether a run that never finished may be repaired (see the module docstring)."""
    me = me or Owner()
    owner = lease.owner
    if lease.expires is None:  # written before leases: host + pid, as then
        return owner.host != me.host or not process_alive(owner.pid)
    if owner.boot and owner.boot == me.boot and owner.host == me.host:
        return not process_alive(owner.pid) or _started_after(owner.pid, lease.started)
    return (time.time() if now is None else now) >= lease.expires


def process_alive(pid: int | None) -> bool:
    """Whether a process of this pid exists on this machine."""
    if not pid:
        return False
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


def _started_after(pid: int, started: str | None) -> bool:
    """True when the process now holding ``pid`` began after the run did (a reused pid)."""
    began = process_start(pid)
    if began is None or not started:
        return False
    run = datetime.strptime(started, "%Y-%m-%dT%H:%M:%SZ").replace(tzinfo=timezone.utc)
    return began > run.timestamp() + CLOCK_SLACK


def process_start(pid: int) -> float | None:
    """When a process started, in seconds since the epoch (Linux /proc; None elsewhere)."""
    try:
        with open(f"/proc/{pid}/stat", encoding="ascii", errors="replace") as fh:
            fields = fh.read().rsplit(")", 1)[1].split()
        with open("/proc/stat", encoding="ascii") as fh:
            btime = next(int(line.split()[1]) for line in fh if line.startswith("btime"))
    except (OSError, StopIteration, IndexError, ValueError):
        return None
    return btime + int(fields[19]) / os.sysconf("SC_CLK_TCK")


class Heartbeat:
    """Renews a run's lease every ``interval`` seconds in a daemon thread of its own.

    ``beat`` does the write (on a connection of the thread's own, for SQLite), so a
    busy state file makes this thread wait, never the reactor. A beat that fails is
    tried again at the next interval: the lease is several intervals long.
    """

    def __init__(
        self, beat: Callable[[], None], interval: float, done: Callable[[], None] | None = None
    ) -> None:
        self._beat = beat
        self._done = done  # run in the thread as it ends (closes what the beats opened)
        self.interval = interval
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, name="newsbot-lease", daemon=True)
        self._thread.start()

    def _run(self) -> None:
        try:
            while not self._stop.wait(self.interval):
                try:
                    self._beat()
                except Exception:  # noqa: BLE001 - a missed beat is retried; the lease has slack
                    logger.warning("run lease not renewed", exc_info=True)
        finally:
            if self._done is not None:
                self._done()

    def stop(self) -> None:
        self._stop.set()
        self._thread.join(timeout=30)
