"""Write HTTP exchanges to rotating, gzip-per-record WARC 1.1 files through warcio.

What a response record holds, compared with the bytes on the wire (Scrapy and
Twisted hand us a parsed response, not the socket's bytes):

* Status line: ``{protocol} {status} {reason}``; when the reason phrase was not
  kept (``reason=None``) the standard phrase of :class:`http.HTTPStatus` stands in.
* Headers: in the order and with the names given, repeated headers repeated,
  values encoded as ISO-8859-1 (decode raw header bytes as latin-1 to round-trip
  them exactly; anything outside latin-1 is written as UTF-8). warcio would
  %-encode non-ASCII values, so the header block is serialised here. A CR or LF
  inside a name or value (impossible on the wire) becomes a space.
* ``Transfer-Encoding: chunked`` is removed, since the body we get has been
  de-chunked; we do not re-chunk (chunk boundaries would be invented). No
  Content-Length is added or changed: the record's end delimits the message, as
  other archivers that decode chunking do. Other transfer-codings stay listed.
* The body is the message body as received after de-chunking: a body sent with
  ``Content-Encoding: gzip`` stays compressed, with its header. WARC-Payload-Digest
  is the SHA-1 of these bytes, i.e. of the entity body without transfer coding,
  as the WARC spec defines the payload.

The request record holds the request line (origin-form target), the headers as
sent (a Host header is put first if missing) and the request body.

A :class:`WarcArchive` is not thread-safe: call it from one thread (newsbot uses a
dedicated writer thread, which also keeps gzip and CDXJ indexing off the reactor).
"""

from __future__ import annotations

import http
import json
import logging
import os
import re
import socket
import zlib
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date as date_type
from datetime import datetime, timezone
from importlib.metadata import version
from io import BytesIO
from pathlib import Path
from typing import IO, TYPE_CHECKING, Any
from urllib.parse import urlsplit

from warcio.recordloader import ArcWarcRecord
from warcio.statusandheaders import StatusAndHeaders, StatusAndHeadersParser
from warcio.timeutils import datetime_to_iso_date
from warcio.warcwriter import WARCWriter

from newsbot import __version__
from newsbot.warc.index import Original, payload_digest, write_cdxj
from newsbot.warc.naming import (
    OPEN_SUFFIX,
    crawler_host,
    final_path,
    relative_name,
    sanitize,
    warc_filename,
)

if TYPE_CHECKING:
    from newsbot.state.protocols import PayloadDigests

try:
    import fcntl
except ImportError:  # pragma: no cover - not POSIX
    fcntl = None  # type: ignore[assignment]

logger = logging.getLogger(__name__)

REVISIT_PROFILE = "http://netpreserve.org/warc/1.1/revisit/identical-payload-digest"
# Metadata records name the page as ``urn:newsbot:metadata:<url>``, not ``<url>``:
# pywb indexes JSON metadata records under their target URI and would serve the
# JSON as the page to a request dated after the capture (as browsertrix's
# ``urn:pageinfo:`` records avoid too). The link to the response is WARC-Refers-To.
METADATA_URI_PREFIX = "urn:newsbot:metadata:"
CONFORMS_TO = "http://iipc.github.io/warc-specifications/specifications/warc-format/warc-1.1/"
_SECRET_KEY = re.compile(r"KEY|SECRET|TOKEN|PASSWORD|PASSWD|CREDENTIAL|PRIVATE", re.IGNORECASE)
_URL_USERINFO = re.compile(r"(//)[^/@\s]+@")
_CRLF = re.compile(r"[\r\n]+")
_WRITER_FIELDS = {"software", "format", "conformsto", "hostname"}  # info cannot override


@dataclass(frozen=True)
class Exchange:
    """One HTTP exchange as seen on the wire (see the module docstring for the caveats)."""

    url: str
    method: str
    request_headers: list[tuple[str, str]]
    request_body: bytes
    status: int
    reason: str | None
    protocol: str
    response_headers: list[tuple[str, str]]
    body: bytes
    ip_address: str | None
    date: datetime


@dataclass(frozen=True)
class Pointer:
    """Where a capture's response (or revisit) record is."""

    file: str          # relative to the archive root, final name (never ``.open``)
    offset: int
    record_id: str
    payload_digest: str
    revisit: bool
    date: str          # WARC-Date


class _RawHttpHeaders(StatusAndHeaders):  # type: ignore[misc]
    """StatusAndHeaders serialised to bytes we built, so warcio cannot re-encode them."""

    def __init__(self, raw: bytes, statusline: str, headers: list[tuple[str, str]],
                 protocol: str) -> None:
        super().__init__(statusline, headers, protocol=protocol)
        self._raw = raw

    def compute_headers_buffer(self, header_filter: Any = None) -> None:
        self.headers_buff = self._raw


class _GzipMembers:
    """One gzip member per record, at a chosen level (warcio hard-codes level 9).

    warcio's writer flushes its output after every record; each flush ends the
    member. Level 6 makes files about 0.6% larger than 9 at 60% of the time
    (measured on the benchmark pages: 6.2 vs 10.2 ms a page).
    """

    def __init__(self, out: IO[bytes], level: int) -> None:
        self.out = out
        self.level = level
        self._member: Any = None

    def write(self, data: bytes) -> None:
        if self._member is None:
            self._member = zlib.compressobj(self.level, zlib.DEFLATED, zlib.MAX_WBITS + 16)
        self.out.write(self._member.compress(data))

    def abandon(self) -> None:
        """Forget a member cut short by a failed write (the caller truncates the file)."""
        self._member = None

    def flush(self) -> None:
        if self._member is not None:
            self.out.write(self._member.flush())
            self._member = None
        self.out.flush()


def _clean(text: str) -> str:
    return _CRLF.sub(" ", text)


def _encode_line(text: str) -> bytes:
    try:
        return text.encode("latin-1")
    except UnicodeEncodeError:
        return text.encode("utf-8")


def _http_block(first_line: str, headers: list[tuple[str, str]]) -> _RawHttpHeaders:
    """Serialise a start line and headers; warcio's parsed view splits the line once,
    as it does when reading (protocol or verb first)."""
    lines = [_encode_line(_clean(first_line))]
    lines += [_encode_line(f"{_clean(name)}: {_clean(value)}") for name, value in headers]
    raw = b"\r\n".join(lines) + b"\r\n\r\n"
    head, _, rest = first_line.partition(" ")
    return _RawHttpHeaders(raw, rest, headers, head)


def _without_chunked(headers: list[tuple[str, str]]) -> list[tuple[str, str]]:
    """Drop the ``chunked`` transfer-coding: the body we hold is de-chunked."""
    kept = []
    for name, value in headers:
        if name.lower() == "transfer-encoding":
            codings = [c.strip() for c in value.split(",") if c.strip().lower() != "chunked"]
            if not codings:
                continue
            value = ", ".join(codings)
        kept.append((name, value))
    return kept


def message_protocol(protocol: str) -> tuple[str, str | None]:
    """(version for the HTTP/1-syntax message, WARC-Protocol value or None).

    HTTP/2 and 3 have no text status line; as the IIPC HTTP/2 proposals advise
    (and StormCrawler, Nutch do), the message is written as HTTP/1.1 so every
    WARC reader parses it, and ``WARC-Protocol: h2`` (or ``h3``) says what was used.
    """
    if protocol.upper().startswith("HTTP/1."):
        return protocol.upper(), None
    major = protocol.lower().removeprefix("http/").removeprefix("h").split(".")[0]
    return "HTTP/1.1", f"h{major}" if major.isdigit() else protocol.lower()


def reason_phrase(status: int) -> str:
    """The standard reason phrase of a status ('' for one http.HTTPStatus does not know)."""
    try:
        return http.HTTPStatus(status).phrase
    except ValueError:
        return ""


def response_headers(ex: Exchange) -> _RawHttpHeaders:
    """The response's status line and headers as they go into the record."""
    reason = ex.reason if ex.reason is not None else reason_phrase(ex.status)
    version, _ = message_protocol(ex.protocol)
    return _http_block(f"{version} {ex.status} {reason}", _without_chunked(ex.response_headers))


def request_headers(ex: Exchange) -> _RawHttpHeaders:
    """The request line (origin-form) and headers as sent, with a Host header."""
    parts = urlsplit(ex.url)
    target = (parts.path or "/") + (f"?{parts.query}" if parts.query else "")
    headers = list(ex.request_headers)
    if not any(name.lower() == "host" for name, _ in headers):
        headers.insert(0, ("Host", parts.netloc.rpartition("@")[2]))
    version, _ = message_protocol(ex.protocol)
    return _http_block(f"{ex.method} {target} {version}", headers)


def _warc_headers(rec_type: str, url: str, date: str, **extra: str | None) -> dict[str, str]:
    """WARC headers in the conventional order (warcio appends WARC-Type and the id last).

    Keyword names map to header names: ``Refers_To`` -> ``WARC-Refers-To``.
    """
    headers = {"WARC-Type": rec_type, "WARC-Record-ID": StatusAndHeadersParser.make_warc_id(),
               "WARC-Target-URI": url, "WARC-Date": date}
    headers.update({"WARC-" + k.replace("_", "-"): v for k, v in extra.items() if v})
    return headers


def _json_default(value: Any) -> str:
    if isinstance(value, (datetime, date_type)):
        return value.isoformat()
    return str(value)


def warc_date(when: datetime) -> str:
    """ISO 8601 UTC with ``Z``, microseconds when present (WARC 1.1 allows them)."""
    if when.tzinfo is None:
        raise ValueError("capture dates must be timezone-aware (UTC)")
    naive = when.astimezone(timezone.utc).replace(tzinfo=None)
    return str(datetime_to_iso_date(naive, use_micros=True))


def safe_info(info: Mapping[str, Any]) -> dict[str, str]:
    """Warcinfo fields from `info`, without keys that look secret or URL credentials.

    The caller already passes an allow-listed mapping; this is defence in depth.
    """
    kept: dict[str, str] = {}
    for key, value in info.items():
        if _SECRET_KEY.search(key):
            logger.warning("warcinfo: dropped field %r: its name looks secret", key)
            continue
        if value is None or value == "":
            continue
        text = value if isinstance(value, str) else json.dumps(value, default=str)
        kept[_clean(key).replace(":", "_")] = _URL_USERINFO.sub(r"\1", _clean(text))
    return kept


class WarcArchive:
    """Rotating WARC files in `directory`, named ``{prefix}-{ts17}-{serial}-{host}.warc.gz``.

    Files are opened lazily (no empty WARC when nothing is captured) and written
    as ``….open`` under an exclusive ``flock``, so :func:`recover_open_files` in
    another process leaves a live file alone. A file that has passed `max_size`
    is closed before the next exchange is written, so an exchange and the
    metadata written right after it share a file. Closing renames the file,
    fsyncs it and, if `cdxj`, writes ``<name>.cdxj`` beside it.
    Each record is flushed as written: a ``kill -9`` loses at most the record in
    flight, which recovery then cuts. One thread only (see the module docstring).
    """

    def __init__(self, directory: str | Path, *, root: str | Path | None = None,
                 prefix: str = "newsbot", max_size: int = 1_000_000_000,
                 info: Mapping[str, Any] | None = None, host: str | None = None,
                 digests: PayloadDigests | None = None, cdxj: bool = True,
                 compresslevel: int = 6, worker: str | None = None) -> None:
        self.directory = Path(directory)
        self.directory.mkdir(parents=True, exist_ok=True)
        self.root = Path(root) if root is not None else self.directory
        relative_name(self.directory, self.root)  # raises if directory is outside root
        self.prefix = sanitize(prefix, "newsbot")
        self.host = sanitize(host, "localhost") if host else crawler_host()
        self.hostname = host or socket.gethostname()
        self.worker = worker  # NEWSBOT_WORKER_ID when the state is shared: in file names
        self.max_size = max_size
        self.info = {k: v for k, v in safe_info(info or {}).items()
                     if k.lower() not in _WRITER_FIELDS}
        self.digests = digests
        self.cdxj = cdxj
        self.compresslevel = compresslevel
        self._serial = 0
        self._fh: IO[bytes] | None = None
        self._open_path: Path | None = None
        self._writer: WARCWriter | None = None
        self._closed: list[Path] = []

    # -- public API --------------------------------------------------------

    def write_exchange(self, ex: Exchange) -> Pointer:
        """Write the response (or a revisit) and its request; return where the response is."""
        if self._fh is not None and self._fh.tell() >= self.max_size:
            self._finish()
        date = warc_date(ex.date)  # refuses naive dates before a file is opened
        writer, _ = self._current()
        resp_headers = response_headers(ex)
        digest = payload_digest(ex.body)
        dedupable = 200 <= ex.status < 300 and bool(ex.body)
        original = self.digests.get(digest) if (self.digests is not None and dedupable) else None
        if original:
            resp = self._revisit_record(writer, ex, date, digest, resp_headers, original)
        else:
            resp = self._response_record(writer, ex, date, digest, resp_headers)
        record_id = resp.rec_headers.get_header("WARC-Record-ID")
        req = writer.create_warc_record(
            ex.url, "request", payload=BytesIO(ex.request_body), length=len(ex.request_body),
            http_headers=request_headers(ex),
            warc_headers_dict=_warc_headers("request", ex.url, date, Concurrent_To=record_id,
                                            Protocol=message_protocol(ex.protocol)[1]))
        offset = self._write(resp, req)
        pointer = Pointer(self._final_name(), offset, record_id, digest, bool(original), date)
        if self.digests is not None and dedupable and not original:
            self.digests.add(digest, Original(ex.url, date, record_id, pointer.file, offset))
        return pointer

    def write_metadata(self, about: Pointer | Mapping[str, Any], url: str,
                       fields: Mapping[str, Any]) -> Pointer:
        """Archive the capture context of `about` as a JSON ``metadata`` record.

        `about` is the response's Pointer, or a mapping with its ``record_id``
        (a pointer that travelled in an item). The record names the response with
        WARC-Refers-To and WARC-Concurrent-To, so :func:`iter_captures` hands the
        fields back with the capture on replay (it looks in the response's file
        and the next one); its target URI is `url` behind
        :data:`METADATA_URI_PREFIX` (see there why). Its WARC-Date is the time
        of writing.
        """
        record_id = about.record_id if isinstance(about, Pointer) else str(about["record_id"])
        writer, _ = self._current()
        payload = json.dumps(dict(fields), ensure_ascii=False, sort_keys=True,
                             default=_json_default).encode("utf-8")
        date = warc_date(datetime.now(timezone.utc))
        record = writer.create_warc_record(
            METADATA_URI_PREFIX + url, "metadata", payload=BytesIO(payload),
            length=len(payload), warc_content_type="application/json",
            warc_headers_dict=_warc_headers("metadata", METADATA_URI_PREFIX + url, date,
                                            Refers_To=record_id, Concurrent_To=record_id))
        offset = self._write(record)
        return Pointer(self._final_name(), offset, record.rec_headers.get_header("WARC-Record-ID"),
                       record.rec_headers.get_header("WARC-Payload-Digest"), False, date)

    def close(self) -> list[Path]:
        """Close the current file; return the files closed since the last call.

        That includes files closed by rotation. The archive stays usable: the
        next write opens a new file.
        """
        if self._fh is not None:
            self._finish()
        closed, self._closed = self._closed, []
        return closed

    def __enter__(self) -> WarcArchive:  # noqa: PYI034 - typing.Self needs 3.11
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    # -- records -----------------------------------------------------------

    @staticmethod
    def _response_record(writer: WARCWriter, ex: Exchange, date: str, digest: str,
                         headers: _RawHttpHeaders) -> ArcWarcRecord:
        warc_headers = _warc_headers("response", ex.url, date, IP_Address=ex.ip_address,
                                     Protocol=message_protocol(ex.protocol)[1],
                                     Payload_Digest=digest)
        return writer.create_warc_record(ex.url, "response", payload=BytesIO(ex.body),
                                         length=len(ex.body), http_headers=headers,
                                         warc_headers_dict=warc_headers)

    @staticmethod
    def _revisit_record(writer: WARCWriter, ex: Exchange, date: str, digest: str,
                        headers: _RawHttpHeaders, original: Original) -> ArcWarcRecord:
        warc_headers = _warc_headers("revisit", ex.url, date, IP_Address=ex.ip_address,
                                     Protocol=message_protocol(ex.protocol)[1],
                                     Refers_To=original.record_id)
        # warcio adds WARC-Profile (the 1.1 identical-payload-digest profile),
        # WARC-Refers-To-Target-URI, WARC-Refers-To-Date and WARC-Payload-Digest.
        return writer.create_revisit_record(ex.url, digest, original.uri, original.date,
                                            http_headers=headers,
                                            warc_headers_dict=warc_headers)

    # -- files ---------------------------------------------------------------

    def _current(self) -> tuple[WARCWriter, IO[bytes]]:
        if self._fh is None or self._writer is None:
            self._open()
        assert self._writer is not None and self._fh is not None
        return self._writer, self._fh

    def _write(self, *records: ArcWarcRecord) -> int:
        """Write `records` together; on failure cut them all off again, then re-raise."""
        writer, fh = self._current()
        offset = fh.tell()
        try:
            for record in records:
                writer.write_record(record)
        except BaseException:
            logger.error("WARC write failed in %s; cutting back to offset %d",
                         self._open_path, offset)
            writer.out.abandon()
            fh.seek(offset)
            fh.truncate()
            raise
        return offset

    def _final_name(self) -> str:
        assert self._open_path is not None
        return relative_name(final_path(self._open_path), self.root)

    def _open(self) -> None:
        while True:
            name = warc_filename(self.prefix, self._serial, self.host, worker=self.worker)
            path = self.directory / (name + OPEN_SUFFIX)
            self._serial += 1
            if (self.directory / name).exists():
                continue
            try:
                fh = open(path, "xb")  # noqa: SIM115 - held open until _finish()
            except FileExistsError:
                continue
            break
        if fcntl is not None:
            fcntl.flock(fh.fileno(), fcntl.LOCK_EX | fcntl.LOCK_NB)
        self._fh, self._open_path = fh, path
        self._writer = WARCWriter(_GzipMembers(fh, self.compresslevel), gzip=False,
                                  warc_version="1.1")
        self._writer.write_record(self._writer.create_warcinfo_record(name, self._warcinfo()))
        logger.info("opened WARC file %s", path)

    def _warcinfo(self) -> dict[str, str]:
        fields = {
            "software": f"newsbot/{__version__} (warcio/{version('warcio')})",
            "format": "WARC File Format 1.1",
            "conformsTo": CONFORMS_TO,
            "hostname": self.hostname,
        }
        return {**fields, **self.info}

    def _finish(self) -> None:
        assert self._fh is not None and self._open_path is not None
        fh, open_path = self._fh, self._open_path
        self._fh = self._writer = self._open_path = None
        fh.flush()
        os.fsync(fh.fileno())
        fh.close()  # releases the flock
        path = final_path(open_path)
        os.rename(open_path, path)
        logger.info("closed WARC file %s", path)
        if self.cdxj:
            write_cdxj(path)
        self._closed.append(path)
