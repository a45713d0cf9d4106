"""Reading the documents that list a site's articles: sitemaps, feeds, robots.txt.

Pure functions over bytes. The XML parser resolves no entities and fetches
nothing, so an XML bomb or an external entity in a hostile sitemap is inert;
gzipped sitemaps are inflated with a size cap against gzip bombs.
"""

from __future__ import annotations

import io
import zlib
from dataclasses import dataclass

from lxml import etree

MAX_INFLATED = 50 * 1024 * 1024  # the sitemap protocol's own limit per file


class DiscoveryError(ValueError):
    """A sitemap or feed that cannot be read."""


@dataclass(frozen=True)
class Entry:
    """A link a sitemap or feed gives, with the date it states for it (raw string)."""

    url: str
    date: str | None = None
    kind: str = "page"  # "page" or "sitemap" (a child of a sitemap index)


def _parser() -> etree.XMLParser:
    return etree.XMLParser(resolve_entities=False, no_network=True, huge_tree=False,
                           recover=True, remove_comments=True, remove_pis=True, load_dtd=False)


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


def xml_root_name(body: bytes) -> str | None:
    """Local name of the document element ('urlset', 'sitemapindex', 'rss', 'feed', 'RDF'), if XML."""
    head = body[:2048].lstrip()
    if not head.startswith(b"<"):
        return None
    try:
        for _, elem in etree.iterparse(io.BytesIO(body), events=("start",),
                                       resolve_entities=False, no_network=True, load_dtd=False,
                                       recover=True, huge_tree=False):
            return str(etree.QName(elem).localname)
    except etree.XMLSyntaxError:
        return None
    return None


def _root(body: bytes, problems: list[str] | None = None) -> etree._Element:
    """The document element, recovered as far as it goes; parse errors appended to `problems`."""
    parser = _parser()
    try:
        root = etree.fromstring(body, parser)
    except etree.XMLSyntaxError as exc:
        raise DiscoveryError(f"not XML: {exc}") from exc
    if root is None:
        raise DiscoveryError("empty or unreadable XML document")
    if problems is not None:
        problems.extend(f"line {e.line}: {e.message}" for e in parser.error_log
                        if e.level >= etree.ErrorLevels.ERROR)
    return root


def _child_text(elem: etree._Element, *names: str) -> str | None:
    """Text of the first descendant with one of these local names (any namespace)."""
    for child in elem.iter():
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
        loc = _child_text(node, "loc")
        if loc:
            date = _child_text(node, "publication_date") or _child_text(node, "lastmod")
            entries.append(Entry(loc, date, kind))
    return entries


def parse_feed(body: bytes, problems: list[str] | None = None) -> list[Entry]:
    """Entries of an RSS 2.0, RSS 1.0 (RDF) or Atom feed, with their stated date (see parse_sitemap)."""
    root = _root(body, problems)
    entries = []
    for node in root.iter():
        if not isinstance(node.tag, str) or etree.QName(node).localname not in ("item", "entry"):
            continue
        link = _feed_link(node)
        if link:
            date = _child_text(node, "pubDate", "published", "date", "issued", "updated", "modified")
            entries.append(Entry(link, date))
    return entries


def _feed_link(node: etree._Element) -> str | None:
    for child in node:
        if not isinstance(child.tag, str) or etree.QName(child).localname != "link":
            continue
        href = child.get("href")
        if href and child.get("rel", "alternate") == "alternate":
            return str(href).strip()
        if child.text and child.text.strip():
            return str(child.text).strip()
    guid = _child_text(node, "guid")
    return guid if guid and guid.startswith("http") else None


def robots_sitemaps(body: bytes) -> list[str]:
    """The Sitemap: lines of a robots.txt."""
    text = body.decode("utf-8", "replace")
    return [line.split(":", 1)[1].strip() for line in text.splitlines()
            if line.lower().startswith("sitemap:") and line.split(":", 1)[1].strip()]



__all__ = [
    "DiscoveryError",
    "Entry",
    "maybe_gunzip",
    "parse_feed",
    "parse_sitemap",
    "robots_sitemaps",
    "xml_root_name",
]
