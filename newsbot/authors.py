"""Author normalisation: the names of the people who wrote a story, one name per person.

Metadata and bylines give authors in every shape: "By A and B", "A und B", "Doe, Jane",
"Jane Doe, Staff Writer", "Chuck-Ross" beside "Chuck Ross", "jdoe@example.com", the
publisher ("Frankfurter Allgemeine Zeitung GmbH", "Www Washingtontimes Com"), the site's
own name ("CNN"), a wire ("Reuters"), labels ("See full bio", "Follow Author") or a date
("Updated Oct 9"). `normalise_authors` turns all of them into people's names, in page
order, each once; wire agencies are returned apart (a wire credit is a wire, not an
author). The rules are general (words, shapes, the site's own names), never per site;
they were chosen on half of the news-dev pages and checked on the other
(`benchmarks/metadata.py`).
"""

from __future__ import annotations

import re
import unicodedata
from typing import TYPE_CHECKING, Any
from urllib.parse import urlsplit

from lxml import etree

from newsbot.wires import canonical_agency

if TYPE_CHECKING:
    from collections.abc import Iterable, Iterator

    from lxml.html import HtmlElement

__all__ = ["normalise_authors", "page_bylines", "site_keys", "split_names"]

# "A and B", "A und B", "A og B", "A y B", "A et B", "A e B", "A & B", "A; B", "A | B"
# (lower case only: "Laura E. Adkins" is one person)
_JOIN = re.compile(r"\s+(?:and|und|og|y|et|e|en|och|&)\s+|\s*[;|•·／]\s*|\s+/\s+|(?i:\s+and\s+)")
# Japanese role marks after a name: 著 (author) stays, 訳/監訳/編 (translator, editor) go.
_CJK_AUTHOR = re.compile(r"\s*著$")
_CJK_OTHER_ROLE = re.compile(r"(?:監訳|翻訳|訳|編|監修)$")
_PREFIX = re.compile(
    r"^\s*(?:(?:written|posted|reported|text|words|story)\s+)?"
    r"(?:by|von|por|par|door|av|af|autor(?:in)?|author|text|texto|texte)\b\s*[:\-]?\s*",
    re.IGNORECASE,
)
_CJK_PREFIX = re.compile(
    r"^\s*(?:取材・)?(?:文|text|写真・文|執筆|著者)\s*[:：/／●・]\s*"
)  # "文● Name"
_URL = re.compile(r"\s*(?:https?://\S*|https?\b|www\.\S+)\s*", re.IGNORECASE)
_EMAIL = re.compile(r"\S+@\S+")
_DATE_TAIL = re.compile(
    r"\s*\b(?:first |last )?(?:published|updated|posted|modified)\b.*$", re.IGNORECASE
)
_MONTHS = (
    "jan|feb|mar|apr|may|jun|jul|aug|sep|sept|oct|nov|dec|january|february|march|april|june"
    "|july|august|september|october|november|december|monday|tuesday|wednesday|thursday"
    "|friday|saturday|sunday|today|yesterday"
)
_DATE_WORD = re.compile(rf"^(?:{_MONTHS})\.?$", re.IGNORECASE)
# Roles, titles and labels: a name made only of these words is none.
_ROLE_WORDS = frozenset(
    (
        "journalist reporter editor writer correspondent contributor columnist author staff "
        "senior chief deputy managing executive associate assistant contributing freelance "
        "political politics national foreign business sports science technology tech health "
        "news digital web special investigative data culture opinion features economics "
        "redakteur redakteurin korrespondent korrespondentin autorin redacción redação "
        "periodista jornalista rédacteur rédactrice journaliste giornalista redattore "
        "see full bio follow more by view all posts profile username user admin administrator "
        "guest anonymous unknown contact email twitter facebook instagram linkedin our view get "
        "rss feed archive"
    ).split()
)
_DESK_WORDS = frozenset(("staff", "desk", "team"))  # "AOL Staff" names a desk that writes
_PARTICLES = frozenset(
    "de da di del della van von der den ten ter la le du dos das bin al el".split()
)
_CREDENTIALS = frozenset("ma ms msc mba md phd dr rn mph bsc ba llm jd esq cpa".split())
_SUFFIXES = frozenset("jr sr ii iii iv".split())
# The last word of an organisation's name: a publisher, not a person.
_ORG_WORDS = frozenset(
    (
        "gmbh inc ltd llc llp corp corporation media news press group verlag ag sa plc "
        "zeitung newspaper newspapers magazine publishing publications company co network "
        "limited holdings agency agentur nast com org net"
    ).split()
)
_ARTICLES = frozenset("the www der die das le la les el".split())
_SLUG = re.compile(r"^[a-z0-9]+(?:-[a-z0-9]+)+$")
_MAX_WORDS = 6  # longer "names" are sentences


def split_names(raw: str | None) -> list[str]:
    """'By A and B', 'A; B', 'A & B', 'A, B' -> ['A', 'B']; 'Doe, Jane' -> ['Jane Doe']."""
    if not raw:
        return []
    names: list[str] = []
    for part in _JOIN.split(_PREFIX.sub("", raw.strip())):
        names.extend(_comma_names(part))
    return names


def _comma_names(part: str) -> list[str]:
    """One joined part split at commas: several people, one person and a role, or Last, First."""
    pieces = [
        _clean(p) for p in re.split(r"[,、，]", part) if not _CJK_OTHER_ROLE.search(p.strip())
    ]
    pieces = [p for p in pieces if p and not _is_credential(p)]
    if len(pieces) == 2 and _is_last_first(*pieces):
        return [f"{pieces[1]} {pieces[0]}"]
    return pieces


def _is_last_first(last: str, first: str) -> bool:
    """'Doe, Jane' or 'Doe, Jane A.': a lone capitalised surname, then given names."""
    given = first.split()
    return (
        len(last.split()) == 1
        and 1 <= len(given) <= 2
        and last[:1].isupper()
        and all(w[:1].isupper() for w in given)
        and len(given[0].rstrip(".")) > 1
        and not _is_label(last)
        and not _is_label(first)
    )


def _clean(name: str) -> str:
    name = _URL.sub(" ", _EMAIL.sub(" ", name))
    name = _DATE_TAIL.sub(
        "", _PREFIX.sub("", _CJK_PREFIX.sub("", _CJK_AUTHOR.sub("", name.strip())))
    )
    name = " ".join(name.strip(" \t\n,:;-–—•●|()[]《》「」").split())
    if name.endswith(".") and not re.search(r"\b\w\.$", name):  # "Jane A." keeps its stop
        name = name.rstrip(". ")
    return _trim(name.lstrip(". "))


def _trim(name: str) -> str:
    """A name with what follows it in an author box cut off: 'Sam Stein Senior Politics
    Editor', 'Oli Coleman View author archive', 'Ellyn Shook Ellyn Shook Creating ...'."""
    words = name.split()
    for k in (2, 3):
        if len(words) >= 2 * k and words[:k] == words[k : 2 * k]:
            return " ".join(words[:k])
    for i in range(2, len(words)):
        word = _word_key(words[i])
        if (
            (word in _ROLE_WORDS and word not in _DESK_WORDS)
            or _DATE_WORD.match(word)
            or (words[i][:1].islower() and word not in _PARTICLES)
        ):
            return " ".join(words[:i])
    return name


def _word_key(word: str) -> str:
    return _fold(word).strip(".'’")


def _fold(text: str) -> str:
    """Case- and accent-insensitive form."""
    decomposed = unicodedata.normalize("NFKD", text)
    return "".join(c for c in decomposed if not unicodedata.combining(c)).casefold()


def _key(name: str) -> str:
    """What two spellings of one name share: 'Chuck-Ross', 'chuck ross', 'Chuck Ross'."""
    return re.sub(r"[\W_]+", "", _fold(name))


def _is_credential(piece: str) -> bool:
    return _word_key(piece).replace(".", "") in _CREDENTIALS | _SUFFIXES


def _is_label(name: str) -> bool:
    """Roles, labels and dates: 'Journalist', 'Staff Writer', 'See full bio', 'Dec'."""
    words = [_word_key(w) for w in name.split()]
    return all(w in _ROLE_WORDS or _DATE_WORD.match(w) for w in words)


def _is_organisation(name: str) -> bool:
    """A publisher or a domain: 'Condé Nast', 'Example Media GmbH', 'Www Example Com'."""
    words = [_word_key(w) for w in name.split()]
    return words[-1] in _ORG_WORDS or words[0] == "www" or bool(re.search(r"\w\.\w{2,}$", name))


def site_keys(site: str | None, url: str | None) -> set[str]:
    """The site's own names: its declared name, its host and the host's main label."""
    keys = {_key(" ".join(w for w in site.split() if _fold(w) not in _ARTICLES))} if site else set()
    host = (urlsplit(url).hostname or "") if url else ""
    labels = [label for label in host.split(".") if label not in ("www", "m", "amp")]
    if labels:
        keys |= {_key(".".join(labels)), _key(max(labels[:-1] or labels, key=len))}
    return keys - {""}


def _is_site(name: str, keys: set[str], others: int) -> bool:
    """The site's own name as a byline. A lone two- or three-word person-like name equal
    to the site's is kept: on a personal blog the site is named after its author."""
    words = [w for w in name.split() if _fold(w) not in _ARTICLES]
    if _key(" ".join(words)) not in keys:
        return False
    person_like = 2 <= len(words) <= 3 and len(words) == len(name.split())
    return others > 0 or not person_like


def _is_person(name: str) -> bool:
    return (
        bool(name)
        and len(name.split()) <= _MAX_WORDS
        and any(c.isalpha() for c in name)
        and not any(c.isdigit() for c in name)
        and not name.startswith("@")
        and not _is_label(name)
        and not _is_organisation(name)
    )


def normalise_authors(
    names: Iterable[str], *, site: str | None = None, url: str | None = None
) -> tuple[list[str], list[str]]:
    """(people, agencies): the authors as people's names in page order, each once, and the
    wire agencies the bylines credit (canonical names)."""
    people: list[str] = []
    agencies: list[str] = []
    for raw in names:
        for name in split_names(raw):
            agency = canonical_agency(re.sub(r"(?i)\s+(?:staff|desk)$", "", name))
            if agency:
                agencies.append(agency) if agency not in agencies else None
            elif _is_person(name):
                people.append(_unslug(name))
    keys = site_keys(site, url)
    people = [p for p in people if not _is_site(p, keys, len(people) - 1)]
    return _dedupe(people), agencies


def _unslug(name: str) -> str:
    """'chuck-ross' (a URL slug) -> 'Chuck Ross'."""
    return name.replace("-", " ").title() if _SLUG.match(name) else name


def _dedupe(people: list[str]) -> list[str]:
    """One name per person: case, accents, hyphens and handles ('Bkuhn' beside 'Bradley
    Kuhn') do not make another; the spelling with spaces and accents is kept."""
    kept: dict[str, str] = {}
    for name in people:
        key = _key(name)
        if key in kept:
            if _better_spelling(name, kept[key]):
                kept[key] = name
        elif not _handle_of(name, kept.values()):
            kept[key] = name
    return list(kept.values())


def _better_spelling(name: str, other: str) -> bool:
    """Spaces over hyphens, mixed case over capitals, accents over none."""

    def rank(n: str) -> tuple[int, bool, int]:
        return n.count(" "), not n.isupper(), len(n.encode())

    return rank(name) > rank(other)


def _handle_of(name: str, people: Iterable[str]) -> bool:
    """A one-word name made of another's initial and surname, or first and last names."""
    if " " in name:
        return False
    key = _key(name)
    for person in people:
        words = [_key(w) for w in person.split()]
        if len(words) >= 2 and key in (words[0][:1] + words[-1], words[0] + words[-1]):
            return True
    return False


# In-page bylines for pages whose metadata and trafilatura's byline search name nobody.
_AUTHOR_LINKS = etree.XPath(
    "//a[@rel='author' or contains(@href, '/author/') or contains(@href, '/authors/')"
    " or contains(@href, '/autor/') or contains(@href, '/auteur/') or contains(@href, '/autore/')"
    " or contains(@href, '/journalist/') or contains(@href, '/profile/')]"
)
_BYLINE_TEXT = re.compile(
    r"^(?:by|von|por|par|di|door|av|af)\s+(?P<names>[^\W\d_][\w.'’\- ]{2,80}"
    r"(?:(?:,\s*|\s+(?:and|und|og|y|et|e|&)\s+)[^\W\d_][\w.'’\- ]{2,40}){0,3})$",
    re.IGNORECASE,
)
_BYLINE_NODES = etree.XPath("(//h1)[1]/following::text()[normalize-space()][position() <= 40]")
MAX_LINKED_AUTHORS = 3  # more author links are a list of other stories' writers


def page_bylines(tree: HtmlElement) -> list[str]:
    """Authors a page shows without marking them: a "By Name" line after the headline, else
    the first links to author pages inside the article. Raw names, for normalise_authors."""
    for text in _after_headline(tree):
        match = _BYLINE_TEXT.match(text)
        if match and len(text.split()) <= 12:
            return [match["names"]]
    links = [a for a in _select(_AUTHOR_LINKS, tree) if _in_story(a)]
    names = [" ".join(a.text_content().split()) for a in links]
    return list(dict.fromkeys(n for n in names if 1 < len(n.split()) <= 4))[:MAX_LINKED_AUTHORS]


def _after_headline(tree: HtmlElement) -> Iterator[str]:
    """The texts of the elements just after the first h1: "By" and the name are often split
    over two elements ("By <span>Name</span>")."""
    for node in _select(_BYLINE_NODES, tree):
        owner = node.getparent()
        if owner is not None and node.is_tail:
            owner = owner.getparent()
        if owner is not None:
            text = " ".join(owner.text_content().split())
            if len(text) <= 120:
                yield text


def _in_story(element: HtmlElement) -> bool:
    return next(element.iterancestors("article", "main", "header"), None) is not None


def _select(xpath: etree.XPath, node: HtmlElement) -> list[Any]:
    result = xpath(node)
    return result if isinstance(result, list) else []
