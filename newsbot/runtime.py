"""Per-crawl resources that several components share: run id, paths, state, WARC writer.

Scrapy builds each component on its own; the few things they must share (one
run id, one state backend, one WARC writer) hang off the crawler through
`Runtime.of(crawler)` rather than module globals, so two crawlers in one
process stay apart. It is a registry, not an owner: the resources extension
(`extensions/resources.py`, built before every middleware and pipeline) opens
the backend and the WARC service into it and closes them; the spider, built
before any extension, only reads the run's paths from it.
"""

from __future__ import annotations

import logging
import os
import secrets
from datetime import datetime, timezone
from pathlib import Path
from typing import TYPE_CHECKING

from newsbot.state import open_backend
from newsbot.warc.naming import safe_name

__all__ = ["Runtime", "safe_name", "utc_stamp"]

if TYPE_CHECKING:
    from scrapy.crawler import Crawler
    from scrapy.settings import BaseSettings

    from newsbot.dates.sitezones import ZoneLearner
    from newsbot.state import DedupClaims, Records, StateBackend
    from newsbot.templates import TemplateStore
    from newsbot.warc.service import WarcService

logger = logging.getLogger(__name__)


def utc_stamp(when: datetime | None = None) -> str:
    """ISO 8601 UTC to the second, the form run and capture times are stored in."""
    return (when or datetime.now(timezone.utc)).strftime("%Y-%m-%dT%H:%M:%SZ")


class Runtime:
    """Run identity and archive layout of one crawl."""

    def __init__(
        self,
        archive_dir: str | os.PathLike[str],
        spider_name: str,
        state_file: str,
        state_backend: str,
        settings: BaseSettings | None = None,
    ) -> None:
        self.root = Path(archive_dir).resolve()
        self.started = datetime.now(timezone.utc)
        self.run_id = f"{self.started:%Y%m%dT%H%M%SZ}-{secrets.token_hex(3)}"
        self.spider_name = safe_name(spider_name)
        state_name = state_file.replace("{run_id}", self.run_id)
        self.state_path = self.root / "state" / safe_name(state_name)
        self.state_backend = state_backend
        self.settings = settings  # for a backend built from settings (Redis)
        self._backend: StateBackend | None = None
        self.warc: WarcService | None = None  # opened by the resources extension (WARC_ENABLED)
        self.dedup: DedupClaims | None = None  # the dedup stage's index: crash repair re-indexes
        self.templates: TemplateStore | None = None  # the template stage's: the archive re-cleans
        self.zones: ZoneLearner | None = None  # the dates stage's: the archive re-reads

    @classmethod
    def of(cls, crawler: Crawler) -> Runtime:
        runtime = getattr(crawler, "_newsbot_runtime", None)
        if runtime is None:
            spider_name = crawler.spidercls.name or "crawl"
            settings = crawler.settings
            runtime = cls(
                settings["ARCHIVE_DIR"],
                spider_name,
                settings["NEWSBOT_STATE_FILE"],
                settings["STATE_BACKEND"],
                settings,
            )
            crawler._newsbot_runtime = runtime  # type: ignore[attr-defined]
        return runtime

    def open_backend(self) -> StateBackend:
        """Open the state backend (``STATE_BACKEND``): the resources extension's call."""
        if self._backend is None:
            self._backend = open_backend(self.state_backend, self.state_path, self._settings())
        return self._backend

    def _settings(self) -> BaseSettings | None:
        """The settings, with ``{run_id}`` in ``NEWSBOT_REDIS_PREFIX`` filled in (a replay's
        fresh Redis state, as its ``replay-{run_id}.sqlite`` file)."""
        prefix = self.settings.get("NEWSBOT_REDIS_PREFIX") if self.settings else None
        if self.settings is None or not isinstance(prefix, str) or "{run_id}" not in prefix:
            return self.settings
        settings = self.settings.copy()
        settings.set(
            "NEWSBOT_REDIS_PREFIX",
            prefix.replace("{run_id}", self.run_id),
            self.settings.getpriority("NEWSBOT_REDIS_PREFIX") or 0,
        )
        return settings

    @property
    def backend(self) -> StateBackend:
        """The state backend the resources extension opened."""
        if self._backend is None:
            raise RuntimeError(
                "no state backend: newsbot.extensions.resources.CrawlResources"
                " opens it (is it in EXTENSIONS?)"
            )
        return self._backend

    @property
    def state(self) -> Records:
        """The backend's records: runs, recorded articles, captures."""
        return self.backend.records

    def path(self, *parts: str) -> Path:
        """A path under the archive root, created on demand; parts are sanitised."""
        target = self.root.joinpath(*(safe_name(p) for p in parts))
        target.parent.mkdir(parents=True, exist_ok=True)
        return target

    def relative(self, path: Path) -> str:
        return str(path.resolve().relative_to(self.root))

    def close(self) -> None:
        """Release the stages' stores, then the backend they live in."""
        if self.templates is not None:
            self.templates.close()
            self.templates = None
        if self.dedup is not None:
            self.dedup.close()
            self.dedup = None
        if self._backend is not None:
            self._backend.close()
            self._backend = None
