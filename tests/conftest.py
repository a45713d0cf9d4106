"""Shared fixtures: real HTTP servers on loopback, crawls run as `scrapy crawl`."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path
from typing import Any, Iterator

import pytest

from netns import reexec_in_loopback_namespace

PROJECT = Path(__file__).resolve().parents[1]
SHARED = PROJECT.parent / "shared"
BENCH = SHARED / "benchmarks" / "article-extraction"
DEMO_SITE = PROJECT / "newsbot" / "demo" / "site"

# Settings for crawling local test servers: no politeness delays, quiet.
LOCAL = {
    "AUTOTHROTTLE_ENABLED": "0",
    "DOWNLOAD_DELAY": "0",
    "CONCURRENT_REQUESTS_PER_DOMAIN": "16",
    "NEWSBOT_PROGRESS_INTERVAL": "0",
    "EXTRACT_WORKERS": "2",
    "LOG_LEVEL": "INFO",
}


def pytest_configure(config: pytest.Config) -> None:
    reexec_in_loopback_namespace(config)


def run_scrapy(*args: str, archive: Path, settings: dict[str, str] | None = None,
               timeout: float = 600, check: bool = True) -> subprocess.CompletedProcess[str]:
    """Run `scrapy <args>` in the project folder, as a user would."""
    cmd = [sys.executable, "-m", "scrapy", *args, "-s", f"ARCHIVE_DIR={archive}"]
    for key, value in {**LOCAL, **(settings or {})}.items():
        cmd += ["-s", f"{key}={value}"]
    env = dict(os.environ, PYTHONUNBUFFERED="1")
    proc = subprocess.run(cmd, cwd=PROJECT, capture_output=True, text=True, timeout=timeout, env=env)
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


@pytest.fixture(scope="session")
def article_schema() -> Any:
    import jsonschema

    schema = json.loads((PROJECT / "newsbot" / "schema" / "article.schema.json").read_text())
    jsonschema.Draft202012Validator.check_schema(schema)
    return jsonschema.Draft202012Validator(schema)


@pytest.fixture(scope="session")
def demo_sites() -> Iterator[Any]:
    from newsbot.demo.server import serve_sites

    with serve_sites(DEMO_SITE) as group:
        yield group


@pytest.fixture(scope="session")
def bench_dir() -> Path:
    if not (BENCH / "ground-truth.json").exists():
        pytest.skip("../shared/benchmarks/article-extraction is not here")
    return BENCH
