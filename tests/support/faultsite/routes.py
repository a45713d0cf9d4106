"""What the fault site serves at each path: one route per fault, reached from its home page, sitemaps and feeds."""

from __future__ import annotations

import gzip
import socket
import struct
import time
from typing import TYPE_CHECKING

from support.faultsite.content import (
    ARTICLES,
    CP1252_BARE_PARAS,
    CP1252_BARE_TITLE,
    CP1252_PARAS,
    CP1252_TITLE,
    DRIP_INTERVAL,
    FAULT_PAGES,
    FOREIGN,
    GOOD,
    HUGE_BODY,
    LOL_DTD,
    NOCHARSET_PARAS,
    NOCHARSET_TITLE,
    PDF_BYTES,
    PNG_BYTES,
    REMOTE_PRIVATE,
    SJIS_PARAS,
    SJIS_TITLE,
    TRAP_HOST,
    TRUNCATED_FEED,
    UNICODE_SLUG,
    article_html,
    article_path,
    fault_path,
    gzip_bomb,
    listing_html,
    many_links_html,
    rss,
    urlset,
    xxe_dtd,
)

if TYPE_CHECKING:
    from support.faultsite.server import FaultHandler, FaultSite, Route


def page(
    body: str | bytes,
    status: int = 200,
    ctype: str = "text/html; charset=utf-8",
    headers: dict[str, str] | None = None,
) -> Route:
    data = body.encode("utf-8") if isinstance(body, str) else body
    return lambda h: h.send_body(status, data, ctype, headers)


def redirect(location: str, status: int = 302) -> Route:
    return lambda h: h.send_body(status, b"", headers={"Location": location})


def chain_hop(h: FaultHandler) -> None:
    """/redirect/chain/N redirects to N-1; 0 lands on an article."""
    n = int(h.path.rstrip("/").rsplit("/", 1)[-1] or 0)
    target = f"/redirect/chain/{n - 1}" if n > 0 else article_path("harbour-cranes-return")
    h.send_body(301, b"", headers={"Location": target})


def hang(h: FaultHandler) -> None:
    """Never answer (until the server stops): the crawler's DOWNLOAD_TIMEOUT must end it."""
    h.server.site.stop.wait(60)
    h.close_connection = True


def drip(body: bytes) -> Route:
    """A complete page, sent byte by byte: slow, but finished within the timeout."""

    def send(h: FaultHandler) -> None:
        h.connection.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        h.send_response(200)
        h.send_header("Content-Type", "text/html; charset=utf-8")
        h.send_header("Content-Length", str(len(body)))
        h.end_headers()
        h.wfile.flush()
        try:
            for i in range(len(body)):
                h.connection.sendall(body[i : i + 1])
                if i % 16 == 15:
                    time.sleep(0.003)
        except OSError:
            h.close_connection = True

    return send


def start_unsized_body(h: FaultHandler) -> None:
    """A 200 HTML response with no length: its body ends when the connection closes."""
    h.send_response(200)
    h.send_header("Content-Type", "text/html; charset=utf-8")
    h.send_header("Connection", "close")
    h.end_headers()
    h.close_connection = True


def endless_drip(h: FaultHandler) -> None:
    """One byte every DRIP_INTERVAL, forever: each read is quick, the whole never ends."""
    start_unsized_body(h)
    filler = b"<html><head><title>drip</title></head><body><p>" + b"a" * 100_000
    try:
        for i in range(len(filler)):
            if h.server.site.stop.wait(DRIP_INTERVAL):
                return
            h.wfile.write(filler[i : i + 1])
            h.wfile.flush()
    except OSError:
        return


def reset_mid_body(body: bytes) -> Route:
    """Announce the whole body, send a third of it, then reset the connection (RST)."""

    def send(h: FaultHandler) -> None:
        h.send_response(200)
        h.send_header("Content-Type", "text/html; charset=utf-8")
        h.send_header("Content-Length", str(len(body)))
        h.end_headers()
        h.wfile.write(body[: len(body) // 3])
        h.wfile.flush()
        h.connection.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
        h.close_connection = True
        h.connection.close()

    return send


def huge_chunks(h: FaultHandler) -> None:
    """HUGE_BODY bytes with no Content-Length: only counting bytes can stop it."""
    start_unsized_body(h)
    chunk = b"<p>" + b"x" * 65_530 + b"</p>"
    try:
        for _ in range(HUGE_BODY // len(chunk) + 1):
            h.wfile.write(chunk)
    except OSError:
        return


def hostile_links(site: FaultSite) -> list[str]:
    """Links a hostile or careless page carries: malformed, foreign, private, duplicate."""
    trap, port = site.trap.base, site.port
    trap_port = trap.rsplit(":", 1)[1]
    good = article_path(GOOD[0])
    links = [
        "http://[::1",
        "javascript:alert(document.cookie)",
        "//",
        "mailto:desk@example.com",
        " /news/2025/12/bakery-apprentices.html\n",
        "/news/2025/12/caf\u00e9-story.html",
        "../news/2025/12/query-story.html?b=2&a=1",
        "/news/2025/12/query-story.html?a=1&b=2",
        f"{good}?utm_source=home&utm_medium=web",
        f"{good}?fbclid=IwAR0abc",
        f"{good}#comments",
        f"https://{site.host}:{port}{good}",
        f"http://[::1]:{port}/news/2025/12/v6-story.html",
        f"http://0.0.0.0:{port}{good}",
        f"{trap}/news/2025/12/trap-story.html",
        f"http://[::ffff:{TRAP_HOST}]:{trap_port}/mapped",
        f"http://2130706441:{trap_port}/decimal",
        "/section/many-links",
    ]
    if (
        site.remote_links
    ):  # hosts outside 127.0.0.0/8: a crawl that followed them would leave loopback
        links += [*REMOTE_PRIVATE, *FOREIGN]
    return links


def build_routes(site: FaultSite) -> dict[str, Route]:
    base = site.base
    arts = {slug: article_html(title, paras) for slug, (title, paras) in ARTICLES.items()}
    good_urls = [base + article_path(s) for s in GOOD]
    fault_urls = [base + fault_path(k) for k in FAULT_PAGES]
    routes: dict[str, Route] = {
        article_path(s): page(html) for s, html in arts.items() if s != "unicode-story"
    }
    routes[article_path(UNICODE_SLUG)] = page(arts["unicode-story"])
    cut = gzip.compress(arts["library-opening-hours"].encode(), mtime=0)
    routes.update(
        {
            "/robots.txt": page(
                f"User-agent: *\nAllow: /\nSitemap: {base}/sitemap-index.xml\n", ctype="text/plain"
            ),
            "/": page(listing_html("The Loopback Herald", hostile_links(site) + good_urls)),
            "/section/city": page(listing_html("City", [article_path(s) for s in GOOD])),
            "/section/many-links": page(many_links_html()),
            "/sitemap-index.xml": page(sitemap_index(base), ctype="application/xml"),
            "/sitemap.xml": page(urlset(good_urls + fault_urls), ctype="application/xml"),
            "/sitemap-lol.xml": page(
                urlset([base + article_path("tram-line-extension"), "&lol9;"], LOL_DTD),
                ctype="application/xml",
            ),
            "/sitemap-xxe.xml": page(
                urlset(
                    [base + "/news/2025/12/xxe-&xxe;-story.html", "&net;"],
                    xxe_dtd(str(site.secret), site.trap.base),
                ),
                ctype="application/xml",
            ),
            "/sitemap-bomb.xml.gz": page(
                gzip_bomb()[: len(gzip_bomb()) // 2], ctype="application/x-gzip"
            ),
            "/rss.xml": page(rss(tracking_items(base)), ctype="application/rss+xml"),
            "/feed-lol.xml": page(
                rss([("&lol9;", base + article_path(GOOD[1]))], LOL_DTD),
                ctype="application/rss+xml",
            ),
            "/feed-xxe.xml": page(
                rss(
                    [("&xxe;", base + article_path(GOOD[2])), ("&net;", "&xxe;")],
                    xxe_dtd(str(site.secret), site.trap.base),
                ),
                ctype="application/rss+xml",
            ),
            "/feed-truncated.xml": page(truncated_feed(base), ctype="application/rss+xml"),
            fault_path("missing"): page(b"<html><body>Not here</body></html>", 404),
            fault_path("gone"): page(b"<html><body>Removed</body></html>", 410),
            fault_path("broken"): page(b"<html><body>Internal error</body></html>", 500),
            fault_path("busy"): page(
                b"<html><body>Busy</body></html>", 503, headers={"Retry-After": "120"}
            ),
            fault_path("hanging"): hang,
            fault_path("drip"): drip(arts["drip-story"].encode()),
            fault_path("endless_drip"): endless_drip,
            fault_path("reset"): reset_mid_body(
                article_html(*ARTICLES["orchard-growers-frost"]).encode() * 3
            ),
            fault_path("truncated_gzip"): page(
                cut[: len(cut) * 6 // 10], headers={"Content-Encoding": "gzip"}
            ),
            fault_path("truncated_gzip_head"): page(cut[:12], headers={"Content-Encoding": "gzip"}),
            fault_path("gzip_bomb"): page(gzip_bomb(), headers={"Content-Encoding": "gzip"}),
            fault_path("huge"): page(
                b"<html><body>" + b"<p>filler</p>" * (HUGE_BODY // 13) + b"</body></html>"
            ),
            fault_path("huge_chunked"): huge_chunks,
            fault_path("cp1252"): page(article_html(CP1252_TITLE, CP1252_PARAS).encode("cp1252")),
            fault_path("sjis"): page(
                article_html(SJIS_TITLE, SJIS_PARAS, lang="ja").encode("shift_jis")
            ),
            fault_path("nocharset"): page(
                article_html(NOCHARSET_TITLE, NOCHARSET_PARAS, charset=None).encode("utf-8"),
                ctype="text/html",
            ),
            fault_path("nocharset_cp1252"): page(
                article_html(CP1252_BARE_TITLE, CP1252_BARE_PARAS, charset=None).encode("cp1252"),
                ctype="text/html",
            ),
            fault_path("png"): page(PNG_BYTES),
            fault_path("pdf"): page(PDF_BYTES),
            fault_path("empty"): page(b""),
            fault_path("loop"): redirect("/redirect/loop-b"),
            "/redirect/loop-b": redirect(fault_path("loop")),
            fault_path("chain"): redirect("/redirect/chain/25", 301),
            fault_path("short_chain"): redirect("/redirect/short-1"),
            "/redirect/short-1": redirect("/redirect/short-2", 301),
            "/redirect/short-2": redirect(article_path("redirected-story"), 307),
        }
    )
    routes.update(guard_routes(site))
    return routes


def sitemap_index(base: str) -> str:
    children = [
        "/sitemap.xml",
        "/sitemap-lol.xml",
        "/sitemap-xxe.xml",
        "/sitemap-bomb.xml.gz",
        "/feed-lol.xml",
        "/feed-xxe.xml",
        "/feed-truncated.xml",
    ]
    return sitemap_index_of([base + c for c in children])


def sitemap_index_of(urls: list[str]) -> str:
    entries = "".join(f"<sitemap><loc>{u}</loc></sitemap>\n" for u in urls)
    return (
        '<?xml version="1.0" encoding="UTF-8"?>\n'
        f'<sitemapindex xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">\n{entries}</sitemapindex>\n'
    )


def guard_routes(site: FaultSite) -> dict[str, Route]:
    """Pages whose links, sitemap entries and redirects lead to addresses nobody named.

    /guard/loopback only leads to loopback (the two traps, in several spellings);
    /guard/remote and /guard/sitemap.xml lead outside 127.0.0.0/8, for crawls in a
    network namespace only.
    """
    trap, port_trap, base = site.trap.base, site.port_trap.base, site.base
    trap_port, port_trap_port = trap.rsplit(":", 1)[1], port_trap.rsplit(":", 1)[1]
    loopback = [
        f"{trap}/news/2025/12/trap-story.html",
        f"{port_trap}/news/2025/12/port-story.html",
        f"http://internal.test:{trap_port}/news/2025/12/internal-name-story.html",
        f"http://2130706441:{trap_port}/news/2025/12/decimal-story.html",
        f"http://[::ffff:{TRAP_HOST}]:{trap_port}/news/2025/12/mapped-story.html",
        f"http://0.0.0.0:{port_trap_port}/news/2025/12/unspecified-story.html",
        "/guard/to-trap",
        "/guard/to-port-trap",
        article_path(GOOD[0]),
    ]
    remote = [*REMOTE_PRIVATE, article_path(GOOD[1])]
    return {
        "/guard/loopback": page(listing_html("Loopback links", loopback)),
        "/guard/loopback-index.xml": page(
            sitemap_index_of([f"{trap}/sitemap.xml", f"{port_trap}/sitemap.xml"]),
            ctype="application/xml",
        ),
        "/guard/to-trap": redirect(f"{trap}/news/2025/12/redirected-trap-story.html"),
        "/guard/to-port-trap": redirect(f"{port_trap}/news/2025/12/redirected-port-story.html"),
        "/guard/remote": page(listing_html("Remote links", remote)),
        "/guard/sitemap.xml": page(
            urlset([*REMOTE_PRIVATE[:2], base + article_path(GOOD[2])]), ctype="application/xml"
        ),
        "/guard/remote-index.xml": page(
            sitemap_index_of(["http://192.168.1.1/sitemap.xml", base + "/guard/sitemap.xml"]),
            ctype="application/xml",
        ),
    }


def tracking_items(base: str) -> list[tuple[str, str]]:
    """The feed: good articles, the first under four tracking/fragment variants."""
    first = base + article_path(GOOD[0])
    variants = [
        f"{first}?utm_source=rss&amp;utm_medium=feed&amp;utm_campaign=daily",
        f"{first}?fbclid=IwAR2xyz",
        f"{first}#top",
        f"{first}?utm_content=b&amp;gclid=1",
    ]
    return [(f"Variant {i}", u) for i, u in enumerate(variants)] + [
        (ARTICLES[s][0], base + article_path(s)) for s in GOOD[1:]
    ]


def truncated_feed(base: str) -> str:
    full = rss(
        [(ARTICLES[s][0], base + article_path(s)) for s in TRUNCATED_FEED]
        + [("Cut short", base + article_path("never-listed-story"))]
    )
    return full[: full.index("<title>Cut") + 9]
