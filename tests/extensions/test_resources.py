"""CrawlResources: opens the state backend and the WARC service for the crawl's components,
and after the engine stopped closes them, judges the run and hands on the summary."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from scrapy import Request, signals
from scrapy.http import HtmlResponse

from newsbot.downloadermiddlewares.capture import WarcCaptureMiddleware
from newsbot.extensions.resources import CrawlResources, summary_ready
from newsbot.runtime import Runtime, utc_stamp
from newsbot.spiders.news import NewsSpider
from newsbot.state import MemoryBackend
from support.crawler import build, crawler_for, run


def test_resources_are_open_before_any_component_is_built(tmp_path: Path) -> None:
    with crawler_for(NewsSpider, tmp_path, url="http://news.example/") as crawler:
        [resources] = [m for m in crawler.extensions.middlewares if isinstance(m, CrawlResources)]
        runtime = Runtime.of(crawler)
        assert resources.runtime is runtime
        assert isinstance(runtime.backend, MemoryBackend)  # STATE_BACKEND
        assert runtime.warc is not None and runtime.warc.directory == tmp_path / "warc"


def test_after_the_engine_stopped_the_run_is_finished_and_summarised(tmp_path: Path) -> None:
    summaries: list[dict[str, Any]] = []
    with crawler_for(NewsSpider, tmp_path, url="http://news.example/") as crawler:
        runtime = Runtime.of(crawler)
        records = runtime.state
        records.start_run(runtime.run_id, "news", utc_stamp(), {})
        crawler.signals.connect(
            lambda summary: summaries.append(summary), signal=summary_ready, weak=False
        )
        request = Request("http://news.example/a.html")
        run(
            build(WarcCaptureMiddleware, crawler).process_response(
                request, HtmlResponse(request.url, body=b"<html>a page</html>", request=request)
            )
        )
        crawler.stats.set_value("newsbot/start/reachable", 1)
        crawler.signals.send_catch_log(signals.engine_stopped)
        assert runtime._backend is None, "the backend is closed"
    [summary] = summaries
    assert summary["run_id"] == runtime.run_id and summary["ok"] and summary["exit_status"] == 0
    [warc] = summary["warc_files"]
    assert Path(warc).exists() and not Path(warc).name.endswith(".open")  # closed and renamed
    assert records.runs[runtime.run_id].status == "finished"  # type: ignore[attr-defined]
    assert crawler.stats.get_value("newsbot/exit_status") == 0


def test_summary_listeners_run_while_the_backend_is_open(tmp_path: Path) -> None:
    seen: list[bool] = []

    def listener(summary: dict[str, Any]) -> None:
        seen.append(Runtime.of(crawler)._backend is not None)
        raise RuntimeError("a listener that fails")

    with crawler_for(
        NewsSpider, tmp_path, {"WARC_ENABLED": False}, url="http://news.example/"
    ) as crawler:
        runtime = Runtime.of(crawler)
        runtime.state.start_run(runtime.run_id, "news", utc_stamp(), {})
        crawler.signals.connect(listener, signal=summary_ready, weak=False)
        crawler.signals.send_catch_log(signals.engine_stopped)
        assert runtime._backend is None, "closed, though a listener failed"
    assert seen == [True]


def test_a_crawl_that_reached_nothing_is_a_failed_run(tmp_path: Path) -> None:
    with crawler_for(
        NewsSpider, tmp_path, {"WARC_ENABLED": False}, url="http://news.example/"
    ) as crawler:
        runtime = Runtime.of(crawler)
        records = runtime.state
        records.start_run(runtime.run_id, "news", utc_stamp(), {})
        assert runtime.warc is None  # WARC_ENABLED off: no service, no files
        crawler.stats.set_value("newsbot/failed", "no start URL reachable")
        crawler.signals.send_catch_log(signals.engine_stopped)
    assert records.runs[runtime.run_id].status == "failed"  # type: ignore[attr-defined]
    assert crawler.stats.get_value("newsbot/exit_status") == 1
    assert not (tmp_path / "warc").exists()
