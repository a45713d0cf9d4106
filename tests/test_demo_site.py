"""The demo site and its server: served for real on 127.0.0.1, fetched with urllib."""

from __future__ import annotations

import gzip
import http.client
import os
import re
import subprocess
import sys
import urllib.error
import urllib.request
from dataclasses import dataclass
from email.utils import formatdate, parsedate_to_datetime
from pathlib import Path
from typing import TYPE_CHECKING
from urllib.parse import urldefrag, urljoin, urlsplit
from xml.etree import ElementTree
from zoneinfo import ZoneInfo

import lxml.html
import pytest

from newsbot.demo.server import (
    DEMO_SITE,
    SiteGroup,
    render_template,
    serve_folder,
    serve_sites,
)

if sys.version_info >= (3, 11):
    import tomllib
else:
    import tomli as tomllib

if TYPE_CHECKING:
    from collections.abc import Iterator

SOURCES = DEMO_SITE.parent / "sources.toml.in"
OUTLETS = ["indian", "uk", "us", "wire"]
SM = "{http://www.sitemaps.org/schemas/sitemap/0.9}"
NEWS = "{http://www.google.com/schemas/sitemap-news/0.9}"
ATOM = "{http://www.w3.org/2005/Atom}"
SEED_PATH = (
    "/news/world/berlin-talks-zelensky-sees-real-progress-as-us-offers-security-guarantees"
    "-amid-russia-conflict-13712345.html"
)
CLUTTER = [
    "Black Friday Sale",
    "Advisory Alert",
    "Subscribe to Tech Newsletters",
    "Discover the latest Business News",
]


@dataclass
class Fetched:
    status: int
    headers: http.client.HTTPMessage
    body: bytes
    url: str

    @property
    def text(self) -> str:
        return self.body.decode("utf-8")


class _NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args: object, **kwargs: object) -> None:
        return None


def fetch(
    url: str, headers: dict[str, str] | None = None, *, follow: bool = True, method: str = "GET"
) -> Fetched:
    request = urllib.request.Request(url, headers=headers or {}, method=method)
    opener = urllib.request.build_opener(*([] if follow else [_NoRedirect()]))
    try:
        with opener.open(request, timeout=10) as response:
            return Fetched(response.status, response.headers, response.read(), response.geturl())
    except urllib.error.HTTPError as error:
        return Fetched(error.code, error.headers, error.read(), url)


@pytest.fixture(scope="module")
def demo() -> Iterator[SiteGroup]:
    with serve_sites(DEMO_SITE) as group:
        yield group


def served_paths(folder: Path) -> Iterator[tuple[Path, str]]:
    """(file, URL path) for every file of an outlet folder."""
    for file in sorted(folder.rglob("*")):
        if not file.is_file():
            continue
        rel = file.relative_to(folder).as_posix()
        if rel.endswith(".gz.in"):
            rel = rel[: -len(".in")]
        elif rel == "index.html" or rel.endswith("/index.html"):
            rel = rel[: -len("index.html")]
        yield file, "/" + rel


def sitemap_urls(base: str, url: str) -> dict[str, ElementTree.Element]:
    """Every <url> under sitemap `url`, following sitemap indexes, by <loc>."""
    response = fetch(url)
    assert response.status == 200, url
    body = response.body
    if url.endswith(".gz"):
        assert response.headers["Content-Type"] == "application/gzip"
        body = gzip.decompress(body)
    root = ElementTree.fromstring(body)
    found: dict[str, ElementTree.Element] = {}
    if root.tag == SM + "sitemapindex":
        for loc in root.iter(SM + "loc"):
            assert loc.text and loc.text.startswith(base + "/"), loc.text
            found.update(sitemap_urls(base, loc.text))
    else:
        assert root.tag == SM + "urlset", url
        for entry in root.findall(SM + "url"):
            loc = entry.findtext(SM + "loc")
            assert loc, url
            found[loc] = entry
    return found


def outlet_sitemaps(base: str) -> dict[str, ElementTree.Element]:
    robots = fetch(base + "/robots.txt")
    sitemaps = [
        line.split(":", 1)[1].strip()
        for line in robots.text.splitlines()
        if line.lower().startswith("sitemap:")
    ]
    assert base + "/sitemap.xml" in sitemaps
    found: dict[str, ElementTree.Element] = {}
    for sitemap in sitemaps:
        found.update(sitemap_urls(base, sitemap))
    return found


def feed_url(base: str) -> str:
    home = lxml.html.fromstring(fetch(base + "/").body)
    links = home.xpath('//link[@rel="alternate"][contains(@type, "xml")]/@href')
    assert len(links) == 1
    return str(links[0])


def feed_entries(url: str) -> list[tuple[str, str]]:
    """(link, date text) of every item/entry of an RSS 2.0 or Atom feed."""
    root = ElementTree.fromstring(fetch(url).body)
    if root.tag == "rss":
        return [
            (item.findtext("link") or "", item.findtext("pubDate") or "")
            for item in root.iter("item")
        ]
    assert root.tag == ATOM + "feed"
    return [
        (entry.find(ATOM + "link").get("href", ""), entry.findtext(ATOM + "published") or "")
        for entry in root.iter(ATOM + "entry")
    ]


def visible_text(html: bytes) -> str:
    tree = lxml.html.fromstring(html)
    for node in tree.xpath("//script|//style"):
        node.drop_tree()
    return " ".join(tree.text_content().split())


# --- the demo site ------------------------------------------------------------


def test_outlets(demo: SiteGroup) -> None:
    assert sorted(demo.bases) == OUTLETS
    assert len(set(demo.bases.values())) == 4
    assert all(re.fullmatch(r"http://127\.0\.0\.1:\d+", base) for base in demo.bases.values())


@pytest.mark.parametrize("outlet", OUTLETS)
def test_every_file_is_served_rendered(demo: SiteGroup, outlet: str) -> None:
    base = demo.bases[outlet]
    for file, path in served_paths(DEMO_SITE / outlet):
        response = fetch(base + path)
        assert response.status == 200, path
        body = gzip.decompress(response.body) if path.endswith(".gz") else response.body
        if file.suffix == ".png":
            continue
        text = body.decode("utf-8")
        assert "{{" not in text, path
        if "{{base}}" in file.read_text(encoding="utf-8"):
            assert base + "/" in text, path


@pytest.mark.parametrize("outlet", OUTLETS)
def test_robots_txt(demo: SiteGroup, outlet: str) -> None:
    base = demo.bases[outlet]
    response = fetch(base + "/robots.txt")
    assert response.headers["Content-Type"].startswith("text/plain")
    assert f"Sitemap: {base}/sitemap.xml" in response.text
    assert "Disallow: /private/" in response.text
    # a page exists there, linked from the home page, that a polite crawler never fetches
    home = lxml.html.fromstring(fetch(base + "/").body)
    private = [href for href in home.xpath("//a/@href") if href.startswith("/private/")]
    assert len(private) == 1
    assert fetch(base + private[0]).status == 200


@pytest.mark.parametrize("outlet", OUTLETS)
def test_sitemaps_list_articles_on_their_own_outlet(demo: SiteGroup, outlet: str) -> None:
    base = demo.bases[outlet]
    urls = outlet_sitemaps(base)
    assert len(urls) >= 5
    for url in urls:
        assert url.startswith(base + "/"), url
        response = fetch(url)
        assert response.status == 200 and response.url == url, url
        assert response.headers["Content-Type"] == "text/html; charset=utf-8"
        tree = lxml.html.fromstring(response.body)
        assert tree.xpath('//meta[@property="og:type"]/@content') == ["article"], url


def test_sitemap_indexes_and_gzip(demo: SiteGroup) -> None:
    for outlet in ("indian", "us"):
        root = ElementTree.fromstring(fetch(demo.bases[outlet] + "/sitemap.xml").body)
        assert root.tag == SM + "sitemapindex"
        assert len(root.findall(SM + "sitemap")) >= 2
    us = demo.bases["us"]
    response = fetch(us + "/sitemaps/articles-2025-12.xml.gz")
    assert response.body[:2] == b"\x1f\x8b"
    entries = ElementTree.fromstring(gzip.decompress(response.body)).findall(SM + "url")
    assert entries and all(entry.findtext(SM + "lastmod") for entry in entries)
    news = ElementTree.fromstring(fetch(us + "/sitemaps/news.xml").body)
    dates = [node.text for node in news.iter(NEWS + "publication_date")]
    assert len(dates) == len(news.findall(SM + "url")) == 5
    assert all(date and date.endswith("-05:00") for date in dates)


@pytest.mark.parametrize("outlet", OUTLETS)
def test_feeds(demo: SiteGroup, outlet: str) -> None:
    base = demo.bases[outlet]
    url = feed_url(base)
    content_type = fetch(url).headers["Content-Type"]
    assert content_type in ("application/rss+xml", "application/atom+xml")
    entries = feed_entries(url)
    assert len(entries) >= 4
    sitemap = outlet_sitemaps(base)
    for link, date in entries:
        assert link in sitemap, link  # feeds list articles only
        assert fetch(link).status == 200
        assert date


def test_feed_kinds(demo: SiteGroup) -> None:
    assert fetch(demo.bases["uk"] + "/feeds/news.atom").headers["Content-Type"] == (
        "application/atom+xml"
    )
    assert fetch(demo.bases["wire"] + "/en/rss.xml").headers["Content-Type"] == (
        "application/rss+xml"
    )


def test_every_article_page_has_metadata(demo: SiteGroup) -> None:
    for base in demo.bases.values():
        for url in outlet_sitemaps(base):
            tree = lxml.html.fromstring(fetch(url).body)
            assert tree.findtext(".//title").strip(), url
            assert tree.xpath('//meta[@property="og:site_name"]/@content'), url
            assert tree.xpath('//meta[@property="og:title"]/@content'), url
            assert tree.xpath('//meta[@name="description"]/@content'), url
            assert tree.xpath('//link[@rel="canonical"]/@href'), url
            assert len(tree.xpath("//h1")) == 1, url
            paragraphs = [p for p in tree.xpath("//article//p") if len(p.text_content()) > 80]
            assert len(paragraphs) >= 5, url


def test_internal_links_resolve(demo: SiteGroup) -> None:
    """Every link to one of the outlets answers 200: a crawl meets no 404."""
    bases = tuple(base + "/" for base in demo.bases.values())
    checked: set[str] = set()
    for outlet, base in demo.bases.items():
        for file, path in served_paths(DEMO_SITE / outlet):
            if not file.name.endswith(".html") and file.suffix:
                continue
            page = base + path
            tree = lxml.html.fromstring(fetch(page).body)
            for href in tree.xpath("//a/@href|//link[@rel='stylesheet']/@href|//img/@src"):
                url = urldefrag(urljoin(page, href)).url
                if url.startswith(bases) and url not in checked:
                    checked.add(url)
                    assert fetch(url).status == 200, f"{url} linked from {page}"
    assert len(checked) > 60


def test_seed_modelled_article(demo: SiteGroup) -> None:
    base = demo.bases["indian"]
    response = fetch(base + SEED_PATH)
    html = response.text
    text = visible_text(response.body)
    tree = lxml.html.fromstring(response.body)
    assert tree.get("lang") == "en-IN"
    for phrase in CLUTTER:
        assert phrase in text
    assert text.count("Black Friday Sale") == 2
    assert "Home / World / Berlin talks" in text
    assert "December 16, 2025 / 01:13 IST" in text
    assert "first published: Dec 16, 2025 01:13 am" in text
    assert "(With AFP inputs)" in text
    assert "Rupee Ledger World Desk" in text
    assert "'Very strong deterrence'" in text and "'Criminal attack'" in text
    assert "Zelensky hails progress, territorial differences persist" in text
    # no machine-readable date anywhere: it must come from the visible line
    for marker in (
        "datePublished",
        "dateModified",
        "published_time",
        "<time",
        "datetime=",
        "uploadDate",
    ):
        assert marker not in html, marker
    assert not re.search(r"20\d\d", SEED_PATH)
    sitemap = outlet_sitemaps(base)
    assert sitemap[base + SEED_PATH].findtext(SM + "lastmod") is None
    assert base + SEED_PATH not in dict(feed_entries(feed_url(base)))


def _paragraphs(url: str, xpath: str = "//article//p") -> list[str]:
    tree = lxml.html.fromstring(fetch(url).body)
    return [" ".join(p.text_content().split()) for p in tree.xpath(xpath)]


def test_syndicated_copies(demo: SiteGroup) -> None:
    """The wire originals and their lightly edited copies (for dedup and wire credits)."""
    indian, wire = demo.bases["indian"], demo.bases["wire"]
    copy = _paragraphs(indian + SEED_PATH, "//div[@id='contentdata']/p")
    original = _paragraphs(
        wire
        + "/en/europe/20251215-zelensky-says-berlin-talks-made-real-progress-on-security-guarantees"
    )
    assert any(p.startswith("BERLIN (AFP) - ") for p in original)
    body = [p for p in copy if len(p) > 60]
    shared = [p for p in body if p in original]
    assert 0.7 < len(shared) / len(body) < 1.0
    assert original[-1] not in copy  # the copy is trimmed at the end

    uk, us = demo.bases["uk"], demo.bases["us"]
    reuters = _paragraphs(
        uk + "/news/business/oil-prices-ukraine-peace-talks-russia-sanctions-b2887412.html"
    )
    trimmed = _paragraphs(
        us + "/2025/12/15/business/oil-prices-russia-ukraine-peace-talks/index.html"
    )
    assert any(p.startswith("LONDON, Dec 15 (Reuters) - ") for p in reuters)
    assert any(p.startswith("LONDON, Dec 15 (Reuters) - ") for p in trimmed)
    assert len([p for p in trimmed if p in reuters]) >= 5
    assert sum(map(len, trimmed)) < sum(map(len, reuters))

    asia = lxml.html.fromstring(
        fetch(
            indian
            + "/news/world/asian-markets-mixed-as-traders-weigh-ukraine-talks-us-data-13712201.html"
        ).body
    )
    canonical = asia.xpath('//link[@rel="canonical"]/@href')[0]
    assert canonical.startswith(wire + "/en/business/")
    assert fetch(canonical).status == 200


def test_video_page_is_not_an_article(demo: SiteGroup) -> None:
    base = demo.bases["indian"]
    home = lxml.html.fromstring(fetch(base + "/").body)
    videos = [href for href in home.xpath("//a/@href") if href.startswith("/videos/markets/")]
    assert len(videos) == 1
    tree = lxml.html.fromstring(fetch(base + videos[0]).body)
    assert tree.xpath('//meta[@property="og:type"]/@content') == ["video.other"]
    assert base + videos[0] not in outlet_sitemaps(base)


def test_visible_date_formats(demo: SiteGroup) -> None:
    uk = visible_text(
        fetch(
            demo.bases["uk"] + "/news/uk/home-news/"
            "rail-christmas-engineering-works-disruption-b2887630.html"
        ).body
    )
    assert "Tue 16 Dec 2025 09.30 GMT" in uk
    us = visible_text(
        fetch(
            demo.bases["us"] + "/2025/12/15/business/"
            "oil-prices-russia-ukraine-peace-talks/index.html"
        ).body
    )
    assert "Updated 3:45 PM ET, Mon December 15, 2025" in us


def test_sources_template(demo: SiteGroup) -> None:
    sources = tomllib.loads(demo.render(SOURCES.read_text(encoding="utf-8")))["source"]
    assert len(sources) == 4
    for source in sources:
        ZoneInfo(source["timezone"])
        assert source["allowed_domains"] == ["127.0.0.1"]
        for url in source["start_urls"]:
            assert fetch(url).status == 200, url
        own = urlsplit(source["start_urls"][0]).netloc
        for pattern in source["deny"]:
            assert not re.search(pattern, f"http://{own}/some/page.html")
            other = next(b for b in demo.bases.values() if urlsplit(b).netloc != own)
            assert re.search(pattern, other + "/")


def test_size_budget() -> None:
    assert sum(f.stat().st_size for f in DEMO_SITE.rglob("*") if f.is_file()) < 450_000


# --- the server ---------------------------------------------------------------


@pytest.fixture
def tiny_site(tmp_path: Path) -> Path:
    site = tmp_path / "tiny"
    (site / "news").mkdir(parents=True)
    (site / "index.html").write_text(
        '<a href="{{base}}/news/">news</a> <a href="{{base:tiny}}/">self</a> '
        '<a href="{{base:elsewhere}}/">other</a>',
        encoding="utf-8",
    )
    (site / "news" / "index.html").write_text("<p>section</p>", encoding="utf-8")
    (site / "news" / "20251215-a-slug").write_text(
        "<!DOCTYPE html><title>x</title>{{base}}", encoding="utf-8"
    )
    (site / "sitemap.xml.gz.in").write_text("<urlset>{{base}}/news/</urlset>", encoding="utf-8")
    (site / "feed.xml").write_text('<?xml version="1.0"?>\n<rss version="2.0"/>', encoding="utf-8")
    (site / "logo.png").write_bytes(b"\x89PNG{{base}}")
    return site


def test_serve_folder(tiny_site: Path) -> None:
    with serve_folder(tiny_site) as server:
        base = server.base_url
        assert re.fullmatch(r"http://127\.0\.0\.1:\d+", base)
        assert server.url("/news/") == server.url("news/") == base + "/news/"
        home = fetch(base + "/")
        assert home.headers["Content-Type"] == "text/html; charset=utf-8"
        # {{base:NAME}} knows the folder's own name; unknown names are left for tests to see
        assert home.text == (
            f'<a href="{base}/news/">news</a> <a href="{base}/">self</a> '
            '<a href="{{base:elsewhere}}/">other</a>'
        )
        slug = fetch(base + "/news/20251215-a-slug")
        assert slug.headers["Content-Type"] == "text/html; charset=utf-8"
        assert slug.text.endswith(base)
        gz = fetch(base + "/sitemap.xml.gz")
        assert gz.headers["Content-Type"] == "application/gzip"
        assert gzip.decompress(gz.body).decode() == f"<urlset>{base}/news/</urlset>"
        assert fetch(base + "/sitemap.xml.gz").body == gz.body  # stable bytes, stable ETag
        assert fetch(base + "/feed.xml").headers["Content-Type"] == "application/rss+xml"
        assert fetch(base + "/logo.png").body == b"\x89PNG{{base}}"  # binary: untouched
        redirect = fetch(base + "/news?page=2", follow=False)
        assert redirect.status == 301 and redirect.headers["Location"] == "/news/?page=2"
        assert fetch(base + "/news").text == "<p>section</p>"


def test_not_found(tiny_site: Path) -> None:
    with serve_folder(tiny_site) as server:
        assert fetch(server.url("/missing.html")).status == 404
        assert fetch(server.url("/news/missing/")).status == 404
        assert fetch(server.url("/sitemap.xml.gz.in.gz")).status == 404
        assert fetch(server.url("/sitemap.xml.gz.in")).status == 404  # one URL: .gz
        host, port = urlsplit(server.base_url).netloc.split(":")
        connection = http.client.HTTPConnection(host, int(port), timeout=5)
        connection.request("GET", "/../" + tiny_site.parent.name + "/tiny/index.html")
        assert connection.getresponse().status == 404  # no escape from the folder
        connection.close()


def test_conditional_get(tiny_site: Path) -> None:
    with serve_folder(tiny_site) as server:
        url = server.url("/news/")
        first = fetch(url)
        etag, last_modified = first.headers["ETag"], first.headers["Last-Modified"]
        assert etag and last_modified
        assert fetch(url, {"If-None-Match": etag}).status == 304
        assert fetch(url, {"If-None-Match": '"other", ' + etag}).status == 304
        assert fetch(url, {"If-Modified-Since": last_modified}).status == 304
        assert fetch(url, {"If-Modified-Since": "Mon, 01 Jan 2024 00:00:00 GMT"}).status == 200
        # If-None-Match wins over If-Modified-Since
        assert (
            fetch(url, {"If-None-Match": '"other"', "If-Modified-Since": last_modified}).status
            == 200
        )
        # a changed file answers 200 with a new ETag and Last-Modified
        page = tiny_site / "news" / "index.html"
        page.write_text("<p>section, updated</p>", encoding="utf-8")
        mtime = parsedate_to_datetime(last_modified).timestamp() + 60
        os.utime(page, (mtime, mtime))
        second = fetch(url, {"If-None-Match": etag, "If-Modified-Since": last_modified})
        assert second.status == 200 and second.headers["ETag"] != etag
        assert second.headers["Last-Modified"] == formatdate(mtime, usegmt=True)
        assert fetch(url, {"If-Modified-Since": last_modified}).status == 200


def test_head_and_request_log(tiny_site: Path) -> None:
    with serve_folder(tiny_site) as server:
        head = fetch(server.url("/news/"), method="HEAD")
        assert head.status == 200 and head.body == b""
        assert head.headers["Content-Length"] == str(len("<p>section</p>"))
        fetch(server.url("/news/"))
        fetch(server.url("/nope"))
        assert server.requests.count("/news/") == 2
        assert list(server.requests) == ["/news/", "/news/", "/nope"]
        assert "/nope" in server.requests and len(server.requests) == 3
        server.requests.clear()
        assert len(server.requests) == 0


def test_serve_sites_cross_links(tiny_site: Path) -> None:
    other = tiny_site.parent / "elsewhere"
    other.mkdir()
    (other / "index.html").write_text("<a href='{{base:tiny}}/'>tiny</a>", encoding="utf-8")
    with serve_sites(tiny_site.parent) as group:
        assert sorted(group.bases) == ["elsewhere", "tiny"]
        assert (
            fetch(group.bases["elsewhere"] + "/").text
            == f"<a href='{group.bases['tiny']}/'>tiny</a>"
        )
        assert "{{" not in fetch(group.bases["tiny"] + "/").text
        assert group.render("{{base:tiny}}/x {{base}}") == group.bases["tiny"] + "/x "


def test_stop_frees_the_port(tiny_site: Path) -> None:
    server = serve_folder(tiny_site)
    url = server.url("/")
    assert fetch(url).status == 200
    server.stop()
    with pytest.raises(urllib.error.URLError):
        urllib.request.urlopen(url, timeout=2)


@pytest.mark.parametrize("host", ["0.0.0.0", "192.168.1.10", "example.com", "", "::"])
def test_loopback_only(tiny_site: Path, host: str) -> None:
    with pytest.raises(ValueError):
        serve_folder(tiny_site, host=host)
    with pytest.raises(ValueError):
        serve_sites(tiny_site.parent, host=host)


def test_other_loopback_address(tiny_site: Path) -> None:
    try:
        server = serve_folder(tiny_site, host="127.0.0.2")
    except OSError:
        pytest.skip("127.0.0.2 not bindable here")
    with server:
        assert server.base_url.startswith("http://127.0.0.2:")
        assert fetch(server.url("/news/")).status == 200


def test_render_template() -> None:
    bases = {"a": "http://127.0.0.1:1", "b-2": "http://127.0.0.1:2"}
    assert render_template(
        "{{base}}/x {{base:a}}/y {{base:b-2}} {{base:c}} {{ base }}", "http://h:9", bases
    ) == ("http://h:9/x http://127.0.0.1:1/y http://127.0.0.1:2 {{base:c}} {{ base }}")


def test_main_serves_until_interrupted() -> None:
    process = subprocess.Popen(
        [sys.executable, "-m", "newsbot.demo.server"], stdout=subprocess.PIPE, text=True
    )
    try:
        assert process.stdout is not None
        lines = [process.stdout.readline() for _ in OUTLETS]
        urls = dict(line.split() for line in lines)
        assert sorted(urls) == OUTLETS
        assert fetch(urls["indian"] + "robots.txt").status == 200
    finally:
        process.terminate()
        process.wait(timeout=10)
        if process.stdout is not None:
            process.stdout.close()
