"""The in-memory state backend: the protocols' reference, for unit tests and one-off runs.

``STATE_BACKEND = "newsbot.state.MemoryBackend"`` keeps everything in this process and
nothing after it (httpx's ``MockTransport`` beside its transport protocol is the model).
Each operation takes one lock, which is what makes ``claim`` atomic here. The dedup index
compares a signature with every stored one instead of through LSH bands: the same
decisions as SQLite wherever its bands find the candidate (any pair it would call a copy
in practice), at a cost that grows with the index.
"""

from __future__ import annotations

import threading
import time
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

import numpy as np

from newsbot.dedup import NUM_PERM, containment
from newsbot.state.liveness import Heartbeat, Lease, Owner, is_dead
from newsbot.state.protocols import HEALTH_KEEP, Match, Original, Recorded

if TYPE_CHECKING:
    import os
    from collections.abc import Callable, Collection, Iterable, Mapping

    from newsbot.dedup import Signature


@dataclass
class _Run:
    spider: str
    outputs: dict[str, str]
    lease: Lease
    finished: str | None = None
    status: str = "running"
    heartbeat: Heartbeat | None = None


class MemoryRecords:
    """Runs, recorded articles and capture facts in dicts."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self.runs: dict[str, _Run] = {}
        self._articles: dict[str, tuple[str, int, str | None, str | None]] = {}
        self._latest: dict[str, Recorded] = {}
        self._captures: dict[str, tuple[str | None, str | None, str | None]] = {}

    def start_run(
        self,
        run_id: str,
        spider: str,
        started: str,
        outputs: dict[str, str],
        *,
        lease: float = 120.0,
        owner: Owner | None = None,
    ) -> None:
        run = _Run(spider, dict(outputs), Lease(owner or Owner(), started, time.time() + lease))
        with self._lock:
            self.runs[run_id] = run
        if owner is None:
            run.heartbeat = Heartbeat(lambda: self._renew(run_id, lease), lease / 4)

    def _renew(self, run_id: str, lease: float) -> None:
        with self._lock:
            run = self.runs[run_id]
            run.lease = Lease(run.lease.owner, run.lease.started, time.time() + lease)

    def finish_run(self, run_id: str, finished: str, status: str) -> None:
        run = self.runs[run_id]
        if run.heartbeat is not None:
            run.heartbeat.stop()
        with self._lock:
            run.finished, run.status = finished, status

    def interrupted_runs(self, now: float | None = None) -> list[tuple[str, dict[str, str]]]:
        with self._lock:
            return [
                (run_id, dict(run.outputs))
                for run_id, run in self.runs.items()
                if run.finished is None and is_dead(run.lease, now)
            ]

    def latest(self, url_key: str) -> Recorded | None:
        return self._latest.get(url_key)

    def is_recorded(self, article_id: str) -> bool:
        return article_id in self._articles

    def record(
        self,
        rec: Mapping[str, Any],
        url_key: str,
        text_hash: str | None,
        run_id: str,
        *,
        line: tuple[str, int] | None = None,
    ) -> None:
        with self._lock:
            if rec["id"] in self._articles:
                return
            version = int(rec.get("version", 1))
            self._articles[rec["id"]] = (url_key, version, text_hash, rec.get("fetched_at"))
            known = self._latest.get(url_key)
            if known is None or version >= known.version:
                self._latest[url_key] = Recorded(rec["id"], version, text_hash)

    def recorded_at(self, article_id: str) -> str | None:
        found = self._articles.get(article_id)
        return found[3] if found else None

    def count_articles(self) -> int:
        return len(self._articles)

    def capture(self, url_key: str) -> tuple[str | None, str | None, str | None] | None:
        return self._captures.get(url_key)

    def note_capture(
        self,
        url_key: str,
        url: str,
        fetched_at: str,
        status: int,
        etag: str | None,
        last_modified: str | None,
    ) -> None:
        with self._lock:
            _, old_etag, old_modified = self._captures.get(url_key, (None, None, None))
            self._captures[url_key] = (fetched_at, etag or old_etag, last_modified or old_modified)

    def commit(self) -> None:
        """Every call is already as durable as this backend gets."""

    def maybe_commit(self) -> None:
        """Nothing is batched."""

    def close(self) -> None:
        """Stop renewing leases (runs left unfinished then expire)."""
        for run in self.runs.values():
            if run.heartbeat is not None:
                run.heartbeat.stop()


@dataclass(frozen=True)
class _Entry:
    article_id: str
    root: int  # index of its canonical entry (itself when it is the first copy)
    size: int
    values: np.ndarray
    decision: Match | None


class MemoryDedupIndex:
    """Signatures in a list; ``claim`` holds one lock from its match to its add."""

    def __init__(self, threshold: float, *, min_jaccard: float = 0.1) -> None:
        self.threshold = threshold
        self.min_jaccard = min_jaccard
        self._lock = threading.Lock()
        self._entries: list[_Entry] = []
        self._by_id: dict[str, int] = {}

    def claim(self, article_id: str, sig: Signature) -> Match | None:
        with self._lock:
            known = self._by_id.get(article_id)
            if known is not None:
                return self._entries[known].decision
            best = self._best(sig)
            index = len(self._entries)
            decision = best[1] if best else None
            self._entries.append(
                _Entry(article_id, best[0] if best else index, sig.size, sig.array(), decision)
            )
            self._by_id[article_id] = index
            return decision

    def _best(self, sig: Signature) -> tuple[int, Match] | None:
        """Like the SQLite index: the highest containment, the earliest copy on a tie."""
        if sig.too_short:
            return None
        values, best = sig.array(), None
        for entry in self._entries:
            if entry.size < sig.minimum:
                continue  # too short to be a candidate (SQLite gives it no band rows)
            j = float(np.count_nonzero(entry.values == values)) / NUM_PERM
            score = containment(j, sig.size, entry.size)
            if (
                j >= self.min_jaccard
                and score >= self.threshold
                and (best is None or score > best[0])
            ):
                best = (score, entry.root)
        if best is None:
            return None
        root = self._entries[best[1]].article_id
        return best[1], Match(root, round(best[0], 4))

    def commit_number(self, article_id: str) -> int | None:
        known = self._by_id.get(article_id)
        return None if known is None else known + 1

    def __contains__(self, article_id: object) -> bool:
        return article_id in self._by_id

    def __len__(self) -> int:
        return len(self._entries)

    def close(self) -> None:
        """Nothing to release."""


@dataclass
class _Site:
    pages: int = 0
    seen: set[int] = field(default_factory=set)
    paragraphs: dict[int, list[int]] = field(default_factory=dict)  # hash -> [pages, last, fixed]


class MemoryTemplateCounts:
    """Per-site paragraph counts in dicts."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._sites: dict[str, _Site] = {}

    def observe(self, site: str, page: int, hashes: Collection[int]) -> int | None:
        with self._lock:
            known = self._sites.setdefault(site, _Site())
            if page in known.seen:
                return None
            known.seen.add(page)
            known.pages += 1
            for h in hashes:
                counts = known.paragraphs.setdefault(h, [0, 0, 0])
                counts[0] += 1
                counts[1] = known.pages
            return known.pages

    def site_pages(self, site: str) -> int:
        known = self._sites.get(site)
        return known.pages if known else 0

    def counts(
        self, site: str, hashes: Collection[int]
    ) -> tuple[int, dict[int, tuple[int, bool]]] | None:
        known = self._sites.get(site)
        if known is None:
            return None
        with self._lock:
            found = {h: known.paragraphs[h] for h in hashes if h in known.paragraphs}
            return known.pages, {h: (c[0], bool(c[2])) for h, c in found.items()}

    def fix(self, site: str, hashes: Collection[int]) -> None:
        with self._lock:
            known = self._sites.setdefault(site, _Site())
            for h in hashes:
                if h in known.paragraphs:
                    known.paragraphs[h][2] = 1

    def prune(self, min_pages: int, idle_pages: int) -> int:
        pruned = 0
        with self._lock:
            for known in self._sites.values():
                rare = [
                    h
                    for h, (pages, last, fixed) in known.paragraphs.items()
                    if not fixed and pages < min_pages and last < known.pages - idle_pages
                ]
                for h in rare:
                    del known.paragraphs[h]
                pruned += len(rare)
        return pruned

    def close(self) -> None:
        """Nothing to release."""


class MemorySiteZones:
    """Per-site zone counts in dicts."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._seen: dict[str, set[int]] = {}
        self._zones: dict[str, dict[str, int]] = {}

    def observe(self, site: str, page: int, zones: Collection[str]) -> bool:
        with self._lock:
            seen = self._seen.setdefault(site, set())
            if page in seen:
                return False
            seen.add(page)
            counts = self._zones.setdefault(site, {})
            for zone in set(zones):
                counts[zone] = counts.get(zone, 0) + 1
            return True

    def counts(self, site: str) -> tuple[int, dict[str, int]]:
        with self._lock:
            return len(self._seen.get(site, ())), dict(self._zones.get(site, {}))

    def close(self) -> None:
        """Nothing to release."""


class MemoryHealthHistory:
    """Site-health figures per (spider, source), by run id, in dicts."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._runs: dict[tuple[str, str], dict[str, dict[str, float]]] = {}

    def previous(self, spider: str, source: str, before: str, n: int) -> list[dict[str, float]]:
        with self._lock:
            runs = self._runs.get((spider, source), {})
            older = sorted((r for r in runs if r < before), reverse=True)[: max(n, 0)]
            return [dict(runs[r]) for r in older]

    def append(self, spider: str, run_id: str, source: str, figures: Mapping[str, float]) -> None:
        with self._lock:
            runs = self._runs.setdefault((spider, source), {})
            runs[run_id] = dict(figures)
            for old in sorted(runs)[: max(len(runs) - HEALTH_KEEP, 0)]:
                del runs[old]

    def close(self) -> None:
        """Nothing to release."""


class MemoryDigests:
    """Payload digests in a dict, behind a lock (the WARC writer thread calls it)."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._digests: dict[str, Original] = {}

    def get(self, digest: str) -> Original | None:
        with self._lock:
            return self._digests.get(digest)

    def add(self, digest: str, original: Original) -> bool:
        with self._lock:
            if digest in self._digests:
                return False
            self._digests[digest] = original
            return True

    def forget_from(self, file: str, offset: int) -> int:
        with self._lock:
            cut = [d for d, o in self._digests.items() if o.file == file and o.offset >= offset]
            for digest in cut:
                del self._digests[digest]
            return len(cut)

    def __len__(self) -> int:
        with self._lock:
            return len(self._digests)

    def close(self) -> None:
        """Nothing to release."""


class MemoryBackend:
    """The whole state of an archive in this process (the path is ignored)."""

    def __init__(self, path: str | os.PathLike[str] | None = None) -> None:
        self.records = MemoryRecords()
        self._counts = MemoryTemplateCounts()
        self._digests = MemoryDigests()
        self._zones = MemorySiteZones()
        self._health = MemoryHealthHistory()
        self._index: MemoryDedupIndex | None = None

    def dedup_index(
        self, threshold: float, texts: Callable[[], Iterable[tuple[str, str]]] | None = None
    ) -> MemoryDedupIndex:
        """One index per backend (signatures are never stale here: ``texts`` is unused)."""
        if self._index is None:
            self._index = MemoryDedupIndex(threshold)
        return self._index

    def template_counts(self) -> MemoryTemplateCounts:
        return self._counts

    def site_zones(self) -> MemorySiteZones:
        return self._zones

    def health_history(self) -> MemoryHealthHistory:
        return self._health

    def digests(self) -> MemoryDigests:
        return self._digests

    def close(self) -> None:
        """Nothing to release."""
