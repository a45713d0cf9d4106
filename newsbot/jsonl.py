"""Append-only JSON Lines files that a crash cannot tear.

Scrapy's feed exports buffer their writes, so a killed crawl can leave half a
line. Here each record is serialised first and written with a single
unbuffered `write` of line + newline, so a record is either whole in the file
or absent, and the state store can be told about it right after. The reader
side of the format, `read_jsonl_repairing`, cuts the torn last line a killed
writer may still leave (a line cut by the disk filling, an older writer).
"""

from __future__ import annotations

import json
import logging
import os
from collections.abc import Iterator, Mapping
from pathlib import Path
from typing import Any

logger = logging.getLogger(__name__)


class JsonLinesWriter:
    def __init__(self, path: Path) -> None:
        self.path = path
        self.count = 0
        self._fd: int | None = None

    def write(self, record: Mapping[str, Any]) -> int:
        """Append one line; returns the file's size after it (the offset past the line)."""
        line = json.dumps(record, ensure_ascii=False, separators=(",", ":")) + "\n"
        if self._fd is None:
            self.path.parent.mkdir(parents=True, exist_ok=True)
            self._fd = os.open(self.path, os.O_WRONLY | os.O_CREAT | os.O_APPEND, 0o644)
        data = line.encode("utf-8")
        written = os.write(self._fd, data)
        while written < len(data):  # regular files take it whole; be exact anyway
            written += os.write(self._fd, data[written:])
        self.count += 1
        return os.lseek(self._fd, 0, os.SEEK_CUR)

    def close(self) -> None:
        if self._fd is not None:
            os.fsync(self._fd)
            os.close(self._fd)
            self._fd = None


def read_jsonl_repairing(path: Path) -> Iterator[dict[str, Any]]:
    """Yield the whole records of a JSONL file, cutting a torn last line in place."""
    if not path.exists():
        return
    with path.open("rb+") as fh:
        data = fh.read()
        end = data.rfind(b"\n") + 1
        if end != len(data):
            logger.warning("cutting a torn last line (%d bytes) from %s", len(data) - end, path)
            fh.truncate(end)
            fh.flush()
            os.fsync(fh.fileno())
    for line in data[:end].splitlines():
        if line.strip():
            yield json.loads(line)


def read_lines_from(path: Path, offset: int) -> Iterator[tuple[dict[str, Any], int]]:
    """(record, offset past its line) of the whole lines from byte ``offset`` on: the
    lines a worker re-applies after a Redis restart lost what it had confirmed."""
    if not path.exists():
        return
    with path.open("rb") as fh:
        fh.seek(offset)
        data = fh.read()
    end = offset
    for line in data.splitlines(keepends=True):
        if not line.endswith(b"\n"):
            break  # a line being written: its own record() confirms it
        end += len(line)
        if line.strip():
            yield json.loads(line), end
