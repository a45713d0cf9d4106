"""Crash repair, step 2 of the exactly-once protocol: what killed runs wrote is recorded.

A run writes each JSONL line whole, then records it; a ``kill -9`` between the two leaves
lines that are written but not recorded (and a torn last line, if the kill fell inside a
write). At the start of the next run every dead run (see `newsbot.state.liveness`) has its
torn line cut, its unrecorded lines recorded and claimed in the dedup index, and is marked
``interrupted``. Scrapy-free: the archive stage calls it when it opens.
"""

from __future__ import annotations

import logging
from typing import TYPE_CHECKING

from newsbot.dedup import make_signature
from newsbot.items import text_hash
from newsbot.jsonl import read_jsonl_repairing
from newsbot.urls import url_key

if TYPE_CHECKING:
    from pathlib import Path

    from newsbot.state import DedupClaims, Records

logger = logging.getLogger(__name__)


def repair_interrupted(
    records: Records, index: DedupClaims | None, root: Path, finished: str
) -> int:
    """Record (and claim) what dead runs wrote but did not record; returns how many."""
    added = 0
    for run_id, outputs in records.interrupted_runs():
        for rel in sorted(outputs.values()):
            for record in read_jsonl_repairing(root / rel):
                if "id" in record and not records.is_recorded(record["id"]):
                    text = record.get("text") or ""
                    records.record(record, url_key(record["url"]), text_hash(text), run_id)
                    if index is not None:
                        index.claim(record["id"], make_signature(text))
                    added += 1
        records.finish_run(run_id, finished, "interrupted")
        logger.warning("repaired interrupted run %s", run_id)
    return added
