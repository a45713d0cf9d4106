"""The patterns date strings are read with: month names, dates, times, ISO and epoch forms,
day words, relative phrases (`newsbot.dates.parse` applies them)."""

from __future__ import annotations

import re
import unicodedata

MAX_LENGTH = 300  # a date line is short; in longer text a date-like token is not reliable

_MONTH_NAMES = {  # en, fr, de, es, it, pt, nl, hi; abbreviations as printed, dots stripped
    1: "january jan janvier janv januar jänner jaen enero ene gennaio gen janeiro januari जनवरी",
    2: "february feb février fevrier févr fevr fév fev februar febrero febbraio fevereiro "
    "februari फ़रवरी फरवरी",
    3: "march mar mars märz maerz mrz marzo março marco maart मार्च",
    4: "april apr avril avr abril abr aprile अप्रैल",
    5: "may mai mayo maggio mag maio mei मई",
    6: "june jun juin juni junio giugno giu junho जून",
    7: "july jul juillet juil juli julio luglio lug julho जुलाई",
    8: "august aug août aout agosto ago augustus अगस्त",
    9: "september sep sept septembre septiembre setiembre settembre set setembro सितंबर सितम्बर",
    10: "october oct octobre oktober okt octubre ottobre ott outubro out अक्टूबर अक्तूबर",
    11: "november nov novembre noviembre novembro नवंबर नवम्बर",
    12: "december dec décembre decembre déc dezember dez diciembre dic dicembre dezembro "
    "दिसंबर दिसम्बर",
}


def _fold(text: str) -> str:
    """The form month names are looked up in."""
    return unicodedata.normalize("NFKC", text).casefold()


MONTHS = {_fold(name): n for n, names in _MONTH_NAMES.items() for name in names.split()}
_MONTH = "|".join(sorted(map(re.escape, MONTHS), key=len, reverse=True))
_WB, _WE = r"(?<![^\W\d_])", r"(?![^\W\d_])"  # word boundaries that treat digits as edges
_MON = rf"{_WB}(?P<mon>{_MONTH}){_WE}\.?"
_ORD = r"(?:st|nd|rd|th|er|o|ª)?\.?"
_GAP = r"[\s,/.\-]*"
_DATE_PATTERNS = [
    re.compile(p, re.IGNORECASE)
    for p in (
        r"(?<!\d)(?P<y>\d{4})\s?(?:[-/.]|年|년)\s?(?P<m>\d{1,2})\s?(?:[-/.]|月|월)\s?(?P<d>\d{1,2})(?!\d)",
        r"(?<![\d.,/-])(?P<a>\d{1,2})(?P<sep>[-/.])(?P<b>\d{1,2})(?P=sep)(?P<y>\d{4}|\d{2})(?![\d/])",
        rf"(?<!\d)(?P<d>\d{{1,2}}){_ORD}{_GAP}(?:(?:de|of)\s+)?{_MON}{_GAP}(?:del?\s+)?(?P<y>\d{{4}})(?!\d)",
        rf"{_MON}{_GAP}(?P<d>\d{{1,2}})(?:st|nd|rd|th)?(?![\d:])[\s,.]*(?P<y>\d{{4}})(?!\d)",
        rf"(?<!\d)(?P<y>\d{{4}}){_GAP}{_MON}{_GAP}(?P<d>\d{{1,2}})(?![\d:])",
    )
]
_AMPM = rf"(?P<ampm>[ap]\.\s?m\.?|[ap]m){_WE}"
_TIME_PATTERNS = [
    re.compile(p, re.IGNORECASE)
    for p in (
        (  # 01:13, 1.13pm, 16h30, 10時13分, 午後1時13分; "." only before a suffix or the end
            r"(?<![\d:.,])(?P<pre>午前|午後|上午|下午|오전|오후)?\s?(?P<H>\d{1,2})\s?"
            rf"(?::|h|時|시|\.(?=\d\d(?:\s*(?:uhr|h|hrs?|[ap]\.?\s?m|(?-i:[A-Z]{{2,5}})){_WE}"
            r"|\s*$|\s*[,|·)])))"
            r"\s?(?P<M>\d{2})(?:\s?(?:[:.]|分|분)\s?(?P<S>\d{2})(?:[.,]\d{1,9})?)?"
            rf"(?:\s?(?:分|분|秒|초))?(?!\d)(?:\s?{_AMPM})?"
        ),
        rf"(?<![\d:.,])(?P<H>\d{{1,2}})\s?{_AMPM}",
        r"(?<![\d:.,])(?P<H>[01]\d|2[0-3])(?P<M>[0-5]\d)(?=\s?hrs?\b)",
    )
]
_TIME_SUFFIX = re.compile(  # "14:07 Uhr", and "3:48: Uhr" with a stray colon
    rf"(?::(?=\s*(?:uhr|h){_WE}))?\s*(?:(?:uhr|hrs?|hs|h|horas|heures|बजे){_WE})?", re.IGNORECASE
)
_ISO = re.compile(  # extended (2025-12-16T01:13:00) and basic (20251216T011300) formats
    r"(?P<y>\d{4})(?P<dash>-?)(?P<m>\d\d)(?P=dash)(?P<d>\d\d)"
    r"(?:[T ](?P<H>\d\d):?(?P<M>\d\d)(?::?(?P<S>\d\d)(?:[.,]\d+)?)?"
    r"\s?(?:(?P<z>Z)|(?P<sign>[+-])(?P<oh>\d\d):?(?P<om>\d\d)?)?)?"
)
_RFC2822 = re.compile(
    r"(?:[A-Z][a-z]{2}, ?)?(?P<d>\d{1,2}) (?P<mon>Jan|Feb|Mar|Apr|May|Jun|Jul|Aug|Sep|Oct|Nov|Dec) "
    r"(?P<y>\d{4}) (?P<H>\d\d):(?P<M>\d\d)(?::(?P<S>\d\d))? (?P<zone>[+-]\d{4}|[A-Z]{1,5})"
)
_EPOCH = re.compile(r"\d{10}|\d{13}")
_DAY_WORDS = {  # relative day words -> days before the reference day
    "today": 0,
    "aujourd'hui": 0,
    "aujourd’hui": 0,
    "heute": 0,
    "hoy": 0,
    "oggi": 0,
    "hoje": 0,
    "आज": 0,
    "今天": 0,
    "yesterday": 1,
    "hier": 1,
    "gestern": 1,
    "ayer": 1,
    "ieri": 1,
    "ontem": 1,
    "昨天": 1,
}
_DAY_WORD = re.compile(rf"{_WB}(?:{'|'.join(map(re.escape, _DAY_WORDS))}){_WE}", re.IGNORECASE)
_WORDS = re.compile(r"\w+")
MAX_DAY_WORD_CONTEXT = 2  # words beside a day word without a time ("Published yesterday")
_RELATIVE = re.compile(  # "2 hours ago" and its kin: dateparser reads them
    rf"{_WB}(?:ago|il y a|vor|hace|fa|há|atrás|just now){_WE}|पहले|前",
    re.IGNORECASE,
)
_RELATIVE_START = re.compile(  # where the phrase starts, past any label ("Updated 2 hours ago")
    rf"\d|{_WB}(?:an?|one|une?|il y a|vor|hace|há|just|un'?|una?|uma?|एक){_WE}",
    re.IGNORECASE,
)
# Worth asking dateparser: a day, a year, and a word between them (a month we lack).
_FALLBACK_HINT = re.compile(
    r"(?<!\d)(?:\d{1,2}\D{0,5}[^\W\d_]{3,}\D{0,5}(?:19[7-9]\d|20\d\d)"
    r"|(?:19[7-9]\d|20\d\d)\D{0,5}[^\W\d_]{3,}\D{0,5}\d{1,2})(?!\d)"
)
# dateparser's languages: the main ones of the news, so that its first call in a process
# loads 26 of them (about 1 s) rather than all 200 (about 3 s).
DATEPARSER_LANGUAGES = (
    "en",
    "fr",
    "de",
    "es",
    "it",
    "pt",
    "nl",
    "hi",
    "ru",
    "pl",
    "tr",
    "ar",
    "ja",
    "zh",
    "ko",
    "sv",
    "da",
    "nb",
    "fi",
    "cs",
    "ro",
    "hu",
    "el",
    "uk",
    "id",
    "bn",
)
