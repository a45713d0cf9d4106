"""ARC files through warcio's ARC-to-WARC reading, v1 and v2 record lines alike.

warcio splits every ARC record line into ARC v1's five fields, so a v2 line is
read with a wrong URL and date, and it gives each record a random uuid, so two
replays of one ARC would differ. :class:`ArcParser` fixes both.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

from warcio.recordloader import ARC2WARCHeadersParser

ARC_SUFFIXES = (".arc.gz", ".arc")  # read by replay only: crash recovery indexes WARC_SUFFIXES
ARC_PENDING_ID = "<urn:arc:pending>"  # replaced by <urn:arc:FILE:OFFSET> once the offset is known


class ArcParser(ARC2WARCHeadersParser):  # type: ignore[misc]
    """ARC record lines as WARC headers, v1 and v2 alike, with a placeholder record id.

    warcio splits every line into the 5 fields of ARC v1; a v2 line (URL IP date
    type status checksum location offset filename length) is reduced to those 5
    first. A random uuid would make two replays of one ARC differ."""

    def parse(self, stream: Any, headerline: bytes | str | None = None) -> Any:
        if headerline is None:
            headerline = stream.readline()
        return super().parse(stream, _as_arc_v1(headerline))

    def _get_protocol_and_headers(self, headerline: str, parts: list[str]) -> tuple[str, Any]:
        protocol, headers = super()._get_protocol_and_headers(headerline, parts)
        return protocol, [(n, ARC_PENDING_ID if n == "WARC-Record-ID" else v) for n, v in headers]


_ARC_V2 = re.compile(r"(\S+) (\S+) (\d{14}) (\S+) (\S+) (\S+) (\S+) (\d+|-) (\S+) (\d+)\s*")


def _as_arc_v1(line: bytes | str) -> bytes | str:
    text = line.decode("utf-8", "replace") if isinstance(line, bytes) else line
    match = _ARC_V2.fullmatch(text)
    if match is None:
        return line
    return " ".join(match.group(1, 2, 3, 4, 10)) + "\n"


def arc_record_id(path: Path, offset: int) -> str:
    """A stable id for an ARC record, which has none of its own."""
    return f"<urn:arc:{path.name}:{offset}>"
