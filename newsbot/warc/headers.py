"""What the records say: HTTP messages and WARC headers serialised for warcio.

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
"""

from __future__ import annotations

import http
import json
import logging
import re
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date as date_type
from datetime import datetime, timezone
from typing import Any
from urllib.parse import urlsplit

from warcio.statusandheaders import StatusAndHeaders, StatusAndHeadersParser
from warcio.timeutils import datetime_to_iso_date

logger = logging.getLogger(__name__)

_SECRET_KEY = re.compile(r"KEY|SECRET|TOKEN|PASSWORD|PASSWD|CREDENTIAL|PRIVATE", re.IGNORECASE)
_URL_USERINFO = re.compile(r"(//)[^/@\s]+@")
_CRLF = re.compile(r"[\r\n]+")


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

    file: str  # relative to the archive root, final name (never ``.open``)
    offset: int
    record_id: str
    payload_digest: str
    revisit: bool
    date: str  # WARC-Date


class RawHttpHeaders(StatusAndHeaders):  # type: ignore[misc]
    """StatusAndHeaders serialised to bytes we built, so warcio cannot re-encode them."""

    def __init__(
        self, raw: bytes, statusline: str, headers: list[tuple[str, str]], protocol: str
    ) -> None:
        super().__init__(statusline, headers, protocol=protocol)
        self._raw = raw

    def compute_headers_buffer(self, header_filter: Any = None) -> None:
        self.headers_buff = self._raw


def _clean(text: str) -> str:
    return _CRLF.sub(" ", text)


def _encode_line(text: str) -> bytes:
    try:
        return text.encode("latin-1")
    except UnicodeEncodeError:
        return text.encode("utf-8")


def _http_block(first_line: str, headers: list[tuple[str, str]]) -> RawHttpHeaders:
    """Serialise a start line and headers; warcio's parsed view splits the line once,
    as it does when reading (protocol or verb first)."""
    lines = [_encode_line(_clean(first_line))]
    lines += [_encode_line(f"{_clean(name)}: {_clean(value)}") for name, value in headers]
    raw = b"\r\n".join(lines) + b"\r\n\r\n"
    head, _, rest = first_line.partition(" ")
    return RawHttpHeaders(raw, rest, headers, head)


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


def response_headers(ex: Exchange) -> RawHttpHeaders:
    """The response's status line and headers as they go into the record."""
    reason = ex.reason if ex.reason is not None else reason_phrase(ex.status)
    version, _ = message_protocol(ex.protocol)
    return _http_block(f"{version} {ex.status} {reason}", _without_chunked(ex.response_headers))


def request_headers(ex: Exchange) -> RawHttpHeaders:
    """The request line (origin-form) and headers as sent, with a Host header."""
    parts = urlsplit(ex.url)
    target = (parts.path or "/") + (f"?{parts.query}" if parts.query else "")
    headers = list(ex.request_headers)
    if not any(name.lower() == "host" for name, _ in headers):
        headers.insert(0, ("Host", parts.netloc.rpartition("@")[2]))
    version, _ = message_protocol(ex.protocol)
    return _http_block(f"{ex.method} {target} {version}", headers)


def warc_header_fields(rec_type: str, url: str, date: str, **extra: str | None) -> dict[str, str]:
    """WARC headers in the conventional order (warcio appends WARC-Type and the id last).

    Keyword names map to header names: ``Refers_To`` -> ``WARC-Refers-To``.
    """
    headers = {
        "WARC-Type": rec_type,
        "WARC-Record-ID": StatusAndHeadersParser.make_warc_id(),
        "WARC-Target-URI": url,
        "WARC-Date": date,
    }
    headers.update({"WARC-" + k.replace("_", "-"): v for k, v in extra.items() if v})
    return headers


def json_default(value: Any) -> str:
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
