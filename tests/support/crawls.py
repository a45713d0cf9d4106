"""Crawls as a user runs them (`scrapy ...` in a subprocess, in the project folder) and
what they wrote; the paths and settings every test shares."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from collections.abc import Mapping

PROJECT = Path(__file__).resolve().parents[2]
SHARED = PROJECT.parent / "shared"
BENCH = SHARED / "benchmarks" / "article-extraction"
DEMO_SITE = PROJECT / "newsbot" / "demo" / "site"

# The record fields a replay must give exactly as the live crawl (or an earlier replay) did.
COMPARED = [
    "id",
    "url",
    "title",
    "text",
    "authors",
    "published",
    "published_raw",
    "modified",
    "wires",
    "duplicate_of",
    "similarity",
    "fetched_at",
    "warc",
    "language",
    "tags",
]

# Settings for crawling local test servers: no politeness delays, quiet.
LOCAL = {
    "AUTOTHROTTLE_ENABLED": "0",
    "DOWNLOAD_DELAY": "0",
    "CONCURRENT_REQUESTS_PER_DOMAIN": "16",
    "NEWSBOT_PROGRESS_INTERVAL": "0",
    "EXTRACT_WORKERS": "2",
    "LOG_LEVEL": "INFO",
}


def scrapy_command(*args: str, settings: Mapping[str, str]) -> list[str]:
    """`python -m scrapy <args> -s KEY=VALUE ...` with this interpreter."""
    cmd = [sys.executable, "-m", "scrapy", *args]
    for key, value in settings.items():
        cmd += ["-s", f"{key}={value}"]
    return cmd


def start_scrapy(*args: str, settings: Mapping[str, str], **popen: Any) -> subprocess.Popen[Any]:
    """`scrapy <args>` started in the project folder, unbuffered, not waited for (kill and
    restart tests); ``popen`` is passed on (stdout, stderr, text, start_new_session)."""
    env = dict(os.environ, PYTHONUNBUFFERED="1")
    return subprocess.Popen(scrapy_command(*args, settings=settings), cwd=PROJECT, env=env, **popen)


def run_scrapy(
    *args: str,
    archive: Path,
    settings: dict[str, str] | None = None,
    timeout: float = 600,
    check: bool = True,
) -> subprocess.CompletedProcess[str]:
    """Run `scrapy <args>` in the project folder, as a user would."""
    cmd = scrapy_command(*args, settings={"ARCHIVE_DIR": str(archive), **LOCAL, **(settings or {})})
    env = dict(os.environ, PYTHONUNBUFFERED="1")
    proc = subprocess.run(
        cmd, cwd=PROJECT, capture_output=True, text=True, timeout=timeout, env=env
    )
    if check and proc.returncode != 0:
        raise AssertionError(f"{' '.join(cmd)} exited {proc.returncode}:\n{proc.stderr[-6000:]}")
    return proc


def read_jsonl(path: Path) -> list[dict[str, Any]]:
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines() if line]


def records(archive: Path, kind: str = "articles") -> list[dict[str, Any]]:
    """All records of one kind ('articles' or 'duplicates') under an archive."""
    out: list[dict[str, Any]] = []
    for path in sorted((archive / "articles").glob("*.jsonl")):
        is_dup = path.name.endswith(".duplicates.jsonl")
        if is_dup == (kind == "duplicates"):
            out.extend(read_jsonl(path))
    return out
