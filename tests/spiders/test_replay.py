"""ReplaySpider: Page items rebuilt from WARC records, as the live crawl made them."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from newsbot.items import Page
from newsbot.sources import SourceError
from newsbot.spiders.replay import ReplaySpider
from support.crawler import collect, crawler_for, run

PRE_SEAM = Path(__file__).resolve().parents[1] / "data" / "pre-seam"


def crawled_urls() -> list[str]:
    """The article URLs the crawl that wrote the pre-seam WARC recorded."""
    return sorted(
        json.loads(line)["url"]
        for path in (PRE_SEAM / "articles").glob("*.jsonl")
        for line in path.read_text(encoding="utf-8").splitlines()
    )


def test_pages_come_back_in_capture_order_with_their_context(tmp_path: Path) -> None:
    with crawler_for(ReplaySpider, tmp_path, warc=str(PRE_SEAM / "warc")) as crawler:
        pages = run(collect(crawler.spider.start()))
        stats = crawler.stats
        assert all(isinstance(p, Page) for p in pages)
        assert [p.seq for p in pages] == list(range(len(pages)))
        assert set(crawled_urls()) <= {p.url for p in pages}
        first = pages[0]
        assert first.warc is not None and first.warc["file"].startswith(str(PRE_SEAM / "warc"))
        assert first.context.get("source") and "candidate" in first.context  # archived context
        assert stats.get_value("newsbot/start/reachable") == 1
        assert stats.get_value("newsbot/replay/files") == 1
        assert stats.get_value("newsbot/replay/bad_records") == 0
        assert stats.get_value("newsbot/pages/article") == len(pages)
        assert stats.get_value("downloader/response_count") >= len(pages)


def test_nothing_to_replay_fails_the_run_saying_why(tmp_path: Path) -> None:
    with crawler_for(ReplaySpider, tmp_path, warc=str(tmp_path / "none-*.warc.gz")) as crawler:
        assert run(collect(crawler.spider.start())) == []
        assert (
            crawler.stats.get_value("newsbot/failed")
            == f"no WARC or ARC files in {tmp_path}/none-*.warc.gz"
        )


def test_replay_needs_warcs() -> None:
    with pytest.raises(SourceError, match="-a warc="):
        ReplaySpider()


def test_replay_fetches_nothing_and_writes_no_warc(tmp_path: Path) -> None:
    with crawler_for(ReplaySpider, tmp_path, warc=str(PRE_SEAM / "warc")) as crawler:
        settings = crawler.settings
        assert settings.getbool("WARC_ENABLED") is False
        assert all(v is None for v in settings.getdict("DOWNLOAD_HANDLERS").values())
        assert settings.get("NEWSBOT_STATE_FILE") == "replay-{run_id}.sqlite"
    assert not (tmp_path / "warc").exists()
