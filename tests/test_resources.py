"""One owner for the crawl's resources: the resources extension opens and closes the state
and the WARC service and finishes the run; the report only writes the summary."""

from __future__ import annotations

import json
import shutil
import sqlite3
from pathlib import Path

import pytest

from support.crawls import records, run_scrapy

pytestmark = pytest.mark.slow  # end to end: real crawls in subprocesses

PRE_SEAM = Path(__file__).resolve().parent / "data" / "pre-seam"
WITHOUT_REPORT = {
    "newsbot.extensions.resources.CrawlResources": 100,
    "newsbot.extensions.report.CrawlReport": None,
    "scrapy.extensions.remote_control.RemoteControl": None,
}


def test_without_the_report_every_run_is_finished(tmp_path: Path) -> None:
    archive = tmp_path / "archive"
    shutil.copytree(PRE_SEAM / "warc", archive / "warc")
    for _ in range(2):  # the second run would repair the first, were it left unfinished
        run_scrapy(
            "crawl",
            "replay",
            "-a",
            f"warc={archive / 'warc'}",
            archive=archive,
            settings={
                "EXTENSIONS": json.dumps(WITHOUT_REPORT),
                "NEWSBOT_STATE_FILE": "newsbot.sqlite",
            },
        )
    assert not (archive / "runs").exists(), "no report, no summary file"
    assert records(archive), "the records were written"
    with sqlite3.connect(archive / "state" / "newsbot.sqlite") as db:
        runs = db.execute("SELECT status, finished IS NOT NULL FROM runs").fetchall()
    assert runs == [("finished", 1), ("finished", 1)]
