"""Reading the documents that list a site's articles: sitemaps, feeds, robots.txt.

Pure functions over bytes. The XML parser resolves no entities and fetches
nothing, so an XML bomb or an external entity in a hostile sitemap is inert;
gzipped sitemaps are inflated with a size cap against gzip bombs. Real
documents are read as they come: a byte-order mark, whitespace or comments
before the root, an encoding declaration the bytes do not match, ``xml:base``
in feeds, robots.txt lines in any case and with relative URLs.
"""

from __future__ import annotations

import codecs
import io
import re
import zlib
from dataclasses import dataclass
from urllib.parse import urljoin

from lxml import etree

MAX_INFLATED = 50 * 1024 * 1024  # the sitemap protocol's own limit per file


class DiscoveryError(ValueError):
    """A sitemap or feed that cannot be read."""


@dataclass(frozen=True)
class Entry:
    """A link a sitemap or feed gives, with the date it states for it (raw string)."""

    url: str  # empty when the entry gives no link (the caller counts it)
    date: str | None = None
    kind: str = "page"  # "page" or "sitemap" (a child of a sitemap index)


def _parser() -> etree.XMLParser:
    return etree.XMLParser(
        resolve_entities=False,
        no_network=True,
        huge_tree=False,
        recover=True,
        remove_comments=True,
        remove_pis=True,
        load_dtd=False,
    )


def maybe_gunzip(body: bytes, limit: int = MAX_INFLATED) -> bytes:
    """Inflate a gzip body (a .xml.gz sitemap) without ever producing more than `limit` bytes."""
    if body[:2] != b"\x1f\x8b":
        return body
    inflater = zlib.decompressobj(16 + zlib.MAX_WBITS)
    try:
        out = inflater.decompress(body, limit + 1)
    except zlib.error as exc:
        raise DiscoveryError(f"corrupt gzip: {exc}") from exc
    if len(out) > limit:
        raise DiscoveryError(f"gzip body inflates past {limit} bytes")
    return out


_BOMS = (
    (codecs.BOM_UTF8, "utf-8"),
    (codecs.BOM_UTF32_LE, "utf-32-le"),
    (codecs.BOM_UTF32_BE, "utf-32-be"),
    (codecs.BOM_UTF16_LE, "utf-16-le"),
    (codecs.BOM_UTF16_BE, "utf-16-be"),
)
_DECLARATION = re.compile(rb"^\s*<\?xml[^>]*\?>")


def _head(body: bytes) -> str:
    """The document's first characters, whatever its byte-order mark, as text to sniff."""
    for bom, codec in _BOMS:
        if body.startswith(bom):
            return body[len(bom) : 2048].decode(codec, "ignore")
    return body[:2048].decode("latin-1").replace("\x00", "")  # (UTF-16 without a BOM too)


def _normalized(body: bytes) -> bytes:
    """`body` without a UTF-8 byte-order mark or whitespace before its XML declaration,
    both of which make libxml2 give up on a document it could otherwise read."""
    if body.startswith(codecs.BOM_UTF8):
        body = body[len(codecs.BOM_UTF8) :]
    return body.lstrip() if body[:1].isspace() else body


_BARE_AMP = re.compile(rb"&(?!(?:[A-Za-z_][\w.-]*|#[0-9]+|#x[0-9A-Fa-f]+);)")
_CDATA = re.compile(rb"(<!\[CDATA\[.*?\]\]>)", re.S)


def _escape_bare_ampersands(body: bytes) -> bytes:
    """`&` that opens no reference, as `&amp;` (CDATA sections aside). Sitemaps and feeds
    often carry raw query strings, which libxml2's recovery turns into other URLs
    (``?a=1&b=2`` becomes ``?a=1=2``, and the next escaped ``&amp;`` is lost too)."""
    if b"&" not in body or b"\x00" in body[:1024]:  # (UTF-16/32: left to the parser)
        return body
    parts = _CDATA.split(body)
    return b"".join(p if i % 2 else _BARE_AMP.sub(b"&amp;", p) for i, p in enumerate(parts))


def xml_root_name(body: bytes) -> str | None:
    """Local name of the document element ('urlset', 'sitemapindex', 'rss', 'feed', 'RDF'), if XML."""
    if not _head(body).lstrip().startswith("<"):
        return None
    for candidate in (_normalized(body), _without_declaration(body)):
        try:
            for _, elem in etree.iterparse(
                io.BytesIO(candidate),
                events=("start",),
                resolve_entities=False,
                no_network=True,
                load_dtd=False,
                recover=True,
                huge_tree=False,
            ):
                return str(etree.QName(elem).localname)
        except etree.XMLSyntaxError:
            continue
    return None


def _without_declaration(body: bytes) -> bytes:
    """`body` with its XML declaration removed: read as UTF-8 when it names an encoding
    the bytes do not have (a UTF-8 feed labelled UTF-16 is common)."""
    return _DECLARATION.sub(b"", _normalized(body), count=1)


def _root(
    body: bytes, problems: list[str] | None = None, base_url: str | None = None
) -> etree._Element:
    """The document element, recovered as far as it goes; parse errors appended to `problems`."""
    failure = "empty or unreadable XML document"
    for candidate in (_normalized(body), _without_declaration(body)):
        parser = _parser()
        try:
            root = etree.fromstring(_escape_bare_ampersands(candidate), parser, base_url=base_url)
        except etree.XMLSyntaxError as exc:
            failure = f"not XML: {exc}"
            continue
        if root is None:
            continue
        if problems is not None:
            problems.extend(
                f"line {e.line}: {e.message}"
                for e in parser.error_log
                if e.level >= etree.ErrorLevels.ERROR
            )
        return root
    raise DiscoveryError(failure)


def _child_text(elem: etree._Element, *names: str, direct: bool = False) -> str | None:
    """Text of the first descendant (`direct`: child) with one of these local names (any
    namespace). A sitemap's own <loc> is a child; image:loc and video:loc are deeper."""
    for child in elem if direct else elem.iter():
        if isinstance(child.tag, str) and etree.QName(child).localname in names and child.text:
            if any(isinstance(part, etree._Entity) for part in child):
                continue  # an unresolved entity (XXE, XML bomb): the text is not what it says
            text = str(child.text).strip()
            if text:
                return text
    return None


def parse_sitemap(body: bytes, problems: list[str] | None = None) -> list[Entry]:
    """Entries of a urlset (pages, with news:publication_date or lastmod) or a sitemap index.

    A malformed document yields what precedes the damage; `problems` receives the parse errors.
    """
    root = _root(maybe_gunzip(body), problems)
    name = etree.QName(root).localname
    if name not in ("urlset", "sitemapindex"):
        raise DiscoveryError(f"not a sitemap: <{name}>")
    kind = "sitemap" if name == "sitemapindex" else "page"
    entries = []
    for node in root:
        if not isinstance(node.tag, str) or etree.QName(node).localname not in ("url", "sitemap"):
            continue
        loc = _child_text(node, "loc", direct=True) or _child_text(node, "loc")
        date = _child_text(node, "publication_date") or _child_text(node, "lastmod")
        entries.append(Entry(loc or "", date, kind))
    return entries


_URL_LINE = re.compile(r"https?://\S+")


def is_text_sitemap(body: bytes) -> bool:
    """A sitemap in the protocol's text form: one absolute URL a line."""
    for line in _head(body).splitlines():
        if line.strip():
            return _URL_LINE.fullmatch(line.strip()) is not None
    return False


def parse_text_sitemap(body: bytes) -> list[Entry]:
    """The URLs of a text sitemap (lines that are not URLs are not entries)."""
    text = maybe_gunzip(body).decode("utf-8-sig", "replace")
    return [Entry(line.strip()) for line in text.splitlines() if _URL_LINE.fullmatch(line.strip())]


LISTING_ROOTS = ("urlset", "sitemapindex", "rss", "feed", "RDF")
_LISTING_START = re.compile(r"<(\?xml|rss|feed|urlset|sitemapindex|rdf:RDF)\b")


def is_xml_listing(body: bytes) -> bool:
    """A sitemap or feed, whatever the Content-Type said (many servers send feeds as
    text/html); an XHTML page is not one."""
    if not _LISTING_START.match(_head(body).lstrip()):
        return False
    return xml_root_name(body) in LISTING_ROOTS


def parse_feed(
    body: bytes, problems: list[str] | None = None, base_url: str | None = None
) -> list[Entry]:
    """Entries of an RSS 2.0, RSS 1.0 (RDF) or Atom feed, with their stated date (see parse_sitemap).

    Links are resolved against the ``xml:base`` in scope and then `base_url` (the feed's URL)."""
    root = _root(body, problems, base_url)
    entries = []
    for node in root.iter():
        if not isinstance(node.tag, str) or etree.QName(node).localname not in ("item", "entry"):
            continue
        date = _child_text(node, "pubDate", "published", "date", "issued", "updated", "modified")
        entries.append(Entry(_feed_link(node) or "", date))
    return entries


def _feed_link(node: etree._Element) -> str | None:
    for child in node:
        if not isinstance(child.tag, str) or etree.QName(child).localname != "link":
            continue
        href = child.get("href")
        if href and child.get("rel", "alternate") == "alternate":
            return _resolved(child, str(href).strip())
        if child.text and child.text.strip():
            return _resolved(child, str(child.text).strip())
    guid = _child_text(node, "guid")
    return guid if guid and guid.startswith("http") else None


def _resolved(elem: etree._Element, link: str) -> str:
    """`link` against the element's base (xml:base in scope, else the document URL)."""
    base = elem.base
    if not base:
        return link
    try:
        return urljoin(str(base), link)
    except ValueError:  # an unparseable base or link: the caller counts the link as bad
        return link


def robots_sitemaps(body: bytes, base_url: str | None = None) -> list[str]:
    """The Sitemap: lines of a robots.txt, in any case, whitespace and comments stripped,
    relative URLs joined against `base_url` (the robots.txt URL)."""
    urls = []
    for line in body.decode("utf-8-sig", "replace").splitlines():
        field, sep, value = line.partition(":")
        value = value.split("#", 1)[0].strip()
        if not sep or field.strip().lower() != "sitemap" or not value:
            continue
        try:
            urls.append(urljoin(base_url, value) if base_url else value)
        except ValueError:
            urls.append(value)  # left for the caller to count as a bad URL
    return urls


__all__ = [
    "DiscoveryError",
    "Entry",
    "is_text_sitemap",
    "is_xml_listing",
    "maybe_gunzip",
    "parse_feed",
    "parse_sitemap",
    "parse_text_sitemap",
    "robots_sitemaps",
    "xml_root_name",
]
