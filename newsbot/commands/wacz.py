"""`scrapy wacz`: package an archive as a WACZ file for ReplayWeb.page and pywb.

    scrapy wacz [-o OUT.wacz] [--run RUN_ID]

Takes the closed WARC files under ARCHIVE_DIR/warc (all, or those of one run
as listed in its summary) and the extracted articles (articles and duplicates
JSONL) as `pages/pages.jsonl` (url, timestamp, title, text), which
ReplayWeb.page needs to list and search pages. Needs the optional `wacz`
package: `pip install -e '.[wacz]'`.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path
from typing import TYPE_CHECKING, Any

from scrapy.commands import ScrapyCommand
from scrapy.exceptions import UsageError

from newsbot.warc import make_wacz

if TYPE_CHECKING:
    import argparse


def run_files(archive: Path, run_id: str | None) -> tuple[list[Path], list[Path]]:
    """(WARC files, JSONL files) of one run, or of the whole archive."""
    if run_id is None:
        return (
            sorted((archive / "warc").glob("*.warc.gz")),
            sorted((archive / "articles").glob("*.jsonl")),
        )
    summaries = list((archive / "runs").glob(f"*-{run_id}.summary.json"))
    if not summaries:
        raise UsageError(f"no run {run_id!r} in {archive / 'runs'}")
    summary = json.loads(summaries[0].read_text(encoding="utf-8"))
    return (
        [Path(p) for p in summary.get("warc_files", [])],
        [archive / rel for rel in summary.get("outputs", {}).values()],
    )


def pages_of(jsonl_files: list[Path]) -> Iterator[dict[str, Any]]:
    for path in jsonl_files:
        with path.open(encoding="utf-8") as fh:
            for line in fh:
                rec = json.loads(line)
                yield {
                    "url": rec["url"],
                    "ts": rec["fetched_at"],
                    "title": rec.get("title"),
                    "text": rec.get("text"),
                }


class Command(ScrapyCommand):
    requires_project = True

    def syntax(self) -> str:
        return "[-o OUT.wacz] [--run RUN_ID]"

    def short_desc(self) -> str:
        return "Package ARCHIVE_DIR's WARCs and article pages as a WACZ file"

    def add_options(self, parser: argparse.ArgumentParser) -> None:
        super().add_options(parser)
        parser.add_argument(
            "-o", "--output", help="the .wacz to write (default ARCHIVE_DIR/wacz/...)"
        )
        parser.add_argument("--run", help="only this run's WARCs and records")

    def run(self, args: list[str], opts: argparse.Namespace) -> None:
        assert self.settings is not None
        archive = Path(self.settings["ARCHIVE_DIR"]).resolve()
        warcs, jsonl = run_files(archive, opts.run)
        if not warcs:
            raise UsageError(f"no closed WARC files in {archive / 'warc'}")
        out = (
            Path(opts.output) if opts.output else archive / "wacz" / f"{opts.run or 'archive'}.wacz"
        )
        out.parent.mkdir(parents=True, exist_ok=True)
        make_wacz(warcs, pages_of(jsonl), out)
        print(f"wrote {out} ({len(warcs)} WARC files)")
