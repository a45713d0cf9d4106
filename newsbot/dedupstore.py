"""The dedup index's command line and archive reader; the index itself is in the state seam.

`DedupIndex` (SQLite) lives in :mod:`newsbot.state.sqlite_dedup` and is re-exported here
with its exceptions, for the code and the users that import it from here. This module
keeps what is not storage: reading the archive's texts (to re-sign an index signed by an
older ``SIGNATURE_VERSION``) and ``python -m newsbot.dedupstore resign ARCHIVE_DIR``.
"""

from __future__ import annotations

import argparse
import json
import logging
import sys
from pathlib import Path
from typing import TYPE_CHECKING

from newsbot.state.bands import RESIGN_COMMAND, StaleSignatures, band_hashes
from newsbot.state.protocols import Match
from newsbot.state.sqlite_dedup import DedupIndex

if TYPE_CHECKING:
    import os
    from collections.abc import Iterator

__all__ = [
    "RESIGN_COMMAND",
    "DedupIndex",
    "Match",
    "StaleSignatures",
    "archive_texts",
    "band_hashes",
    "main",
]


def archive_texts(root: str | os.PathLike[str]) -> Iterator[tuple[str, str]]:
    """(id, text) of every record under ARCHIVE_DIR/articles, in file order (read only)."""
    for path in sorted(Path(root, "articles").glob("*.jsonl")):
        with path.open(encoding="utf-8") as fh:
            for line in fh:
                try:
                    record = json.loads(line)
                except ValueError:
                    continue  # a torn last line: the crawl's recovery repairs it
                if isinstance(record, dict) and "id" in record:
                    yield str(record["id"]), str(record.get("text") or "")


def main(argv: list[str] | None = None) -> int:
    """`python -m newsbot.dedupstore resign ARCHIVE_DIR`: re-sign an archive's dedup index."""
    parser = argparse.ArgumentParser(prog="python -m newsbot.dedupstore")
    parser.add_argument("command", choices=["resign"])
    parser.add_argument("archive_dir", type=Path)
    args = parser.parse_args(argv)
    logging.basicConfig(level=logging.INFO, format="%(message)s")
    state = args.archive_dir / "state" / "newsbot.sqlite"
    if not state.exists():
        parser.error(f"no state file at {state}")
    DedupIndex(state, texts=lambda: archive_texts(args.archive_dir)).close()
    return 0


if __name__ == "__main__":
    sys.exit(main())
