"""Article detection end to end: pages of our own, crawled live and replayed from a
WARC another tool wrote, judged by the page itself (no-record reasons in the summary)."""

from __future__ import annotations

import json
from io import BytesIO
from pathlib import Path
from typing import Any

import pytest
from warcio.statusandheaders import StatusAndHeaders
from warcio.warcwriter import WARCWriter

from newsbot.demo.server import serve_folder
from support.crawls import records, run_scrapy

pytestmark = pytest.mark.slow  # end to end: real crawls in subprocesses

PARAGRAPHS = [
    "The city council voted on Tuesday to close the old harbour bridge to cars for good, "
    "after engineers found that the steel under its southern span had corroded further "
    "than any survey in the past decade had shown.",
    "Residents who cross the bridge each morning said they had expected the decision, "
    "though many of them worried about the longer detour through the industrial estate, "
    "which adds twenty minutes to a journey that used to take five.",
    "The council's transport committee said a replacement footbridge would be designed "
    "over the winter, with work to begin in the spring if the regional government agrees "
    "to pay for half of the cost, as it did for the ferry terminal.",
    "Shop owners on the waterfront asked for free parking during the works, arguing that "
    "the closure would keep visitors away from the market at the busiest time of the year, "
    "when the Christmas stalls bring most of their income.",
]


def article(title: str, declared: str = "", extra_head: str = "") -> str:
    body = "".join(f"<p>{p}</p>" for p in PARAGRAPHS)
    return (
        f"<!doctype html><html lang='en'><head><title>{title}</title>{declared}{extra_head}"
        f"</head><body><nav><a href='/'>Home</a></nav><article><h1>{title}</h1>"
        f"<p class='byline'>By Jane Doe</p>{body}</article></body></html>"
    )


def section(links: list[tuple[str, str]]) -> str:
    items = "".join(f"<li><h3><a href='{href}'>{text}</a></h3></li>" for href, text in links)
    return (
        f"<!doctype html><html lang='en'><head><title>World news</title></head><body>"
        f"<h1>World news</h1><ul class='headlines'>{items}</ul></body></html>"
    )


NEWS_ARTICLE = (
    '<script type="application/ld+json">{"@type": "NewsArticle", "headline": "x"}</script>'
)
WEBSITE = '<meta property="og:type" content="website">'
HEADLINES = [
    (
        "/2025/12/16/harbour-bridge-closed-to-cars.html",
        "Harbour bridge closed to cars after survey finds corrosion",
    ),
    (
        "/2025/12/16/market-traders-ask-for-parking.html",
        "Market traders ask for free parking during the bridge works",
    ),
    (
        "/2025/12/15/ferry-timetable-extended.html",
        "Ferry timetable extended for the winter season on all routes",
    ),
    (
        "/2025/12/15/council-budget-vote.html",
        "Council budget vote delayed until the new year by a week",
    ),
    (
        "/2025/12/14/footbridge-design-contest.html",
        "Footbridge design contest opens to architects from the region",
    ),
]


def sitemap(urls: list[str]) -> str:
    entries = "".join(f"<url><loc>{{{{base}}}}{u}</loc></url>" for u in urls)
    return f'<?xml version="1.0" encoding="UTF-8"?><urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">{entries}</urlset>'


@pytest.fixture(scope="module")
def site(tmp_path_factory: pytest.TempPathFactory) -> Any:
    root = tmp_path_factory.mktemp("detect-site")
    pages = {
        "news/world/index.html": section(HEADLINES),
        "ideas/archive/2020/08/the-long-read-on-bridges/index.html": article(
            "The long read on bridges", NEWS_ARTICLE
        ),
        "opinion/why-we-need-the-bridge/index.html": article("Why we need the bridge", WEBSITE),
        "index.html": article("Front page", '<meta property="og:type" content="article">'),
    }
    for href, text in HEADLINES:
        pages[href.lstrip("/")] = article(text)
    for path, html in pages.items():
        (root / path).parent.mkdir(parents=True, exist_ok=True)
        (root / path).write_text(html, encoding="utf-8")
    listed = [
        "/news/world/",
        "/ideas/archive/2020/08/the-long-read-on-bridges/",
        "/opinion/why-we-need-the-bridge/",
        "/",
    ]
    (root / "sitemap.xml").write_text(sitemap(listed), encoding="utf-8")
    with serve_folder(root) as server:
        yield server


def summary_of(archive: Path) -> dict[str, Any]:
    return json.loads(next((archive / "runs").glob("*.summary.json")).read_text())


def test_sitemap_candidates_are_judged_by_the_page(site: Any, tmp_path: Path) -> None:
    proc = run_scrapy("crawl", "news", "-a", f"url={site.url('/sitemap.xml')}", archive=tmp_path)
    urls = {r["url"] for r in records(tmp_path) + records(tmp_path, "duplicates")}
    # a NewsArticle under an /archive/ path, and an og:type=website article: records
    assert site.url("/ideas/archive/2020/08/the-long-read-on-bridges/") in urls
    assert site.url("/opinion/why-we-need-the-bridge/") in urls
    # the listed section page (a heading and a list of headline links) gives none, and
    # the home page declaring og:type article gives none
    assert site.url("/news/world/") not in urls
    assert site.url("/") not in urls
    # the section page's links were followed: its articles became records
    assert {site.url(href) for href, _ in HEADLINES} <= urls
    summary = summary_of(tmp_path)
    assert summary["no_record"]["listing"] >= 2
    site_figures = summary["sites"][site.base_url.split("//")[1]]
    assert site_figures["records"] == len(records(tmp_path))
    assert site_figures["no_record"]["listing"] >= 2
    assert site_figures["article_candidates"] >= site_figures["records"]
    assert f"no record (listing): {site.url('/news/world/')}" in proc.stderr
    assert "Traceback" not in proc.stderr


def _foreign_warc(path: Path, pages: dict[str, str]) -> Path:
    """A WARC as another crawler writes it: responses and requests, no newsbot metadata."""
    with open(path, "wb") as fh:
        writer = WARCWriter(fh, gzip=True)
        writer.write_record(
            writer.create_warcinfo_record(path.name, {"software": "othercrawler/1.0"})
        )
        for url, html in pages.items():
            body = html.encode("utf-8")
            headers = StatusAndHeaders(
                "200 OK",
                [("Content-Type", "text/html; charset=utf-8"), ("Content-Length", str(len(body)))],
                protocol="HTTP/1.1",
            )
            writer.write_record(
                writer.create_warc_record(
                    url, "response", payload=BytesIO(body), http_headers=headers
                )
            )
    return path


PRODUCT = (
    "<!doctype html><html><head><title>Harbour bridge model kit</title></head><body>"
    "<header><a href='/cart/'>Cart</a></header><main><h1>Harbour bridge model kit</h1>"
    + "".join(f"<p>{p}</p>" for p in PARAGRAPHS[:2])
    + "<div class='buy-box'><span class='product-price'>24.99 EUR</span>"
    "<button class='btn add-to-cart' data-sku='4711'>Add to cart</button></div>"
    "</main></body></html>"
)
LOGIN = (
    "<!doctype html><html><head><title>Sign in</title></head><body><form action='/login'>"
    "<label>E-mail <input name='email'></label><label>Password <input type='password' "
    "name='pw'></label><button>Sign in</button></form></body></html>"
)


def test_foreign_warc_captures_are_judged_by_the_page(tmp_path: Path) -> None:
    warc = _foreign_warc(
        tmp_path / "other.warc.gz",
        {
            "http://shop.example/p/bridge-kit": PRODUCT,
            "http://shop.example/account/login": LOGIN,
            "http://news.example/opinion/why-we-need-the-bridge": article("Why we need the bridge"),
            "http://news.example/world": section(
                [(f"http://news.example{h}", t) for h, t in HEADLINES]
            ),
        },
    )
    archive = tmp_path / "archive"
    proc = run_scrapy("crawl", "replay", "-a", f"warc={warc}", archive=archive)
    urls = [r["url"] for r in records(archive)]
    assert urls == ["http://news.example/opinion/why-we-need-the-bridge"]
    summary = summary_of(archive)
    assert summary["no_record"] == {"listing": 1, "login": 1, "product": 1}
    assert summary["sites"]["shop.example"]["no_record"] == {"login": 1, "product": 1}
    assert summary["sites"]["news.example"]["records"] == 1
    assert [r["source"] for r in records(archive)] == ["news.example"]
    for reason, url in (
        ("product", "http://shop.example/p/bridge-kit"),
        ("login", "http://shop.example/account/login"),
    ):
        assert f"no record ({reason}): {url}" in proc.stderr
