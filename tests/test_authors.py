from __future__ import annotations

import pytest

from newsbot.authors import normalise_authors, split_names

CASES = [
    # joined names, in the languages bylines are written in
    (["By Jane Doe and John Roe"], ["Jane Doe", "John Roe"]),
    (["Von Anna Schmidt und Peter Müller"], ["Anna Schmidt", "Peter Müller"]),
    (["Kari Nordmann og Ola Nordmann"], ["Kari Nordmann", "Ola Nordmann"]),
    (["Por María García y José López"], ["María García", "José López"]),
    (["Par Jean Dupont et Marie Curie"], ["Jean Dupont", "Marie Curie"]),
    (["Paolo Rossi e Giulia Bianchi"], ["Paolo Rossi", "Giulia Bianchi"]),
    (["Jane Doe, John Roe & Max Poe"], ["Jane Doe", "John Roe", "Max Poe"]),
    (["Pete Evans · CBC News"], ["Pete Evans"]),
    (["Laura E. Adkins"], ["Laura E. Adkins"]),
    # Last, First only when it is that
    (["Doe, Jane"], ["Jane Doe"]),
    (["Doe, Jane A."], ["Jane A. Doe"]),
    (["Jane Doe, Staff Writer"], ["Jane Doe"]),
    (["Brenda Goodman, MA"], ["Brenda Goodman"]),
    # slugs, handles, e-mail addresses and links
    (["Chuck-Ross", "Chuck Ross"], ["Chuck Ross"]),
    (["chuck-ross"], ["Chuck Ross"]),
    (["@jdoe", "Jane Doe"], ["Jane Doe"]),
    (["Bradley M Kuhn http", "Bkuhn"], ["Bradley M Kuhn"]),
    (["jane.doe@example.com"], []),
    # organisations, roles, labels and dates
    (["Frankfurter Allgemeine Zeitung GmbH"], []),
    (["Condé Nast"], []),
    (["Www Washingtontimes Com"], []),
    (["Journalist"], []),
    (["Staff Writer"], []),
    (["See full bio"], []),
    (["Follow Author"], []),
    (["Updated Oct 9"], []),
    (["Sam Stein Senior Politics Editor"], ["Sam Stein"]),
    (["Oli Coleman View author archive Get author RSS feed"], ["Oli Coleman"]),
    (["Ellyn Shook Ellyn Shook Creating the most truly human company"], ["Ellyn Shook"]),
    (["AOL Staff"], ["AOL Staff"]),  # a desk that writes is an author
    # case- and accent-insensitive duplicates: the spelling with accents stays
    (["Sebastien Farcis", "SÉBASTIEN FARCIS", "Sébastien Farcis"], ["Sébastien Farcis"]),
    # Japanese bylines
    (["文● オカモト"], ["オカモト"]),
    (["Eric Freeman 著、嶋田 健志 監訳、木下 哲也 訳"], ["Eric Freeman"]),
]


@pytest.mark.parametrize(("raw", "people"), CASES)
def test_normalise(raw: list[str], people: list[str]) -> None:
    assert normalise_authors(raw)[0] == people


def test_wire_credit_is_a_wire_not_an_author() -> None:
    assert normalise_authors(["Jane Doe, AFP", "By Reuters Staff"]) == (
        ["Jane Doe"],
        ["AFP", "Reuters"],
    )
    assert normalise_authors(["The Associated Press"]) == ([], ["AP"])


def test_site_own_name_and_domain_are_no_author() -> None:
    url = "https://edition.cnn.com/2016/12/16/politics/story.html"
    assert normalise_authors(["Stephen Collinson, CNN"], site="CNN", url=url)[0] == [
        "Stephen Collinson"
    ]
    assert normalise_authors(
        ["The Huffington Post", "Sam Stein"],
        site="HuffPost",
        url="https://www.huffingtonpost.com/x",
    )[0] == ["Sam Stein"]
    assert normalise_authors(["Ebb Org"], url="http://ebb.org/bkuhn/blog/x.html")[0] == []


def test_personal_site_named_after_its_author_keeps_the_author() -> None:
    assert normalise_authors(["Dan Luu"], site="Dan Luu", url="https://danluu.com/x/")[0] == [
        "Dan Luu"
    ]


def test_split_names_keeps_order() -> None:
    assert split_names("By A Person; B Person | C Person") == ["A Person", "B Person", "C Person"]
    assert split_names(None) == []


def _tree(body: str) -> object:
    from lxml import html

    return html.fromstring(f"<html><body>{body}</body></html>")


def test_unmarked_by_line_after_the_headline() -> None:
    from newsbot.authors import page_bylines

    tree = _tree(
        '<article><h1>Headline</h1><div class="x1">By <span class="y2">Yomi Kazeem</span>'
        "</div><p>Text of the story, long enough to be text.</p></article>"
    )
    assert page_bylines(tree) == ["Yomi Kazeem"]  # type: ignore[arg-type]


def test_author_page_links_in_the_story_not_elsewhere() -> None:
    from newsbot.authors import page_bylines

    tree = _tree(
        '<nav><a href="/author/other-writer">Other Writer</a></nav>'
        "<article><h1>Headline</h1><p>Text of the story.</p>"
        '<a href="/author/chris-thompson">Chris Thompson</a></article>'
    )
    assert page_bylines(tree) == ["Chris Thompson"]  # type: ignore[arg-type]


PAGE = """<html lang="en"><head><title>Talks resume in Berlin | Example Times</title>
<meta property="og:site_name" content="Example Times">
<meta name="author" content="Chuck-Ross, Chuck Ross, Jane Doe und Max Poe, AFP">
<meta property="og:title" content="Talks resume in Berlin - Example Times"></head>
<body><article><h1>Talks resume in Berlin</h1>
<p>Ukrainian President Volodymyr Zelensky said on Monday that the talks in Berlin had been
difficult but had brought real progress on the security guarantees Kyiv wants, and that
the envoys of the United States would return to the German capital next week.</p>
<p>Officials of both sides said the remaining differences were over territory.</p>
</article></body></html>"""


def test_page_authors_title_and_credit_through_the_pipeline_hooks() -> None:
    from lxml import html

    from newsbot.extraction.article import extract_metadata
    from newsbot.extraction.page import process_page

    url = "https://www.example-times.com/world/talks"
    fields = extract_metadata(html.fromstring(PAGE), url)
    assert fields["authors"] == ["Chuck Ross", "Jane Doe", "Max Poe"]
    assert fields["credits"] == ["AFP"]
    assert fields["title"] == "Talks resume in Berlin"
    result = process_page(url, PAGE.encode(), "utf-8", {})
    assert result.fields is not None
    assert result.fields["authors"] == ["Chuck Ross", "Jane Doe", "Max Poe"]
    assert result.wires == ["AFP"]  # the byline's wire is a wire, not an author
