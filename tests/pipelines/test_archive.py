"""ArticleArchivePipeline: each record written whole to its JSONL file, then recorded."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from scrapy.crawler import Crawler
from twisted.internet import task

from newsbot.pipelines.archive import ArticleArchivePipeline
from newsbot.pipelines.templates import TemplatePipeline
from newsbot.runtime import Runtime
from newsbot.spiders.news import NewsSpider
from newsbot.urls import url_key
from support.crawler import build, crawler_for

from .conftest import OTHER, STORY, article

NO_TEMPLATES = {"TEMPLATES_ENABLED": False}


def opened(crawler: Crawler) -> ArticleArchivePipeline:
    stage = build(ArticleArchivePipeline, crawler)
    stage.committer.clock = task.Clock()  # Twisted's test clock: no reactor in unit tests
    stage.open_spider()
    return stage


def lines(path: Path) -> list[dict[str, Any]]:
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines()]


def test_records_are_written_then_recorded(tmp_path: Path) -> None:
    with crawler_for(NewsSpider, tmp_path, NO_TEMPLATES, url="http://news.example/") as crawler:
        stage = opened(crawler)
        runtime = Runtime.of(crawler)
        first = article("http://news.example/bridge.html", STORY, source="Example")
        copy = article(
            "http://copy.example/bridge.html", STORY, duplicate_of=first.id, similarity=1.0
        )
        for item in (first, copy, first):  # the same article twice is written once
            assert stage.process_item(item) is item
        stage.close_spider()
        assert runtime.state.latest(url_key(first.url)) is not None
        assert runtime.state.is_recorded(copy.id)
    base = tmp_path / "articles" / f"news-{runtime.run_id}"
    [written] = lines(Path(f"{base}.jsonl"))
    [duplicate] = lines(Path(f"{base}.duplicates.jsonl"))
    assert written["id"] == first.id and written["text"] == STORY
    assert "signature" not in written and "seq" not in written  # working fields stay out
    assert duplicate["duplicate_of"] == first.id
    stats = crawler.stats
    assert (stats.get_value("newsbot/articles"), stats.get_value("newsbot/duplicates")) == (1, 1)
    assert stats.get_value("newsbot/sites/Example/records") == 1
    assert stats.get_value("newsbot/outputs") == stage.outputs


def test_keep_duplicates_flags_them_in_the_articles_file(tmp_path: Path) -> None:
    settings = {**NO_TEMPLATES, "DEDUP_KEEP_DUPLICATES": True}
    with crawler_for(NewsSpider, tmp_path, settings, url="http://news.example/") as crawler:
        stage = opened(crawler)
        first = article("http://news.example/bridge.html", STORY)
        stage.process_item(first)
        stage.process_item(article("http://copy.example/bridge.html", STORY, duplicate_of=first.id))
        stage.close_spider()
        run_id = Runtime.of(crawler).run_id
    recs = lines(tmp_path / "articles" / f"news-{run_id}.jsonl")
    assert [r["duplicate_of"] for r in recs] == [None, first.id]
    assert not (tmp_path / "articles" / f"news-{run_id}.duplicates.jsonl").exists()


def test_a_sites_first_pages_wait_for_its_template(crawler: Crawler) -> None:
    """Until a site has TEMPLATES_MIN_PAGES pages its records wait, then are cleaned with
    what the template store learnt from all of them."""
    templates = build(TemplatePipeline, crawler)
    stage = opened(crawler)
    footer = "Subscribe to our newsletter for the morning briefing, delivered before seven."
    out = tmp = Runtime.of(crawler).root / "articles" / f"news-{Runtime.of(crawler).run_id}.jsonl"
    for i, body in enumerate((STORY, OTHER, STORY.replace("council", "mayor"))):
        text = "\n".join([*(f"{line} (Report {i}.)" for line in body.split("\n")), footer])
        item = templates.process_item(article(f"http://news.example/{i}.html", text))
        stage.process_item(item)
        if i < 2:
            assert not out.exists() or not out.read_text(), "written before the site had 3 pages"
    stage.close_spider()
    recs = lines(tmp)
    assert len(recs) == 3
    assert all(footer not in r["text"] for r in recs), [r["text"][-90:] for r in recs]
