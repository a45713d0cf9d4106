"""Read HTTP captures back from WARC and ARC files, ours or other tools', for replay.

:func:`iter_captures` yields each HTTP ``response`` (and ``revisit``, with the
original payload filled in) in file order, with the body decoded and the JSON
``metadata`` records about it merged in. It reads WARC 0.17 to 1.1 and ARC v1
and v2, gzipped per record, as one gzip stream, or not at all, from newsbot,
warcio, wget and Heritrix layouts; non-HTTP records (``dns:``, ``whois:``,
warcinfo, requests, resources, warc-fields metadata) are skipped. Damaged
files are read as far as they go (see :mod:`newsbot.warc.records`), and a
:class:`ReadReport` says, per file, how far that was.
"""

from __future__ import annotations

import glob
import json
import logging
from collections import deque
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from warcio.recordloader import ArcWarcRecord

from newsbot.warc.naming import OPEN_SUFFIX, WARC_SUFFIXES
from newsbot.warc.records import ARC_SUFFIXES, FileResult, Item, read_file, read_one

logger = logging.getLogger(__name__)


@dataclass
class Capture:
    """One archived HTTP response, ready to be turned into a replayed response."""

    url: str
    status: int
    headers: list[tuple[str, str]]  # as archived (Content-Encoding etc. still listed)
    body: bytes  # decoded: chunking and content-encoding undone
    date: str  # WARC-Date
    record_id: str
    file: str
    offset: int
    ip: str | None = None
    protocol: str = "HTTP/1.1"
    revisit: bool = False  # True: body comes from the original capture
    resolved: bool = True  # False: a revisit whose original was not found
    payload_digest: str | None = None
    decoded: bool = False  # True when a Content-Encoding was undone
    metadata: dict[str, Any] = field(default_factory=dict)

    def replay_headers(self) -> list[tuple[str, str]]:
        """Headers that describe `body` as held: without the codings that were undone.

        Transfer-Encoding always goes (bodies are de-chunked); Content-Encoding and
        Content-Length go when a content coding was decoded.
        """
        drop = {"transfer-encoding"}
        if self.decoded:
            drop |= {"content-encoding", "content-length"}
        return [(n, v) for n, v in self.headers if n.lower() not in drop]


def iter_captures(
    paths: str | Path | Iterable[str | Path],
    *,
    root: str | Path | None = None,
    skip_unresolved: bool = True,
    metadata_window: int | None = None,
    report: ReadReport | None = None,
    originals: Iterable[str | Path] | None = None,
) -> Iterator[Capture]:
    """Yield the HTTP captures of `paths` in file order.

    `paths`: a file, a folder (its WARC and ARC files, sorted by name),
    a glob, or an iterable of these. `root`: report ``Capture.file`` relative to
    it (else the path as found). Metadata is merged from JSON ``metadata``
    records naming the response (WARC-Refers-To or WARC-Concurrent-To) anywhere
    after it in its file or in the next one (a writer may rotate in between):
    each file's metadata is read in a quick first pass. A revisit whose
    original is not in these files is skipped with a warning, or yielded with
    an empty body and ``resolved=False`` if not `skip_unresolved`. Bodies are
    read one record at a time.

    `metadata_window`: merge only metadata found within that many records after
    the response, in one pass and without the first pass over each file (which
    inflates the whole file once more). newsbot writes a capture's context right
    after its request record, so a replay needs only a few records of window.

    `report`: filled with what each file gave (records, bad records, where and why
    a file was cut short) as it is read.

    `originals`: the files a revisit's original may be in, when they are more than
    `paths` (a replay share reads its files, but an original may be in another share's):
    they are scanned, headers only, once a revisit's original is not among those read.
    """
    files = resolve_paths(paths)
    report = report if report is not None else ReadReport()
    found = _Originals(resolve_paths(originals) if originals is not None else files)
    if metadata_window is None:
        captures = _two_passes(files, root, report, found)
    else:
        captures = _one_pass(files, root, metadata_window, report, found)
    for capture in captures:
        if capture.resolved or not skip_unresolved:
            yield capture
        else:
            report.unresolved_revisits += 1


@dataclass
class ReadReport:
    """Per file, what a reading achieved: the replay's counts and its exit status."""

    files: list[FileResult] = field(default_factory=list)
    unresolved_revisits: int = 0

    def read(self, path: Path) -> Iterator[Item]:
        result = FileResult(path)
        self.files.append(result)
        return read_file(path, result)

    @property
    def incomplete(self) -> list[FileResult]:
        return [f for f in self.files if f.cut is not None]

    @property
    def bad_records(self) -> int:
        return sum(f.bad_records for f in self.files)


def _two_passes(
    files: list[Path], root: str | Path | None, report: ReadReport, originals: _Originals
) -> Iterator[Capture]:
    """Each file's metadata first (a quick pass), then its captures with it merged."""
    metadata = _Metadata(files, originals)
    for index, path in enumerate(files):
        metadata.prepare(index)
        for item in report.read(path):
            if item.record.rec_type == "metadata":
                continue  # read in the first pass
            capture = _capture(item, path, root, originals)
            if capture is not None:
                capture.metadata = metadata.pop(capture.record_id)
                yield capture


def _one_pass(
    files: list[Path],
    root: str | Path | None,
    window: int,
    report: ReadReport,
    originals: _Originals,
) -> Iterator[Capture]:
    """Each capture waits `window` records for its metadata; metadata about any other
    record (one yielded long ago) is dropped as it is read."""
    waiting: deque[tuple[int, Capture]] = deque()
    read = 0
    for path in files:
        for item in report.read(path):
            read += 1
            if item.record.rec_type == "metadata":
                found: dict[str, dict[str, Any]] = {}
                _collect_metadata(item, found)
                for _, earlier in waiting:
                    earlier.metadata.update(found.get(earlier.record_id, {}))
            else:
                capture = _capture(item, path, root, originals)
                if capture is not None:
                    waiting.append((read, capture))
            while waiting and waiting[0][0] + window <= read:
                yield waiting.popleft()[1]
    yield from (capture for _, capture in waiting)


def resolve_paths(paths: str | Path | Iterable[str | Path]) -> list[Path]:
    """Expand files, folders and globs into a list of WARC and ARC files, in order.

    A folder's other files are logged as skipped (a CDXJ index beside its WARC is not)."""
    if isinstance(paths, (str, Path)):
        paths = [paths]
    files: list[Path] = []
    for item in paths:
        path = Path(item)
        if path.is_dir():
            files += _folder(path)
        elif path.exists():
            files.append(path)
        else:
            files += [Path(p) for p in sorted(glob.glob(str(item)))]
    return files


def _folder(path: Path) -> list[Path]:
    found = []
    for entry in sorted(path.iterdir(), key=lambda p: p.name):
        if entry.is_file() and entry.name.endswith(WARC_SUFFIXES + ARC_SUFFIXES):
            found.append(entry)
        elif not entry.name.endswith((".cdxj", OPEN_SUFFIX)):
            logger.warning("not replayed: %s (not a .warc, .warc.gz, .arc or .arc.gz file)", entry)
    return found


def _capture(item: Item, path: Path, root: str | Path | None, originals: _Originals) -> Capture:
    record = item.record
    headers, warc = record.http_headers, record.rec_headers
    capture = Capture(
        url=warc.get_header("WARC-Target-URI"),
        status=int(headers.get_statuscode()),  # checked: three digits
        headers=list(headers.headers),
        body=item.body,
        date=warc.get_header("WARC-Date") or "",
        record_id=item.record_id or f"{path}#{item.offset}",
        file=_display_name(path, root),
        offset=item.offset,
        ip=warc.get_header("WARC-IP-Address"),
        protocol=headers.protocol or "HTTP/1.1",
        revisit=record.rec_type == "revisit",
        payload_digest=warc.get_header("WARC-Payload-Digest"),
        decoded=item.decoded,
    )
    if capture.revisit:
        found = originals.payload(record)
        capture.resolved = found is not None
        capture.body, capture.decoded = found or (b"", False)
    else:
        originals.seen(item, path)
    return capture


def _display_name(path: Path, root: str | Path | None) -> str:
    if root is None:
        return str(path)
    try:
        return path.resolve().relative_to(Path(root).resolve()).as_posix()
    except ValueError:
        return str(path)


class _Metadata:
    """JSON metadata fields by the record id they name, for files `i` and `i + 1`.

    Metadata follows its response, in the same file or (after a rotation) the
    next, so the files before `i` are forgotten: memory stays per file.
    """

    def __init__(self, files: list[Path], originals: _Originals) -> None:
        self.files = files
        self.originals = originals
        self.by_file: dict[int, dict[str, dict[str, Any]]] = {}

    def prepare(self, index: int) -> None:
        for old in [i for i in self.by_file if i < index]:
            del self.by_file[old]
        for i in (index, index + 1):
            if i < len(self.files) and i not in self.by_file:
                self.by_file[i] = self._scan(self.files[i])

    def pop(self, record_id: str) -> dict[str, Any]:
        merged: dict[str, Any] = {}
        for i in sorted(self.by_file):
            merged.update(self.by_file[i].pop(record_id, {}))
        return merged

    def _scan(self, path: Path) -> dict[str, dict[str, Any]]:
        found: dict[str, dict[str, Any]] = {}
        for item in _scan(path):
            if item.record.rec_type == "metadata":
                _collect_metadata(item, found)
            elif item.record.rec_type == "response":
                self.originals.seen(item, path)
        return found


def _scan(path: Path) -> Iterator[Item]:
    """The records of `path` without their bodies, quietly (the reading pass reports)."""
    return read_file(path, FileResult(path, quiet=True), bodies=False)


def _collect_metadata(item: Item, found: dict[str, dict[str, Any]]) -> None:
    headers = item.record.rec_headers
    if "json" not in (headers.get_header("Content-Type") or "").lower():
        return
    targets = {headers.get_header("WARC-Refers-To"), headers.get_header("WARC-Concurrent-To")}
    targets.discard(None)
    if not targets:
        return
    try:
        fields = json.loads(item.body)
    except ValueError:
        logger.warning(
            "metadata record %s: payload is not JSON", headers.get_header("WARC-Record-ID")
        )
        return
    if isinstance(fields, dict):
        for target in targets:
            found.setdefault(target, {}).update(fields)


@dataclass(frozen=True)
class _Location:
    path: Path
    offset: int
    whole_file_gzip: bool = False


class _Originals:
    """Where full responses are, to fill revisits with their payload.

    Filled as files are read (and pre-scanned); a revisit whose original was
    not seen yet (further on in the set) triggers one header-only scan of all
    files.
    """

    def __init__(self, files: list[Path]) -> None:
        self.files = files
        self.by_id: dict[str, _Location] = {}
        self.by_digest: dict[str, _Location] = {}
        self.by_uri_date: dict[tuple[str, str], _Location] = {}
        self.scanned = False

    def seen(self, item: Item, path: Path) -> None:
        loc = _Location(path, item.offset, item.whole_file_gzip)
        headers = item.record.rec_headers
        self.by_id.setdefault(item.record_id, loc)
        digest = headers.get_header("WARC-Payload-Digest")
        if digest:
            self.by_digest.setdefault(digest, loc)
        key = (headers.get_header("WARC-Target-URI") or "", headers.get_header("WARC-Date") or "")
        self.by_uri_date.setdefault(key, loc)

    def payload(self, revisit: ArcWarcRecord) -> tuple[bytes, bool] | None:
        """The decoded payload of the revisit's original, or None."""
        loc = self._find(revisit)
        if loc is None and not self.scanned:
            self._scan_all()
            loc = self._find(revisit)
        if loc is None:
            logger.warning(
                "revisit %s of %s: original not in these files",
                revisit.rec_headers.get_header("WARC-Record-ID"),
                revisit.rec_headers.get_header("WARC-Target-URI"),
            )
            return None
        item = read_one(loc.path, loc.offset, whole_file_gzip=loc.whole_file_gzip)
        return (item.body, item.decoded) if item is not None else None

    def _find(self, revisit: ArcWarcRecord) -> _Location | None:
        headers = revisit.rec_headers
        refers_to = headers.get_header("WARC-Refers-To")
        digest = headers.get_header("WARC-Payload-Digest")
        uri_date = (
            headers.get_header("WARC-Refers-To-Target-URI") or "",
            headers.get_header("WARC-Refers-To-Date") or "",
        )
        return (
            (self.by_id.get(refers_to) if refers_to else None)
            or (self.by_digest.get(digest) if digest else None)
            or self.by_uri_date.get(uri_date)
        )

    def _scan_all(self) -> None:
        self.scanned = True
        for path in self.files:
            for item in _scan(path):
                if item.record.rec_type == "response":
                    self.seen(item, path)
