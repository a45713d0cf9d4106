"""The crawl-wide summary: every worker's figures, written by the last one to finish.

Pure functions over plain dicts (the extension gathers, Redis carries them between
workers), so `scrapy status` and tests read the same shapes.
"""

from __future__ import annotations

import json
from datetime import datetime, timezone
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from pathlib import Path

    from newsbot.frontier.ledger import Ledger
    from newsbot.frontier.store import Status

FIGURES = {  # summary name -> stats key
    "articles": "newsbot/articles",
    "duplicates": "newsbot/duplicates",
    "pages": "downloader/response_count",
    "requests": "downloader/request_count",
    "retried": "newsbot/frontier/retried",
    "reaped": "newsbot/frontier/reaped",
    "freed_at_start": "newsbot/frontier/freed_at_start",
    "most_shards_held": "newsbot/frontier/most_shards_held",
    "written_twice": "newsbot/frontier/written_twice",
}


def worker_figures(
    stats: dict[str, Any],
    ledger: Ledger,
    *,
    worker: str,
    run_id: str,
    archive_dir: str,
    reason: str,
) -> dict[str, Any]:
    figures: dict[str, Any] = {name: int(stats.get(key) or 0) for name, key in FIGURES.items()}
    held = "newsbot/frontier/shards_held/"
    figures["shards_held_by_live_workers"] = {
        k[len(held) :]: v for k, v in stats.items() if k.startswith(held)
    }
    figures.update(
        worker=worker,
        run_id=run_id,
        archive_dir=archive_dir,
        reason=reason,
        acknowledged=ledger.acked,
        leases_lost=ledger.lost,
        unacknowledged=len(ledger.entries),
        finished_at=datetime.now(timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ"),
    )
    return figures


def crawl_summary(
    crawl_id: str, workers: dict[str, dict[str, Any]], twice: list[str], status: Status
) -> dict[str, Any]:
    total = {
        name: sum(int(w.get(name) or 0) for w in workers.values())
        for name in ("articles", "duplicates", "pages", "requests")
    }
    return {
        "crawl": crawl_id,
        **total,
        "workers": dict(sorted(workers.items())),
        "ids_written_twice": twice,
        "frontier": {
            "queued": status.queued,
            "pending": status.pending,
            "held": status.held,
            "failed": status.failed,
            "done": status.done,
        },
    }


def write_crawl_summary(path: Path, summary: dict[str, Any]) -> Path:
    tmp = path.with_suffix(".tmp")
    tmp.write_text(json.dumps(summary, indent=2, sort_keys=True) + "\n", encoding="utf-8")
    tmp.replace(path)
    return path
