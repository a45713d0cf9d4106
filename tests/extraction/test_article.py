"""Tests of newsbot.extraction.article (and the cleanup and fallback rules beneath it)."""

from __future__ import annotations

import lxml.html
import pytest

from newsbot.extraction.article import (
    ExtractOptions,
    canonical_url,
    extract_article,
    page_language,
    split_authors,
)
from newsbot.extraction.cleanup import Block, PageFacts, clean_blocks, furniture_kind
from newsbot.extraction.fallback import (
    FallbackRule,
    accept_second,
    choose_body,
    html_blocks,
    needs_second_opinion,
)

URL = "https://www.example-markets.com/news/world/berlin-talks-zelensky-sees-real-progress-13729581.html"

STORY = """
Ukrainian President Volodymyr Zelensky said on Monday that his discussions in Berlin with US
President Donald Trump’s envoys on ending the war with Russia were “not easy” but achieved “real
progress” regarding security guarantees.

Zelensky met for a second consecutive day with Trump’s special envoy Steve Witkoff and the
president’s son-in-law Jared Kushner to discuss ways to end the conflict sparked by Russia’s
full-scale invasion in 2022, building on a peace proposal initially suggested by Trump.

He welcomed the new security guarantees offered by Washington but noted that differences
persisted over which territories Ukraine might have to cede to Russia.

“There has been sufficient dialogue on the territory, and I think that, frankly speaking, we
still have different positions,” Zelensky told reporters.

German Chancellor Friedrich Merz expressed optimism, stating that the talks offered the “chance
for a real peace process” and commended the US for proposing “substantial” security guarantees.

US officials described the hours of talks in Berlin as positive and said Trump in his call would
seek to push forward the deal.

An official briefed on the US-Ukrainian talks earlier told AFP that US negotiators still want
Ukraine to cede control of the eastern Donbas -- made up of the Donetsk and Lugansk regions.

Kremlin spokesman Dmitry Peskov said on Monday that Russia was expecting the United States to
“provide us with the concept that is being discussed in Berlin today”.

“The fate of Ukraine is the fate of all Europe.”

(With AFP inputs)
"""
BODY = [" ".join(p.split()) for p in STORY.strip().split("\n\n")]  # the paragraphs, in order
TITLE = "Berlin talks: Zelensky sees 'real progress' as US offers security guarantees amid Russia conflict"
STANDFIRST = (
    "Ukrainian President Zelensky described Berlin talks with Trump envoys as challenging but productive, "
    "highlighting new US security guarantees."
)
DISCOVER = (
    "Discover the latest Business News, Sensex, and Nifty updates. Obtain Personal Finance insights, tax "
    "queries, and expert opinions on Example Markets or download the Example Markets App to stay updated!"
)
ADVISORY = (
    "Advisory Alert: It has come to our attention that certain individuals are representing themselves as "
    "affiliates of Example Markets and soliciting funds on the false promise of assured returns on their "
    "investments. We wish to reiterate that Example Markets does not solicit funds from investors and neither "
    "does it promise any assured returns. In case you are approached by anyone making such claims, please "
    "write to us at grievance@example-markets.com or call on 02200000000"
)
CLUTTER = [
    "Example Markets PRO",
    "Black Friday Sale",
    "first published",
    "Discover the latest Business News",
    "Advisory Alert",
    "Subscribe to Tech Newsletters",
    "Find the best of AI News",
    "Stay on top of the latest",
    "Share on Facebook",
    "Follow us on",
    "Example Markets World Desk",
    "Related stories",
    "Trump pushes Kyiv",
    "Sensex ends flat",
    "December 16, 2025 / 01:13 IST",
    "hails progress, territorial differences persist",
]


def seed_page() -> str:
    """A page built like the seed: promo strips, share bar, author box, boxes after the story."""
    paragraphs = "\n".join(f"<p>{p}</p>" for p in BODY[:5])
    more = "\n".join(f"<p>{p}</p>" for p in BODY[5:])
    return f"""<!DOCTYPE html>
<html lang="en-IN"><head><meta charset="utf-8">
<title>{TITLE} | Example Markets</title>
<meta name="description" content="{STANDFIRST}">
<meta name="keywords" content="Zelensky, Berlin talks, Ukraine">
<meta name="news_keywords" content="Ukraine war, Zelensky">
<meta property="og:title" content="{TITLE}">
<meta property="og:site_name" content="Example Markets">
<meta property="og:url" content="{URL}">
<meta property="og:image" content="/images/zelensky-berlin.jpg">
<meta property="article:tag" content="Russia">
<link rel="canonical" href="/news/world/berlin-talks-13729581.html">
<script type="application/ld+json">{{"@context": "https://schema.org", "@type": "NewsArticle",
 "headline": "{TITLE}", "author": [{{"@type": "Person", "name": "Example Markets World Desk"}}],
 "publisher": {{"@type": "Organization", "name": "Example Markets"}}}}</script>
</head><body>
<div class="top-promo"><a href="/pro">Example Markets PRO</a> <span>Black Friday Sale</span>
 <span>Black Friday Sale</span></div>
<nav class="menu"><ul><li><a href="/">Home</a></li><li><a href="/news/world">World</a></li>
 <li><a href="/markets">Markets</a></li></ul></nav>
<div class="breadcrumb"><a href="/">Home</a> <a href="/news/world">World</a> {TITLE}</div>
<main><article class="article-page">
<h1 class="article_title">{TITLE}</h1>
<h2 class="article_desc">{STANDFIRST}</h2>
<div class="article_schedule"><span>December 16, 2025</span> / <span>01:13 IST</span></div>
<div class="social-share"><a href="#">Share on Facebook</a> <a href="#">Share on X</a>
 <a href="#">Share on WhatsApp</a> <a href="#">Follow us on Google News</a></div>
<figure><img src="/images/zelensky-berlin.jpg" alt="Zelensky">
 <figcaption>Zelensky hails progress, territorial differences persist</figcaption></figure>
<div class="content_wrapper" id="contentdata">
{paragraphs}
<h2>'Very strong deterrence'</h2>
{more}
<div class="author-box"><a href="/author/world-desk">Example Markets World Desk</a></div>
<div class="article_date">first published: Dec 16, 2025 01:13 am</div>
<p class="discover">{DISCOVER}</p>
</div>
<div class="newsletter-box"><h3>Subscribe to Tech Newsletters</h3><ul>
 <li><b>On Saturdays</b>
  <p>Find the best of AI News in one place, specially curated for you every weekend.</p></li>
 <li><b>Daily-Weekdays</b><p>Stay on top of the latest tech trends and biggest startup news.</p></li></ul>
 <button>Subscribe</button></div>
<div class="related"><h3>Related stories</h3><ul>
 <li><a href="/news/world/trump-kyiv-1.html">Trump pushes Kyiv to accept US plan before Christmas</a></li>
 <li><a href="/news/markets/sensex-2.html">Sensex ends flat as investors await US Fed decision</a></li></ul></div>
<div class="advisory"><p>{ADVISORY}</p></div>
</article></main>
<footer><p>Copyright © Example Markets. All rights reserved.</p></footer>
</body></html>"""


@pytest.fixture(scope="module")
def article() -> dict:
    result = extract_article(seed_page(), URL)
    assert result is not None
    return result


def test_body_keeps_every_paragraph_in_order(article: dict) -> None:
    lines = article["text"].split("\n")
    positions = [next(i for i, line in enumerate(lines) if para[:60] in line) for para in BODY]
    assert positions == sorted(positions)


def test_body_has_no_seed_clutter(article: dict) -> None:
    for clutter in CLUTTER:
        assert clutter not in article["text"], clutter


def test_title_and_standfirst_are_fields_not_text(article: dict) -> None:
    assert article["title"] == TITLE
    assert article["description"] == STANDFIRST
    assert not article["text"].startswith(TITLE)
    assert STANDFIRST not in article["text"]


def test_wire_credit_is_kept(article: dict) -> None:
    assert "(With AFP inputs)" in article["text"].split("\n")


def test_metadata_fields(article: dict) -> None:
    assert article["authors"] == ["Example Markets World Desk"]
    assert article["site"] == "Example Markets"
    assert article["language"] == "en"
    assert (
        article["canonical_url"]
        == "https://www.example-markets.com/news/world/berlin-talks-13729581.html"
    )
    assert article["image"] == "https://www.example-markets.com/images/zelensky-berlin.jpg"
    assert {"Zelensky", "Berlin talks", "Ukraine", "Ukraine war", "Russia"} <= set(article["tags"])
    assert len({t.lower() for t in article["tags"]}) == len(article["tags"])


def test_result_has_exactly_the_api_keys(article: dict) -> None:
    assert set(article) == {
        "title",
        "text",
        "authors",
        "site",
        "language",
        "description",
        "tags",
        "canonical_url",
        "image",
        "credits",
    }


def test_accepts_a_parsed_tree() -> None:
    tree = lxml.html.fromstring(seed_page())
    result = extract_article(tree, URL)
    assert result is not None and result["text"].startswith(BODY[0][:40])


def test_page_without_article_text_gives_none() -> None:
    html = (
        "<html><head><title>Login</title></head><body><nav><a href='/'>Home</a></nav></body></html>"
    )
    assert extract_article(html, "https://example.com/login") is None
    assert extract_article("", "https://example.com/") is None


def test_paragraphs_are_newline_separated_and_trimmed(article: dict) -> None:
    for line in article["text"].split("\n"):
        assert line and line == line.strip() and "  " not in line


# --- metadata helpers ------------------------------------------------------------
@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("By Jane Doe", ["Jane Doe"]),
        ("Jane Doe and John Roe", ["Jane Doe", "John Roe"]),
        ("Jane Doe; John Roe", ["Jane Doe", "John Roe"]),
        ("Jane Doe & John Roe", ["Jane Doe", "John Roe"]),
        ("Jane Doe, John Roe and Max Poe", ["Jane Doe", "John Roe", "Max Poe"]),
        ("Doe, Jane", ["Jane Doe"]),
        ("Jane Doe first published Dec", ["Jane Doe"]),
        ("AFP first published Dec", []),  # a wire, not an author (newsbot.authors)
        (None, []),
    ],
)
def test_split_authors(raw: str | None, expected: list[str]) -> None:
    assert split_authors(raw) == expected


@pytest.mark.parametrize(
    ("head", "expected"),
    [
        (
            '<link rel="canonical" href="https://other.example/story">',
            "https://other.example/story",
        ),
        ('<meta property="og:url" content="/a/b">', "https://site.example/a/b"),
        ("", None),
    ],
)
def test_canonical_url(head: str, expected: str | None) -> None:
    tree = lxml.html.fromstring(f"<html><head>{head}</head><body><p>x</p></body></html>")
    assert canonical_url(tree, "https://site.example/x/y") == expected


@pytest.mark.parametrize(
    ("html", "expected"),
    [
        ('<html lang="pt-BR"><body></body></html>', "pt"),
        (
            '<html><head><meta http-equiv="content-language" content="DE"></head></html>',
            "de",
        ),
        (
            '<html><head><meta property="og:locale" content="fr_FR"></head><body></body></html>',
            "fr",
        ),
        ("<html><body></body></html>", None),
    ],
)
def test_page_language(html: str, expected: str | None) -> None:
    assert page_language(lxml.html.fromstring(html)) == expected


def test_undeclared_language_is_identified() -> None:
    pytest.importorskip("py3langid")
    html = seed_page().replace('<html lang="en-IN">', "<html>")
    result = extract_article(html, URL)
    assert result is not None and result["language"] == "en"


# --- furniture rules --------------------------------------------------------------
@pytest.mark.parametrize(
    "line,kind",
    [
        ("Read more: Sensex ends flat as investors await Fed", "pointer"),
        ("Related: Possible Water Plumes on Europa", "pointer"),
        ("DON'T MISS", "pointer"),
        ("You may also like...", "pointer"),
        ("Plane passengers quarantined after outbreak [VIDEO]", "teaser"),
        ("Like this story? Share it with a friend!", "share"),
        ("Subscribe to the Morning Review newsletter", "promo"),
        ("Get the day’s top headlines delivered to your inbox every morning.", "promo"),
        (DISCOVER, "promo"),
        (ADVISORY, "notice"),
        ("Write to Al Root at allen.root@example.com", "contact"),
        ("Follow Newsbeat on Instagram, Facebook, Twitter and YouTube.", "contact"),
        ("first published: Dec 16, 2025 01:13 am", "date"),
        ("December 16, 2025 / 01:13 IST", "date"),
        ("Updated at 1:23 p.m.", "date"),
        ("Tempo de leitura: 2 minutos", "meta"),
        ("Filed under: Politics |", "meta"),
        ("Advertisement", "label"),
        ("Comments", "label"),
        (
            "We use cookies to improve your experience. By continuing you agree to our cookie policy.",
            "consent",
        ),
        ("Accept all", "label"),
    ],
)
def test_furniture_lines(line: str, kind: str) -> None:
    """Each line is furniture by the rule its kind names (a rule that fired for the wrong
    reason would hide the one meant, and drop lines it was never meant for)."""
    assert furniture_kind(line) == kind


@pytest.mark.parametrize(
    "line",
    [
        *BODY,
        "More than 100 people were evacuated on Tuesday.",
        "Related to the case, prosecutors said nothing.",
        "By 2018, the law had slowed the decline of the water table.",
        "[CNET]",
        "© Reuters",
        "(Reporting by Will Dunham; Editing by Tom Brown)",
        "Share this information, please?",
        "Sign up for the bundle using the same email as your account",
        "The cookies, which continue to sell well, are baked in Kent.",
    ],
)
def test_text_lines_survive(line: str) -> None:
    assert furniture_kind(line) is None


def test_headline_and_standfirst_only_dropped_at_the_top() -> None:
    facts = PageFacts(
        title="Big story | Site", description="The short of it.", headlines=("Big story",)
    )
    blocks = [
        Block("head", "Big story"),
        Block("head", "The short of it."),
        Block("p", "First paragraph."),
        Block("p", "The short of it."),
    ]
    assert [b.text for b in clean_blocks(blocks, facts)] == ["First paragraph.", "The short of it."]


def test_a_lead_paragraph_equal_to_the_description_is_kept() -> None:
    facts = PageFacts(title="T", description="The lead paragraph.")
    assert clean_blocks([Block("p", "The lead paragraph.")], facts) == [
        Block("p", "The lead paragraph.")
    ]


def test_list_after_a_pointer_goes_with_it() -> None:
    blocks = [
        Block("p", "Text."),
        Block("p", "More:"),
        Block("list", "- Other story"),
        Block("p", "End."),
    ]
    assert [b.text for b in clean_blocks(blocks, PageFacts())] == ["Text.", "End."]


def test_click_to_tweet_label_is_stripped() -> None:
    blocks = [Block("p", "Quotable line.Click To Tweet")]
    assert clean_blocks(blocks, PageFacts()) == [Block("p", "Quotable line.")]


# --- second opinion ---------------------------------------------------------------
RULE = FallbackRule(tiny_chars=100, short_share=0.4, min_growth=1.2, min_overlap=0.5)


def test_signal_fires_on_tiny_or_small_share_only() -> None:
    assert needs_second_opinion(50, 10_000, RULE)
    assert needs_second_opinion(300, 1_000, RULE)
    assert not needs_second_opinion(800, 1_000, RULE)


def test_second_must_extend_the_first() -> None:
    first = " ".join(BODY[:2])
    assert accept_second(first, " ".join(BODY), RULE)
    assert not accept_second(first, " ".join(CLUTTER * 10), RULE)  # longer but elsewhere
    assert not accept_second(" ".join(BODY), " ".join(BODY[:3]), RULE)  # shorter
    assert accept_second("Menu", " ".join(BODY), RULE)  # a tiny first says nothing


def test_second_opinion_is_not_asked_when_the_first_looks_fine() -> None:
    def ask() -> list[Block]:
        raise AssertionError("readability should not run")

    first = [Block("p", p) for p in BODY]
    assert choose_body(first, sum(map(len, BODY)), ask, RULE) is first


def test_html_blocks_split_on_block_elements() -> None:
    root = lxml.html.fragment_fromstring(
        "<div><h2>Head</h2><p>One <b>bold</b> word.</p><ul><li>A</li><li>B</li></ul>tail</div>"
    )
    assert html_blocks(root) == [
        Block("head", "Head"),
        Block("p", "One bold word."),
        Block("p", "A"),
        Block("p", "B"),
        Block("p", "tail"),
    ]


def test_failed_first_extraction_is_rescued(monkeypatch: pytest.MonkeyPatch) -> None:
    """When trafilatura finds nothing, readability's body is taken, and cleaned the same way."""
    monkeypatch.setattr("newsbot.extraction.article.bare_extraction", lambda *args, **kwargs: None)
    result = extract_article(seed_page(), URL)
    assert result is not None
    assert all(p[:50] in result["text"] for p in BODY)
    assert DISCOVER not in result["text"] and "first published" not in result["text"]


def test_options_switch_parts_off() -> None:
    bare = extract_article(
        seed_page(), URL, options=ExtractOptions(clean=False, second_opinion=False)
    )
    assert bare is not None and bare["text"]


def test_slideshow_captions_are_dropped_and_numbers_in_prose_kept() -> None:
    slides = [
        Block("p", f"{i}/12 Caption of slide {i}, a teaser for another story") for i in range(1, 13)
    ]
    blocks = [
        Block("p", BODY[0]),
        *slides,
        Block("p", "3/4 of the members voted for the plan."),
        Block("p", BODY[1]),
    ]
    kept = [b.text for b in clean_blocks(blocks, PageFacts())]
    assert kept == [BODY[0], "3/4 of the members voted for the plan.", BODY[1]]


def test_when_both_opinions_find_nothing_trafilatura_is_asked_for_recall(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """A body the precision pass and readability both miss is still kept."""
    import newsbot.extraction.article as extract

    real = extract.bare_extraction
    asked: list[dict[str, object]] = []

    def precise_finds_nothing(*args: object, **kwargs: object) -> object:
        asked.append(kwargs)
        return None if kwargs.get("favor_precision") else real(*args, **kwargs)

    monkeypatch.setattr(extract, "bare_extraction", precise_finds_nothing)
    monkeypatch.setattr(extract, "second_opinion", lambda tree, blocks, rule: [])
    result = extract_article(seed_page(), URL)
    assert result is not None and all(p[:50] in result["text"] for p in BODY)
    assert [(k["fast"], k["favor_precision"]) for k in asked] == [(True, True), (False, False)]


def test_an_agency_in_an_in_page_byline_is_a_credit_not_an_author() -> None:
    prose = "Rivers rose across the north on Monday as heavy rain fell for a third day. " * 5
    html = (
        f"<html><head><title>Floods</title></head><body><article><h1>Floods in the north</h1>"
        f"<p class='byline'>By AFP</p><p>{prose}</p></article></body></html>"
    )
    fields = extract_article(html, "https://x.com/2025/12/16/floods.html")
    assert fields is not None
    assert fields["authors"] == [] and fields["credits"] == ["AFP"]


def test_mathml_becomes_its_alt_text_or_nothing() -> None:
    html = (
        f"<html><body><article><h1>Roots</h1><p>{BODY[0]}</p><p>The formula "
        "<math><mi>x</mi><mo>=</mo><mi>b</mi></math> gives both roots of the equation, "
        "the teacher said, and <math alttext='a^2+b^2=c^2'><msup><mi>a</mi><mn>2</mn>"
        "</msup></math> is the theorem of Pythagoras that every pupil learns at school.</p>"
        f"<p>{BODY[1]}</p></article></body></html>"
    )
    fields = extract_article(html, "https://x.com/2025/12/16/roots.html")
    assert fields is not None
    text = " ".join(fields["text"].split())
    assert (
        "The formula gives both roots of the equation, the teacher said, and a^2+b^2=c^2 is" in text
    )
