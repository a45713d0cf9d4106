"""Package WARC files and their extracted pages as one WACZ file, with the `wacz` package.

WACZ (a zip of the WARCs, a CDXJ index, ``pages/pages.jsonl`` and a signed-able
datapackage) is what ReplayWeb.page and pywb load directly. `wacz` is an
optional dependency: its ``frictionless`` dependency needs
``chardet>=6`` from 5.21 on while readability-lxml needs ``chardet<6``, so
install it as ``pip install wacz "chardet>=5.2,<6"`` (pip then picks
frictionless 5.18).
"""

from __future__ import annotations

import contextlib
import io
import json
import logging
import tempfile
from collections.abc import Iterable, Mapping
from pathlib import Path
from typing import Any

logger = logging.getLogger(__name__)

PAGE_FIELDS = ("url", "ts", "title", "text")


def make_wacz(
    warc_files: Iterable[str | Path], pages: Iterable[Mapping[str, Any]], out: str | Path
) -> Path:
    """Write `out` (a ``.wacz``) holding `warc_files`, their index and `pages`.

    `pages` are extracted articles: ``url`` and ``ts`` (the capture's WARC-Date
    or a 14-digit timestamp) are required, ``title`` and ``text`` (full text,
    searchable in ReplayWeb.page) optional; other keys are dropped. The pages
    file is copied as written, not re-derived by `wacz` from the WARCs.
    """
    try:
        from wacz.main import main as wacz_main
    except ImportError as exc:  # pragma: no cover - depends on the environment
        raise RuntimeError(
            'make_wacz needs the wacz package: pip install wacz "chardet<6"'
        ) from exc
    out = Path(out)
    with tempfile.TemporaryDirectory() as tmp:
        pages_path = Path(tmp) / "pages.jsonl"
        count = _write_pages(pages, pages_path)
        args = [
            "create",
            "-o",
            str(out),
            "-p",
            str(pages_path),
            "--copy-pages",
            *map(str, warc_files),
        ]
        printed = io.StringIO()
        with contextlib.redirect_stdout(printed):
            code = wacz_main(args)
    logger.debug("wacz create: %s", printed.getvalue())
    if code != 0:
        raise RuntimeError(f"wacz create failed ({code}): {printed.getvalue()[-2000:]}")
    logger.info("wrote %s with %d pages", out, count)
    return out


def _write_pages(pages: Iterable[Mapping[str, Any]], path: Path) -> int:
    """pages.jsonl in the WACZ 'json-pages-1.0' form: a header line, then one page a line."""
    count = 0
    with open(path, "w", encoding="utf-8") as fh:
        header = {"format": "json-pages-1.0", "id": "pages", "title": "Articles"}
        fh.write(json.dumps(header) + "\n")
        for page in pages:
            if not page.get("url") or not page.get("ts"):
                raise ValueError(f"a WACZ page needs url and ts: {dict(page)!r}")
            entry = {k: page[k] for k in PAGE_FIELDS if page.get(k) is not None}
            fh.write(json.dumps(entry, ensure_ascii=False) + "\n")
            count += 1
    return count
