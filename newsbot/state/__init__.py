"""All of newsbot's state behind one seam: protocols, and the backends that implement them.

The pipeline talks to :class:`~newsbot.state.protocols.StateBackend` (records, the dedup
index, template and zone counts, site-health history, payload digests), each operation one call. ``STATE_BACKEND``
names the backend by dotted path: :class:`SqliteBackend` (one file under
``ARCHIVE_DIR/state/``, the default) or :class:`MemoryBackend` (this process only). No
module outside this package touches SQLite.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from newsbot.items import text_hash
from newsbot.jsonl import read_jsonl_repairing
from newsbot.state.digests import DigestStore
from newsbot.state.memory import MemoryBackend
from newsbot.state.protocols import (
    DedupClaims,
    HealthHistory,
    Match,
    Original,
    PayloadDigests,
    Recorded,
    Records,
    SiteZones,
    StateBackend,
    TemplateCounts,
)
from newsbot.state.sqlite import (
    BUSY_TIMEOUT_MS,
    Checkpointer,
    StateStore,
    connect,
    connect_for_writing,
    write_transaction,
)
from newsbot.state.sqlite_backend import SqliteBackend

if TYPE_CHECKING:
    from pathlib import Path

    from scrapy.settings import BaseSettings

__all__ = [
    "BUSY_TIMEOUT_MS",
    "Checkpointer",
    "DedupClaims",
    "DigestStore",
    "HealthHistory",
    "Match",
    "MemoryBackend",
    "Original",
    "PayloadDigests",
    "Recorded",
    "Records",
    "SiteZones",
    "SqliteBackend",
    "StateBackend",
    "StateStore",
    "TemplateCounts",
    "connect",
    "connect_for_writing",
    "open_backend",
    "read_jsonl_repairing",
    "text_hash",
    "write_transaction",
]


def open_backend(dotted: str, path: Path, settings: BaseSettings | None = None) -> StateBackend:
    """The backend ``STATE_BACKEND`` names, opened on the archive's state file path; one
    with a ``from_settings(settings, path)`` (Redis: its URL, prefix, worker id) is built
    by that."""
    from scrapy.utils.misc import load_object

    factory = load_object(dotted)
    if settings is not None and hasattr(factory, "from_settings"):
        built: StateBackend = factory.from_settings(settings, path)
        return built
    backend: StateBackend = factory(path)
    return backend


if TYPE_CHECKING:  # mypy checks that every backend implements every protocol
    from newsbot.state.redis_backend import RedisBackend

    def _conforms(path: Path) -> list[StateBackend]:
        return [SqliteBackend(path), MemoryBackend(path), RedisBackend(path, url="")]
