"""One WARC or ARC file's records, read as far as they go, and no further.

warcio, on a damaged file, either raises (its generator then dies, and a caller
that did not guard it loses the file and its own read-ahead) or writes to
stderr and carries on (a corrupt gzip member gives a truncated body and a
normal end; a wrong Content-Length gives a warning). :func:`read_file` turns
each of these into one of two outcomes the replay can count:

- a **bad record** (its headers parse, but it has no target URI, a bad status
  line, a bad Content-Length or a body that does not decode): skipped, counted
  in `FileResult.bad_records`, one WARNING;
- a **framing error** (bad gzip member, bad chunk, truncation, unreadable
  record line): the file ends there, every record before it kept, and
  `FileResult.cut` says where and why, in one WARNING.

It also reads what warcio alone does not: whole-file gzip (re-read as one
stream, offsets then uncompressed) and, through :mod:`newsbot.warc.arc`, ARC v2
record lines with deterministic record ids.
"""

from __future__ import annotations

import gzip
import logging
import re
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import IO, Any

from warcio.archiveiterator import ArchiveIterator
from warcio.bufferedreaders import BufferedReader, ChunkedDataException
from warcio.exceptions import ArchiveLoadFailed
from warcio.recordloader import ArcWarcRecord
from warcio.statusandheaders import StatusAndHeadersParserException
from warcio.utils import BUFF_SIZE

from newsbot.warc import codecs
from newsbot.warc.arc import ARC_PENDING_ID, ARC_SUFFIXES, ArcParser, arc_record_id
from newsbot.warc.strict import (
    BodyError,
    BodyReader,
    ChunkedReader,
    FileReader,
    FramingError,
    capturing,
)

__all__ = [
    "ARC_SUFFIXES",
    "BadRecord",
    "FileResult",
    "FramingError",
    "Item",
    "read_file",
    "read_one",
]

logger = logging.getLogger(__name__)

HTTP_SCHEMES = ("http:", "https:")
_NOT_PER_RECORD = "non-chunked gzip"  # warcio's message for a whole-file gzip

codecs.register()


class BadRecord(ValueError):
    """A record that cannot be a capture; the records after it are still readable."""


@dataclass
class FileResult:
    """What reading one file achieved: for the replay's counts and summary."""

    path: Path
    records: int = 0
    bad_records: int = 0
    cut: tuple[int, str] | None = None  # (offset, cause) when the file was not read to its end
    whole_file_gzip: bool = False  # offsets are then positions in the uncompressed stream
    quiet: bool = False  # a scan of headers: the reading pass logs the problems


@dataclass
class Item:
    """An HTTP response or revisit (with `body` decoded) or a metadata record (raw `body`)."""

    record: ArcWarcRecord
    offset: int
    record_id: str
    body: bytes
    decoded: bool = False  # a content coding was undone
    whole_file_gzip: bool = False  # `offset` is a position in the uncompressed stream


# --- reading a file ------------------------------------------------------------------


def _iterator(fh: IO[bytes]) -> ArchiveIterator:
    it = ArchiveIterator(fh, no_record_parse=True, arc2warc=True)
    it.reader = FileReader(it.fh, block_size=BUFF_SIZE)
    it.loader.arc_parser = ArcParser()
    return it


def read_file(path: Path, result: FileResult, *, bodies: bool = True) -> Iterator[Item]:
    """The HTTP responses, revisits and metadata records of `path`, as far as it reads.

    `bodies`: read response bodies (else `Item.body` is empty: for scans of headers).
    Never raises for a damaged file: `result` records what happened."""
    done = 0
    while True:
        try:
            yield from _read(path, result, bodies, gunzip=result.whole_file_gzip, skip=done)
            return
        except OSError as exc:  # (while opening: errors while reading are caught in _read)
            _cut(result, path, 0, f"cannot open: {exc}")
            return
        except _WholeFileGzip as exc:
            done = exc.records
            result.whole_file_gzip = True
            if not result.quiet:
                logger.info(
                    "%s is one gzip stream, not gzip per record: read sequentially, "
                    "offsets are uncompressed positions",
                    path,
                )


class _WholeFileGzip(Exception):
    def __init__(self, records: int) -> None:
        super().__init__(records)
        self.records = records


def _read(
    path: Path, result: FileResult, bodies: bool, *, gunzip: bool, skip: int
) -> Iterator[Item]:
    messages: list[str] = []
    offset, seen = 0, 0
    with open(path, "rb") as raw, gzip.open(raw) if gunzip else raw as fh:
        it = _iterator(fh)  # type: ignore[arg-type]  # a GzipFile reads bytes too
        records = iter(it)
        while True:
            with capturing(messages):
                try:
                    offset = it.offset
                    record = next(records, None)
                    if record is None:
                        return
                    offset, seen = it.offset, seen + 1
                    item = None if seen <= skip else _item(it, record, path, offset, bodies, result)
                    it.read_to_end()
                    _check_complete(record)
                    result.records += seen > skip
                    if messages:  # warcio found no blank line where the record should end
                        _bad(result, path, offset, _length_mismatch(messages))
                        item = None
                except ArchiveLoadFailed as exc:
                    if _NOT_PER_RECORD in str(exc) and not gunzip:
                        raise _WholeFileGzip(seen) from None
                    _cut(result, path, it.offset, _first_line(exc))
                    return
                except FramingError as exc:
                    _cut(result, path, offset, str(exc))
                    return
                except Exception as exc:  # noqa: BLE001 - any failure inside warcio ends the file
                    _cut(result, path, offset, f"{type(exc).__name__}: {_first_line(exc)}")
                    return
            if item is not None:
                yield item


def _item(
    it: ArchiveIterator,
    record: ArcWarcRecord,
    path: Path,
    offset: int,
    bodies: bool,
    result: FileResult,
) -> Item | None:
    """The record as an Item, or None when it is not one we read (or bad, then counted)."""
    try:
        _check_length(it, record)
        record_id = record.rec_headers.get_header("WARC-Record-ID") or ""
        if record_id == ARC_PENDING_ID:
            record_id = arc_record_id(path, offset)
        if record.rec_type == "metadata":
            return Item(
                record,
                offset,
                record_id,
                _read_all(record.raw_stream),
                whole_file_gzip=result.whole_file_gzip,
            )
        if not _parse_http(it, record):
            return None
        body, decoded = read_body(record) if bodies else (b"", False)
        return Item(record, offset, record_id, body, decoded, result.whole_file_gzip)
    except BadRecord as exc:
        _bad(result, path, offset, str(exc))
        return None


def _check_length(it: ArchiveIterator, record: ArcWarcRecord) -> None:
    """A record without a usable Content-Length is skipped: reading goes on at the next
    gzip member or (uncompressed) at the next line that opens a WARC record."""
    value = record.rec_headers.get_header("Content-Length")
    if value is not None and value.strip().isdigit():
        return
    cause = "no Content-Length" if value is None else f"bad Content-Length {value!r}"
    if it.reader.decompressor is not None:
        while it.reader.read(BUFF_SIZE):  # the rest of this gzip member
            pass
    elif not _to_next_warc_record(it):
        raise FramingError(f"{cause}, and no record after it")
    raise BadRecord(cause)


_WARC_LINE = re.compile(rb"WARC/\d+\.\d+\r?\n")


def _to_next_warc_record(it: ArchiveIterator) -> bool:
    """Move `it` to the next line of an uncompressed file that opens a WARC record (as
    warcio's own read_to_end leaves it after a record); False at the end of the file."""
    start = it.offset
    while line := it.reader.readline():
        if _WARC_LINE.fullmatch(line):
            it.next_line = line
            it.offset = it.fh.tell() - it.reader.rem_length() - len(line)
            it.member_info = (start, it.offset - start)
            return True
    return False


def _check_complete(record: ArcWarcRecord) -> None:
    """Every record, read or skipped, must hold as many bytes as its length says."""
    missing = getattr(record.raw_stream, "limit", 0)
    if missing > 0:
        raise FramingError(f"truncated: {missing} bytes of the record missing")


def _parse_http(it: ArchiveIterator, record: ArcWarcRecord) -> bool:
    """Parse the HTTP headers of a response or revisit (warcio's own parse raises inside
    its iterator, which then dies); False for records that are not HTTP captures. A
    ``resource`` record of an http(s) URL (warcit, some browser tools) is a 200 response
    whose headers are its Content-Type."""
    if record.rec_type not in ("response", "revisit", "resource"):
        return False
    uri = record.rec_headers.get_header("WARC-Target-URI")
    if not uri and record.rec_type != "resource":
        raise BadRecord(f"{record.rec_type} record without WARC-Target-URI")
    if not uri or not uri.startswith(HTTP_SCHEMES):
        return False
    if record.rec_type == "resource":
        record.http_headers = it.loader.default_http_headers(record.length, record.content_type)
        return True
    try:
        headers = it.loader.load_http_headers(
            record.rec_type, uri, record.raw_stream, record.length
        )
    except (StatusAndHeadersParserException, EOFError) as exc:
        raise BadRecord(f"bad HTTP status line: {_first_line(exc)}") from exc
    if headers is None and record.rec_type == "response":
        raise BadRecord("response record without an HTTP message")
    if headers is None:
        return False  # a revisit without HTTP headers: nothing to replay
    code = headers.get_statuscode() or ""
    if not (code.isdigit() and len(code) == 3):
        raise BadRecord(f"bad HTTP status {code!r} in {headers.statusline!r}")
    record.http_headers = headers
    return True


def read_body(record: ArcWarcRecord) -> tuple[bytes, bool]:
    """The payload with chunking and a supported content coding undone, read to the end of
    the record (a payload shorter than the record's length is a truncated file)."""
    encoding = (record.http_headers.get_header("Content-Encoding") or "").strip().lower()
    if encoding not in BufferedReader.get_supported_decompressors():
        encoding = ""
    chunked = (record.http_headers.get_header("Transfer-Encoding") or "").strip().lower()
    stream: Any = record.raw_stream
    if chunked == "chunked":
        stream = ChunkedReader(stream, decomp_type=encoding or None)
    elif encoding:
        stream = BodyReader(stream, decomp_type=encoding)
    try:
        body = _read_all(stream)
    except BodyError as exc:
        raise BadRecord(f"body does not decode as {encoding}: {exc}") from exc
    except ChunkedDataException as exc:
        raise FramingError(f"bad chunk: {_first_line(exc)}") from exc
    _read_all(record.raw_stream)  # a chunked body's trailer
    _check_complete(record)
    return body, bool(encoding)


def _read_all(stream: Any) -> bytes:
    parts = []
    while part := stream.read(BUFF_SIZE):
        parts.append(part)
    return b"".join(parts)


def _length_mismatch(messages: list[str]) -> str:
    said = " ".join(messages)
    messages.clear()
    if "not followed by newline" in said:
        return "record longer than its Content-Length (no blank line where it should end)"
    return f"warcio: {said[:300]}"


def _first_line(exc: BaseException) -> str:
    text = " ".join(str(exc).split()) or type(exc).__name__
    return text[:300]


def _bad(result: FileResult, path: Path, offset: int, cause: str) -> None:
    result.bad_records += 1
    if not result.quiet:
        logger.warning("bad record skipped: %s at offset %d: %s", path, offset, cause)


def _cut(result: FileResult, path: Path, offset: int, cause: str) -> None:
    result.cut = (offset, cause)
    if not result.quiet:
        logger.warning(
            "file cut short: %s at offset %d: %s (%d records read before)",
            path,
            offset,
            cause,
            result.records,
        )


def read_one(path: Path, offset: int, *, whole_file_gzip: bool = False) -> Item | None:
    """The capture at `offset` of `path` (a revisit's original), or None if unreadable."""
    result = FileResult(path)
    with open(path, "rb") as raw, gzip.open(raw) if whole_file_gzip else raw as fh:
        fh.seek(offset)
        messages: list[str] = []
        with capturing(messages):
            try:
                it = _iterator(fh)  # type: ignore[arg-type]
                record = next(iter(it))
                return _item(it, record, path, offset, True, result)
            except Exception as exc:  # noqa: BLE001 - a damaged original is just not found
                logger.warning(
                    "original at %s offset %d unreadable: %s", path, offset, _first_line(exc)
                )
                return None
