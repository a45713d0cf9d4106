"""The per-page work done in extraction worker processes.

Everything CPU-bound about one page happens here, off the reactor thread:
decoding, parsing, the date search, trafilatura, wire credits, the dedup
signature, the paragraph hashes the template stage looks up and the article id. Input and output are plain picklable values, so the same function
serves the process pool, a one-process run and the benchmarks.
"""

from __future__ import annotations

import dataclasses
import logging
import re
from datetime import datetime
from typing import TYPE_CHECKING

from trafilatura.utils import decode_file, load_html
from w3lib.encoding import html_body_declared_encoding

from newsbot.dates.search import find_dates, guess_site_timezone
from newsbot.dates.sitezones import ZoneFacts
from newsbot.dedup import make_signature
from newsbot.extraction.article import extract_article
from newsbot.items import CaptureContext, PageResult, text_hash
from newsbot.pagecontent import PageSignals, verdict
from newsbot.templates import Paragraphs
from newsbot.urls import article_id
from newsbot.wires import detect_wires

if TYPE_CHECKING:
    from lxml.html import HtmlElement

logger = logging.getLogger(__name__)


# The legacy encoding pages in a language were written in before UTF-8, as browsers
# fall back by locale (WHATWG); a statistical detector confuses cp1252 and cp1250
# on short Western texts ("Lefčvre" for "Lefèvre").
LEGACY_BY_LANGUAGE = {
    **dict.fromkeys(
        (
            "en",
            "fr",
            "de",
            "es",
            "it",
            "pt",
            "nl",
            "da",
            "sv",
            "no",
            "nb",
            "nn",
            "fi",
            "is",
            "ga",
            "ca",
            "eu",
            "gl",
            "af",
            "id",
            "ms",
            "sw",
        ),
        "cp1252",
    ),
    **dict.fromkeys(("cs", "sk", "pl", "hu", "sl", "hr", "bs", "ro", "sq"), "cp1250"),
    **dict.fromkeys(("ru", "uk", "be", "bg", "sr", "mk"), "cp1251"),
    "el": "cp1253",
    "tr": "cp1254",
    "he": "cp1255",
    "ar": "cp1256",
    "fa": "cp1256",
    "lt": "cp1257",
    "lv": "cp1257",
    "et": "cp1257",
    "vi": "cp1258",
    "th": "cp874",
    "ja": "cp932",
    "ko": "cp949",
    "zh": "gb18030",
}
REPLACEMENT = "\ufffd"
MAX_STRAY = 8  # invalid UTF-8 sequences a page declared UTF-8 may carry and stay UTF-8
STRAY_EVIDENCE = 2  # ... each outnumbered this many times by valid non-ASCII characters
HTML_LANG = re.compile(rb"<html[^>]*?\slang\s*=\s*[\"']?([a-zA-Z]{2,3})\b", re.IGNORECASE)


def fallback_encodings(body: bytes) -> list[str]:
    """What to try when the declared encoding fails: the page's own <meta>, then its language's."""
    found = [html_body_declared_encoding(body[:4096])]
    lang = HTML_LANG.search(body[:4096])
    if lang:
        found.append(LEGACY_BY_LANGUAGE.get(lang.group(1).decode("ascii").lower()))
    return [e for e in found if e]


def decode(body: bytes, encoding: str | None) -> tuple[str, bool]:
    """Text of a page in its declared encoding, or a likely one when that fails.

    Returns (text, fallback) where fallback says the declaration was wrong
    (e.g. cp1252 or Shift-JIS bytes served as UTF-8). A page declared UTF-8 with a
    few stray bytes among its valid multi-byte characters is UTF-8 (`stray_utf8`).
    """
    if encoding:
        try:
            return body.decode(encoding), False
        except (UnicodeDecodeError, LookupError):
            pass
        if _is_utf8(encoding) and (text := stray_utf8(body)) is not None:
            return text, False
    for candidate in fallback_encodings(body):
        try:
            return body.decode(candidate), bool(encoding)
        except (UnicodeDecodeError, LookupError):
            continue
    text = decode_file(body)
    return (text if isinstance(text, str) else body.decode("utf-8", "replace")), bool(encoding)


def stray_utf8(body: bytes) -> str | None:
    """The page as UTF-8 with U+FFFD for its invalid sequences, if they are strays: at
    most MAX_STRAY of them, and at most one per STRAY_EVIDENCE valid non-ASCII characters.
    Text in a legacy single-byte encoding has almost no valid UTF-8 multi-byte sequence,
    so its accented letters fail that test however few there are."""
    text = body.decode("utf-8", "replace")
    invalid = text.count(REPLACEMENT) - body.count(REPLACEMENT.encode("utf-8"))
    if invalid > MAX_STRAY:
        return None
    valid = sum(1 for ch in text if ord(ch) > 127) - text.count(REPLACEMENT)
    return text if valid >= STRAY_EVIDENCE * invalid else None


def _is_utf8(encoding: str) -> bool:
    return encoding.lower().replace("-", "").replace("_", "") in ("utf8", "utf8sig")


def process_page(
    url: str, body: bytes, encoding: str | None, context: CaptureContext
) -> PageResult:
    """Extract one article page. Never raises: failures come back with ``error``, a page
    that is no article with ``no_record`` (a `newsbot.norecord` reason)."""
    try:
        return _process(url, body, encoding, context)
    except Exception as exc:  # a worker must report, not die, whatever a page does
        logger.debug("extraction failed for %s", url, exc_info=True)
        return PageResult(error=f"{type(exc).__name__}: {exc}")


def _capture_time(context: CaptureContext) -> datetime | None:
    """'2 hours ago' on a page means before its capture, also in a replay years later."""
    try:
        return datetime.fromisoformat(str(context["fetched_at"]).replace("Z", "+00:00"))
    except (KeyError, ValueError):
        return None


def _zones(tree: HtmlElement, url: str, context: CaptureContext) -> ZoneFacts:
    """The zone to read the page's zone-less times in: the source's stated one, else the
    one learnt from the site's earlier runs (archived in the context), else the one its
    language and domain suggest, else the default."""
    stated = context.get("timezone") or context.get("site_zone")
    guess = guess_site_timezone(tree, url)
    return ZoneFacts(
        read_in=stated or guess or context.get("default_timezone"),
        learnable=not stated,
        guess=guess,
    )


def _process(url: str, body: bytes, encoding: str | None, context: CaptureContext) -> PageResult:
    html, fallback = decode(body, encoding)
    tree = load_html(html)
    if tree is None:
        return PageResult(no_record="no_text", charset_fallback=fallback)
    zoning = _zones(tree, url, context)
    zone = zoning.read_in
    dates = find_dates(
        tree, url, tz=zone, hints=context.get("hints") or {}, now=_capture_time(context)
    )
    zoning = dataclasses.replace(
        zoning,
        evidence=tuple(dates.pop("zone_evidence")),
        published_wall=dates.pop("published_wall"),
        modified_wall=dates.pop("modified_wall"),
        shown_offset=dates.pop("published_offset"),
    )
    signals = PageSignals.of(tree, html)  # before the extraction prunes the tree
    fields = extract_article(tree, url)
    text = (fields or {}).get("text") or ""
    reason = verdict(text, signals)
    if fields is None or reason is not None:
        return PageResult(no_record=reason or "no_text", charset_fallback=fallback)
    return PageResult(
        id=article_id(url),
        fields=fields,
        dates=dates,
        timezone=zone,
        zoning=zoning,
        wires=detect_wires(text, authors=[*fields.get("authors", []), *fields.get("credits", [])]),
        signature=make_signature(text),
        text_hash=text_hash(text),
        paragraphs=Paragraphs.of(text),
        charset_fallback=fallback,
    )
