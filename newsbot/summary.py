"""The crawl's summary: the user-facing figures of a run, and its exit status (no Scrapy).

Pure functions of the stats, so the resources extension (which finishes the run with the
verdict) and the report (which formats and writes it) compute nothing twice and either
can be switched off without the other.
"""

from __future__ import annotations

from typing import Any

from newsbot import norecord
from newsbot.sitestats import PREFIX as SITES_PREFIX
from newsbot.sitestats import sites_summary


def summarize(stats: dict[str, Any]) -> dict[str, Any]:
    """The user-facing figures of a crawl, from Scrapy's and newsbot's stats."""
    prefix = "downloader/response_status_count/"
    # Every failed fetch is counted once per URL under newsbot/errors/ (spider errback,
    # fault middleware); Scrapy's exception counts are per attempt and include the
    # IgnoreRequests of robots.txt and incremental skips, which are not errors.
    errors = {k.split("/", 2)[2]: v for k, v in stats.items() if k.startswith("newsbot/errors/")}
    failed = stats.get("newsbot/failed")
    status = exit_status(stats)
    summary = {
        "ok": status == 0,  # a pause (shutdown) or a CLOSESPIDER_* limit is not a failure
        "exit_status": status,
        "failure": failed,
        "finish_reason": stats.get("finish_reason"),
        "pages_fetched": stats.get("downloader/response_count", 0),
        "pages_by_status": {
            k[len(prefix) :]: v for k, v in sorted(stats.items()) if k.startswith(prefix)
        },
        "article_pages": stats.get("newsbot/pages/article", 0),
        "articles": stats.get("newsbot/articles", 0),
        "duplicates": stats.get("newsbot/duplicates", 0),
        "unchanged": stats.get("newsbot/articles/unchanged", 0),
        "articles_without_date": stats.get("newsbot/date/unparsed", 0),
        "no_record": {
            k[len(norecord.PREFIX) :]: v
            for k, v in sorted(stats.items())
            if k.startswith(norecord.PREFIX)
        },
        "sites": sites_summary(stats),
        "errors": dict(sorted(errors.items())),
        # sites whose robots.txt could not be fetched, so were crawled unrestricted (Scrapy's rule)
        "robots_txt_not_fetched": sum(
            v for k, v in stats.items() if k.startswith("robotstxt/exception_count/")
        ),
        "outputs": stats.get("newsbot/outputs", {}),
        "stats": {
            k: v
            for k, v in sorted(stats.items())  # every newsbot counter, for scripts and tests
            if k.startswith("newsbot/") and k not in _LISTS and not k.startswith(SITES_PREFIX)
        },
    }
    if "newsbot/replay/files" in stats:
        summary["replay_files"] = stats["newsbot/replay/files"]
        summary["replay_bad_records"] = stats.get("newsbot/replay/bad_records", 0)
        summary["replay_incomplete_files"] = stats.get("newsbot/replay/incomplete_files", [])
        # whole-file gzip: warc.offset is a position in the uncompressed stream (no pywb, no CDXJ)
        summary["replay_uncompressed_offsets"] = stats.get(
            "newsbot/replay/whole_file_gzip_files", []
        )
    return summary


_LISTS = (
    "newsbot/outputs",
    "newsbot/replay/incomplete_files",
    "newsbot/replay/whole_file_gzip_files",
)
EXIT_FAILED = 1  # nothing achieved: bad configuration, no start URL reachable, nothing replayable
EXIT_INCOMPLETE = 3  # records written, but some files could not be read to their end (2: usage)


def exit_status(stats: dict[str, Any]) -> int:
    """0, or why a scheduler should look: EXIT_FAILED or EXIT_INCOMPLETE."""
    if stats.get("newsbot/failed"):
        return EXIT_FAILED
    if stats.get("newsbot/replay/incomplete"):
        return EXIT_INCOMPLETE
    return 0


def run_summary(
    stats: dict[str, Any], *, run_id: str, archive_dir: str, warc_files: list[str], elapsed_s: float
) -> dict[str, Any]:
    """``summarize`` with what identifies the run: the summary file's content."""
    summary = summarize(stats)
    summary["run_id"] = run_id
    summary["archive_dir"] = archive_dir
    summary["warc_files"] = sorted(warc_files)
    summary["elapsed_s"] = round(elapsed_s, 2)
    return summary


def verdict(status: int) -> str:
    """The run's status in the state store for an exit status."""
    return {0: "finished", EXIT_INCOMPLETE: "incomplete"}.get(status, "failed")
