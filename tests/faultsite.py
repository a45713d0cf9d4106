"""A hostile web on loopback: a news site whose pages fail in every way real ones do.

`FaultSite` serves, on 127.0.0.1 (port 0, threads), a few ordinary article
pages and, among them, one page or document per fault: HTTP errors, hangs and
drips, resets, broken and bombing gzip, oversized bodies, lying charsets,
binary served as HTML, redirect loops, hostile links, XML bombs, external
entities, truncated feeds, tracking-parameter duplicates and a page of 50 000
links. A home page, robots.txt, a sitemap index, sitemaps and feeds expose
them all, so a plain ``scrapy crawl news -a url=BASE/`` reaches every one.
Two `Trap` listeners count connections, one on 127.0.0.9 and one on another
port of the site's own host: crawler-safety tests assert they get none.

Run as a script, it serves them, renders ``@BASE@``/``@TRAP@``/``@PORTTRAP@`` in
the files and arguments it is given, runs the command, and writes what the
servers saw (hits per path, trap connections, the command's peak RSS) to a
JSON file. Tests run it inside a loopback-only network namespace
(`isolated_command`), so a crawler that misbehaves cannot reach anything
outside 127.0.0.0/8; the site must then live in the namespace too.

    python tests/faultsite.py --state out.json [--render FILE]... -- CMD...
"""

from __future__ import annotations

import argparse
import gzip
import ipaddress
import json
import os
import random
import resource
import shutil
import signal
import socket
import struct
import subprocess
import sys
import tempfile
import threading
import time
import zlib
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import TYPE_CHECKING, Any
from urllib.parse import unquote, urlsplit

if TYPE_CHECKING:
    from types import TracebackType
    from typing import Self

PROJECT = Path(__file__).resolve().parents[1]
TRAP_HOST = "127.0.0.9"
MANY_LINKS = 50_000
HUGE_BODY = 6 * 1024 * 1024  # over the 4 MB DOWNLOAD_MAXSIZE the fault tests set
BOMB_INFLATED = 2 * 1024**3  # the gzip bomb inflates to 2 GiB (about 2 MB on the wire)
DRIP_INTERVAL = 0.1  # seconds between bytes of the endless drip
SECRET = "XXE-SECRET-7f3a9c"  # what an external entity would leak if resolved

# --- Article content ------------------------------------------------------------

ARTICLES: dict[str, tuple[str, list[str]]] = {
    "harbour-cranes-return": ("Harbour cranes return after a winter of repairs", [
        ("The four container cranes at the northern harbour went back into service on Monday "
         "after engineers spent most of the winter replacing their corroded hoist cables, the "
         "port authority said in a statement that also promised shorter queues for lorries."),
        ("Shipping agents had complained since November that vessels were waiting up to three "
         "days for a berth, and two feeder lines moved their calls to a rival terminal further "
         "down the coast while the work dragged on longer than planned."),
        ("The authority's operations director said the new cables were rated for twice the "
         "load of the old ones and came with sensors that report wear in real time, so that the "
         "next replacement can be scheduled during a quiet month rather than forced by a failure."),
        ("Dock workers' representatives welcomed the reopening but asked for the overtime "
         "worked during the backlog to be paid before the end of the quarter, a request the "
         "authority said it would discuss with them at a meeting next week."),
    ]),
    "orchard-growers-frost": ("Orchard growers count the cost of a late frost", [
        ("Apple and pear growers in the valley say a single night of frost in the last week of "
         "April destroyed up to half of the blossom in low-lying orchards, and several are now "
         "asking the regional government for emergency help with loans taken out in spring."),
        ("Temperatures fell to four degrees below freezing shortly before dawn, according to "
         "the agricultural weather station, which recorded the coldest late-April night there "
         "in more than twenty years and warned of another cold spell at the weekend."),
        ("Some growers lit candles and ran wind machines through the night, which saved trees "
         "on higher ground, but the smaller family farms along the river had neither the money "
         "nor the staff to protect every row, their cooperative's chairwoman said."),
        ("Fruit buyers expect prices for local apples to rise in autumn, although imports from "
         "the southern hemisphere are likely to keep supermarket shelves full and limit how far "
         "prices climb for shoppers during the winter months."),
    ]),
    "library-opening-hours": ("City library extends its evening opening hours", [
        ("The central library will stay open until ten at night from next month, the city "
         "council decided on Thursday, after a survey found that students and shift workers "
         "were the groups least able to use it during the current opening hours."),
        ("The extra hours will be staffed by four new librarians and funded by savings from "
         "the library's switch to a cheaper heating contract, the council's culture committee "
         "said, adding that the trial would be reviewed after twelve months."),
        ("Reading rooms on the second floor will be reserved for silent study after eight in "
         "the evening, while the ground floor keeps its children's corner and the small cafe "
         "that a local social enterprise has run there since it opened last year."),
        ("Opposition councillors backed the plan but asked why the two branch libraries in "
         "the outer districts were not included, and called for a second survey of residents "
         "who live too far from the city centre to use the main building."),
    ]),
    "tram-line-extension": ("Tram line extension wins final approval", [
        ("The planning board has given final approval to a three-kilometre extension of the "
         "number five tram line, clearing the way for construction to begin in the summer and "
         "for the first passenger services to run before the end of next year."),
        ("The extension will add five stops between the railway station and the new hospital, "
         "and the transport company expects it to carry around eleven thousand passengers a "
         "day once the last housing blocks of the surrounding development are finished."),
        ("Residents along the route had objected to the felling of an avenue of old plane "
         "trees, and the approved plan moves the track to the other side of the street so that "
         "all but six of the trees can stay where they are, the board's decision says."),
        ("Businesses on the street will receive compensation for lost trade during the works "
         "under a scheme modelled on the one used when the number two line was rebuilt, which "
         "paid out to about forty shops over eighteen months of disruption."),
    ]),
    "redirected-story": ("Ferry timetable changes for the summer season", [
        ("The island ferry company will add two late sailings on Fridays and Saturdays from "
         "June, it announced on Tuesday, responding to complaints from visitors who missed the "
         "last boat after concerts and festivals on the mainland last summer."),
        ("The additional crossings will leave the mainland pier at eleven and at half past "
         "midnight, and the company said it had hired six seasonal crew members so that the "
         "regular daytime timetable would not suffer from the longer evening service."),
        ("Islanders will keep their discounted fares, but the price of a single ticket for "
         "visitors rises by a small amount to cover the cost of the extra fuel, a change the "
         "island council accepted at its last meeting without a vote against."),
    ]),
    "drip-story": ("Volunteers restore the old mill's water wheel", [
        ("A group of volunteers has spent three years restoring the water wheel of the old "
         "corn mill by the river, and on Sunday it turned again for the first time since the "
         "mill closed in the nineteen-fifties, watched by several hundred people."),
        ("The oak paddles were made by a retired carpenter using drawings found in the county "
         "archive, and the iron axle was recast at a foundry that still works with traditional "
         "sand moulds, the restoration society's treasurer told the crowd."),
        ("The society now hopes to grind flour again by next spring and to open the mill to "
         "school classes, for which it is seeking a grant from the heritage lottery fund and "
         "the support of local bakers who have offered to buy the first harvest."),
    ]),
    "unicode-story": ("Market square fountain gets its statue back", [
        ("The bronze statue that stood on the fountain in the market square until it was "
         "stolen eight years ago has been returned, after police found it in a scrap yard "
         "during an unrelated investigation into stolen copper cable."),
        ("The statue was cleaned and repaired by a conservator at the city museum, who said "
         "the damage was less serious than feared, and it will be put back on its pedestal "
         "in a small ceremony on the first Saturday of next month."),
        ("The city has fitted the pedestal with an alarm and a camera, and the heritage "
         "office said a replica had been considered but rejected because residents wanted "
         "the original figure their grandparents knew to return to the square."),
    ]),
    "query-story": ("School meals to use more local produce", [
        ("Primary schools in the district will buy at least a third of the vegetables for "
         "their kitchens from farms within fifty kilometres from September, under a new "
         "contract the education department signed with a regional cooperative."),
        ("Head teachers said pupils already ate more of a meal when they knew where the food "
         "came from, and several schools plan visits to the farms involved so that classes can "
         "see how the potatoes, carrots and cabbages on their plates are grown."),
        ("The department said the contract would cost slightly more than the previous one but "
         "would cut transport emissions, and that the difference would be covered by a grant "
         "from the regional climate fund for the first two years of the scheme."),
    ]),
    "river-cleanup": ("Hundreds turn out for the spring river clean-up", [
        ("More than four hundred volunteers pulled shopping trolleys, tyres and about two tonnes "
         "of plastic out of the river on Saturday, in the largest clean-up the angling club has "
         "organised since it started the annual event eleven years ago."),
        ("The club's secretary said the amount of rubbish was lower than last year along the "
         "stretch by the park, where the council installed new bins in the autumn, but higher "
         "downstream of the industrial estate, which she wants the council to inspect."),
        ("Divers from the fire brigade's training unit recovered two bicycles and a safe from "
         "the deepest pool under the old bridge; police said the safe was empty and had been "
         "reported stolen from a petrol station more than a decade ago."),
    ]),
    "bakery-apprentices": ("Bakers' guild doubles its apprenticeship places", [
        ("The regional bakers' guild will train forty apprentices from September, twice as many "
         "as this year, after member bakeries reported that a third of their master bakers will "
         "retire within the next five years and nobody is lined up to replace them."),
        ("Apprentices will spend three days a week in a bakery and two at the vocational college, "
         "which is converting an unused workshop into a second training kitchen with ovens "
         "donated by a manufacturer that has its factory on the edge of the town."),
        ("The guild's chairman said early starts still put many school leavers off, and that "
         "several bakeries now begin the apprentices' shifts at six rather than three in the "
         "morning for the first year, to give young people time to get used to the trade."),
    ]),
}
CP1252_TITLE = "Café owner’s “soft reopening” draws crowds"
CP1252_PARAS = [
    ("The café on Rue Émile Zola reopened on Tuesday — eight months after a fire gutted its "
     "kitchen — and its owner, Zoë Lefèvre, said the queue outside was “far longer than "
     "anything we saw before the fire”, which she called a vote of confidence from the street."),
    ("Lefèvre’s insurers paid for most of the rebuilding, but the new espresso machine and "
     "the pâtisserie counter were bought with donations collected by regulars, whose names "
     "are now painted on a board above the till as a thank-you from the staff."),
    ("The café will open from seven until six, six days a week, and Lefèvre says she will "
     "hire two apprentices from the catering school next door in the autumn — “the same "
     "school that trained me, more years ago than I’d like to admit”, she said, laughing."),
]
CP1252_BARE_TITLE = "Crèche on Rue Molière doubles its places"
CP1252_BARE_PARAS = [
    ("The crèche beside the école Molière will take forty children from January, twice as many "
     "as today, after the town hall agreed to rent it the empty ground floor next door — a "
     "former café whose owners retired to the coast last summer."),
    ("Parents’ association chair Hélène Dubois called it “the best news this street has had "
     "in years”, and said the waiting list, which had grown to sixty names, should be cleared "
     "by the spring once the two new rooms and the garden are ready."),
    ("The work, costing about €180,000, will be paid for by the département and the family "
     "allowance fund, and the crèche will hire four more staff, two of them from the training "
     "programme run by the lycée across the road."),
]
SJIS_TITLE = "港の新しい倉庫が完成"
SJIS_PARAS = [
    ("市の北部にある港で、新しい冷蔵倉庫が完成し、月曜日に記念式典が開かれました。"
     "倉庫は水産物や果物を保管するためのもので、地元の漁業協同組合が長年求めていたものです。"),
    ("港湾局によりますと、新しい倉庫の収容能力はこれまでの二倍で、停電に備えた発電機も備えています。"
     "担当者は、これで夏の暑い時期にも品質を保ったまま出荷できるようになると話しています。"),
    ("漁業関係者からは歓迎の声が上がる一方で、利用料金の値上げを心配する意見もあり、"
     "港湾局は来月、利用者との説明会を開いて料金の詳細を説明することにしています。"),
]
NOCHARSET_TITLE = "Night bus network redrawn for the new timetable"
NOCHARSET_PARAS = [
    ("The transport authority has redrawn its night bus network so that every district is "
     "served at least twice an hour between midnight and five in the morning, a change that "
     "takes effect with the new timetable at the start of December."),
    ("Three lines that ran mostly empty are merged into one, and the saved buses go to the "
     "two routes serving the hospital and the industrial estate, where many passengers are "
     "shift workers travelling to and from their jobs in the small hours."),
    ("Drivers’ representatives said they had been consulted and supported the plan, though "
     "they asked for better lighting and a heated shelter at the central interchange where "
     "most night lines meet and wait for each other every half hour."),
]


def article_html(title: str, paras: list[str], *, charset: str | None = "utf-8",
                 lang: str = "en", published: str = "2025-12-15T09:30:00Z") -> str:
    """A realistic article page: head metadata, navigation, headline, byline, long paragraphs."""
    meta_charset = f'<meta charset="{charset}">' if charset else ""
    body = "\n".join(f"<p>{p}</p>" for p in paras)
    return f"""<!DOCTYPE html>
<html lang="{lang}"><head>{meta_charset}
<title>{title} | The Loopback Herald</title>
<meta property="og:type" content="article">
<meta property="og:site_name" content="The Loopback Herald">
<meta property="og:title" content="{title}">
<meta name="description" content="{paras[0][:120]}">
<meta property="article:published_time" content="{published}">
</head><body>
<header><nav><a href="/">Home</a> <a href="/section/city">City</a></nav></header>
<main><article>
<h1>{title}</h1>
<p class="byline">By Dana Okafor</p>
<time datetime="{published}">15 December 2025</time>
{body}
</article></main>
<footer><p>&copy; The Loopback Herald</p></footer>
</body></html>
"""


def article_path(slug: str) -> str:
    return f"/news/2025/12/{slug}.html"


# --- Fault bodies ----------------------------------------------------------------------

PNG_BYTES = (b"\x89PNG\r\n\x1a\n" + struct.pack(">I", 13) + b"IHDR" + struct.pack(">IIBBBBB", 64, 64, 8, 2, 0, 0, 0)
             + b"\x00\x00\x00\x00" + struct.pack(">I", 4000) + b"IDAT" + bytes(range(256)) * 16
             + b"\x00\x00\x00\x00IEND\xaeB`\x82")
PDF_BYTES = (b"%PDF-1.4\n%\xe2\xe3\xcf\xd3\n1 0 obj\n<< /Type /Catalog /Pages 2 0 R >>\nendobj\n"
             b"4 0 obj\n<< /Length 3000 /Filter /FlateDecode >>\nstream\n"
             + zlib.compress(random.Random(7).randbytes(2000)) + b"\nendstream\nendobj\ntrailer\n<< /Root 1 0 R >>\n%%EOF\n")

_BOMB: bytes | None = None


def gzip_bomb() -> bytes:
    """About 2 MB of gzip inflating to BOMB_INFLATED zero bytes: one 16 MiB member, repeated."""
    global _BOMB
    if _BOMB is None:
        member = gzip.compress(bytes(16 * 1024 * 1024), compresslevel=9, mtime=0)
        _BOMB = member * (BOMB_INFLATED // (16 * 1024 * 1024))
    return _BOMB


LOL_DTD = """<!DOCTYPE lolz [
 <!ENTITY lol "lol">
 <!ENTITY lol1 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;">
 <!ENTITY lol2 "&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;">
 <!ENTITY lol3 "&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;">
 <!ENTITY lol4 "&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;">
 <!ENTITY lol5 "&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;">
 <!ENTITY lol6 "&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;">
 <!ENTITY lol7 "&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;">
 <!ENTITY lol8 "&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;">
 <!ENTITY lol9 "&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;">
]>"""


def xxe_dtd(secret_path: str, trap: str) -> str:
    return (f'<!DOCTYPE x [\n <!ENTITY xxe SYSTEM "file://{secret_path}">\n'
            f' <!ENTITY net SYSTEM "{trap}/xxe-fetch">\n <!ENTITY % remote SYSTEM "{trap}/xxe.dtd">\n'
            f' %remote;\n]>')


def urlset(urls: list[str], dtd: str = "") -> str:
    entries = "".join(f"<url><loc>{u}</loc><lastmod>2025-12-15</lastmod></url>\n" for u in urls)
    return (f'<?xml version="1.0" encoding="UTF-8"?>\n{dtd}\n'
            f'<urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">\n{entries}</urlset>\n')


def rss(items: list[tuple[str, str]], dtd: str = "") -> str:
    entries = "".join(f"<item><title>{t}</title><link>{u}</link>"
                      f"<pubDate>Mon, 15 Dec 2025 09:30:00 GMT</pubDate><description>{t}</description></item>\n"
                      for t, u in items)
    return (f'<?xml version="1.0" encoding="UTF-8"?>\n{dtd}\n<rss version="2.0"><channel>'
            f"<title>The Loopback Herald</title><link>/</link>\n{entries}</channel></rss>\n")


# --- The server -----------------------------------------------------------------------

Route = Callable[["FaultHandler"], None]


class FaultHandler(BaseHTTPRequestHandler):
    server: FaultServer
    protocol_version = "HTTP/1.1"

    def log_message(self, format: str, *args: Any) -> None:  # quiet
        pass

    def do_GET(self) -> None:
        path = unquote(urlsplit(self.path).path)
        site = self.server.site
        with site.lock:
            site.hits[path] += 1
        route = site.route(path)
        if route is None:
            self.send_body(404, b"<html><body><h1>Not found</h1></body></html>")
        else:
            route(self)

    def send_body(self, status: int, body: bytes, ctype: str = "text/html; charset=utf-8",
                  headers: dict[str, str] | None = None) -> None:
        self.send_response(status)
        self.send_header("Content-Type", ctype)
        self.send_header("Content-Length", str(len(body)))
        for key, value in (headers or {}).items():
            self.send_header(key, value)
        self.end_headers()
        try:
            self.wfile.write(body)
        except OSError:  # the crawler gave up (size limit, timeout): expected
            self.close_connection = True


class FaultServer(ThreadingHTTPServer):
    daemon_threads = True
    site: FaultSite

    def handle_error(self, request: Any, client_address: Any) -> None:
        """Clients that hang up mid-response are part of the game: no traceback."""


@dataclass
class Trap:
    """A listener on 127.0.0.9 that counts every connection made to it."""

    host: str = TRAP_HOST
    connections: int = 0
    sock: socket.socket | None = None
    _thread: threading.Thread | None = None
    _stop: threading.Event = field(default_factory=threading.Event)

    @property
    def base(self) -> str:
        assert self.sock is not None
        return f"http://{self.host}:{self.sock.getsockname()[1]}"

    def start(self) -> Trap:
        self.sock = socket.create_server((self.host, 0))
        self.sock.settimeout(0.2)
        self._thread = threading.Thread(target=self._serve, name="trap", daemon=True)
        self._thread.start()
        return self

    def _serve(self) -> None:
        assert self.sock is not None
        while not self._stop.is_set():
            try:
                conn, _ = self.sock.accept()
            except (TimeoutError, OSError):
                continue
            self.connections += 1
            try:
                conn.sendall(b"HTTP/1.1 200 OK\r\nContent-Type: text/html\r\nContent-Length: 24\r\n"
                             b"Connection: close\r\n\r\n<html><p>trap</p></html>")
            except OSError:
                pass
            conn.close()

    def stop(self) -> None:
        self._stop.set()
        if self._thread is not None:
            self._thread.join(2)
        if self.sock is not None:
            self.sock.close()


class FaultSite:
    """The hostile news site, with a trap beside it; a context manager."""

    def __init__(self, host: str = "127.0.0.1", *, remote_links: bool = True) -> None:
        self.host = host
        self.remote_links = remote_links  # link to hosts outside 127.0.0.0/8 (isolated crawls only)
        self.hits: Counter[str] = Counter()
        self.lock = threading.Lock()
        self.stop = threading.Event()
        self.trap = Trap()
        self.port_trap = Trap(host)  # the site's own host, another port: a service nobody named
        self.tmp = Path(tempfile.mkdtemp(prefix="faultsite-"))
        self.secret = self.tmp / "secret.txt"
        self.secret.write_text(SECRET + "\n", encoding="utf-8")
        self.server = FaultServer((host, 0), FaultHandler)
        self.server.site = self
        self.routes: dict[str, Route] = {}
        self._thread: threading.Thread | None = None

    # lifecycle
    def __enter__(self) -> Self:
        self.trap.start()
        self.port_trap.start()
        self.routes = build_routes(self)
        self._thread = threading.Thread(target=self.server.serve_forever, kwargs={"poll_interval": 0.1},
                                        name="faultsite", daemon=True)
        self._thread.start()
        return self

    def __exit__(self, exc_type: type[BaseException] | None, exc: BaseException | None,
                 tb: TracebackType | None) -> None:
        self.stop.set()
        self.server.shutdown()
        self.server.server_close()
        self.trap.stop()
        self.port_trap.stop()
        shutil.rmtree(self.tmp, ignore_errors=True)

    @property
    def base(self) -> str:
        return f"http://{self.host}:{self.server.server_address[1]}"

    @property
    def port(self) -> int:
        return int(self.server.server_address[1])

    def url(self, path: str) -> str:
        return self.base + path

    def route(self, path: str) -> Route | None:
        if path in self.routes:
            return self.routes[path]
        if path.startswith("/section/bulk-"):
            return page(listing_html("Bulk section", []))
        if path.startswith("/redirect/chain/"):
            return chain_hop
        return None

    def render(self, text: str) -> str:
        return (text.replace("@BASE@", self.base).replace("@TRAP@", self.trap.base)
                .replace("@PORTTRAP@", self.port_trap.base).replace("@SECRET@", str(self.secret)))

    def report(self) -> dict[str, Any]:
        with self.lock:
            hits = dict(self.hits)
        return {"base": self.base, "trap": self.trap.base, "port_trap": self.port_trap.base, "hits": hits,
                "trap_connections": self.trap.connections,
                "port_trap_connections": self.port_trap.connections}


# --- Routes ---------------------------------------------------------------------------

def page(body: str | bytes, status: int = 200, ctype: str = "text/html; charset=utf-8",
         headers: dict[str, str] | None = None) -> Route:
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
                h.connection.sendall(body[i:i + 1])
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
            h.wfile.write(filler[i:i + 1])
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


def listing_html(title: str, links: list[str], extra: str = "") -> str:
    anchors = "\n".join(f'<li><a href="{u}">{u}</a></li>' for u in links)
    return (f'<!DOCTYPE html><html lang="en"><head><meta charset="utf-8"><title>{title}</title>'
            f'<meta property="og:type" content="website"></head><body><h1>{title}</h1>'
            f"<ul>{anchors}</ul>{extra}</body></html>")


def many_links_html() -> bytes:
    anchors = "".join(f'<a href="/section/bulk-{i}">Bulk {i}</a>\n' for i in range(MANY_LINKS))
    return listing_html("Everything", [], anchors).encode()


GOOD = list(ARTICLES)[:4]  # listed in the sitemap and the feed
TRUNCATED_FEED = ["river-cleanup", "bakery-apprentices"]  # the complete items of the cut feed
UNICODE_SLUG = "caf\u00e9-story"  # an article at a non-ASCII path, linked as such
FOREIGN = ["http://exa mple.com/x", "http://%zz/", "http://example.com/news/2025/12/elsewhere-story.html",
           "https://other.test/news/x-story.html"]  # other sites, all offsite
REMOTE_PRIVATE = [  # private addresses outside 127.0.0.0/8: only ever linked, in a network namespace
    "http://169.254.169.254/latest/meta-data/", "http://10.0.0.1/news/2025/12/internal-story.html",
    "http://192.168.1.1/news/2025/12/router-story.html", "http://100.64.0.1/news/2025/12/cgnat-story.html",
    "http://[::ffff:10.0.0.1]/news/2025/12/mapped-remote-story.html",
]

FAULT_PAGES = {  # sitemap-listed article URLs that fail, by fault
    "missing": "missing-story", "gone": "gone-story", "broken": "broken-story",
    "busy": "busy-story", "hanging": "hanging-story", "drip": "drip-story",
    "endless_drip": "endless-drip-story", "reset": "reset-story",
    "truncated_gzip": "truncated-gzip-story", "truncated_gzip_head": "truncated-gzip-head-story",
    "gzip_bomb": "gzip-bomb-story", "huge": "huge-story", "huge_chunked": "huge-chunked-story",
    "cp1252": "cp1252-story", "sjis": "sjis-story", "nocharset": "nocharset-story",
    "nocharset_cp1252": "nocharset-cp1252-story", "png": "png-story", "pdf": "pdf-story",
    "empty": "empty-story", "loop": "loop-story", "chain": "chain-story",
    "short_chain": "short-chain-story",
}


def fault_path(kind: str) -> str:
    return article_path(FAULT_PAGES[kind])


def hostile_links(site: FaultSite) -> list[str]:
    """Links a hostile or careless page carries: malformed, foreign, private, duplicate."""
    trap, port = site.trap.base, site.port
    trap_port = trap.rsplit(":", 1)[1]
    good = article_path(GOOD[0])
    links = [
        "http://[::1", "javascript:alert(document.cookie)", "//", "mailto:desk@example.com",
        " /news/2025/12/bakery-apprentices.html\n", "/news/2025/12/caf\u00e9-story.html",
        "../news/2025/12/query-story.html?b=2&a=1", "/news/2025/12/query-story.html?a=1&b=2",
        f"{good}?utm_source=home&utm_medium=web", f"{good}?fbclid=IwAR0abc", f"{good}#comments",
        f"https://{site.host}:{port}{good}", f"http://[::1]:{port}/news/2025/12/v6-story.html",
        f"http://0.0.0.0:{port}{good}", f"{trap}/news/2025/12/trap-story.html",
        f"http://[::ffff:{TRAP_HOST}]:{trap_port}/mapped", f"http://2130706441:{trap_port}/decimal",
        "/section/many-links",
    ]
    if site.remote_links:  # hosts outside 127.0.0.0/8: a crawl that followed them would leave loopback
        links += [*REMOTE_PRIVATE, *FOREIGN]
    return links


def build_routes(site: FaultSite) -> dict[str, Route]:
    base = site.base
    arts = {slug: article_html(title, paras) for slug, (title, paras) in ARTICLES.items()}
    good_urls = [base + article_path(s) for s in GOOD]
    fault_urls = [base + fault_path(k) for k in FAULT_PAGES]
    routes: dict[str, Route] = {article_path(s): page(html) for s, html in arts.items()
                                if s != "unicode-story"}
    routes[article_path(UNICODE_SLUG)] = page(arts["unicode-story"])
    cut = gzip.compress(arts["library-opening-hours"].encode(), mtime=0)
    routes.update({
        "/robots.txt": page(f"User-agent: *\nAllow: /\nSitemap: {base}/sitemap-index.xml\n",
                            ctype="text/plain"),
        "/": page(listing_html("The Loopback Herald", hostile_links(site) + good_urls)),
        "/section/city": page(listing_html("City", [article_path(s) for s in GOOD])),
        "/section/many-links": page(many_links_html()),
        "/sitemap-index.xml": page(sitemap_index(base), ctype="application/xml"),
        "/sitemap.xml": page(urlset(good_urls + fault_urls), ctype="application/xml"),
        "/sitemap-lol.xml": page(urlset([base + article_path("tram-line-extension"), "&lol9;"],
                                        LOL_DTD), ctype="application/xml"),
        "/sitemap-xxe.xml": page(urlset([base + "/news/2025/12/xxe-&xxe;-story.html", "&net;"],
                                        xxe_dtd(str(site.secret), site.trap.base)),
                                 ctype="application/xml"),
        "/sitemap-bomb.xml.gz": page(gzip_bomb()[: len(gzip_bomb()) // 2], ctype="application/x-gzip"),
        "/rss.xml": page(rss(tracking_items(base)), ctype="application/rss+xml"),
        "/feed-lol.xml": page(rss([("&lol9;", base + article_path(GOOD[1]))], LOL_DTD),
                              ctype="application/rss+xml"),
        "/feed-xxe.xml": page(rss([("&xxe;", base + article_path(GOOD[2])),
                                   ("&net;", "&xxe;")], xxe_dtd(str(site.secret), site.trap.base)),
                              ctype="application/rss+xml"),
                                    "/feed-truncated.xml": page(truncated_feed(base), ctype="application/rss+xml"),
        fault_path("missing"): page(b"<html><body>Not here</body></html>", 404),
        fault_path("gone"): page(b"<html><body>Removed</body></html>", 410),
        fault_path("broken"): page(b"<html><body>Internal error</body></html>", 500),
        fault_path("busy"): page(b"<html><body>Busy</body></html>", 503, headers={"Retry-After": "120"}),
        fault_path("hanging"): hang,
        fault_path("drip"): drip(arts["drip-story"].encode()),
        fault_path("endless_drip"): endless_drip,
        fault_path("reset"): reset_mid_body(article_html(*ARTICLES["orchard-growers-frost"]).encode() * 3),
        fault_path("truncated_gzip"): page(cut[: len(cut) * 6 // 10], headers={"Content-Encoding": "gzip"}),
        fault_path("truncated_gzip_head"): page(cut[:12], headers={"Content-Encoding": "gzip"}),
        fault_path("gzip_bomb"): page(gzip_bomb(), headers={"Content-Encoding": "gzip"}),
        fault_path("huge"): page(b"<html><body>" + b"<p>filler</p>" * (HUGE_BODY // 13) + b"</body></html>"),
        fault_path("huge_chunked"): huge_chunks,
        fault_path("cp1252"): page(article_html(CP1252_TITLE, CP1252_PARAS).encode("cp1252")),
        fault_path("sjis"): page(article_html(SJIS_TITLE, SJIS_PARAS, lang="ja").encode("shift_jis")),
        fault_path("nocharset"): page(article_html(NOCHARSET_TITLE, NOCHARSET_PARAS, charset=None)
                                      .encode("utf-8"), ctype="text/html"),
        fault_path("nocharset_cp1252"): page(article_html(CP1252_BARE_TITLE, CP1252_BARE_PARAS, charset=None)
                                             .encode("cp1252"), ctype="text/html"),
        fault_path("png"): page(PNG_BYTES),
        fault_path("pdf"): page(PDF_BYTES),
        fault_path("empty"): page(b""),
        fault_path("loop"): redirect("/redirect/loop-b"),
        "/redirect/loop-b": redirect(fault_path("loop")),
        fault_path("chain"): redirect("/redirect/chain/25", 301),
        fault_path("short_chain"): redirect("/redirect/short-1"),
        "/redirect/short-1": redirect("/redirect/short-2", 301),
        "/redirect/short-2": redirect(article_path("redirected-story"), 307),
    })
    routes.update(guard_routes(site))
    return routes


def sitemap_index(base: str) -> str:
    children = ["/sitemap.xml", "/sitemap-lol.xml", "/sitemap-xxe.xml", "/sitemap-bomb.xml.gz",
                "/feed-lol.xml", "/feed-xxe.xml", "/feed-truncated.xml"]
    return sitemap_index_of([base + c for c in children])


def sitemap_index_of(urls: list[str]) -> str:
    entries = "".join(f"<sitemap><loc>{u}</loc></sitemap>\n" for u in urls)
    return ('<?xml version="1.0" encoding="UTF-8"?>\n'
            f'<sitemapindex xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">\n{entries}</sitemapindex>\n')


def guard_routes(site: FaultSite) -> dict[str, Route]:
    """Pages whose links, sitemap entries and redirects lead to addresses nobody named.

    /guard/loopback only leads to loopback (the two traps, in several spellings);
    /guard/remote and /guard/sitemap.xml lead outside 127.0.0.0/8, for crawls in a
    network namespace only.
    """
    trap, port_trap, base = site.trap.base, site.port_trap.base, site.base
    trap_port, port_trap_port = trap.rsplit(":", 1)[1], port_trap.rsplit(":", 1)[1]
    loopback = [f"{trap}/news/2025/12/trap-story.html", f"{port_trap}/news/2025/12/port-story.html",
                f"http://internal.test:{trap_port}/news/2025/12/internal-name-story.html",
                f"http://2130706441:{trap_port}/news/2025/12/decimal-story.html",
                f"http://[::ffff:{TRAP_HOST}]:{trap_port}/news/2025/12/mapped-story.html",
                f"http://0.0.0.0:{port_trap_port}/news/2025/12/unspecified-story.html",
                "/guard/to-trap", "/guard/to-port-trap", article_path(GOOD[0])]
    remote = [*REMOTE_PRIVATE, article_path(GOOD[1])]
    return {
        "/guard/loopback": page(listing_html("Loopback links", loopback)),
        "/guard/loopback-index.xml": page(sitemap_index_of([f"{trap}/sitemap.xml", f"{port_trap}/sitemap.xml"]),
                                          ctype="application/xml"),
        "/guard/to-trap": redirect(f"{trap}/news/2025/12/redirected-trap-story.html"),
        "/guard/to-port-trap": redirect(f"{port_trap}/news/2025/12/redirected-port-story.html"),
        "/guard/remote": page(listing_html("Remote links", remote)),
        "/guard/sitemap.xml": page(urlset([*REMOTE_PRIVATE[:2], base + article_path(GOOD[2])]),
                                   ctype="application/xml"),
        "/guard/remote-index.xml": page(sitemap_index_of(["http://192.168.1.1/sitemap.xml",
                                                          base + "/guard/sitemap.xml"]),
                                        ctype="application/xml"),
    }


def tracking_items(base: str) -> list[tuple[str, str]]:
    """The feed: good articles, the first under four tracking/fragment variants."""
    first = base + article_path(GOOD[0])
    variants = [f"{first}?utm_source=rss&amp;utm_medium=feed&amp;utm_campaign=daily",
                f"{first}?fbclid=IwAR2xyz", f"{first}#top", f"{first}?utm_content=b&amp;gclid=1"]
    return ([(f"Variant {i}", u) for i, u in enumerate(variants)]
            + [(ARTICLES[s][0], base + article_path(s)) for s in GOOD[1:]])


def truncated_feed(base: str) -> str:
    full = rss([(ARTICLES[s][0], base + article_path(s)) for s in TRUNCATED_FEED]
               + [("Cut short", base + article_path("never-listed-story"))])
    return full[: full.index("<title>Cut") + 9]


# --- Running a command beside the site --------------------------------------------------

def run_beside(state: Path, render: list[Path], cmd: list[str], *, remote_links: bool) -> int:
    """Serve, run `cmd` with @BASE@ & co rendered, write what was seen to `state`."""
    with FaultSite(remote_links=remote_links) as site:
        for path in render:
            path.write_text(site.render(path.read_text(encoding="utf-8")), encoding="utf-8")
        started = time.monotonic()
        proc = subprocess.run([site.render(a) for a in cmd], check=False)
        report = site.report()
    report.update(returncode=proc.returncode, elapsed_s=round(time.monotonic() - started, 2),
                  maxrss_mb=resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024)
    state.write_text(json.dumps(report, indent=1), encoding="utf-8")
    return proc.returncode


def netns_available() -> bool:
    """Whether this machine lets us run a command in a loopback-only network namespace.

    FAULTSITE_NO_NETNS=1 answers no, to exercise the fallback (plain crawls, outward tests skipped).
    """
    if os.environ.get("FAULTSITE_NO_NETNS") or not shutil.which("unshare") or not shutil.which("ip"):
        return False
    try:
        proc = subprocess.run(["unshare", "-rn", "sh", "-c", "ip link set lo up"],
                              capture_output=True, timeout=10, check=False)
    except (OSError, subprocess.TimeoutExpired):
        return False
    return proc.returncode == 0


def isolated_command(cmd: list[str], *, isolate: bool) -> list[str]:
    """`cmd` run in a fresh network namespace whose only interface is loopback."""
    if not isolate:
        return cmd
    return ["unshare", "-rn", "sh", "-c", 'ip link set lo up && exec "$@"', "sh", *cmd]


def run_in_session(cmd: list[str], env: dict[str, str], timeout: float) -> subprocess.CompletedProcess[str]:
    """Run `cmd` in its own session; on timeout kill the whole session, crawl and workers too."""
    with subprocess.Popen(cmd, cwd=PROJECT, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
                          env=env, start_new_session=True) as proc:
        try:
            out, err = proc.communicate(timeout=timeout)
        except subprocess.TimeoutExpired:
            os.killpg(proc.pid, signal.SIGKILL)
            out, err = proc.communicate()
            raise AssertionError(f"timed out after {timeout}s: {' '.join(cmd)}\n{err[-4000:]}") from None
    return subprocess.CompletedProcess(cmd, proc.returncode, out, err)


AUDIT_HOOK = '''"""Generated by tests/faultsite.py: log the host of every socket connect and name lookup."""
import json, os, sys

_LOG = os.environ.get("NETAUDIT_LOG")
_TARGET_ARG = {"socket.connect": 1, "socket.sendto": 1, "socket.getaddrinfo": 0,
               "socket.gethostbyname": 0, "socket.gethostbyname_ex": 0, "socket.gethostbyaddr": 0}


def _host(target):
    if isinstance(target, tuple) and target:
        target = target[0]
    if isinstance(target, bytes):
        target = target.decode("latin-1")
    return "" if target is None else str(target)


def _hook(event, args):
    if _LOG and event in _TARGET_ARG:
        with open(_LOG, "a", encoding="utf-8") as out:
            out.write(json.dumps([os.getpid(), event, _host(args[_TARGET_ARG[event]])]) + "\\n")


sys.addaudithook(_hook)
'''


def audit_env(directory: Path) -> dict[str, str]:
    """Environment for processes whose every connect and lookup is logged (a sitecustomize hook).

    Children inherit it, extraction workers included. Returns PYTHONPATH and NETAUDIT_LOG.
    """
    hook_dir = directory / "netaudit"
    hook_dir.mkdir(parents=True, exist_ok=True)
    (hook_dir / "sitecustomize.py").write_text(AUDIT_HOOK, encoding="utf-8")
    return {"PYTHONPATH": str(hook_dir), "NETAUDIT_LOG": str(directory / "netaudit.log")}


def audited_hosts(log: Path) -> list[tuple[str, str]]:
    """(event, host) pairs the audit hook logged."""
    if not log.exists():
        return []
    rows = (json.loads(line) for line in log.read_text(encoding="utf-8").splitlines() if line)
    return [(event, host) for _, event, host in rows]


def is_local_host(host: str) -> bool:
    """A unix socket path (or none), localhost or a loopback address."""
    if not host or host.startswith(("/", "\x00")) or host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host.split("%", 1)[0]).is_loopback
    except ValueError:
        return False


@dataclass
class Crawl:
    """What one crawl beside the fault site left: its process, the site's view, its archive."""

    proc: subprocess.CompletedProcess[str]
    site: dict[str, Any]
    archive: Path

    @property
    def summary(self) -> dict[str, Any]:
        path = next((self.archive / "runs").glob("*.summary.json"))
        return dict(json.loads(path.read_text(encoding="utf-8")))

    @property
    def stats(self) -> dict[str, Any]:
        return dict(self.summary.get("stats") or {})

    def hits(self, path: str) -> int:
        return int(self.site["hits"].get(path, 0))


def crawl_beside_site(tmp: Path, args: list[str], settings: dict[str, str], *, isolate: bool,
                      render: tuple[Path, ...] = (), timeout: float = 180,
                      env: dict[str, str] | None = None) -> Crawl:
    """`scrapy <args>` beside a fresh FaultSite, optionally network-isolated."""
    archive, state = tmp / "archive", tmp / "site.json"
    scrapy = [sys.executable, "-m", "scrapy", *args, "-s", f"ARCHIVE_DIR={archive}"]
    for key, value in settings.items():
        scrapy += ["-s", f"{key}={value}"]
    runner = [sys.executable, str(Path(__file__)), "--state", str(state), *([] if isolate else ["--no-remote"])]
    for path in render:
        runner += ["--render", str(path)]
    extra = dict(env or {})
    paths = (extra.pop("PYTHONPATH", None), str(Path(__file__).parent), os.environ.get("PYTHONPATH"))
    full_env = dict(os.environ, PYTHONUNBUFFERED="1", **extra,
                    PYTHONPATH=os.pathsep.join(p for p in paths if p))
    proc = run_in_session(isolated_command([*runner, "--", *scrapy], isolate=isolate), full_env, timeout)
    if not state.exists():
        raise AssertionError(f"the fault site runner failed:\n{proc.stderr[-4000:]}")
    return Crawl(proc, json.loads(state.read_text(encoding="utf-8")), archive)


# --- A resolver for made-up host names --------------------------------------------------

def _stub_resolver_class() -> type:
    from scrapy.resolver import CachingThreadedResolver
    from twisted.internet import defer

    class StubResolver(CachingThreadedResolver):
        """Scrapy's resolver, plus made-up names from the FAULTSITE_HOSTS setting (name=ip,...).

        Used as DNS_RESOLVER, it answers for the downloader and for the guard alike, so a
        guard that let `internal.test` through would really connect to the trap.
        """

        hosts: dict[str, str]  # set by from_crawler

        @classmethod
        def from_crawler(cls, crawler: Any, reactor: Any) -> Any:
            resolver = super().from_crawler(crawler, reactor)
            pairs = crawler.settings.getlist("FAULTSITE_HOSTS")
            resolver.hosts = dict(p.split("=", 1) for p in pairs)
            return resolver

        def getHostByName(self, name: str, timeout: Any = None) -> Any:
            if name in self.hosts:
                return defer.succeed(self.hosts[name])
            return super().getHostByName(name, timeout)

    return StubResolver


def __getattr__(name: str) -> Any:
    """`faultsite.StubResolver`, built on first use so serving needs no Scrapy import."""
    if name == "StubResolver":
        return _stub_resolver_class()
    raise AttributeError(name)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--state", type=Path, required=True)
    parser.add_argument("--render", type=Path, action="append", default=[])
    parser.add_argument("--no-remote", action="store_true", help="no links outside 127.0.0.0/8")
    parser.add_argument("cmd", nargs=argparse.REMAINDER)
    args = parser.parse_args(argv)
    cmd = args.cmd[1:] if args.cmd[:1] == ["--"] else args.cmd
    return run_beside(args.state, args.render, cmd, remote_links=not args.no_remote)


if __name__ == "__main__":
    sys.exit(main())
