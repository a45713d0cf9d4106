"""Items passed between the spiders and the pipelines.

`Page` carries a captured HTML response from a spider to the extraction
pipeline; `Article` is what the archives hold. Everything downstream reads
items through ItemAdapter, so these dataclasses are the single definition.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field, fields
from typing import TYPE_CHECKING, Any, TypedDict

if TYPE_CHECKING:
    from newsbot.dates.sitezones import ZoneFacts
    from newsbot.dedup import Signature
    from newsbot.templates import Paragraphs

SCHEMA_VERSION = 1
CONTEXT_VERSION = 1  # of CaptureContext, archived in every WARC metadata record: a file format


class WarcPointer(TypedDict):
    """Where a record's response is in the archive: the `warc` field of the JSONL records."""

    file: str  # relative to ARCHIVE_DIR (or as given, for a replayed file outside it)
    offset: int  # of the response (or revisit) record in the file
    record_id: str  # its WARC-Record-ID


def warc_pointer(file: str, offset: int, record_id: str) -> WarcPointer:
    """The one way a WARC pointer is made (its keys are in the JSONL, in this order)."""
    return {"file": file, "offset": offset, "record_id": record_id}


class CaptureContext(TypedDict, total=False):
    """How a page was reached, archived beside its response (metadata ``newsbot_context``)
    and handed to the workers. ``version`` is CONTEXT_VERSION; a context archived before
    it existed has none and reads as version 1. The pipeline adds ``default_timezone`` and
    ``fetched_at`` for the workers; they are never archived."""

    version: int
    source: str
    timezone: str | None
    hints: dict[str, str]  # sitemap/feed dates of the entry that led here
    candidate: bool  # a start URL, sitemap or feed entry, or a capture of another tool's WARC
    depth: int  # listing pages followed from a start page
    site_zone: str | None  # the site's zone learnt before this run (newsbot.dates.sitezones)
    listed: bool  # what contexts archived before `candidate` said of sitemap/feed entries
    default_timezone: str | None
    fetched_at: str


def capture_context(
    source: str, timezone: str | None, hints: dict[str, str], candidate: bool, depth: int
) -> CaptureContext:
    """A new capture context, of the current version."""
    return {
        "version": CONTEXT_VERSION,
        "source": source,
        "timezone": timezone,
        "hints": hints,
        "candidate": candidate,
        "depth": depth,
    }


@dataclass
class Page:
    """A response the spider judged to be an article page, not yet extracted."""

    url: str
    body: bytes
    encoding: str | None
    seq: int  # article-page sequence number, in capture order
    fetched_at: str
    warc: WarcPointer | None
    context: CaptureContext = field(
        default_factory=lambda: CaptureContext()
    )  # zone, feed date, source


@dataclass
class Article:
    """One article record, as written to the JSONL archives (see schema/article.schema.json)."""

    id: str
    url: str
    canonical_url: str | None = None
    title: str | None = None
    text: str = ""
    authors: list[str] = field(default_factory=list)
    site: str | None = None
    source: str | None = None
    language: str | None = None
    description: str | None = None
    tags: list[str] = field(default_factory=list)
    published: str | None = None
    published_precision: str | None = None
    published_local: str | None = None
    published_raw: str | None = None
    published_source: str | None = None
    modified: str | None = None
    modified_raw: str | None = None
    modified_source: str | None = None
    wires: list[str] = field(default_factory=list)
    duplicate_of: str | None = None
    similarity: float | None = None
    version: int = 1
    supersedes: str | None = None
    fetched_at: str | None = None
    warc: WarcPointer | None = None
    schema_version: int = SCHEMA_VERSION
    # Working fields, never exported: capture order, dedup signature, text hash, and the
    # paragraph hashes of `text` as extracted (for the template stage).
    seq: int = -1
    commit: int | None = None  # the dedup claim's global commit number (WARC metadata only)
    signature: Signature | None = None
    text_hash: str | None = None
    paragraphs: Paragraphs | None = None
    zoning: ZoneFacts | None = None
    zone: str | None = None  # the zone the record's times were read in (archived)


@dataclass(frozen=True)
class PageResult:
    """What an extraction worker sends back for one page (pickled across processes).

    An article has ``fields`` (trafilatura's and the fallbacks' metadata and text) and
    everything the stateful stages would otherwise compute in the crawl process; a page
    with no record has ``no_record`` (a `newsbot.norecord` reason) or ``error``.
    """

    id: str | None = None
    fields: dict[str, Any] | None = None
    dates: dict[str, Any] = field(default_factory=dict)
    timezone: str | None = None  # the site zone the dates were read in
    zoning: ZoneFacts | None = None  # what the dates stage needs to learn the site's zone
    wires: list[str] = field(default_factory=list)
    signature: Signature | None = None
    text_hash: str | None = None
    paragraphs: Paragraphs | None = None
    charset_fallback: bool = False  # the declared encoding was wrong
    no_record: str | None = None
    error: str | None = None


WORKING_FIELDS = ("seq", "commit", "signature", "text_hash", "paragraphs", "zoning", "zone")
EXPORT_FIELDS = tuple(f.name for f in fields(Article) if f.name not in WORKING_FIELDS)


def text_hash(text: str) -> str:
    """`Article.text_hash`: the text with whitespace folded, hashed: "did the article change?"."""
    return hashlib.sha1(" ".join(text.split()).encode("utf-8")).hexdigest()
