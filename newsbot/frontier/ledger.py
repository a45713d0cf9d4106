"""Which leased requests this worker still owes an ending, and when each is done.

Scrapy has no "request done" signal, and a request ends in many ways: its record is
written, its callback yields no item, its item ends without a record (dropped, failed,
or scraped with nothing to write), a downloader middleware drops it (its errback runs),
its errback runs after a failed fetch, or a redirect or a retry replaces it by a new
request. The ledger keeps, per leased entry, what is still open: the callback's (or
errback's) output, the items it yielded and not yet ended, the records held back
waiting for their site's template. The entry is acknowledged when nothing is open.
A held record keeps its entry pending, its lease renewed, and marked held so the crawl
can tell "waiting for a template" from "work in flight".

No Scrapy here: the scheduler, the spider middleware and the extension report events.
"""

from __future__ import annotations

import logging
from collections import Counter
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from newsbot.frontier.store import FrontierStore

logger = logging.getLogger(__name__)


@dataclass
class Entry:
    entry_id: str
    shard: int
    output_open: bool = True  # the callback's or errback's output is not exhausted yet
    on_the_wire: bool = True  # popped, no response or failure yet (the shard is busy)
    items: int = 0  # items yielded and not ended
    records: set[str] = field(default_factory=set)  # record ids held back
    held_marked: bool = False

    @property
    def done(self) -> bool:
        return not self.output_open and self.items == 0 and not self.records


class Ledger:
    def __init__(self, store: FrontierStore) -> None:
        self.store = store
        self.entries: dict[str, Entry] = {}
        self.by_record: dict[str, str] = {}  # held record id -> entry id
        self.held_now: set[str] = set()  # record ids the archive held, item not yet ended
        self.acked = 0
        self.lost = 0

    # --- events --------------------------------------------------------------------------
    def popped(self, entry_id: str, shard: int) -> None:
        self.entries[entry_id] = Entry(entry_id, shard)

    def replaced(self, entry_id: str) -> None:
        """A redirect or a retry put a new request in this one's place (queued, or refused on
        the way to the scheduler)."""
        entry = self.entries.get(entry_id)
        if entry is not None:
            entry.output_open = False
            self._maybe_ack(entry)

    def reached(self, entry_id: str) -> None:
        """Its response or failure came back: the shard no longer waits for it."""
        entry = self.entries.get(entry_id)
        if entry is not None:
            entry.on_the_wire = False

    def item_yielded(self, entry_id: str) -> None:
        entry = self.entries.get(entry_id)
        if entry is not None:
            entry.items += 1

    def output_done(self, entry_id: str) -> None:
        entry = self.entries.get(entry_id)
        if entry is not None:
            entry.on_the_wire = False
            entry.output_open = False
            self._maybe_ack(entry)

    def record_held(self, record_id: str) -> None:
        self.held_now.add(record_id)

    def item_ended(self, entry_id: str, record_id: str | None) -> None:
        """An item left the pipelines (scraped, dropped or failed)."""
        entry = self.entries.get(entry_id)
        if record_id is not None and record_id in self.held_now:
            self.held_now.discard(record_id)
            if entry is not None:
                entry.records.add(record_id)
                self.by_record[record_id] = entry_id
        if entry is not None:
            entry.items = max(0, entry.items - 1)
            if entry.records and not entry.held_marked:
                entry.held_marked = True
                self._lost(self.store.renew([entry_id], held=True))
            self._maybe_ack(entry)

    def record_written(self, record_id: str) -> None:
        self.held_now.discard(record_id)
        entry_id = self.by_record.pop(record_id, None)
        entry = self.entries.get(entry_id) if entry_id else None
        if entry is not None:
            entry.records.discard(record_id)
            self._maybe_ack(entry)

    # --- what the extension asks ---------------------------------------------------------
    def busy_shards(self) -> Counter[int]:
        """Shards with requests of this worker still on the wire: not to be released."""
        return Counter(e.shard for e in self.entries.values() if e.on_the_wire)

    def renew(self) -> None:
        """Extend the lease of every entry this worker still owes an ending."""
        self._lost(self.store.renew(list(self.entries)))

    def _maybe_ack(self, entry: Entry) -> None:
        if entry.done and self.entries.pop(entry.entry_id, None) is not None:
            self.acked += self.store.ack([entry.entry_id])

    def _lost(self, ids: list[str]) -> None:
        """Entries whose lease expired and were reaped (a stall longer than the lease): another
        worker may fetch them again; counted, and no longer renewed by this one."""
        for entry_id in ids:
            if self.entries.get(entry_id) is not None:
                self.lost += 1
                logger.warning(
                    "frontier: lease of %s expired before it was done "
                    "(NEWSBOT_FRONTIER_LEASE too short?)",
                    entry_id,
                )
