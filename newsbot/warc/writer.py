"""Write HTTP exchanges to rotating, gzip-per-record WARC 1.1 files through warcio.

How the HTTP messages are serialised (what differs from the wire): see
`newsbot.warc.headers`.

A :class:`WarcArchive` is not thread-safe: call it from one thread (newsbot uses a
dedicated writer thread, which also keeps gzip and CDXJ indexing off the reactor).
"""

from __future__ import annotations

import json
import logging
import os
import socket
import zlib
from collections.abc import Mapping
from datetime import datetime, timezone
from importlib.metadata import version
from io import BytesIO
from pathlib import Path
from typing import IO, TYPE_CHECKING, Any

from warcio.recordloader import ArcWarcRecord
from warcio.warcwriter import WARCWriter

from newsbot import __version__
from newsbot.warc.headers import (
    Exchange,
    Pointer,
    RawHttpHeaders,
    json_default,
    message_protocol,
    request_headers,
    response_headers,
    safe_info,
    warc_date,
    warc_header_fields,
)
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
_WRITER_FIELDS = {"software", "format", "conformsto", "hostname"}  # info cannot override


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

    def __init__(
        self,
        directory: str | Path,
        *,
        root: str | Path | None = None,
        prefix: str = "newsbot",
        max_size: int = 1_000_000_000,
        info: Mapping[str, Any] | None = None,
        host: str | None = None,
        digests: PayloadDigests | None = None,
        cdxj: bool = True,
        compresslevel: int = 6,
        worker: str | None = None,
    ) -> None:
        self.directory = Path(directory)
        self.directory.mkdir(parents=True, exist_ok=True)
        self.root = Path(root) if root is not None else self.directory
        relative_name(self.directory, self.root)  # raises if directory is outside root
        self.prefix = sanitize(prefix, "newsbot")
        self.host = sanitize(host, "localhost") if host else crawler_host()
        self.hostname = host or socket.gethostname()
        self.worker = worker  # NEWSBOT_WORKER_ID when the state is shared: in file names
        self.max_size = max_size
        self.info = {
            k: v for k, v in safe_info(info or {}).items() if k.lower() not in _WRITER_FIELDS
        }
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
            ex.url,
            "request",
            payload=BytesIO(ex.request_body),
            length=len(ex.request_body),
            http_headers=request_headers(ex),
            warc_headers_dict=warc_header_fields(
                "request",
                ex.url,
                date,
                Concurrent_To=record_id,
                Protocol=message_protocol(ex.protocol)[1],
            ),
        )
        offset = self._write(resp, req)
        pointer = Pointer(self._final_name(), offset, record_id, digest, bool(original), date)
        if self.digests is not None and dedupable and not original:
            self.digests.add(digest, Original(ex.url, date, record_id, pointer.file, offset))
        return pointer

    def write_metadata(
        self, about: Pointer | Mapping[str, Any], url: str, fields: Mapping[str, Any]
    ) -> Pointer:
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
        payload = json.dumps(
            dict(fields), ensure_ascii=False, sort_keys=True, default=json_default
        ).encode("utf-8")
        date = warc_date(datetime.now(timezone.utc))
        record = writer.create_warc_record(
            METADATA_URI_PREFIX + url,
            "metadata",
            payload=BytesIO(payload),
            length=len(payload),
            warc_content_type="application/json",
            warc_headers_dict=warc_header_fields(
                "metadata",
                METADATA_URI_PREFIX + url,
                date,
                Refers_To=record_id,
                Concurrent_To=record_id,
            ),
        )
        offset = self._write(record)
        return Pointer(
            self._final_name(),
            offset,
            record.rec_headers.get_header("WARC-Record-ID"),
            record.rec_headers.get_header("WARC-Payload-Digest"),
            False,
            date,
        )

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
    def _response_record(
        writer: WARCWriter, ex: Exchange, date: str, digest: str, headers: RawHttpHeaders
    ) -> ArcWarcRecord:
        warc_headers = warc_header_fields(
            "response",
            ex.url,
            date,
            IP_Address=ex.ip_address,
            Protocol=message_protocol(ex.protocol)[1],
            Payload_Digest=digest,
        )
        return writer.create_warc_record(
            ex.url,
            "response",
            payload=BytesIO(ex.body),
            length=len(ex.body),
            http_headers=headers,
            warc_headers_dict=warc_headers,
        )

    @staticmethod
    def _revisit_record(
        writer: WARCWriter,
        ex: Exchange,
        date: str,
        digest: str,
        headers: RawHttpHeaders,
        original: Original,
    ) -> ArcWarcRecord:
        warc_headers = warc_header_fields(
            "revisit",
            ex.url,
            date,
            IP_Address=ex.ip_address,
            Protocol=message_protocol(ex.protocol)[1],
            Refers_To=original.record_id,
        )
        # warcio adds WARC-Profile (the 1.1 identical-payload-digest profile),
        # WARC-Refers-To-Target-URI, WARC-Refers-To-Date and WARC-Payload-Digest.
        return writer.create_revisit_record(
            ex.url,
            digest,
            original.uri,
            original.date,
            http_headers=headers,
            warc_headers_dict=warc_headers,
        )

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
            logger.error(
                "WARC write failed in %s; cutting back to offset %d", self._open_path, offset
            )
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
        self._writer = WARCWriter(
            _GzipMembers(fh, self.compresslevel), gzip=False, warc_version="1.1"
        )
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
