"""Shared fixtures: real HTTP servers on loopback, crawls run as `scrapy crawl`."""

from __future__ import annotations

import json
import shutil
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from support.crawls import BENCH, DEMO_SITE, PROJECT, run_scrapy
from support.netns import reexec_in_loopback_namespace

pytest_plugins = ["support.redisserver"]  # its redis-server fixtures, for every test


def pytest_configure(config: pytest.Config) -> None:
    reexec_in_loopback_namespace(config)


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


@pytest.fixture(scope="session")
def demo_archive(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The README's demo crawl (`scrapy demo`), run once a session and shared by every test
    that only reads it. Never write to it: a test that does (a replay) takes `demo_copy`."""
    archive = tmp_path_factory.mktemp("demo") / "archive"
    proc = run_scrapy("demo", archive=archive)
    assert "articles" in proc.stdout, proc.stdout
    return archive


@pytest.fixture
def demo_copy(demo_archive: Path, tmp_path: Path) -> Path:
    """A copy of the demo archive this test may write to."""
    copy = tmp_path / "archive"
    shutil.copytree(demo_archive, copy)
    return copy
