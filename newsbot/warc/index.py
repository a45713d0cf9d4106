"""Indexes over WARC files: the CDXJ beside each closed file, and the digest store
(in :mod:`newsbot.state.digests`, the state seam; re-exported here).

The digest store remembers, for each payload digest, the first full capture of
it, so a later capture of identical bytes (this run or a later one, any URL)
becomes a small ``revisit`` record instead of another copy.
"""

from __future__ import annotations

import logging
import os
from pathlib import Path

from warcio.utils import Digester

from newsbot.state.digests import DigestStore
from newsbot.state.protocols import Original
from newsbot.warc.naming import cdxj_path

__all__ = ["CDXJ_RECORDS", "DigestStore", "Original", "payload_digest", "write_cdxj"]

logger = logging.getLogger(__name__)

# Records the CDXJ lists: what a replay tool may serve for a URL. Our metadata
# records carry the page's URL but a JSON payload, so they stay out.
CDXJ_RECORDS = "response,revisit,resource"


def payload_digest(body: bytes) -> str:
    """``sha1:<base32>`` of a payload, exactly as warcio writes WARC-Payload-Digest."""
    digester = Digester("sha1")
    digester.update(body)
    return str(digester)


def write_cdxj(warc_path: Path) -> Path:
    """Index one closed WARC file into ``<name>.cdxj`` beside it (sorted, as pywb expects).

    Written to a temporary name and renamed, so a reader never sees half an index.
    """
    from cdxj_indexer.main import write_cdx_index  # on first use: a replay never indexes

    out = cdxj_path(warc_path)
    tmp = out.with_name(out.name + ".tmp")
    write_cdx_index(
        str(tmp), [str(warc_path)], {"sort": True, "post_append": True, "records": CDXJ_RECORDS}
    )
    os.replace(tmp, out)
    return out
