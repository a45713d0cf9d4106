"""`scrapy demo`: an offline crawl of the bundled news sites.

Serves the four demo outlets in newsbot/demo/site/ on 127.0.0.1 (one port
each), writes a sources file for them under ARCHIVE_DIR, crawls them with the
real `news` spider and every pipeline on, and prints where the archives are.
Politeness limits are lifted for the local servers only.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Any

from scrapy.commands import ScrapyCommand
from scrapy.settings import SETTINGS_PRIORITIES

from newsbot.commands.crawl import failed
from newsbot.demo.server import SiteGroup, serve_sites

if TYPE_CHECKING:
    import argparse

DEMO = Path(__file__).resolve().parents[1] / "demo"
LOCAL_SETTINGS = {
    "AUTOTHROTTLE_ENABLED": False,
    "DOWNLOAD_DELAY": 0,
    "CONCURRENT_REQUESTS_PER_DOMAIN": 8,
}


def write_sources(group: SiteGroup, target: Path) -> Path:
    """The demo sources file with each outlet's {{base:NAME}} filled in."""
    text = group.render((DEMO / "sources.toml.in").read_text(encoding="utf-8"))
    target.parent.mkdir(parents=True, exist_ok=True)
    target.write_text(text, encoding="utf-8")
    return target


class Command(ScrapyCommand):
    requires_project = True
    default_settings = {"LOG_LEVEL": "INFO"}

    def short_desc(self) -> str:
        return "Crawl the bundled demo news sites (offline, on 127.0.0.1) into ARCHIVE_DIR"

    def process_options(self, args: list[str], opts: argparse.Namespace) -> None:
        super().process_options(args, opts)
        assert self.settings is not None
        for key, value in LOCAL_SETTINGS.items():  # above settings.py, below the user's -s
            if (self.settings.getpriority(key) or 0) < SETTINGS_PRIORITIES["cmdline"]:
                self.settings.set(key, value, priority=SETTINGS_PRIORITIES["project"] + 1)

    def run(self, args: list[str], opts: argparse.Namespace) -> None:
        assert self.crawler_process and self.settings is not None
        archive = Path(self.settings["ARCHIVE_DIR"]).resolve()
        with serve_sites(DEMO / "site") as group:
            sources = write_sources(group, archive / "demo-sources.toml")
            crawler = self.crawler_process.create_crawler("news")
            self.crawler_process.crawl(crawler, sources=str(sources))
            self.crawler_process.start()
        if failed(crawler, self.crawler_process.bootstrap_failed):
            self.exitcode = 1
            return
        _print_outputs(archive, crawler.stats.get_stats())


def _print_outputs(archive: Path, stats: dict[str, Any]) -> None:
    outputs = stats.get("newsbot/outputs") or {}
    print(
        f"\nnewsbot demo: {stats.get('newsbot/articles', 0)} articles, "
        f"{stats.get('newsbot/duplicates', 0)} duplicates, "
        f"{stats.get('downloader/response_count', 0)} pages fetched"
    )
    for name, rel in sorted(outputs.items()):
        print(f"  {name:<11} {archive / rel}")
    print(f"  {'warc':<11} {archive / 'warc'}")
    print(f"  {'summary':<11} {archive / 'runs'}")
