"""The fault site's pages and bodies: ordinary articles, lying charsets, binary, bombs, XML traps."""

from __future__ import annotations

import gzip
import random
import struct
import zlib

TRAP_HOST = "127.0.0.9"
MANY_LINKS = 50_000
HUGE_BODY = 6 * 1024 * 1024  # over the 4 MB DOWNLOAD_MAXSIZE the fault tests set
BOMB_INFLATED = 2 * 1024**3  # the gzip bomb inflates to 2 GiB (about 2 MB on the wire)
DRIP_INTERVAL = 0.1  # seconds between bytes of the endless drip
SECRET = "XXE-SECRET-7f3a9c"  # what an external entity would leak if resolved

# --- Article content ------------------------------------------------------------

ARTICLES: dict[str, tuple[str, list[str]]] = {
    "harbour-cranes-return": (
        "Harbour cranes return after a winter of repairs",
        [
            (
                "The four container cranes at the northern harbour went back into service on Monday "
                "after engineers spent most of the winter replacing their corroded hoist cables, the "
                "port authority said in a statement that also promised shorter queues for lorries."
            ),
            (
                "Shipping agents had complained since November that vessels were waiting up to three "
                "days for a berth, and two feeder lines moved their calls to a rival terminal further "
                "down the coast while the work dragged on longer than planned."
            ),
            (
                "The authority's operations director said the new cables were rated for twice the "
                "load of the old ones and came with sensors that report wear in real time, so that the "
                "next replacement can be scheduled during a quiet month rather than forced by a failure."
            ),
            (
                "Dock workers' representatives welcomed the reopening but asked for the overtime "
                "worked during the backlog to be paid before the end of the quarter, a request the "
                "authority said it would discuss with them at a meeting next week."
            ),
        ],
    ),
    "orchard-growers-frost": (
        "Orchard growers count the cost of a late frost",
        [
            (
                "Apple and pear growers in the valley say a single night of frost in the last week of "
                "April destroyed up to half of the blossom in low-lying orchards, and several are now "
                "asking the regional government for emergency help with loans taken out in spring."
            ),
            (
                "Temperatures fell to four degrees below freezing shortly before dawn, according to "
                "the agricultural weather station, which recorded the coldest late-April night there "
                "in more than twenty years and warned of another cold spell at the weekend."
            ),
            (
                "Some growers lit candles and ran wind machines through the night, which saved trees "
                "on higher ground, but the smaller family farms along the river had neither the money "
                "nor the staff to protect every row, their cooperative's chairwoman said."
            ),
            (
                "Fruit buyers expect prices for local apples to rise in autumn, although imports from "
                "the southern hemisphere are likely to keep supermarket shelves full and limit how far "
                "prices climb for shoppers during the winter months."
            ),
        ],
    ),
    "library-opening-hours": (
        "City library extends its evening opening hours",
        [
            (
                "The central library will stay open until ten at night from next month, the city "
                "council decided on Thursday, after a survey found that students and shift workers "
                "were the groups least able to use it during the current opening hours."
            ),
            (
                "The extra hours will be staffed by four new librarians and funded by savings from "
                "the library's switch to a cheaper heating contract, the council's culture committee "
                "said, adding that the trial would be reviewed after twelve months."
            ),
            (
                "Reading rooms on the second floor will be reserved for silent study after eight in "
                "the evening, while the ground floor keeps its children's corner and the small cafe "
                "that a local social enterprise has run there since it opened last year."
            ),
            (
                "Opposition councillors backed the plan but asked why the two branch libraries in "
                "the outer districts were not included, and called for a second survey of residents "
                "who live too far from the city centre to use the main building."
            ),
        ],
    ),
    "tram-line-extension": (
        "Tram line extension wins final approval",
        [
            (
                "The planning board has given final approval to a three-kilometre extension of the "
                "number five tram line, clearing the way for construction to begin in the summer and "
                "for the first passenger services to run before the end of next year."
            ),
            (
                "The extension will add five stops between the railway station and the new hospital, "
                "and the transport company expects it to carry around eleven thousand passengers a "
                "day once the last housing blocks of the surrounding development are finished."
            ),
            (
                "Residents along the route had objected to the felling of an avenue of old plane "
                "trees, and the approved plan moves the track to the other side of the street so that "
                "all but six of the trees can stay where they are, the board's decision says."
            ),
            (
                "Businesses on the street will receive compensation for lost trade during the works "
                "under a scheme modelled on the one used when the number two line was rebuilt, which "
                "paid out to about forty shops over eighteen months of disruption."
            ),
        ],
    ),
    "redirected-story": (
        "Ferry timetable changes for the summer season",
        [
            (
                "The island ferry company will add two late sailings on Fridays and Saturdays from "
                "June, it announced on Tuesday, responding to complaints from visitors who missed the "
                "last boat after concerts and festivals on the mainland last summer."
            ),
            (
                "The additional crossings will leave the mainland pier at eleven and at half past "
                "midnight, and the company said it had hired six seasonal crew members so that the "
                "regular daytime timetable would not suffer from the longer evening service."
            ),
            (
                "Islanders will keep their discounted fares, but the price of a single ticket for "
                "visitors rises by a small amount to cover the cost of the extra fuel, a change the "
                "island council accepted at its last meeting without a vote against."
            ),
        ],
    ),
    "drip-story": (
        "Volunteers restore the old mill's water wheel",
        [
            (
                "A group of volunteers has spent three years restoring the water wheel of the old "
                "corn mill by the river, and on Sunday it turned again for the first time since the "
                "mill closed in the nineteen-fifties, watched by several hundred people."
            ),
            (
                "The oak paddles were made by a retired carpenter using drawings found in the county "
                "archive, and the iron axle was recast at a foundry that still works with traditional "
                "sand moulds, the restoration society's treasurer told the crowd."
            ),
            (
                "The society now hopes to grind flour again by next spring and to open the mill to "
                "school classes, for which it is seeking a grant from the heritage lottery fund and "
                "the support of local bakers who have offered to buy the first harvest."
            ),
        ],
    ),
    "unicode-story": (
        "Market square fountain gets its statue back",
        [
            (
                "The bronze statue that stood on the fountain in the market square until it was "
                "stolen eight years ago has been returned, after police found it in a scrap yard "
                "during an unrelated investigation into stolen copper cable."
            ),
            (
                "The statue was cleaned and repaired by a conservator at the city museum, who said "
                "the damage was less serious than feared, and it will be put back on its pedestal "
                "in a small ceremony on the first Saturday of next month."
            ),
            (
                "The city has fitted the pedestal with an alarm and a camera, and the heritage "
                "office said a replica had been considered but rejected because residents wanted "
                "the original figure their grandparents knew to return to the square."
            ),
        ],
    ),
    "query-story": (
        "School meals to use more local produce",
        [
            (
                "Primary schools in the district will buy at least a third of the vegetables for "
                "their kitchens from farms within fifty kilometres from September, under a new "
                "contract the education department signed with a regional cooperative."
            ),
            (
                "Head teachers said pupils already ate more of a meal when they knew where the food "
                "came from, and several schools plan visits to the farms involved so that classes can "
                "see how the potatoes, carrots and cabbages on their plates are grown."
            ),
            (
                "The department said the contract would cost slightly more than the previous one but "
                "would cut transport emissions, and that the difference would be covered by a grant "
                "from the regional climate fund for the first two years of the scheme."
            ),
        ],
    ),
    "river-cleanup": (
        "Hundreds turn out for the spring river clean-up",
        [
            (
                "More than four hundred volunteers pulled shopping trolleys, tyres and about two tonnes "
                "of plastic out of the river on Saturday, in the largest clean-up the angling club has "
                "organised since it started the annual event eleven years ago."
            ),
            (
                "The club's secretary said the amount of rubbish was lower than last year along the "
                "stretch by the park, where the council installed new bins in the autumn, but higher "
                "downstream of the industrial estate, which she wants the council to inspect."
            ),
            (
                "Divers from the fire brigade's training unit recovered two bicycles and a safe from "
                "the deepest pool under the old bridge; police said the safe was empty and had been "
                "reported stolen from a petrol station more than a decade ago."
            ),
        ],
    ),
    "bakery-apprentices": (
        "Bakers' guild doubles its apprenticeship places",
        [
            (
                "The regional bakers' guild will train forty apprentices from September, twice as many "
                "as this year, after member bakeries reported that a third of their master bakers will "
                "retire within the next five years and nobody is lined up to replace them."
            ),
            (
                "Apprentices will spend three days a week in a bakery and two at the vocational college, "
                "which is converting an unused workshop into a second training kitchen with ovens "
                "donated by a manufacturer that has its factory on the edge of the town."
            ),
            (
                "The guild's chairman said early starts still put many school leavers off, and that "
                "several bakeries now begin the apprentices' shifts at six rather than three in the "
                "morning for the first year, to give young people time to get used to the trade."
            ),
        ],
    ),
}
CP1252_TITLE = "Café owner’s “soft reopening” draws crowds"
CP1252_PARAS = [
    (
        "The café on Rue Émile Zola reopened on Tuesday — eight months after a fire gutted its "
        "kitchen — and its owner, Zoë Lefèvre, said the queue outside was “far longer than "
        "anything we saw before the fire”, which she called a vote of confidence from the street."
    ),
    (
        "Lefèvre’s insurers paid for most of the rebuilding, but the new espresso machine and "
        "the pâtisserie counter were bought with donations collected by regulars, whose names "
        "are now painted on a board above the till as a thank-you from the staff."
    ),
    (
        "The café will open from seven until six, six days a week, and Lefèvre says she will "
        "hire two apprentices from the catering school next door in the autumn — “the same "
        "school that trained me, more years ago than I’d like to admit”, she said, laughing."
    ),
]
CP1252_BARE_TITLE = "Crèche on Rue Molière doubles its places"
CP1252_BARE_PARAS = [
    (
        "The crèche beside the école Molière will take forty children from January, twice as many "
        "as today, after the town hall agreed to rent it the empty ground floor next door — a "
        "former café whose owners retired to the coast last summer."
    ),
    (
        "Parents’ association chair Hélène Dubois called it “the best news this street has had "
        "in years”, and said the waiting list, which had grown to sixty names, should be cleared "
        "by the spring once the two new rooms and the garden are ready."
    ),
    (
        "The work, costing about €180,000, will be paid for by the département and the family "
        "allowance fund, and the crèche will hire four more staff, two of them from the training "
        "programme run by the lycée across the road."
    ),
]
SJIS_TITLE = "港の新しい倉庫が完成"
SJIS_PARAS = [
    (
        "市の北部にある港で、新しい冷蔵倉庫が完成し、月曜日に記念式典が開かれました。"
        "倉庫は水産物や果物を保管するためのもので、地元の漁業協同組合が長年求めていたものです。"
    ),
    (
        "港湾局によりますと、新しい倉庫の収容能力はこれまでの二倍で、停電に備えた発電機も備えています。"
        "担当者は、これで夏の暑い時期にも品質を保ったまま出荷できるようになると話しています。"
    ),
    (
        "漁業関係者からは歓迎の声が上がる一方で、利用料金の値上げを心配する意見もあり、"
        "港湾局は来月、利用者との説明会を開いて料金の詳細を説明することにしています。"
    ),
]
NOCHARSET_TITLE = "Night bus network redrawn for the new timetable"
NOCHARSET_PARAS = [
    (
        "The transport authority has redrawn its night bus network so that every district is "
        "served at least twice an hour between midnight and five in the morning, a change that "
        "takes effect with the new timetable at the start of December."
    ),
    (
        "Three lines that ran mostly empty are merged into one, and the saved buses go to the "
        "two routes serving the hospital and the industrial estate, where many passengers are "
        "shift workers travelling to and from their jobs in the small hours."
    ),
    (
        "Drivers’ representatives said they had been consulted and supported the plan, though "
        "they asked for better lighting and a heated shelter at the central interchange where "
        "most night lines meet and wait for each other every half hour."
    ),
]


def article_html(
    title: str,
    paras: list[str],
    *,
    charset: str | None = "utf-8",
    lang: str = "en",
    published: str = "2025-12-15T09:30:00Z",
) -> str:
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

PNG_BYTES = (
    b"\x89PNG\r\n\x1a\n"
    + struct.pack(">I", 13)
    + b"IHDR"
    + struct.pack(">IIBBBBB", 64, 64, 8, 2, 0, 0, 0)
    + b"\x00\x00\x00\x00"
    + struct.pack(">I", 4000)
    + b"IDAT"
    + bytes(range(256)) * 16
    + b"\x00\x00\x00\x00IEND\xaeB`\x82"
)
PDF_BYTES = (
    b"%PDF-1.4\n%\xe2\xe3\xcf\xd3\n1 0 obj\n<< /Type /Catalog /Pages 2 0 R >>\nendobj\n"
    b"4 0 obj\n<< /Length 3000 /Filter /FlateDecode >>\nstream\n"
    + zlib.compress(random.Random(7).randbytes(2000))
    + b"\nendstream\nendobj\ntrailer\n<< /Root 1 0 R >>\n%%EOF\n"
)

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
    return (
        f'<!DOCTYPE x [\n <!ENTITY xxe SYSTEM "file://{secret_path}">\n'
        f' <!ENTITY net SYSTEM "{trap}/xxe-fetch">\n <!ENTITY % remote SYSTEM "{trap}/xxe.dtd">\n'
        f" %remote;\n]>"
    )


def urlset(urls: list[str], dtd: str = "") -> str:
    entries = "".join(f"<url><loc>{u}</loc><lastmod>2025-12-15</lastmod></url>\n" for u in urls)
    return (
        f'<?xml version="1.0" encoding="UTF-8"?>\n{dtd}\n'
        f'<urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">\n{entries}</urlset>\n'
    )


def rss(items: list[tuple[str, str]], dtd: str = "") -> str:
    entries = "".join(
        f"<item><title>{t}</title><link>{u}</link>"
        f"<pubDate>Mon, 15 Dec 2025 09:30:00 GMT</pubDate><description>{t}</description></item>\n"
        for t, u in items
    )
    return (
        f'<?xml version="1.0" encoding="UTF-8"?>\n{dtd}\n<rss version="2.0"><channel>'
        f"<title>The Loopback Herald</title><link>/</link>\n{entries}</channel></rss>\n"
    )


def listing_html(title: str, links: list[str], extra: str = "") -> str:
    anchors = "\n".join(f'<li><a href="{u}">{u}</a></li>' for u in links)
    return (
        f'<!DOCTYPE html><html lang="en"><head><meta charset="utf-8"><title>{title}</title>'
        f'<meta property="og:type" content="website"></head><body><h1>{title}</h1>'
        f"<ul>{anchors}</ul>{extra}</body></html>"
    )


def many_links_html() -> bytes:
    anchors = "".join(f'<a href="/section/bulk-{i}">Bulk {i}</a>\n' for i in range(MANY_LINKS))
    return listing_html("Everything", [], anchors).encode()


GOOD = list(ARTICLES)[:4]  # listed in the sitemap and the feed
TRUNCATED_FEED = ["river-cleanup", "bakery-apprentices"]  # the complete items of the cut feed
UNICODE_SLUG = "caf\u00e9-story"  # an article at a non-ASCII path, linked as such
FOREIGN = [
    "http://exa mple.com/x",
    "http://%zz/",
    "http://example.com/news/2025/12/elsewhere-story.html",
    "https://other.test/news/x-story.html",
]  # other sites, all offsite
REMOTE_PRIVATE = [  # private addresses outside 127.0.0.0/8: only ever linked, in a network namespace
    "http://169.254.169.254/latest/meta-data/",
    "http://10.0.0.1/news/2025/12/internal-story.html",
    "http://192.168.1.1/news/2025/12/router-story.html",
    "http://100.64.0.1/news/2025/12/cgnat-story.html",
    "http://[::ffff:10.0.0.1]/news/2025/12/mapped-remote-story.html",
]

FAULT_PAGES = {  # sitemap-listed article URLs that fail, by fault
    "missing": "missing-story",
    "gone": "gone-story",
    "broken": "broken-story",
    "busy": "busy-story",
    "hanging": "hanging-story",
    "drip": "drip-story",
    "endless_drip": "endless-drip-story",
    "reset": "reset-story",
    "truncated_gzip": "truncated-gzip-story",
    "truncated_gzip_head": "truncated-gzip-head-story",
    "gzip_bomb": "gzip-bomb-story",
    "huge": "huge-story",
    "huge_chunked": "huge-chunked-story",
    "cp1252": "cp1252-story",
    "sjis": "sjis-story",
    "nocharset": "nocharset-story",
    "nocharset_cp1252": "nocharset-cp1252-story",
    "png": "png-story",
    "pdf": "pdf-story",
    "empty": "empty-story",
    "loop": "loop-story",
    "chain": "chain-story",
    "short_chain": "short-chain-story",
}


def fault_path(kind: str) -> str:
    return article_path(FAULT_PAGES[kind])
