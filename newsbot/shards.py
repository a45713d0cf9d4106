"""Replay shares: ``-a shard=K/N`` takes the K-th of N shares of a set of WARC files.

Replaying terabytes is one task per file (job arrays, Spark: ../shared/SCALE-OUT.md). Each
share is a separate ``scrapy crawl replay`` process, on this machine or another, and all
of them claim in one Redis index (``NEWSBOT_REDIS_URL``, one ``NEWSBOT_REDIS_PREFIX``), so
copies of a story are linked across every share; the canonical is the first committed,
which may differ from run to run. The share of a file depends on the sorted file names
only, so every process given the same files agrees on the split without talking.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from newsbot.sources import SourceError

if TYPE_CHECKING:
    from pathlib import Path


def parse_shard(text: str) -> tuple[int, int]:
    """``"K/N"`` -> (K, N) with 1 <= K <= N; SourceError (one line) otherwise."""
    try:
        k, n = (int(part) for part in text.split("/"))
    except ValueError:
        raise SourceError(f"shard must be K/N (K from 1 to N), not {text!r}") from None
    if not 1 <= k <= n:
        raise SourceError(f"shard must be K/N with K from 1 to N, not {text!r}")
    return k, n


def share_of(files: list[Path], k: int, n: int) -> list[Path]:
    """The K-th of N shares: every N-th file by sorted name, from the K-th (round robin,
    so shares differ by one file at most)."""
    ordered = sorted(files, key=lambda p: (p.name, str(p)))
    return [path for i, path in enumerate(ordered) if i % n == k - 1]
