"""What the pipeline needs of its state, as protocols: one call per operation.

Every operation here is a single call that a backend makes atomic on its own terms
(a SQLite write transaction, a Redis script, a lock), never a sequence the caller
must wrap in a transaction: a backend without cross-call transactions must be able
to implement it. The model is Scrapy's ``HTTPCACHE_STORAGE``: a protocol, backends
loaded by dotted path (``STATE_BACKEND``), each component closing what it opened.

- :class:`Records`: runs, recorded articles (the one place "already recorded" is
  decided) and per-URL capture facts for incremental crawls.
- :class:`DedupClaims`: the near-duplicate index. ``claim`` matches *and* adds in one
  step, so two crawls claiming copies of one story at the same instant get one
  canonical between them ("first committed wins").
- :class:`TemplateCounts`: per-site paragraph counts for template learning.
- :class:`SiteZones`: per site, on how many pages the zoned dates agreed with each
  time zone, so a zone-less date on that site is read in the zone its pages show.
- :class:`HealthHistory`: per spider and source, the figures site health compares run
  to run (``newsbot/health.py``), so every machine sharing the state shares them.
- :class:`PayloadDigests`: WARC payload digest -> first full capture, used from the
  WARC writer thread, so thread-safe and never behind the reactor's batch.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Protocol

if TYPE_CHECKING:
    from collections.abc import Callable, Collection, Iterable, Mapping
    from pathlib import Path

    from newsbot.dedup import Signature
    from newsbot.state.liveness import Owner


@dataclass(frozen=True)
class Recorded:
    """The latest recorded version of a URL."""

    id: str
    version: int
    text_hash: str | None


@dataclass(frozen=True)
class Match:
    """The story a signature duplicates: its canonical (first added) copy and the score."""

    canonical_id: str
    score: float


@dataclass(frozen=True)
class Original:
    """Where the first full capture of a payload is."""

    uri: str
    date: str  # its WARC-Date
    record_id: str
    file: str = ""  # relative to the archive root; informative
    offset: int = -1


class Records(Protocol):
    """Runs, recorded articles and capture facts of one archive."""

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
        """Register a run as running, with the JSONL files it writes (for crash repair),
        leased for ``lease`` seconds to ``owner`` (this process: renewed until it ends)."""

    def finish_run(self, run_id: str, finished: str, status: str) -> None:
        """Mark a run ended (``finished``, ``failed``, ``incomplete``, ``interrupted``)."""

    def interrupted_runs(self, now: float | None = None) -> list[tuple[str, dict[str, str]]]:
        """(run id, outputs) of runs that never finished and are dead (see liveness.py)
        at ``now`` (seconds since the epoch; default: now)."""

    def latest(self, url_key: str) -> Recorded | None:
        """The latest recorded version of a URL, if any."""

    def is_recorded(self, article_id: str) -> bool:
        """Whether this article id was recorded: the one place that decides it."""

    def record(
        self,
        rec: Mapping[str, Any],
        url_key: str,
        text_hash: str | None,
        run_id: str,
        *,
        line: tuple[str, int] | None = None,
    ) -> None:
        """Mark a written article recorded; idempotent, so crash repair can replay it.
        ``line``: its JSONL file (relative to the archive) and the offset past its line,
        which a backend that can lose its last writes (Redis) keeps to re-apply from."""

    def recorded_at(self, article_id: str) -> str | None:
        """Capture time of a recorded article."""

    def count_articles(self) -> int:
        """How many articles are recorded."""

    def capture(self, url_key: str) -> tuple[str | None, str | None, str | None] | None:
        """(fetched_at, etag, last_modified) of the last capture of a URL, if any."""

    def note_capture(
        self,
        url_key: str,
        url: str,
        fetched_at: str,
        status: int,
        etag: str | None,
        last_modified: str | None,
    ) -> None:
        """Remember a capture's validators (an empty one keeps the one known)."""

    def commit(self) -> None:
        """Make every call so far durable (a backend that is durable per call: nothing)."""

    def maybe_commit(self) -> None:
        """Give a batching backend the chance to commit; called about once a second."""

    def close(self) -> None:
        """Commit and release."""


class DedupClaims(Protocol):
    """The near-duplicate index of an archive."""

    def claim(self, article_id: str, sig: Signature) -> Match | None:
        """Match ``sig`` against the index and add it, in one atomic step.

        Returns the canonical story this article is a copy of (None: it is a canonical
        itself), the decision its record is written with. Idempotent per article id:
        a second claim returns the stored decision, so retries and crash repair are safe.
        """

    def commit_number(self, article_id: str) -> int | None:
        """The claim's place in the global order of claims ("first committed wins"),
        written to the article's WARC metadata record; None when it was never claimed."""

    def __contains__(self, article_id: object) -> bool:
        """Whether the article was claimed."""

    def __len__(self) -> int:
        """How many articles the index holds."""

    def close(self) -> None:
        """Release what the index opened (a shared connection stays open)."""


class TemplateCounts(Protocol):
    """On how many distinct pages of a site each paragraph hash appeared."""

    def observe(self, site: str, page: int, hashes: Collection[int]) -> int | None:
        """Count one page (by its key's hash) once: the site's page count after it,
        or None when the page was counted before."""

    def site_pages(self, site: str) -> int:
        """Distinct pages counted for the site (0 when unknown)."""

    def counts(
        self, site: str, hashes: Collection[int]
    ) -> tuple[int, dict[int, tuple[int, bool]]] | None:
        """(site pages, {hash: (pages, fixed)}) for the hashes known, None for an unknown site."""

    def fix(self, site: str, hashes: Collection[int]) -> None:
        """Mark paragraphs as boilerplate for good (a removal decision stays stable)."""

    def prune(self, min_pages: int, idle_pages: int) -> int:
        """Forget unfixed paragraphs on fewer than ``min_pages`` pages and unseen in the
        site's last ``idle_pages`` pages; returns how many."""

    def close(self) -> None:
        """Release what the counts opened."""


class SiteZones(Protocol):
    """Per site: pages whose zoned dates were counted, and how many fit each zone."""

    def observe(self, site: str, page: int, zones: Collection[str]) -> bool:
        """Count one page (by its key's hash) once, for each zone its zoned dates fit
        (IANA names); False when the page was counted before (a re-fetch, a repair)."""

    def counts(self, site: str) -> tuple[int, dict[str, int]]:
        """(pages counted, {zone: pages it fits}); (0, {}) for an unknown site."""

    def close(self) -> None:
        """Release what the counts opened."""


# Runs of figures kept per (spider, source): ten times the default HEALTH_WINDOW, so the
# history stays small (a Redis key per source) and a wider window still has its runs.
HEALTH_KEEP = 50


class HealthHistory(Protocol):
    """Per spider and source: one run's site-health figures (name -> number) per run id."""

    def previous(self, spider: str, source: str, before: str, n: int) -> list[dict[str, float]]:
        """The figures of the last ``n`` runs whose id sorts before ``before`` (run ids
        start with their UTC start time, so they sort as the runs started), newest first."""

    def append(self, spider: str, run_id: str, source: str, figures: Mapping[str, float]) -> None:
        """Keep one run's figures; again for the same (run_id, source) replaces them, so a
        repeated finish counts once. Only the newest ``HEALTH_KEEP`` runs are kept."""

    def close(self) -> None:
        """Release what the history opened."""


class PayloadDigests(Protocol):
    """Payload digest -> first full capture; safe to call from any thread."""

    def get(self, digest: str) -> Original | None:
        """The first full capture with this payload digest, if any."""

    def add(self, digest: str, original: Original) -> bool:
        """Remember ``original`` unless the digest is known; True if it was added."""

    def forget_from(self, file: str, offset: int) -> int:
        """Drop originals at or past ``offset`` in ``file`` (cut away by crash recovery)."""

    def __len__(self) -> int:
        """How many digests are known."""

    def close(self) -> None:
        """Release the store."""


class StateBackend(Protocol):
    """Everything stateful of one archive. Built from the state file's path (a backend
    that keeps no file may ignore it); closed by its owner, the resources extension."""

    @property
    def records(self) -> Records:
        """Runs, recorded articles and captures."""

    def dedup_index(
        self, threshold: float, texts: Callable[[], Iterable[tuple[str, str]]] | None = None
    ) -> DedupClaims:
        """The dedup index; ``texts`` (id, text) re-signs one signed by an older version."""

    def template_counts(self) -> TemplateCounts:
        """The per-site paragraph counts."""

    def site_zones(self) -> SiteZones:
        """The per-site time-zone counts."""

    def health_history(self) -> HealthHistory:
        """The site-health figures of past runs."""

    def digests(self) -> PayloadDigests:
        """A payload-digest store for the WARC writer thread: it never waits on the
        records' batch (SQLite: a file and connection of its own)."""

    def close(self) -> None:
        """Commit and release the records (the dedup index, counts and history go with them)."""


class BackendFactory(Protocol):
    """What ``STATE_BACKEND`` names: a class (or callable) taking the state file path."""

    def __call__(self, path: Path) -> StateBackend: ...
