"""`scrapy report`: ARCHIVE_DIR/report/index.html, the archive at a glance.

    scrapy report [--run RUN_ID | --since YYYY-MM-DD] [--replay-url TEMPLATE]

A thin command over `newsbot.report.build_report`. Exits 1, naming the path, when
the archive is missing or empty (a scheduler should notice a report of nothing).
"""

from __future__ import annotations

import sys
from datetime import date
from pathlib import Path
from typing import TYPE_CHECKING

from scrapy.commands import ScrapyCommand
from scrapy.exceptions import UsageError

if TYPE_CHECKING:
    import argparse


class Command(ScrapyCommand):
    requires_project = True
    default_settings = {"LOG_LEVEL": "WARNING"}

    def syntax(self) -> str:
        return "[--run RUN_ID | --since YYYY-MM-DD] [--replay-url TEMPLATE]"

    def short_desc(self) -> str:
        return "Write ARCHIVE_DIR/report/index.html: runs, outlets, syndication, site health"

    def add_options(self, parser: argparse.ArgumentParser) -> None:
        super().add_options(parser)
        parser.add_argument("--run", help="only this run")
        parser.add_argument("--since", help="only runs started on or after this UTC day")
        parser.add_argument(
            "--replay-url",
            default=None,
            help="link template with {timestamp} and {url}, e.g. pywb's "
            "http://localhost:8080/COLL/{timestamp}/{url} "
            "(or {timestamp}id_/{url} for the raw capture)",
        )

    def run(self, args: list[str], opts: argparse.Namespace) -> None:
        from newsbot.report import DEFAULT_REPLAY_URL, ArchiveError, build_report

        assert self.settings is not None
        if opts.run and opts.since:
            raise UsageError("give --run or --since, not both")
        try:
            since = date.fromisoformat(opts.since) if opts.since else None
        except ValueError as exc:
            raise UsageError(f"--since must be YYYY-MM-DD, not {opts.since!r}") from exc
        root = Path(self.settings.get("ARCHIVE_DIR")).resolve()
        try:
            path = build_report(root, opts.run, since, opts.replay_url or DEFAULT_REPLAY_URL)
        except ArchiveError as exc:
            print(f"newsbot report: {exc}", file=sys.stderr)
            self.exitcode = 1
            return
        print(f"wrote {path}")
