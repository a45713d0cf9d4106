"""Crash recovery: make ``.open`` WARC files left by a killed run whole again.

A run killed mid-write (``kill -9``, power loss) leaves ``….warc.gz.open``
possibly ending in a cut gzip member or a record shorter than its
Content-Length. Recovery keeps every record that fully decompresses and parses,
cuts the file after the last one, indexes it (CDXJ) and gives it its final name,
so the next run (and any replay tool) sees only whole records.
"""

from __future__ import annotations

import logging
import os
import zlib
from dataclasses import dataclass
from pathlib import Path
from typing import IO, TYPE_CHECKING

from warcio.archiveiterator import ArchiveIterator
from warcio.exceptions import ArchiveLoadFailed
from warcio.statusandheaders import StatusAndHeadersParserException

from newsbot.warc.index import write_cdxj
from newsbot.warc.naming import OPEN_SUFFIX, WARC_SUFFIXES, cdxj_path, final_path, relative_name

if TYPE_CHECKING:
    from newsbot.state.protocols import PayloadDigests

try:
    import fcntl
except ImportError:  # pragma: no cover - not POSIX
    fcntl = None  # type: ignore[assignment]

logger = logging.getLogger(__name__)

_PARSE_ERRORS = (
    ArchiveLoadFailed,
    StatusAndHeadersParserException,
    EOFError,
    ValueError,
    zlib.error,
)


@dataclass(frozen=True)
class Recovered:
    """What recovery did to one file."""

    path: Path | None  # final name; None when no whole record was left (file removed)
    records: int  # whole records kept
    kept_bytes: int
    cut_bytes: int


def recover_open_files(
    directory: str | Path,
    *,
    root: str | Path | None = None,
    digests: PayloadDigests | None = None,
    cdxj: bool = True,
) -> list[Path]:
    """Recover every ``*.open`` WARC file in `directory`; return the final paths.

    Files still locked by a live writer (another process) are left alone.
    Closed files whose CDXJ is missing (killed while indexing) are indexed.
    `root` and `digests`: when given, payload digests pointing at cut records
    are forgotten (file names relative to `root`, as the writer stores them).
    """
    recovered = []
    for open_path in sorted(Path(directory).glob(f"*.warc*{OPEN_SUFFIX}")):
        result = recover_open_file(open_path, root=root, digests=digests, cdxj=cdxj)
        if result is not None and result.path is not None:
            recovered.append(result.path)
    if cdxj:
        index_unindexed(directory)
    return recovered


def index_unindexed(directory: str | Path) -> list[Path]:
    """Write the missing CDXJ of closed WARC files (a crash while indexing at close)."""
    done = []
    for path in sorted(Path(directory).iterdir()):
        if path.name.endswith(WARC_SUFFIXES) and not cdxj_path(path).exists():
            logger.warning("indexing %s: its CDXJ is missing", path)
            done.append(write_cdxj(path))
    return done


def recover_open_file(
    open_path: Path,
    *,
    root: str | Path | None = None,
    digests: PayloadDigests | None = None,
    cdxj: bool = True,
) -> Recovered | None:
    """Truncate one ``.open`` file to its last whole record, index and rename it.

    Returns None when the file is locked by a live writer.
    """
    with open(open_path, "r+b") as fh:
        if not _try_lock(fh):
            logger.info("skipping %s: a live writer holds it", open_path)
            return None
        size = os.fstat(fh.fileno()).st_size
        gzipped = fh.read(2) == b"\x1f\x8b"  # by content: a name can lie
        records, end = whole_records_end(fh, gzipped=gzipped)
        fh.truncate(end)
        fh.flush()
        os.fsync(fh.fileno())
    cut = size - end
    logger.warning(
        "recovered %s: kept %d records (%d bytes), cut %d bytes", open_path, records, end, cut
    )
    path = final_path(open_path)
    if digests is not None:
        digests.forget_from(relative_name(path, Path(root or open_path.parent)), end)
    if records == 0:
        os.remove(open_path)
        return Recovered(None, 0, 0, cut)
    os.rename(open_path, path)
    if cdxj:
        write_cdxj(path)
    return Recovered(path, records, end, cut)


def whole_records_end(fh: IO[bytes], *, gzipped: bool) -> tuple[int, int]:
    """Count the leading whole records of a WARC stream and the offset just past them.

    A record counts when its block is as long as its Content-Length says, it
    is followed by its two CRLFs and, in a ``.gz`` file, its gzip member ends
    properly (so a member cut in its trailer is cut too).
    """
    fh.seek(0)
    it = ArchiveIterator(fh, no_record_parse=True)
    count = end = 0
    try:
        for record in it:
            declared = int(record.rec_headers.get_header("Content-Length") or -1)
            got = _drain(record.raw_stream)
            offset, length = it.get_record_offset(), it.get_record_length()
            if got != declared:
                break
            if gzipped:
                if not (it.reader.decompressor and it.reader.decompressor.eof):
                    break
                new_end = offset + length
            else:
                new_end = _end_with_crlf(fh, offset + length)
                if new_end < 0:
                    break
            count, end = count + 1, new_end
    except _PARSE_ERRORS as exc:
        logger.info("WARC stream unreadable after offset %d: %s", end, exc)
    return count, end


def _drain(stream: IO[bytes]) -> int:
    total = 0
    while chunk := stream.read(65536):
        total += len(chunk)
    return total


def _end_with_crlf(fh: IO[bytes], block_end: int) -> int:
    """Uncompressed WARC: the record ends after ``\\r\\n\\r\\n``; -1 if they are missing."""
    here = fh.tell()
    fh.seek(block_end)
    tail = fh.read(4)
    fh.seek(here)
    return block_end + 4 if tail == b"\r\n\r\n" else -1


def _try_lock(fh: IO[bytes]) -> bool:
    if fcntl is None:  # pragma: no cover
        return True
    try:
        fcntl.flock(fh.fileno(), fcntl.LOCK_EX | fcntl.LOCK_NB)
    except BlockingIOError:
        return False
    return True
