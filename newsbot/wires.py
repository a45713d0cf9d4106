"""Wire-agency attribution: which agencies a story credits, and its text without the credits.

An agency is credited only where a page *attributes* the story to it:

* an author/byline or a metadata value (author, byline, creator, publisher, source,
  credit, copyright keys): "AFP", "By Reuters Staff", "Jane Doe, Reuters";
* a dateline at the start of the text or of a paragraph: "BERLIN (AFP) -",
  "(Reuters) -", "NEW DELHI, Dec 16 (PTI):", "MOSCOW, December 16. /TASS/.";
* a credit line: a short paragraph made only of agency names and credit words
  ("(With AFP inputs)", "— AFP", "Source: Reuters", "The Associated Press contributed
  to this report."), a credit closing a paragraph after its last sentence
  ("... he said. (AFP)", "... he said.-PTI"), or a syndication/copyright notice
  naming the agency ("... auto-generated from a syndicated PTI feed.").

* a credit phrase in the first or last paragraphs, in English, French, German, Spanish,
  Portuguese or Italian: "with inputs from PTI", "Agency material from AFP was used",
  "Additional reporting by Reuters", "Le Monde avec AFP", "mit Material von dpa",
  "con información de EFE", "com informações da Lusa", "Fonte: ANSA", "© AFP".

A credit naming agencies without saying which ("(With agency inputs)", "mit Agenturen",
"con agencias") is recorded as the pseudo-agency `agency`.

Anywhere else an agency name is a *mention* in running text ("AFP reported that",
"told AFP", "a Reuters investigation", "Agence France-Presse (AFP) said") and credits
nothing: a story quoting a wire is not a copy of it.
"""

from __future__ import annotations

import re
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from collections.abc import Iterable, Mapping, Sequence

# canonical name -> aliases. Acronyms match case-sensitively ("AP", not "ap" or "Ap");
# names of two or more words, and single names longer than five letters, match in any case.
AGENCIES: dict[str, tuple[str, ...]] = {
    "AFP": ("AFP", "Agence France-Presse", "Agence France Presse"),
    "Reuters": ("Reuters", "Thomson Reuters"),
    "AP": ("AP", "Associated Press", "The Associated Press"),
    "PTI": ("PTI", "Press Trust of India"),
    "IANS": ("IANS", "Indo-Asian News Service"),
    "ANI": ("ANI", "Asian News International"),
    "UNI": ("UNI", "United News of India"),
    "Bloomberg": ("Bloomberg", "Bloomberg News"),
    "dpa": ("dpa", "DPA", "Deutsche Presse-Agentur"),
    "EFE": ("EFE", "Agencia EFE"),
    "Xinhua": ("Xinhua", "Xinhua News Agency"),
    "ANSA": ("ANSA",),
    "Kyodo": ("Kyodo", "Kyodo News"),
    "Yonhap": ("Yonhap", "Yonhap News Agency"),
    "PA": ("PA", "PA Media", "Press Association"),
    "AAP": ("AAP", "Australian Associated Press"),
    "Canadian Press": ("The Canadian Press", "Canadian Press", "CP"),
    "KNA": ("KNA", "Katholische Nachrichten-Agentur", "Katholischen Nachrichten-Agentur"),
    "APA": ("APA", "Austria Presse Agentur"),
    "Anadolu": ("Anadolu", "Anadolu Agency", "AA"),
    "TASS": ("TASS", "ITAR-TASS"),
    "UPI": ("UPI", "United Press International"),
    "Jiji": ("Jiji", "Jiji Press"),
    "Interfax": ("Interfax",),
    "Bernama": ("Bernama",),
    "Antara": ("Antara",),
    "Lusa": ("Lusa",),
    "Europa Press": ("Europa Press",),
    "RIA Novosti": ("RIA Novosti",),
}

GENERIC = "agency"  # recorded for a credit to unnamed agencies

_META_KEYS = re.compile(r"author|byline|creator|publisher|source|credit|copyright", re.IGNORECASE)


def _alias_pattern(alias: str) -> str:
    body = r"[\s\-‐]+".join(re.escape(part) for part in re.split(r"[\s\-]+", alias))
    if " " in alias or len(alias) > 5:
        return f"(?i:{body})"
    return body


_ALIASES = sorted(
    ((a, c) for c, aliases in AGENCIES.items() for a in aliases), key=lambda x: -len(x[0])
)
_ALIAS_RES = [(re.compile(_alias_pattern(a)), c) for a, c in _ALIASES]
_AGENCY = "(?:" + "|".join(_alias_pattern(a) for a, _ in _ALIASES) + ")"
_AGENCY_RE = re.compile(rf"(?<!\w){_AGENCY}(?![\w-])")
_LIST = rf"{_AGENCY}(?:\s*(?:[/,&+;]|\band\b)\s*{_AGENCY})*"
_DASH = r"\-‐–—―"

# A dateline: an optional place/date (at most ~60 characters, no sentence punctuation),
# then the agency in parentheses or slashes, then a dash, colon or full stop.
_PLACE = r"[^\W\d_][\w.,'’\-\[\] ]{0,60}?"
_DATE = r"(?:,?\s*[\w.]{2,10}\.?\s*\d{1,2}(?:,\s*\d{4})?\.?)"
DATELINE_RE = re.compile(
    rf"^\s*(?P<place>{_PLACE})?\s*(?:\(\s*(?P<a>{_LIST})\s*\)|/\s*(?P<b>{_LIST})\s*/)"
    rf"\s*(?:[.]?\s*[{_DASH}:]+|\.|,)?\s*"
)
# A dateline naming no agency, as outlets write their own: "NEW DELHI:", "Washington, Dec 16 -".
_PLAIN_DATELINE_RE = re.compile(
    rf"^\s*(?:[A-Z][A-Z.'’\-]{{2,}}(?:\s+[A-Z][A-Z.'’\-]+){{0,3}}(?:\s*\[[\w ]+\])?{_DATE}?"
    rf"|[A-Z][\w.'’\-]+(?:\s+[A-Z][\w.'’\-]+){{0,2}}(?:\s*\[[\w ]+\])?{_DATE})\s*[{_DASH}:]+\s+"
)
_CREDIT_WORDS = (
    r"(?i:with|and|from|inputs?|input|by|source[sd]?|agenc(?:y|ies)|staff|reporting|report|"
    r"the|this|to|contributed|writers?|wire|services?|news|desk|copyright|all|rights|"
    r"reserved|l\.?p|ltd|inc|additional|edited|via)"
)
_CREDIT_LINE_RE = re.compile(
    rf"^[\s(\[{_DASH}*•|:©]*(?:(?:{_AGENCY}|\b(?:{_CREDIT_WORDS})\b|\d{{4}}|\(c\)|[©,;:&/+|()\[\]{_DASH}.'’]|\s)+)$",
)
# A credit closing a paragraph after its last sentence: "... said. (AFP)", "... said.-PTI",
# "... said. PTI ABC DV" (PTI's desk initials).
_TAIL_CREDIT_RE = re.compile(
    rf"(?<=[.!?\"”’)])\s*(?:[{_DASH}]+\s*)?(?:\((?P<a>{_LIST})\)|(?P<b>{_LIST})(?:\s+[A-Z]{{2,4}})*)\s*\.?\s*$"
)
_DISCLAIMER_RE = re.compile(
    r"syndicated\s+(?:\w+\s+)?feed|wire\s+agency\s+feed|agency\s+feed|auto-generated\s+from"
    r"|all\s+rights\s+reserved|may\s+not\s+be\s+published,\s+broadcast|trust\s+principles"
    r"|without\s+modifications\s+to\s+the\s+text",
    re.IGNORECASE,
)
_NAME = r"(?:[A-Z][\w.'’\-]*\s+){0,3}[A-Z][\w.'’\-]*"
_BYLINE_RE = re.compile(
    rf"^\s*(?:(?i:by)\s+(?:{_NAME}\s*[,|/]\s*)?|{_NAME}\s*[,|/]\s*){_AGENCY}(?i:\s+staff)?\s*$"
)
_CREDIT_SENTENCE_RE = re.compile(
    rf"^\s*(?:\(?\s*(?:{_LIST})(?:\s+writers?\s+[\w.\- ]+)?\s+contributed\s+to\s+this\s+report\.?\s*\)?)\s*$"
)
_PARAGRAPHS_RE = re.compile(r"\n")
_MAX_CREDIT_WORDS = 14
_EDGE_PARAGRAPHS = 3  # credit phrases are read in this many first and last paragraphs
_MAX_PHRASE_WORDS = 25  # a paragraph this short holding a credit phrase is all credit

# Agencies left unnamed, in the six languages: "(With agency inputs)", "mit Agenturen".
_UNNAMED = (
    r"(?i:(?:news\s+|wire\s+)?agenc(?:y|ies)|agenturen|agenturmaterial|agences?|agencias"
    r"|agências|agencia|agência|agenzie|agenzia|wire\s+services?)"
)
_ANY = rf"(?:(?:{_UNNAMED}\s+)?{_AGENCY}|{_UNNAMED})"  # "Agência Lusa", "agencies"
_ARTICLE = r"(?:(?i:the|l['’]|la|le|les|der|die|des|el|los|a|o|as|os|da|do|das|dos|di|del)\s*)?"
_ANY_LIST = rf"{_ARTICLE}{_ANY}(?:\s*(?:[/,&+;]|\b(?i:and|und|et|y|e)\b)\s*{_ARTICLE}{_ANY})*"
_CREDIT_PHRASES = [  # each names its agencies in group "a"
    # with inputs from, additional reporting by, material from ... (was used), files from
    rf"(?i:(?:with\s+|additional\s+)?(?:inputs?|reporting|material|contributions?|files)"
    rf"\s+(?:from|by))\s+(?P<a>{_ANY_LIST})",
    rf"(?i:with\s+(?:information|reports?)\s+from)\s+(?P<a>{_ANY_LIST})",
    rf"(?i:with)\s+(?P<a>{_ANY_LIST})\s+(?i:inputs?|reports?|material)\b",
    rf"(?P<a>{_ANY_LIST})\s+(?i:(?:agency\s+)?material\s+was\s+used|contributed\b)",
    # Source: / Quelle: / Fuente: / Fonte: / Crédit: at the start of a line or a bracket
    rf"(?:^|[(\[|•]\s*)(?i:sources?|quelle|quellen|fuentes?|fontes?|crédits?|credits?)"
    rf"\s*:\s*(?P<a>{_ANY_LIST})",
    # © AFP, (c) Reuters 2025, Copyright dpa
    rf"(?:©|\((?i:c)\)|(?i:copyright))\s*(?:\d{{4}}\s*)?(?P<a>{_ANY_LIST})",
    # de: mit Material von/der dpa; es: con información de EFE; pt: com informações da Lusa;
    # it: con fonte/informazioni di ANSA; fr: avec l'AFP, d'après des informations de l'AFP
    rf"(?i:mit\s+material\s+(?:von|der|des))\s+(?P<a>{_ANY_LIST})",
    rf"(?i:con\s+(?:información|informaciones|datos)\s+de)\s+(?P<a>{_ANY_LIST})",
    rf"(?i:com\s+informaç(?:ão|ões)\s+d[aeo]s?)\s+(?P<a>{_ANY_LIST})",
    rf"(?i:con\s+(?:fonte|informazioni\s+(?:di|da)|materiale\s+(?:di|da)))\s+(?P<a>{_ANY_LIST})",
    # a bracketed "(avec AFP)", "(mit dpa)", "(con EFE)", "(com Lusa)", "(with AFP)"
    rf"\((?i:avec|mit|con|com|with)\s+(?P<a>{_ANY_LIST})\s*\)",
]
_CREDIT_PHRASE_RES = [re.compile(p) for p in _CREDIT_PHRASES]
# A short line ending "avec l'AFP", "mit dpa", "con agencias": "Le Monde avec AFP".
_CLOSING_WITH_RE = re.compile(
    rf"^[^.!?]{{0,60}}?\b(?i:avec|mit|con|com|with)\s+(?P<a>{_ANY_LIST})\s*[.)]?\s*$"
)
_MAX_CLOSING_WORDS = 8
# A picture's credit line: "JIM WATSON/AFP/Getty Images", "(Thomas Coex/AFP/Getty Images)".
_PICTURE_AGENCY_RE = re.compile(
    r"/\s*(?:getty(?:\s+images)?|shutterstock|alamy|epa(?:-efe)?|sipa|zuma|picture[\s-]alliance)\b"
    r"|\b(?:photo|foto|bild|image|picture)\s*(?:credit)?\s*:",
    re.IGNORECASE,
)
# Words before a copyright sign that make it a picture's credit, not the story's.
_PICTURE_RE = re.compile(
    r"(?i:photo|foto|image|imagem|imagen|picture|pic|bild|illustration|video|vidéo|getty)s?\W{0,3}$"
)


def canonical_agency(name: str) -> str | None:
    """The canonical name of one alias, or None when it names no known agency."""
    name = name.strip()
    if not _AGENCY_RE.fullmatch(name):  # one regex says "no" to most names at once
        return None
    for pattern, canonical in _ALIAS_RES:
        if pattern.fullmatch(name):
            return canonical
    return None


def names_agency(text: str) -> bool:
    """Does the text name a wire agency, by any alias (acronyms in capitals only: "AP", not
    "ap")? The one agency check of the project: template protection and the byline rule ask it.
    """
    return _AGENCY_RE.search(text) is not None


def _agencies_in(text: str) -> set[str]:
    found = set()
    for m in _AGENCY_RE.finditer(text):
        canonical = canonical_agency(m.group(0))
        if canonical:
            found.add(canonical)
    return found


def _credited(text: str) -> set[str]:
    """The agencies a credit names, or the pseudo-agency when it names only "agencies"."""
    named = _agencies_in(text)
    if named or not re.search(_UNNAMED, text):
        return named
    return {GENERIC}


def _phrase_credits(par: str) -> set[str]:
    """Agencies of the credit phrases in a first or last paragraph."""
    found: set[str] = set()
    for pattern in _CREDIT_PHRASE_RES:
        for m in pattern.finditer(par):
            if _PICTURE_RE.search(par[: m.start()][-20:]):
                continue  # "Photo: © AFP" credits a picture
            found |= _credited(m.group("a"))
    closing = _CLOSING_WITH_RE.match(par)
    if closing and len(par.split()) <= _MAX_CLOSING_WORDS:
        found |= _credited(closing.group("a"))
    return found


def _edges(pars: Sequence[str]) -> set[int]:
    """Indices of the first and last non-blank paragraphs, where credit phrases stand."""
    kept = [i for i, par in enumerate(pars) if par.strip()]
    return set(kept[:_EDGE_PARAGRAPHS] + kept[-_EDGE_PARAGRAPHS:])


def _is_credit_line(par: str) -> bool:
    """A short paragraph made only of credit words and agency names."""
    if not par.strip() or len(par.split()) > _MAX_CREDIT_WORDS:
        return False
    return bool(
        _CREDIT_LINE_RE.match(par) or _BYLINE_RE.match(par) or _CREDIT_SENTENCE_RE.match(par)
    )


def _is_disclaimer(par: str) -> bool:
    return len(par.split()) <= 80 and bool(_DISCLAIMER_RE.search(par))


def _dateline(par: str) -> re.Match[str] | None:
    """A dateline opening the paragraph, whose place names no agency and reads as a place.

    "Agence France-Presse (AFP) said" opens with an agency, not a place: a mention.
    """
    m = DATELINE_RE.match(par)
    if m is None or not m.group("place"):
        return m
    words = m.group("place").split()
    if len(words) > 6 or _agencies_in(m.group("place")):
        return None
    if any(w[0].islower() and len(w) > 4 for w in words):
        return None
    return m


def _paragraph_credits(par: str) -> set[str]:
    """Agencies credited by one paragraph of the body."""
    if _is_credit_line(par):
        return _credited(par)
    if _is_disclaimer(par):
        return _agencies_in(par)
    found = set()
    for m in (_dateline(par), _TAIL_CREDIT_RE.search(par)):
        if m and not _PICTURE_AGENCY_RE.search(par):
            found |= _agencies_in(m.group("a") or m.group("b"))
    return found


def _field_credits(values: Iterable[str]) -> set[str]:
    """Agencies named in byline-like fields: short values that are attributions by nature."""
    found: set[str] = set()
    for value in values:
        if value and len(value.split()) <= 12:
            found |= _agencies_in(value)
    return found


def detect_wires(
    text: str, *, authors: Sequence[str] = (), meta: Mapping[str, str] | None = None
) -> list[str]:
    """Canonical names of the agencies the story credits, sorted and unique (rules above)."""
    found = _field_credits(authors)
    found |= _field_credits(v for k, v in (meta or {}).items() if _META_KEYS.search(k))
    pars = _PARAGRAPHS_RE.split(text)
    for par in pars:
        found |= _paragraph_credits(par)
    for i in _edges(pars):
        found |= _phrase_credits(pars[i])
    if len(found) > 1:
        found.discard(GENERIC)  # "(With AFP and agency inputs)": AFP says more
    return sorted(found)


def _strip_paragraph(par: str) -> str:
    if _is_credit_line(par) or _is_disclaimer(par):
        return ""
    dateline = _dateline(par)
    if dateline:
        par = par[dateline.end() :]
    par = _PLAIN_DATELINE_RE.sub("", par, count=1)
    return _TAIL_CREDIT_RE.sub("", par, count=1)


def strip_syndication(text: str) -> str:
    """The text without datelines, credit lines and syndication notices.

    They are evidence of syndication, not of sameness: two different briefs under the
    same 40-word disclaimer are different stories, and one story under two datelines is one.
    """
    pars = _PARAGRAPHS_RE.split(text)
    edges = _edges(pars)
    kept = (
        "" if i in edges and _is_credit_paragraph(par) else _strip_paragraph(par)
        for i, par in enumerate(pars)
    )
    return "\n".join(par for par in kept if par.strip())


def _is_credit_paragraph(par: str) -> bool:
    """A short first or last paragraph holding a credit phrase: all of it is credit."""
    return len(par.split()) <= _MAX_PHRASE_WORDS and bool(_phrase_credits(par))
