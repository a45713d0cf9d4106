"""find_dates and guess_site_timezone on small pages, one source or rule each."""

from __future__ import annotations

import json
from datetime import datetime, timezone

import lxml.html
import pytest

from newsbot.dates.search import find_dates, guess_site_timezone

NOW = datetime(2025, 12, 16, 12, 0, tzinfo=timezone.utc)
URL = "https://news.example.com/world/berlin-talks"
KEYS = {
    "published",
    "published_precision",
    "published_raw",
    "published_source",
    "modified",
    "modified_raw",
    "modified_source",
    "published_wall",
    "modified_wall",
    "published_offset",
}
ARTICLE = "<article><h1>Berlin talks</h1>{}<p>{}</p></article>"
BODY_TEXT = "Ukrainian President Volodymyr Zelensky said on Monday that talks were not easy. " * 5


def page(head: str = "", body: str = "", lang: str = "") -> lxml.html.HtmlElement:
    html = f"<html{f' lang={lang!r}' if lang else ''}><head>{head}</head><body>{body}</body></html>"
    return lxml.html.fromstring(html)


def jsonld(data: object) -> str:
    return f'<script type="application/ld+json">{json.dumps(data)}</script>'


def meta(key: str, value: str, attribute: str = "property") -> str:
    return f'<meta {attribute}="{key}" content="{value}">'


def article(date_line: str = "") -> str:
    return ARTICLE.format(date_line, BODY_TEXT)


def search(tree: lxml.html.HtmlElement, url: str = URL, **kwargs: object) -> dict[str, str | None]:
    return find_dates(tree, url, now=NOW, **kwargs)  # type: ignore[arg-type]


def test_nothing_found_has_every_key() -> None:
    found = search(page(body="<p>no date here</p>"), url="https://example.com/about")
    assert found == {**dict.fromkeys(KEYS), "zone_evidence": []}


def test_jsonld_in_graph() -> None:
    graph = {
        "@context": "https://schema.org",
        "@graph": [
            {"@type": "WebSite", "name": "Example"},
            {
                "@type": "NewsArticle",
                "datePublished": "2025-12-16T01:13:00+05:30",
                "dateModified": "2025-12-16T03:00:00+05:30",
            },
        ],
    }
    found = search(page(jsonld(graph), article()))
    assert found == {
        "published": "2025-12-15T19:43:00Z",
        "published_precision": "second",
        "published_raw": "2025-12-16T01:13:00+05:30",
        "published_source": "jsonld",
        "modified": "2025-12-15T21:30:00Z",
        "modified_raw": "2025-12-16T03:00:00+05:30",
        "modified_source": "jsonld",
        "published_wall": None,  # zoned: nothing for a learnt zone to re-read
        "published_offset": None,  # no visible date line to show another offset
        "modified_wall": None,
        "zone_evidence": ["Asia/Colombo", "Asia/Kolkata"],  # the zones +05:30 fits in December
    }


ARTICLE_KINDS = ["BlogPosting", "ReportageNewsArticle", ["Article", "NewsArticle"]]


@pytest.mark.parametrize("kind", ARTICLE_KINDS)
def test_jsonld_article_object_beats_webpage(kind: object) -> None:
    data = [
        {"@type": "WebPage", "datePublished": "2020-01-01"},
        {"@type": kind, "datePublished": "2025-12-16T08:00:00Z"},
    ]
    found = search(page(jsonld(data), article()))
    assert (found["published"], found["published_source"]) == ("2025-12-16T08:00:00Z", "jsonld")


def test_jsonld_nested_main_entity() -> None:
    entity = {"@type": "NewsArticle", "datePublished": "2025-12-16"}
    data = {"@type": "WebPage", "mainEntity": entity}
    assert search(page(jsonld(data), article()))["published"] == "2025-12-16"


def test_broken_jsonld_falls_back_to_meta() -> None:
    head = '<script type="application/ld+json">{"datePublished": </script>'
    head += meta("article:published_time", "2025-12-16T08:00:00Z")
    found = search(page(head, article()))
    assert (found["published"], found["published_source"]) == ("2025-12-16T08:00:00Z", "meta")


def test_jsonld_beats_meta() -> None:
    head = jsonld({"@type": "NewsArticle", "datePublished": "2025-12-16T08:00:00Z"})
    head += meta("article:published_time", "2025-12-16T09:00:00Z")
    assert search(page(head, article()))["published_source"] == "jsonld"


@pytest.mark.parametrize(
    ("key", "attribute"),
    [
        ("article:published_time", "property"),
        ("pubdate", "name"),
        ("publishdate", "name"),
        ("DC.date.issued", "name"),
        ("dcterms.created", "name"),
        ("sailthru.date", "name"),
        ("parsely-pub-date", "name"),
        ("datePublished", "itemprop"),
        ("date", "name"),
    ],
)
def test_meta_published(key: str, attribute: str) -> None:
    found = search(page(meta(key, "2025-12-16T08:00:00+01:00", attribute), article()))
    assert found["published"] == "2025-12-16T07:00:00Z"
    assert found["published_source"] == "meta"


def test_meta_preference_and_modified() -> None:
    head = meta("date", "2025-12-01", "name")
    head += meta("article:published_time", "2025-12-16T08:00:00Z")
    head += meta("og:updated_time", "2025-12-16T10:00:00Z")
    found = search(page(head, article()))
    assert found["published"] == "2025-12-16T08:00:00Z"  # article:published_time before date
    assert (found["modified"], found["modified_source"]) == ("2025-12-16T10:00:00Z", "meta")


def test_microdata_on_a_span() -> None:
    body = article('<span itemprop="datePublished" content="2025-12-16T08:00:00Z">16 Dec</span>')
    found = search(page(body=body))
    assert (found["published"], found["published_source"]) == ("2025-12-16T08:00:00Z", "meta")


def test_time_element_marked_as_publication() -> None:
    body = '<aside><time datetime="2025-12-10T08:00:00Z">10 Dec</time></aside>' + article(
        '<time class="updated" datetime="2025-12-16T10:00:00Z">10:00</time>'
        '<time pubdate datetime="2025-12-16T08:00:00Z">08:00</time>'
    )
    found = search(page(body=body))
    assert (found["published"], found["published_source"]) == ("2025-12-16T08:00:00Z", "time")
    assert (found["modified"], found["modified_source"]) == ("2025-12-16T10:00:00Z", "time")


def test_wordpress_time_is_published_and_modified() -> None:
    classes = "entry-date published updated"
    body = article(f'<time class="{classes}" datetime="2025-12-16T08:00:00Z">x</time>')
    found = search(page(body=body))
    assert (found["published"], found["published_source"]) == ("2025-12-16T08:00:00Z", "time")
    assert (found["modified"], found["modified_source"]) == ("2025-12-16T08:00:00Z", "time")


def test_time_with_itemprop_and_visible_text_only() -> None:
    body = article('<time itemprop="datePublished">16 Dec 2025, 09:00 CET</time>')
    assert search(page(body=body))["published"] == "2025-12-16T08:00:00Z"


def test_time_element_in_the_article_not_the_sidebar() -> None:
    body = '<aside><time datetime="2025-12-10T08:00:00Z">10 Dec</time></aside>' + article(
        '<time datetime="2025-12-16T08:00:00Z">16 Dec</time>'
    )
    assert search(page(body=body))["published"] == "2025-12-16T08:00:00Z"


def test_lone_time_elsewhere_is_ignored_when_there_are_several() -> None:
    body = (
        '<aside><time datetime="2025-12-10T08:00:00Z">a</time>'
        '<time datetime="2025-12-11T08:00:00Z">b</time></aside><div><h1>Title</h1></div>'
    )
    # none of our sources reads them; htmldate, the last resort, may guess a day
    assert search(page(body=body), url="https://example.com/x")["published_source"] in (
        None,
        "htmldate",
    )


def test_feed_then_sitemap_hints() -> None:
    tree = page(body=article())
    feed = "Tue, 16 Dec 2025 01:13:00 +0530"
    found = search(tree, hints={"feed": feed, "sitemap": "2025-12-14"})
    assert (found["published"], found["published_source"]) == ("2025-12-15T19:43:00Z", "feed")
    found = search(tree, hints={"sitemap": "2025-12-16T08:00:00Z"})
    assert (found["published"], found["published_source"]) == ("2025-12-16T08:00:00Z", "sitemap")


def test_page_metadata_beats_hints() -> None:
    tree = page(meta("article:published_time", "2025-12-16T08:00:00Z"), article())
    found = search(tree, hints={"feed": "Tue, 16 Dec 2025 09:00:00 GMT"})
    assert found["published_source"] == "meta"


def test_visible_time_beats_date_only_meta_of_the_same_day() -> None:
    """The seed page: metadata says 16 December, the date line says 01:13 IST."""
    head = meta("article:published_time", "2025-12-16")
    body = article('<div class="article_schedule"><span>December 16, 2025</span> / 01:13 IST</div>')
    found = search(page(head, body), tz="Asia/Kolkata")
    assert found["published"] == "2025-12-15T19:43:00Z"  # 15th in UTC, 16th in India
    assert found["published_precision"] == "minute"
    assert found["published_source"] == "text"
    assert found["published_raw"] == "December 16, 2025 / 01:13 IST"


def test_visible_time_of_another_day_does_not_replace_meta() -> None:
    head = meta("article:published_time", "2025-12-14")
    body = article('<div class="article_schedule">December 16, 2025 / 01:13 IST</div>')
    found = search(page(head, body), tz="Asia/Kolkata")
    assert (found["published"], found["published_source"]) == ("2025-12-14", "meta")


def test_trusted_time_beats_visible_time() -> None:
    head = meta("article:published_time", "2025-12-16T08:00:00Z")
    body = article('<p class="byline">December 16, 2025 / 10:13 IST</p>')
    found = search(page(head, body), tz="Asia/Kolkata")
    assert (found["published"], found["published_source"]) == ("2025-12-16T08:00:00Z", "meta")


def test_date_line_beside_the_headline_without_class() -> None:
    line = "<p>Tue 16 Dec 2025 01.13 GMT</p>"
    body = f"<div><h1>Berlin talks</h1>{line}<p>{BODY_TEXT}</p></div>"
    found = search(page(body=body), tz="Europe/London")
    assert (found["published"], found["published_source"]) == ("2025-12-16T01:13:00Z", "text")


def test_date_line_with_published_and_updated() -> None:
    line = '<p class="meta">Published: 16 Dec 2025, 09:00 | Updated: 16 Dec 2025, 11:30</p>'
    found = search(page(body=article(line)), tz="Europe/Paris")
    assert found["published"] == "2025-12-16T08:00:00Z"
    assert (found["modified"], found["modified_source"]) == ("2025-12-16T10:30:00Z", "text")


def test_site_zone_decides_ist() -> None:
    body = article('<span class="date">16 December 2025 11:00 IST</span>')
    assert search(page(body=body), tz="Europe/Dublin")["published"] == "2025-12-16T11:00:00Z"
    assert search(page(body=body), tz="Asia/Jerusalem")["published"] == "2025-12-16T09:00:00Z"
    assert search(page(body=body))["published"] == "2025-12-16T05:30:00Z"


def test_long_body_text_is_not_a_date_line() -> None:
    body = article("") + f"<p>{BODY_TEXT} On December 1, 2025 the talks began.</p>"
    assert search(page(body=body), url="https://example.com/x")["published_source"] in (
        None,
        "htmldate",
    )


@pytest.mark.parametrize(
    ("url", "expected"),
    [
        ("https://www.nytimes.com/2025/12/16/world/europe/berlin.html", "2025-12-16"),
        ("https://www.latimes.com/story/2025-12-16/berlin-talks", "2025-12-16"),
        ("https://example.com/news/20251216/berlin-talks", "2025-12-16"),
        ("https://example.com/2025/02/31/bad-day/2025/12/16/", "2025-12-16"),
        ("https://example.com/berlin-talks-11574168580", None),
    ],
)
def test_url_fallback(url: str, expected: str | None) -> None:
    found = search(page(body=article()), url=url)
    assert found["published"] == expected
    assert found["published_source"] == ("url" if expected else None)
    assert found["published_precision"] == ("day" if expected else None)


def test_future_date_is_rejected() -> None:
    head = jsonld({"@type": "NewsArticle", "datePublished": "2030-01-01T00:00:00Z"})
    head += meta("article:published_time", "2025-12-16T08:00:00Z")
    found = search(page(head, article()))
    assert (found["published"], found["published_source"]) == ("2025-12-16T08:00:00Z", "meta")


def test_tomorrow_is_accepted() -> None:  # zones ahead of UTC are already on the 17th
    head = meta("article:published_time", "2025-12-17T02:00:00+14:00")
    assert search(page(head, article()))["published"] == "2025-12-16T12:00:00Z"


def test_modified_before_published_is_dropped() -> None:
    data = {
        "@type": "NewsArticle",
        "datePublished": "2025-12-16T08:00:00Z",
        "dateModified": "2025-12-15T08:00:00Z",
    }
    found = search(page(jsonld(data), article()))
    assert found["published"] == "2025-12-16T08:00:00Z"
    assert found["modified"] is None and found["modified_source"] is None


def test_tree_is_not_changed() -> None:
    head = jsonld({"@type": "NewsArticle", "datePublished": "2025-12-16"})
    line = '<div class="date"><span>December 16, 2025</span> / 01:13 IST</div><time>x</time>'
    body = article(line)
    tree = page(head + meta("og:locale", "en_IN"), body, lang="en-IN")
    before = lxml.html.tostring(tree)
    search(tree, tz="Asia/Kolkata", hints={"feed": "2025-12-16"})
    guess_site_timezone(tree, URL)
    assert lxml.html.tostring(tree) == before


@pytest.mark.parametrize(
    ("head", "lang", "url", "expected"),
    [
        (meta("og:locale", "en_IN"), "", "https://www.moneycontrol.com/news/x", "Asia/Kolkata"),
        ("", "en-GB", "https://www.example.com/x", "Europe/London"),
        ("", "fr-FR", "https://www.example.com/x", "Europe/Paris"),
        ("", "pt-BR", "https://www.example.com/x", "America/Sao_Paulo"),
        ("", "en-AU", "https://www.example.com/x", "Australia/Sydney"),
        ("", "", "https://www.irishtimes.ie/x", "Europe/Dublin"),
        ("", "", "https://www.haaretz.co.il/x", "Asia/Jerusalem"),
        ("", "", "https://www.thehindu.in/x", "Asia/Kolkata"),
        ("", "", "https://www.bbc.co.uk/news/x", "Europe/London"),
        ("", "", "https://www.smh.com.au/x", "Australia/Sydney"),
        ("", "", "https://www.spiegel.de/x", "Europe/Berlin"),
        ("", "", "https://www.lemonde.fr/x", "Europe/Paris"),
        ("", "", "https://g1.globo.com.br/x", "America/Sao_Paulo"),
        ("", "", "https://www.asahi.co.jp/x", "Asia/Tokyo"),
        ("", "", "https://www.people.cn/x", "Asia/Shanghai"),
        ("", "en-US", "https://www.hindustantimes.in/x", "Asia/Kolkata"),  # en-US: a CMS default
        ("", "en-US", "https://www.nytimes.com/x", "America/New_York"),
        ("", "ja", "https://www.nikkei.com/x", "Asia/Tokyo"),
        ("", "en", "https://www.example.com/x", None),
        ("", "", "https://techcrunch.io/x", None),
        ("", "", "not a url", None),
    ],
)
def test_guess_site_timezone(head: str, lang: str, url: str, expected: str | None) -> None:
    assert guess_site_timezone(page(head, "<p>x</p>", lang=lang), url) == expected


# --- one page, several candidates: the same moment read once ---------------------------


def test_zone_stated_by_the_dateline_applies_to_the_zoneless_line() -> None:
    body = article(
        '<p class="byline">first published: Dec 16, 2025 01:13 am</p>'
        '<div class="dateline">December 16, 2025 / 01:13 IST</div>'
    )
    found = search(page(body=body), url="https://www.example-news.com/india/story")
    assert found["published"] == "2025-12-15T19:43:00Z"


def test_zoneless_time_twelve_hours_off_is_the_24_hour_one() -> None:
    head = meta("article:published_time", "2024-10-23T15:48:00+02:00")
    body = article('<span class="date">October 23, 2024, 3:48: Uhr</span>')
    found = search(page(head, body), url="https://www.example.de/x", tz="Europe/Berlin")
    assert found["published"] == "2024-10-23T13:48:00Z"
    only_text = search(page(body=body), url="https://www.example.de/x", tz="Europe/Berlin")
    assert only_text["published"] == "2024-10-23T01:48:00Z"  # alone, it is read as printed


@pytest.mark.parametrize(
    "key",
    [
        "article:published:time",
        "article_published_time",
        "Article-Published-Time",
        "ARTICLE.PUBLISHED_TIME",
    ],
)
def test_meta_key_variants(key: str) -> None:
    found = search(page(meta(key, "2025-12-16T01:13:00Z"), article()))
    assert (found["published"], found["published_source"]) == ("2025-12-16T01:13:00Z", "meta")


def test_weekday_and_two_digit_year() -> None:
    body = article('<span class="date">Do 25.04.24 | 14:07 Uhr</span>')
    found = search(page(body=body), url="https://www.example.de/x", tz="Europe/Berlin")
    assert found["published"] == "2024-04-25T12:07:00Z"


def test_dateline_beats_a_caption_and_related_stories() -> None:
    body = (
        "<article><h1>Berlin talks</h1>"
        '<figure><img src="a.jpg"><figcaption class="caption">'
        '<time datetime="2019-03-01">March 1, 2019</time></figcaption></figure>'
        '<div class="related-stories"><time class="published" datetime="2025-11-01">'
        "Nov 1</time></div>"
        '<span class="date">December 16, 2025</span>'
        f"<p>{BODY_TEXT}</p></article>"
    )
    assert search(page(body=body), url="https://example.com/x")["published"] == "2025-12-16"


def test_htmldate_is_the_last_resort() -> None:
    body = f"<div><p>{BODY_TEXT}</p><p>Copyright © 2021-03-04 Example</p></div>"
    found = search(page(body=body), url="https://example.com/x")
    assert found["published_source"] in ("htmldate", None)


def test_jsonld_in_a_cdata_section() -> None:
    data = json.dumps({"@type": "NewsArticle", "datePublished": "2015-10-15T02:19:15.607Z"})
    head = f'<script type="application/ld+json">  <![CDATA[ {data} ]]>  </script>'
    head += meta("article:published_time", "2015-12-11T14:28:34.438Z")
    found = search(page(head, article()))
    assert (found["published"], found["published_source"]) == ("2015-10-15T02:19:15Z", "jsonld")


def test_teasers_in_an_aside_or_a_list_of_articles_are_other_stories() -> None:
    aside = (
        '<aside class="col-right"><div><div><ul><li><span class="author">'
        '<time datetime="2019-07-30">30 July</time></span></li></ul></div></div></aside>'
    )
    teasers = (
        '<ul class="items"><li><article><p class="publication">'
        '<time datetime="2019-09-22T07:30:29Z">22 Sept</time></p></article></li></ul>'
    )
    body = article('<span class="date">June 27, 2019</span>') + aside + teasers
    assert search(page(body=body), url="https://example.com/x")["published"] == "2019-06-27"


def test_a_time_whose_text_prints_another_day_gives_its_text() -> None:
    # the datetime is the last edit's; the reader sees the publication day
    line = '<div class="time"><time datetime="2019-07-03T10:18:46Z">Publié le 29 juin 2019</time></div>'
    found = search(page(body=article(line)), url="https://example.fr/x")
    assert (found["published"], found["published_source"]) == ("2019-06-29", "time")
    # a text of the same day (or a day apart: zones) keeps the machine-readable time
    line = '<time datetime="2019-07-03T23:18:46Z">3 juillet 2019</time>'
    assert search(page(body=article(line)), url="https://example.fr/x")["published"] == (
        "2019-07-03T23:18:46Z"
    )


def test_times_in_another_article_than_the_headlines_are_teasers() -> None:
    teasers = "".join(
        f'<div class="item"><article class="entry"><p class="publication">'
        f'<time pubdate datetime="2019-09-24T13:34:33Z">{d} juillet</time></p>'
        f"</article></div>"
        for d in (5, 9)
    )
    main = (
        '<article><header><h1>Balkany</h1><p class="publication">'
        '<time datetime="2019-06-28T13:49:45Z">28 juin 2019</time></p></header>'
        f"<p>{BODY_TEXT}</p></article>"
    )
    found = search(page(body=main + f'<div class="pas-manquer">{teasers}</div>'))
    assert found["published"] == "2019-06-28T13:49:45Z"


def test_a_column_labelled_sidebar_that_holds_the_headline_is_no_furniture() -> None:
    body = (
        '<article><div id="sidebar" class="site-content"><header><h1>The First Decade</h1>'
        '<div class="entry-meta"><span class="byline"><time class="entry-date" '
        'datetime="2019-07-13T15:52:31+02:00">13 Jul 2019</time></span></div></header>'
        f"<p>{BODY_TEXT}</p><p>On 8 August 2009 the blog began.</p></div></article>"
    )
    assert search(page(body=body))["published"] == "2019-07-13T13:52:31Z"


@pytest.mark.parametrize(
    ("line", "offset"),
    [
        ("Nov. 9, 2023, 4:59 AM UTC", 0),  # the site prints UTC: its day is the UTC day
        ("Nov 8, 2023 / 8:59 PM PST", -480),  # the line's own zone
        ("Nov 8, 2023 11:59 PM", -300),  # a zone-less wall time of the same moment
        ("Nov 9, 2023", 0),  # a printed day that is UTC's, not New York's
        ("Nov 8, 2023", None),  # the site zone's day: the zone decides
    ],
)
def test_the_offset_a_date_line_shows(line: str, offset: int | None) -> None:
    head = jsonld({"@type": "NewsArticle", "datePublished": "2023-11-09T04:59:25.000Z"})
    found = search(
        page(head, article(f'<p class="date">{line}</p>')),
        url="https://www.example.com/x",
        tz="America/New_York",
    )
    assert found["published"] == "2023-11-09T04:59:25Z"
    assert found["published_offset"] == offset
