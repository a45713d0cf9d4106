"""WARC file names, Heritrix style: ``{prefix}-{timestamp17}-{serial:05d}-{host}.warc.gz``
(``{host}~{worker}`` when processes share state through Redis).

A file is written as ``<name>.open`` and renamed when closed, so a reader or an
indexer never picks up a half-written file and a crash leaves a visible marker
for :func:`newsbot.warc.recovery.recover_open_files`.
"""

from __future__ import annotations

import re
import socket
from datetime import datetime, timezone
from pathlib import Path

OPEN_SUFFIX = ".open"
WARC_SUFFIXES = (".warc.gz", ".warc")

_UNSAFE = re.compile(r"[^A-Za-z0-9._-]+")


def sanitize(part: str, default: str) -> str:
    """Reduce `part` to ``[A-Za-z0-9._-]`` so it can never add a path level.

    Leading and trailing dots and dashes go too (no hidden files, no ``..``).
    """
    cleaned = _UNSAFE.sub("_", part).strip("._-")
    return cleaned[:64] or default


def safe_name(text: str) -> str:
    """A file-name component under ARCHIVE_DIR that cannot leave its folder (spider names,
    state files, run paths): each unsafe character becomes ``-``, 80 at most. Not
    `sanitize`, whose ``_`` and 64-character cap name WARC files: names already written
    by either stay what they are."""
    cleaned = "".join(c if c.isalnum() or c in "-_." else "-" for c in text).strip(".-")
    return cleaned[:80] or "x"


def crawler_host() -> str:
    """This machine's short host name, sanitised for a file name."""
    return sanitize(socket.gethostname().split(".")[0], "localhost")


def timestamp17(when: datetime | None = None) -> str:
    """UTC ``yyyyMMddHHmmssSSS`` as Heritrix uses in its file names."""
    when = (when or datetime.now(timezone.utc)).astimezone(timezone.utc)
    return when.strftime("%Y%m%d%H%M%S") + f"{when.microsecond // 1000:03d}"


def warc_filename(
    prefix: str,
    serial: int,
    host: str,
    when: datetime | None = None,
    *,
    gzip: bool = True,
    worker: str | None = None,
) -> str:
    """The final (closed) name of a WARC file; with a worker id (several processes
    sharing one state: ``NEWSBOT_REDIS_URL``), ``{host}~{worker}``: each part sanitised
    alone (``sanitize`` would turn the ``~`` into ``_``), so two workers on one host never
    pick one name."""
    ext = ".warc.gz" if gzip else ".warc"
    who = sanitize(host, "localhost") + (f"~{sanitize(worker, 'worker')}" if worker else "")
    return f"{sanitize(prefix, 'newsbot')}-{timestamp17(when)}-{serial:05d}-{who}{ext}"


def final_path(open_path: Path) -> Path:
    """``x.warc.gz.open`` -> ``x.warc.gz``."""
    if not open_path.name.endswith(OPEN_SUFFIX):
        raise ValueError(f"not an open WARC file: {open_path}")
    return open_path.with_name(open_path.name[: -len(OPEN_SUFFIX)])


def cdxj_path(warc_path: Path) -> Path:
    """Where the CDXJ index of a closed WARC file lives: beside it."""
    return warc_path.with_name(warc_path.name + ".cdxj")


def relative_name(path: Path, root: Path) -> str:
    """`path` relative to `root` with ``/`` separators (as CDXJ and pointers use)."""
    return path.resolve().relative_to(root.resolve()).as_posix()
