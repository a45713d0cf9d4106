"""Items passed between the spiders and the pipelines.

`Page` carries a captured HTML response from a spider to the extraction
pipeline; `Article` is what the archives hold. Everything downstream reads
items through ItemAdapter, so these dataclasses are the single definition.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field, fields
from typing import Any

SCHEMA_VERSION = 1


@dataclass
class Page:
    """A response the spider judged to be an article page, not yet extracted."""

    url: str
    body: bytes
    encoding: str | None
    seq: int  # article-page sequence number, in capture order
    fetched_at: str
    warc: dict[str, Any] | None
    context: dict[str, Any] = field(default_factory=dict)  # site zone, feed/sitemap date, source


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
    warc: dict[str, Any] | None = None
    schema_version: int = SCHEMA_VERSION
    # Working fields, never exported: capture order, dedup signature, text hash, and the
    # paragraph hashes of `text` as extracted (for the template stage).
    seq: int = -1
    signature: Any = None
    text_hash: str | None = None
    paragraphs: Any = None


WORKING_FIELDS = ("seq", "signature", "text_hash", "paragraphs")
EXPORT_FIELDS = tuple(f.name for f in fields(Article) if f.name not in WORKING_FIELDS)


def text_hash(text: str) -> str:
    """`Article.text_hash`: the text with whitespace folded, hashed: "did the article change?"."""
    return hashlib.sha1(" ".join(text.split()).encode("utf-8")).hexdigest()
