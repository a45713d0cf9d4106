"""A site's zone learnt across its pages, end to end: the IST site whose later pages print
times without a zone. Records must not depend on the number of extraction workers, a
replay of the crawl's WARCs gives the same dates, and a later run starts from the zone
the archive learnt (archived in each capture's context)."""

from __future__ import annotations

import json
import random
from pathlib import Path
from typing import Any

import pytest

from support.crawls import records, run_scrapy
from support.pagesite import serve_pages

pytestmark = pytest.mark.slow

WORDS = (
    "minister talks energy border trade council budget court rail vote summit port "
    "harvest monsoon tariff grid airport metro bank index steel export"
).split()
ZONED = "December 16, 2025 / 01:13 IST"  # 2025-12-15T19:43Z, and +05:30 in JSON-LD
ZONE_LESS = ["Dec 14, 2025 08:05 am", "Dec 13, 2025 10:20 pm", "Dec 12, 2025 6:45 am"]
IN_KOLKATA = ["2025-12-14T02:35:00Z", "2025-12-13T16:50:00Z", "2025-12-12T01:15:00Z"]


def _text(seed: int) -> str:
    rng = random.Random(seed)
    return "".join(f"<p>{' '.join(rng.choices(WORDS, k=40)).capitalize()}.</p>" for _ in range(6))


def _page(title: str, line: str, seed: int, jsonld: str | None) -> bytes:
    data = {"@type": "NewsArticle", "headline": title, "datePublished": jsonld}
    ld = f'<script type="application/ld+json">{json.dumps(data)}</script>' if jsonld else ""
    return (
        f"<html><head><title>{title}</title>{ld}</head><body><article><h1>{title}</h1>"
        f'<p class="byline">{line}</p>{_text(seed)}</article></body></html>'
    ).encode()


def _site(base: str, extra: bool = False) -> dict[str, tuple[str, bytes]]:
    html = "text/html; charset=utf-8"
    pages = {
        f"/news/zoned-{i}.html": (
            html,
            _page(f"Zoned story {i}", ZONED, i, "2025-12-16T01:13:00+05:30"),
        )
        for i in range(3)
    }
    pages |= {
        f"/news/plain-{i}.html": (html, _page(f"Plain story {i}", ZONE_LESS[i], 10 + i, None))
        for i in range(3)
    }
    urls = "".join(f"<url><loc>{base}{path}</loc></url>" for path in pages)
    pages["/sitemap.xml"] = (
        "application/xml",
        (
            '<urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">' + urls + "</urlset>"
        ).encode(),
    )
    pages["/news/later.html"] = (html, _page("Later story", "Dec 11, 2025 09:00 am", 99, None))
    return pages


ORDERED = {"CONCURRENT_REQUESTS": "1", "CONCURRENT_REQUESTS_PER_DOMAIN": "1"}


def _crawl(archive: Path, base: str, workers: int, start: str = "/sitemap.xml") -> None:
    run_scrapy(
        "crawl",
        "news",
        "-a",
        f"url={base}{start}",
        archive=archive,
        settings={**ORDERED, "EXTRACT_WORKERS": str(workers)},
    )


def _dates(found: list[dict[str, Any]]) -> dict[str, tuple[Any, Any]]:
    return {r["url"].rsplit("/", 1)[1]: (r["published"], r["published_local"]) for r in found}


def test_zone_learnt_from_a_sites_pages_is_the_same_for_one_worker_or_three(tmp_path: Path) -> None:
    with serve_pages("127.0.0.2", _site) as base:
        _crawl(tmp_path / "one", base, 1)
        _crawl(tmp_path / "three", base, 3)
    one, three = _dates(records(tmp_path / "one")), _dates(records(tmp_path / "three"))
    assert one == three
    for i in range(3):
        assert one[f"zoned-{i}.html"][0] == "2025-12-15T19:43:00Z"
        assert one[f"plain-{i}.html"][0] == IN_KOLKATA[i]
        assert one[f"plain-{i}.html"][1].endswith("+05:30")


def test_a_replay_gives_the_learnt_dates_and_a_later_run_starts_from_them(tmp_path: Path) -> None:
    archive = tmp_path / "live"
    with serve_pages("127.0.0.2", _site) as base:
        _crawl(archive, base, 2)
        live = _dates(records(archive))
        run_scrapy("crawl", "replay", "-a", f"warc={archive / 'warc'}", archive=archive)
        replayed = {
            name: value
            for path in (archive / "articles").glob("replay-*.jsonl")
            for name, value in _dates(
                [json.loads(line) for line in path.read_text().splitlines()]
            ).items()
        }
        assert replayed == live
        # a later run of the same archive: its one zone-less page is read in the zone
        # the earlier run learnt, which its capture context carries
        _crawl(archive, base, 1, start="/news/later.html")
    later = [r for r in records(archive) if r["url"].endswith("later.html")]
    assert [r["published"] for r in later] == ["2025-12-11T03:30:00Z"]
