"""A hostile web: one crawl of the fault site (tests/support/faultsite/), then one test per fault class.

Each test checks the outcome of its fault, not only that nothing raised: the
crawl finished, the raw exchange is in the WARC where there was one, the fault
is counted under a readable `newsbot/...` key in the run summary, and every
record written is valid (and none came from a broken page). The crawl runs in
a loopback-only network namespace where the machine allows it.
"""

from __future__ import annotations

import gzip
import json
import os
import re
import socket
import struct
import time
from pathlib import Path
from typing import Any

import pytest
from warcio.archiveiterator import ArchiveIterator

from newsbot.urls import url_key
from support import faultsite
from support.crawls import LOCAL, PROJECT, records, run_scrapy
from support.faultsite import ARTICLES, FAULT_PAGES, Crawl, article_path, fault_path

pytestmark = pytest.mark.slow  # end to end: real crawls in subprocesses

NETNS = faultsite.netns_available()
MAXSIZE = 4 * 1024 * 1024
RETRY_TIMES = 1
FAULT_SETTINGS = {
    **LOCAL,
    "DOWNLOAD_TIMEOUT": "3",
    "RETRY_TIMES": str(RETRY_TIMES),
    "DOWNLOAD_MAXSIZE": str(MAXSIZE),
    "DOWNLOAD_WARNSIZE": str(MAXSIZE // 2),
    "NEWSBOT_MAX_LINKS_PER_PAGE": "100",
}
MAX_RSS_MB = 600


OUTPUT_SUFFIXES = (".warc", ".gz", ".open", ".cdxj", ".jsonl", ".json", ".sqlite", ".sqlite-wal")
SKIPPED = {".git", ".venv", "venv", "__pycache__", ".mypy_cache", ".ruff_cache", ".pytest_cache"}


def written_since(root: Path, since: float, *, skip: Path | None = None) -> set[Path]:
    """Files under `root` modified since `since` (the archive `skip` and caches left out)."""
    found = set()
    for folder, dirs, files in os.walk(root):
        dirs[:] = [d for d in dirs if d not in SKIPPED and Path(folder, d) != skip]
        found |= {Path(folder, f) for f in files if Path(folder, f).stat().st_mtime >= since}
    return found


@pytest.fixture(scope="module")
def crawl(tmp_path_factory: pytest.TempPathFactory) -> Crawl:
    tmp = tmp_path_factory.mktemp("faults")
    started = time.time() - 1  # file times may be coarser than the clock
    done = faultsite.crawl_beside_site(
        tmp, ["crawl", "news", "-a", "url=@BASE@/,@BASE@/rss.xml"], FAULT_SETTINGS, isolate=NETNS
    )
    done.site["started"] = started
    return done


@pytest.fixture(scope="module")
def exchanges(crawl: Crawl) -> dict[str, list[tuple[int, bytes, Any]]]:
    """Response and revisit records by path: (status, raw payload as served, HTTP headers)."""
    out: dict[str, list[tuple[int, bytes, Any]]] = {}
    for path in sorted((crawl.archive / "warc").glob("*.warc.gz")):
        with open(path, "rb") as fh:
            for rec in ArchiveIterator(fh):
                if rec.rec_type in ("response", "revisit"):
                    uri = rec.rec_headers.get_header("WARC-Target-URI")
                    status = int(rec.http_headers.get_statuscode())
                    out.setdefault(_path(uri), []).append(
                        (status, rec.raw_stream.read(), rec.http_headers)
                    )
    return out


@pytest.fixture(scope="module")
def all_records(crawl: Crawl) -> list[dict[str, Any]]:
    return records(crawl.archive) + records(crawl.archive, "duplicates")


def _path(url: str) -> str:
    from urllib.parse import unquote, urlsplit

    return unquote(urlsplit(url).path)


def by_path(recs: list[dict[str, Any]], path: str) -> list[dict[str, Any]]:
    return [r for r in recs if _path(r["url"]) == path]


def stat(crawl: Crawl, key: str) -> int:
    return int(crawl.stats.get(f"newsbot/{key}", 0))


# --- The crawl as a whole ----------------------------------------------------------


def test_crawl_finishes_cleanly(crawl: Crawl) -> None:
    assert crawl.proc.returncode == 0, crawl.proc.stderr[-4000:]
    assert "Traceback" not in crawl.proc.stderr, crawl.proc.stderr[-6000:]
    summary = crawl.summary
    assert summary["ok"] is True and summary["finish_reason"] == "finished"
    assert crawl.site["elapsed_s"] < 90  # timeouts of 3 s, one retry: seconds, not minutes
    assert crawl.site["maxrss_mb"] < MAX_RSS_MB, crawl.site["maxrss_mb"]


def test_every_record_is_valid_and_clean(
    all_records: list[dict[str, Any]], article_schema: Any
) -> None:
    assert len(all_records) >= 10
    for rec in all_records:
        article_schema.validate(rec)
        assert rec["title"] and len(rec["text"]) > 200, rec["url"]
        assert "\ufffd" not in rec["text"] + rec["title"], rec["url"]
        assert not re.search(r"[\x00-\x08\x0e-\x1f]", rec["text"]), rec["url"]
    assert len({r["id"] for r in all_records}) == len(all_records)


def test_no_record_comes_from_a_broken_page(all_records: list[dict[str, Any]]) -> None:
    broken = {
        "missing",
        "gone",
        "broken",
        "busy",
        "hanging",
        "endless_drip",
        "reset",
        "truncated_gzip",
        "truncated_gzip_head",
        "gzip_bomb",
        "huge",
        "huge_chunked",
        "png",
        "pdf",
        "empty",
        "loop",
        "chain",
    }
    assert not [r["url"] for r in all_records if _path(r["url"]) in {fault_path(k) for k in broken}]


def test_each_failed_url_is_logged_once_without_traceback(crawl: Crawl) -> None:
    failed = re.findall(r"WARNING: fetch failed: (\S+) ", crawl.proc.stderr)
    assert len(failed) == len(set(failed)), failed
    for kind in ("missing", "broken", "hanging", "reset", "truncated_gzip", "gzip_bomb", "huge"):
        assert any(_path(u) == fault_path(kind) for u in failed), kind


# --- HTTP errors ------------------------------------------------------------------------


@pytest.mark.parametrize(
    "kind,status,attempts",
    [
        ("missing", 404, 1),
        ("gone", 410, 1),
        ("broken", 500, RETRY_TIMES + 1),
        ("busy", 503, RETRY_TIMES + 1),
    ],
)
def test_http_errors_are_archived_and_counted(
    crawl: Crawl, exchanges: dict[str, Any], kind: str, status: int, attempts: int
) -> None:
    path = fault_path(kind)
    assert [s for s, _, _ in exchanges[path]] == [status] * attempts  # every attempt archived
    assert crawl.hits(path) == attempts  # 5xx retried RETRY_TIMES, 4xx not
    assert stat(crawl, f"http/{status}") == 1  # one failed URL, however many attempts


def test_retry_after_is_archived(exchanges: dict[str, Any]) -> None:
    _, _, headers = exchanges[fault_path("busy")][0]
    assert headers.get_header("Retry-After") == "120"


# --- Slow, silent and broken connections ------------------------------------------------


def test_timeouts_end_and_are_counted(crawl: Crawl, exchanges: dict[str, Any]) -> None:
    for kind in ("hanging", "endless_drip"):
        assert crawl.hits(fault_path(kind)) == RETRY_TIMES + 1
        assert fault_path(kind) not in exchanges  # no response, nothing to archive
    assert stat(crawl, "errors/DownloadTimeoutError") == 2


def test_slow_drip_within_the_timeout_is_a_whole_article(all_records: list[dict[str, Any]]) -> None:
    [rec] = by_path(all_records, fault_path("drip"))
    title, paras = ARTICLES["drip-story"]
    assert rec["title"] == title
    assert paras[-1][-60:] in rec["text"]  # the last bytes arrived too


def test_reset_mid_body_is_counted_not_recorded(crawl: Crawl, exchanges: dict[str, Any]) -> None:
    assert crawl.hits(fault_path("reset")) == RETRY_TIMES + 1
    assert stat(crawl, "errors/ResponseDataLossError") == 1
    assert fault_path("reset") not in exchanges


# --- Compression and size ---------------------------------------------------------------


def test_truncated_gzip_is_archived_raw_and_counted(
    crawl: Crawl, exchanges: dict[str, Any]
) -> None:
    assert stat(crawl, "errors/truncated_gzip") == 2
    [(status, raw, headers)] = exchanges[fault_path("truncated_gzip")]
    assert status == 200 and headers.get_header("Content-Encoding") == "gzip"
    whole = gzip.compress(
        faultsite.article_html(*ARTICLES["library-opening-hours"]).encode(), mtime=0
    )
    assert (
        raw == whole[: len(whole) * 6 // 10]
    )  # the bytes as served, cut where the server cut them


def test_gzip_bomb_is_stopped_at_maxsize(crawl: Crawl, exchanges: dict[str, Any]) -> None:
    [(status, raw, _)] = exchanges[fault_path("gzip_bomb")]
    assert (
        status == 200 and raw == faultsite.gzip_bomb()
    )  # archived compressed (2 MB), never inflated
    assert crawl.site["maxrss_mb"] < MAX_RSS_MB


def test_bodies_over_maxsize_are_abandoned_and_counted(
    crawl: Crawl, exchanges: dict[str, Any]
) -> None:
    for kind in ("huge", "huge_chunked"):
        assert fault_path(kind) not in exchanges
    assert stat(crawl, "errors/maxsize") == 3  # huge, huge_chunked, gzip_bomb


# --- Content that lies about itself -----------------------------------------------------


def test_cp1252_declared_utf8_is_decoded_right(
    crawl: Crawl, all_records: list[dict[str, Any]], exchanges: dict[str, Any]
) -> None:
    [rec] = by_path(all_records, fault_path("cp1252"))
    assert rec["title"] == faultsite.CP1252_TITLE
    for phrase in (
        "café on Rue Émile Zola",
        "Zoë Lefèvre",
        "Lefèvre’s insurers",
        "“far longer than",
        "pâtisserie",
        "— and its owner",
    ):
        assert phrase in rec["text"]
    [(_, raw, _)] = exchanges[fault_path("cp1252")]
    served = faultsite.article_html(faultsite.CP1252_TITLE, faultsite.CP1252_PARAS).encode("cp1252")
    assert raw == served  # archived as served, not re-encoded
    assert stat(crawl, "pages/charset_fallback") == 2  # cp1252 and Shift-JIS, both declared UTF-8


def test_shift_jis_declared_utf8_is_decoded_right(all_records: list[dict[str, Any]]) -> None:
    [rec] = by_path(all_records, fault_path("sjis"))
    assert rec["title"] == faultsite.SJIS_TITLE
    assert "漁業協同組合" in rec["text"] and "説明会" in rec["text"]


def test_pages_without_any_charset(all_records: list[dict[str, Any]]) -> None:
    [utf8] = by_path(all_records, fault_path("nocharset"))
    assert "Drivers’ representatives" in utf8["text"]
    [cp1252] = by_path(all_records, fault_path("nocharset_cp1252"))
    assert cp1252["title"] == faultsite.CP1252_BARE_TITLE
    assert "Hélène Dubois" in cp1252["text"] and "€180,000" in cp1252["text"]


def test_binary_served_as_html_is_archived_not_extracted(
    crawl: Crawl, exchanges: dict[str, Any]
) -> None:
    assert stat(crawl, "pages/no_record/binary") == 2
    [(_, raw, headers)] = exchanges[fault_path("png")]
    assert raw == faultsite.PNG_BYTES and headers.get_header("Content-Type").startswith("text/html")


def test_empty_200_is_archived_and_counted(crawl: Crawl, exchanges: dict[str, Any]) -> None:
    [(status, raw, _)] = exchanges[fault_path("empty")]
    assert status == 200 and raw == b""
    assert stat(crawl, "pages/no_record/no_text") == 1


# --- Redirects --------------------------------------------------------------------------


def test_redirect_loop_ends_and_is_counted(crawl: Crawl, exchanges: dict[str, Any]) -> None:
    assert crawl.hits(fault_path("loop")) == 1 and crawl.hits("/redirect/loop-b") == 1
    assert [s for s, _, _ in exchanges[fault_path("loop")]] == [302]
    assert stat(crawl, "errors/redirect_loop") == 1


def test_long_redirect_chain_stops_at_redirect_max_times(crawl: Crawl) -> None:
    hops = [p for p in crawl.site["hits"] if p.startswith("/redirect/chain/")]
    assert len(hops) == 20  # REDIRECT_MAX_TIMES (Scrapy's default): 20 hops followed, then given up
    assert crawl.hits("/redirect/chain/5") == 0
    assert stat(crawl, "errors/redirect_max") == 1


def test_short_redirect_chain_records_the_final_url(
    all_records: list[dict[str, Any]], exchanges: dict[str, Any]
) -> None:
    [rec] = by_path(all_records, article_path("redirected-story"))
    assert rec["title"] == ARTICLES["redirected-story"][0]
    for path, status in (
        (fault_path("short_chain"), 302),
        ("/redirect/short-1", 301),
        ("/redirect/short-2", 307),
    ):
        assert [s for s, _, _ in exchanges[path]] == [status]


# --- Links ------------------------------------------------------------------------------


def test_malformed_and_unicode_links_do_not_break_the_crawl(
    crawl: Crawl, all_records: list[dict[str, Any]]
) -> None:
    [cafe] = by_path(all_records, article_path(faultsite.UNICODE_SLUG))
    assert cafe["url"].endswith("/news/2025/12/caf%C3%A9-story.html")
    assert by_path(
        all_records, article_path("bakery-apprentices")
    )  # href with whitespace around it
    for name in ("ValueError", "InvalidURL", "CannotResolveHostError", "UnsupportedURLSchemeError"):
        assert stat(crawl, f"errors/{name}") == 0


def test_links_to_other_hosts_and_private_addresses_are_not_followed(crawl: Crawl) -> None:
    assert crawl.site["trap_connections"] == 0
    assert crawl.site["port_trap_connections"] == 0
    assert not [
        k
        for k in crawl.stats
        if k.startswith("newsbot/errors/Download") and k != "newsbot/errors/DownloadTimeoutError"
    ]
    assert crawl.hits("/news/2025/12/v6-story.html") == 0


def test_page_of_50000_links_is_capped_and_counted(crawl: Crawl) -> None:
    bulk = sum(n for p, n in crawl.site["hits"].items() if p.startswith("/section/bulk-"))
    assert bulk == 100  # NEWSBOT_MAX_LINKS_PER_PAGE in this crawl
    assert stat(crawl, "links/over_cap") == faultsite.MANY_LINKS - 100


def test_tracking_fragment_order_and_scheme_duplicates_fetch_once(
    crawl: Crawl, all_records: list[dict[str, Any]]
) -> None:
    first = article_path(faultsite.GOOD[0])
    assert crawl.hits(first) == 1  # 5 feed variants, 4 home-page variants (one https): one fetch
    assert crawl.hits("/news/2025/12/query-story.html") == 1  # ?b=2&a=1 and ?a=1&b=2
    matching = [r for r in all_records if url_key(r["url"]).endswith(first)]
    assert len(matching) == 1
    assert not re.search(r"utm_|fbclid|gclid|#", matching[0]["url"]), matching[0]["url"]
    assert not re.search(
        r"https://127\.0\.0\.1", crawl.proc.stderr
    )  # the https variant: never fetched


# --- Sitemaps and feeds -----------------------------------------------------------------


def test_xml_bombs_are_inert_and_counted(crawl: Crawl) -> None:
    assert crawl.hits(article_path("tram-line-extension")) == 1  # the good entry beside the bomb
    assert stat(crawl, "discovery/malformed") == 3  # the two bombs and the truncated feed
    assert crawl.site["elapsed_s"] < 90


def test_external_entities_are_never_resolved(crawl: Crawl) -> None:
    assert crawl.site["trap_connections"] == 0  # neither the SYSTEM entity nor the external DTD
    assert not [
        p for p in crawl.site["hits"] if p.startswith("/news/2025/12/xxe")
    ]  # no half-read <loc>
    secret = faultsite.SECRET.encode()
    assert secret not in (crawl.proc.stdout + crawl.proc.stderr).encode()
    for path in crawl.archive.rglob("*"):
        if path.is_file():
            data = path.read_bytes()
            if path.name.endswith(".gz"):
                data = gzip.decompress(data)
            assert secret not in data, path


def test_truncated_feed_yields_its_complete_entries(
    crawl: Crawl, all_records: list[dict[str, Any]]
) -> None:
    for slug in faultsite.TRUNCATED_FEED:
        assert by_path(all_records, article_path(slug)), slug
    assert crawl.hits(article_path("never-listed-story")) == 0
    assert "malformed feed" in crawl.proc.stderr


def test_every_fault_page_was_reached(crawl: Crawl) -> None:
    """The fixture itself: a fault nobody fetched would make its test vacuous."""
    for kind in FAULT_PAGES:
        assert crawl.hits(fault_path(kind)) >= 1, kind
    for path in (
        "/sitemap-lol.xml",
        "/sitemap-xxe.xml",
        "/sitemap-bomb.xml.gz",
        "/feed-lol.xml",
        "/feed-xxe.xml",
        "/feed-truncated.xml",
        "/section/many-links",
    ):
        assert crawl.hits(path) == 1, path


def test_archive_paths_stay_inside_the_archive(crawl: Crawl) -> None:
    """What the crawl names as its output lies inside ARCHIVE_DIR, and it wrote nothing
    outside: not beside the archive, not in the project folder it ran in."""
    root = crawl.archive.resolve()
    summary = crawl.summary
    named = [*summary["warc_files"], *(root / p for p in summary["outputs"].values())]
    assert named and all(Path(p).resolve().is_relative_to(root) for p in named), named
    assert Path(summary["archive_dir"]).resolve() == root
    started = crawl.site["started"]
    beside = written_since(crawl.archive.parent, started, skip=crawl.archive)
    assert beside == {crawl.archive.parent / "site.json"}, beside  # the fault site's own report
    in_project = {p for p in written_since(PROJECT, started) if p.name.endswith(OUTPUT_SUFFIXES)}
    assert not in_project, in_project  # the crawl ran in the project folder


# --- robots.txt ------------------------------------------------------------------------


def reset_at_once(h: Any) -> None:
    """Close the connection with a reset before any response."""
    h.connection.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
    h.close_connection = True
    h.connection.close()


def test_unreachable_robots_txt_is_one_line_and_the_crawl_goes_on(tmp_path: Path) -> None:
    """Scrapy logs a failed robots.txt download with a traceback; here it is one line,
    counted, and the site is crawled as if it had no robots.txt (Scrapy's rule)."""
    with faultsite.FaultSite(remote_links=False) as site:
        story = faultsite.article_html(
            "Bridge reopens",
            [
                f"Paragraph {i} of a story about a bridge that reopened "
                "after months of repairs, said the city."
                for i in range(6)
            ],
        )
        site.routes = {
            "/robots.txt": reset_at_once,
            "/sitemap.xml": faultsite.page(
                faultsite.urlset([site.url(article_path("bridge"))]), ctype="application/xml"
            ),
            article_path("bridge"): faultsite.page(story),
        }
        proc = run_scrapy(
            "crawl",
            "news",
            "-a",
            f"url={site.url('/sitemap.xml')}",
            archive=tmp_path,
            settings={**FAULT_SETTINGS, "ROBOTSTXT_OBEY": "True"},
        )
    assert [r["url"] for r in records(tmp_path)] == [site.url(article_path("bridge"))]
    errors = [line for line in proc.stderr.splitlines() if "robots.txt" in line and "ERROR" in line]
    assert len(errors) == 1, errors
    assert "Traceback" not in proc.stderr
    summary = json.loads(next((tmp_path / "runs").glob("*.summary.json")).read_text())
    assert summary["robots_txt_not_fetched"] == 1 and summary["ok"]
