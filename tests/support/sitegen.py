"""Generate a news site of any size on disk: articles sharing one template,
a sitemap, an RSS feed, a home page and section pages. Text is built from a
seeded vocabulary, so every article is distinct and every run identical."""

from __future__ import annotations

import random
from datetime import datetime, timedelta, timezone
from email.utils import format_datetime
from pathlib import Path

WORDS = [
    "government",
    "minister",
    "said",
    "officials",
    "week",
    "report",
    "market",
    "shares",
    "company",
    "president",
    "election",
    "vote",
    "council",
    "city",
    "police",
    "court",
    "judge",
    "trial",
    "investors",
    "bank",
    "rate",
    "inflation",
    "prices",
    "energy",
    "oil",
    "gas",
    "climate",
    "summit",
    "talks",
    "agreement",
    "deal",
    "security",
    "border",
    "army",
    "troops",
    "ceasefire",
    "health",
    "hospital",
    "doctors",
    "patients",
    "vaccine",
    "school",
    "students",
    "teachers",
    "university",
    "research",
    "study",
    "scientists",
    "data",
    "growth",
    "economy",
    "jobs",
    "workers",
    "strike",
    "union",
    "wages",
    "budget",
    "tax",
    "spending",
    "debt",
    "parliament",
    "opposition",
    "leader",
    "party",
    "campaign",
    "poll",
    "voters",
    "reform",
    "law",
    "bill",
    "committee",
    "senator",
    "farmers",
    "crops",
    "drought",
    "flood",
    "storm",
    "rain",
    "wind",
    "power",
    "grid",
    "outage",
    "airport",
    "flights",
    "passengers",
    "train",
    "railway",
    "road",
    "traffic",
    "bridge",
    "construction",
    "housing",
    "rents",
    "mayor",
    "residents",
    "community",
    "festival",
    "music",
    "film",
    "artist",
    "museum",
    "exhibition",
    "book",
    "author",
    "award",
    "team",
    "coach",
    "season",
    "match",
    "league",
    "goal",
    "players",
    "fans",
    "stadium",
    "final",
    "record",
    "victory",
    "defeat",
    "injury",
    "transfer",
    "contract",
    "technology",
    "startup",
    "software",
    "internet",
    "phone",
    "users",
    "privacy",
    "regulator",
    "fine",
    "investigation",
    "exports",
    "imports",
    "trade",
    "tariffs",
    "currency",
    "dollar",
    "euro",
    "rupee",
    "yen",
    "quarter",
    "profit",
    "revenue",
    "loss",
    "analysts",
    "forecast",
    "survey",
    "consumers",
    "retail",
    "sales",
    "holiday",
    "travel",
    "tourism",
    "hotel",
    "restaurant",
]
SECTIONS = ["world", "business", "politics", "sport", "science"]
SHARED_PARAGRAPHS = [
    "Sign up for our morning briefing and get the stories that matter delivered to your inbox every day.",
    "Copyright Daily Ledger Media. All rights reserved. Reproduction without permission is prohibited.",
    "Daily Ledger reporters work from twelve cities and file around the clock for every edition of this paper.",
]


def sentence(rng: random.Random) -> str:
    words = [rng.choice(WORDS) for _ in range(rng.randint(12, 22))]
    return words[0].capitalize() + " " + " ".join(words[1:]) + "."


def paragraph(rng: random.Random) -> str:
    return " ".join(sentence(rng) for _ in range(rng.randint(2, 4)))


def article_html(n: int, rng: random.Random, when: datetime, section: str) -> tuple[str, str]:
    title = " ".join(rng.choice(WORDS) for _ in range(7)).capitalize()
    body = "\n".join(f"<p>{paragraph(rng)}</p>" for _ in range(rng.randint(5, 9)))
    html = f"""<!doctype html><html lang="en"><head><meta charset="utf-8"><title>{title} | Daily Ledger</title>
<meta property="og:type" content="article"><meta property="og:site_name" content="Daily Ledger">
<meta property="article:published_time" content="{when.isoformat()}">
<link rel="canonical" href="{{{{base}}}}/{section}/story-{n:05d}.html"></head>
<body><header><nav><a href="/">Home</a> {" ".join(f'<a href="/{s}/">{s.title()}</a>' for s in SECTIONS)}</nav></header>
<main><article><h1>{title}</h1><p class="byline">By Staff Reporter</p>
{body}
<p>{SHARED_PARAGRAPHS[2]}</p>
<p>{SHARED_PARAGRAPHS[0]}</p></article>
<aside><h3>Most read</h3><ul><li><a href="/{section}/">More {section}</a></li></ul></aside></main>
<footer><p>{SHARED_PARAGRAPHS[1]}</p></footer></body></html>
"""
    return title, html


def build_site(target: Path, count: int, seed: int = 7) -> list[str]:
    """Write `count` articles plus sitemap, feed, home and sections; returns article paths."""
    rng = random.Random(seed)
    start = datetime(2025, 12, 1, 6, 0, tzinfo=timezone.utc)
    paths = []
    for n in range(count):
        section = SECTIONS[n % len(SECTIONS)]
        when = start + timedelta(minutes=17 * n)
        _, html = article_html(n, rng, when, section)
        path = f"/{section}/story-{n:05d}.html"
        out = target / path.lstrip("/")
        out.parent.mkdir(parents=True, exist_ok=True)
        out.write_text(html, encoding="utf-8")
        paths.append(path)
    _indexes(target, paths, start)
    return paths


def _indexes(target: Path, paths: list[str], start: datetime) -> None:
    entries = "".join(
        f"<url><loc>{{{{base}}}}{p}</loc><lastmod>{(start + timedelta(minutes=17 * i)).isoformat()}</lastmod></url>"
        for i, p in enumerate(paths)
    )
    (target / "sitemap.xml").write_text(
        f'<?xml version="1.0"?><urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">{entries}</urlset>'
    )
    items = "".join(
        f"<item><title>Story</title><link>{{{{base}}}}{p}?utm_source=rss</link>"
        f"<pubDate>{format_datetime(start + timedelta(minutes=17 * i))}</pubDate></item>"
        for i, p in enumerate(paths[-50:], start=len(paths) - 50)
    )
    (target / "rss.xml").write_text(
        f'<?xml version="1.0"?><rss version="2.0"><channel>{items}</channel></rss>'
    )
    nav = " ".join(f'<a href="/{s}/">{s.title()}</a>' for s in SECTIONS)
    (target / "index.html").write_text(
        f'<!doctype html><html><head><meta property="og:type" content="website"><title>Daily Ledger</title>'
        f"</head><body><nav>{nav}</nav><h1>Daily Ledger</h1></body></html>"
    )
    for section in SECTIONS:
        mine = [p for p in paths if p.startswith(f"/{section}/")][-100:]
        links = "".join(f'<li><a href="{p}">story</a></li>' for p in mine)
        (target / section).mkdir(exist_ok=True)
        (target / section / "index.html").write_text(
            f'<!doctype html><html><head><meta property="og:type" content="website"><title>{section}</title>'
            f"</head><body><nav>{nav}</nav><ul>{links}</ul></body></html>"
        )
