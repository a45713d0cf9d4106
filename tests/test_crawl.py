"""End to end: `scrapy demo` and `scrapy crawl news` against real local servers."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
from warcio.archiveiterator import ArchiveIterator

from newsbot.demo.server import serve_folder
from newsbot.discovery import parse_feed, parse_sitemap
from newsbot.items import CONTEXT_VERSION, CaptureContext
from support.crawls import records, run_scrapy
from support.realsite import build

pytestmark = pytest.mark.slow  # end to end: real crawls in subprocesses

CLUTTER = [
    "Black Friday Sale",
    "Advisory Alert",
    "Subscribe to Tech Newsletters",
    "Discover the latest Business News",
]


def warc_files(archive: Path) -> list[Path]:
    return sorted((archive / "warc").glob("*.warc.gz"))


def record_at(archive: Path, pointer: dict[str, Any]) -> Any:
    with open(archive / pointer["file"], "rb") as fh:
        fh.seek(pointer["offset"])
        record = next(iter(ArchiveIterator(fh)))
        record.content_stream().read()
        return record


def test_demo_records_are_valid_articles(demo_archive: Path, article_schema: Any) -> None:
    recs = records(demo_archive) + records(demo_archive, "duplicates")
    assert len(recs) >= 15
    for rec in recs:
        article_schema.validate(rec)
        assert rec["title"] and len(rec["text"]) > 200, rec["url"]
    assert len({r["id"] for r in recs}) == len(recs)


def test_demo_only_article_pages_become_records(demo_archive: Path) -> None:
    urls = {r["url"] for r in records(demo_archive) + records(demo_archive, "duplicates")}
    for url in urls:
        path = url.split("/", 3)[3]
        assert not path.startswith(("videos/", "tag/", "author/", "private/")), url
        assert path.strip("/") not in ("", "world", "markets"), url


def test_seed_modelled_article_is_clean(demo_archive: Path) -> None:
    recs = records(demo_archive) + records(demo_archive, "duplicates")
    seed = [r for r in recs if "/news/world/berlin-talks-" in r["url"]]
    assert len(seed) == 1, [r["url"] for r in recs]
    text = seed[0]["text"]
    assert "his discussions in Berlin with US President Donald Trump" in text
    assert "The fate of Ukraine is the fate of all Europe." in text
    for phrase in CLUTTER:
        assert phrase not in text


def test_warcs_pass_warcio_check(demo_archive: Path) -> None:
    files = warc_files(demo_archive)
    assert files and not list((demo_archive / "warc").glob("*.open"))
    warcio = [sys.executable, "-c", "import sys; from warcio.cli import main; sys.exit(main())"]
    proc = subprocess.run(
        [*warcio, "check", "-v", *map(str, files)], capture_output=True, text=True
    )
    assert proc.returncode == 0, proc.stdout + proc.stderr


def test_warc_holds_requests_responses_and_non_articles(demo_archive: Path) -> None:
    kinds: dict[str, int] = {}
    uris = set()
    for path in warc_files(demo_archive):
        with open(path, "rb") as fh:
            for rec in ArchiveIterator(fh):
                kinds[rec.rec_type] = kinds.get(rec.rec_type, 0) + 1
                if rec.rec_type == "response":
                    uris.add(rec.rec_headers.get_header("WARC-Target-URI"))
    assert kinds["warcinfo"] >= 1
    assert kinds["request"] == kinds["response"] + kinds.get("revisit", 0)
    assert any(u.endswith("/robots.txt") for u in uris)
    assert any(u.endswith("sitemap.xml") for u in uris)
    assert any(u.rstrip("/").endswith(("/world", "/markets")) for u in uris)


def test_capture_context_follows_its_request_record(demo_archive: Path) -> None:
    """A replay reads each capture's context within a few records of its response
    (one pass, no second read of the file): the writer puts it right after the request."""
    contexts = 0
    for path in warc_files(demo_archive):
        with open(path, "rb") as fh:
            recs = [
                (
                    r.rec_type,
                    r.rec_headers.get_header("WARC-Record-ID"),
                    r.rec_headers.get_header("WARC-Refers-To"),
                    r.content_stream().read(),
                )
                for r in ArchiveIterator(fh)
            ]
        for i, (kind, _, refers_to, payload) in enumerate(recs):
            if kind == "metadata" and b"newsbot_context" in payload:
                contexts += 1
                assert recs[i - 1][0] == "request" and recs[i - 2][1] == refers_to
                context = json.loads(payload)["newsbot_context"]
                assert context["version"] == CONTEXT_VERSION  # a file format: versioned
                assert set(context) <= set(CaptureContext.__annotations__)
    assert contexts > 20


def test_every_pointer_opens_to_its_response(demo_archive: Path) -> None:
    for rec in records(demo_archive) + records(demo_archive, "duplicates"):
        warc = record_at(demo_archive, rec["warc"])
        assert warc.rec_type == "response"
        assert warc.rec_headers.get_header("WARC-Target-URI") == rec["url"]
        assert warc.rec_headers.get_header("WARC-Record-ID") == rec["warc"]["record_id"]
        assert rec["fetched_at"].startswith(warc.rec_headers.get_header("WARC-Date")[:19])


def test_summary_is_written(demo_archive: Path) -> None:
    summaries = list((demo_archive / "runs").glob("*.summary.json"))
    assert len(summaries) == 1
    summary = json.loads(summaries[0].read_text())
    assert summary["ok"] is True
    assert summary["articles"] == len(records(demo_archive))
    assert summary["duplicates"] == len(records(demo_archive, "duplicates"))
    assert summary["pages_by_status"]["200"] > summary["articles"]
    assert summary["warc_files"] and summary["outputs"]["articles"].endswith(".jsonl")


@pytest.fixture(scope="module")
def real_site(tmp_path_factory: pytest.TempPathFactory, bench_dir: Path) -> Any:
    root = tmp_path_factory.mktemp("realsite")
    pages = build(bench_dir, root, limit=40)
    with serve_folder(root) as server:
        yield server, pages


def test_crawl_of_a_site_we_did_not_write(
    real_site: Any, tmp_path: Path, article_schema: Any
) -> None:
    server, _pages = real_site
    listed = {e.url for e in parse_sitemap(server_get(server, "/sitemap.xml"))}
    run_scrapy("crawl", "news", "-a", f"url={server.url('/sitemap.xml')}", archive=tmp_path)
    recs = records(tmp_path) + records(tmp_path, "duplicates")
    assert {r["url"] for r in recs} == listed
    for rec in recs:
        article_schema.validate(rec)
        assert rec["title"] and rec["text"]


def test_home_page_and_feed_discovery(real_site: Any, tmp_path: Path) -> None:
    server, _pages = real_site
    in_feed = {e.url for e in parse_feed(server_get(server, "/rss.xml"))}
    run_scrapy(
        "crawl", "news", "-a", f"url={server.url('/')},{server.url('/rss.xml')}", archive=tmp_path
    )
    urls = {r["url"] for r in records(tmp_path) + records(tmp_path, "duplicates")}
    assert in_feed <= urls
    assert not any(u.rstrip("/").endswith(("/world", "/business", "/politics")) for u in urls)


def server_get(server: Any, path: str) -> bytes:
    from urllib.request import urlopen

    with urlopen(server.url(path), timeout=10) as resp:
        return resp.read()


def test_unreachable_start_fails_loudly(tmp_path: Path) -> None:
    proc = run_scrapy(
        "crawl",
        "news",
        "-a",
        "url=http://127.0.0.1:9/",
        archive=tmp_path,
        settings={"RETRY_TIMES": "0"},
        check=False,
    )
    assert proc.returncode != 0
    summary = json.loads(next((tmp_path / "runs").glob("*.summary.json")).read_text())
    assert summary["ok"] is False and "no start URL" in summary["failure"]


def test_bad_configuration_fails(tmp_path: Path) -> None:
    bad = tmp_path / "sources.toml"
    bad.write_text(
        '[[source]]\nname = "x"\nstart_urls = ["http://127.0.0.1:9/"]\ntimezone = "Mars/Olympus"\n'
    )
    proc = run_scrapy("crawl", "news", "-a", f"sources={bad}", archive=tmp_path, check=False)
    assert proc.returncode != 0
    assert "Mars/Olympus" in proc.stderr


def test_seed_article_date_is_its_ist_date_line_in_utc(demo_archive: Path) -> None:
    recs = records(demo_archive) + records(demo_archive, "duplicates")
    seed = next(r for r in recs if "/news/world/berlin-talks-" in r["url"])
    assert seed["published"] == "2025-12-15T19:43:00Z"
    assert "01:13" in seed["published_raw"] and seed["published_precision"] == "minute"


def test_seed_article_and_its_afp_original_are_one_story(demo_archive: Path) -> None:
    story = [
        r
        for r in records(demo_archive) + records(demo_archive, "duplicates")
        if "berlin-talks" in r["url"] and "zelensky" in r["url"]
    ]
    assert len(story) == 2
    canonical = [r for r in records(demo_archive) if r in story]
    copies = [r for r in records(demo_archive, "duplicates") if r in story]
    assert len(canonical) == 1 and len(copies) == 1
    assert copies[0]["duplicate_of"] == canonical[0]["id"]
    assert 0.5 < copies[0]["similarity"] <= 1
    assert canonical[0]["wires"] == copies[0]["wires"] == ["AFP"]


def test_every_demo_warc_has_its_cdxj_index(demo_archive: Path) -> None:
    for path in warc_files(demo_archive):
        cdxj = Path(f"{path}.cdxj")
        lines = cdxj.read_text().splitlines()
        assert lines and all(json.loads(line.split(" ", 2)[2])["filename"] for line in lines)


def test_since_skips_older_sitemap_entries(real_site: Any, tmp_path: Path) -> None:
    server, _ = real_site
    entries = parse_sitemap(server_get(server, "/sitemap.xml"))
    recent = {e.url for e in entries if e.date and e.date >= "2025-12-02"}
    assert 0 < len(recent) < len(entries)
    run_scrapy(
        "crawl",
        "news",
        "-a",
        f"url={server.url('/sitemap.xml')}",
        "-a",
        "since=2025-12-02",
        archive=tmp_path,
    )
    assert {r["url"] for r in records(tmp_path) + records(tmp_path, "duplicates")} == recent


def test_debug_log_names_items_without_printing_them(real_site: Any, tmp_path: Path) -> None:
    """At DEBUG, Scrapy's default would print every article's text and every dropped
    page's HTML; newsbot's log names each item by id and URL, once."""
    server, _ = real_site
    proc = run_scrapy(
        "crawl",
        "news",
        "-a",
        f"url={server.url('/sitemap.xml')}",
        archive=tmp_path,
        settings={"LOG_LEVEL": "DEBUG"},
    )
    recs = records(tmp_path) + records(tmp_path, "duplicates")
    assert recs
    log = proc.stderr
    for rec in recs:
        assert log.count(f"Scraped {rec['id']} {rec['url']}") == 1
        longest = max(rec["text"].split("\n"), key=len)
        assert longest not in log
    assert "<html" not in log.lower() and "'text':" not in log
