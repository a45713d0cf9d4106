"""Every newsbot default comes from one place, the add-on; spiders read them when they start."""

from __future__ import annotations

import os
import re
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest
from scrapy.utils.test import get_crawler

from newsbot.addon import DEFAULTS, NewsbotAddon
from support.crawls import PROJECT
from support.pagesite import Pages, serve_pages

sys.path.insert(0, str(Path(__file__).resolve().parent / "data"))
import make_archives

HTML = "text/html; charset=utf-8"


def test_the_addon_supplies_every_default_below_the_users_settings() -> None:
    crawler = get_crawler(settings_dict={"ADDONS": {NewsbotAddon: 0}, "DEDUP_THRESHOLD": 0.8})
    settings = crawler.settings
    assert settings.getfloat("DEDUP_THRESHOLD") == 0.8  # the user's value wins
    for name, value in DEFAULTS.items():
        if name != "DEDUP_THRESHOLD":
            assert settings[name] == value, name
    assert settings.getpriority("NEWSBOT_FOLLOW_DEPTH") == 15  # Scrapy's "addon" priority


def test_no_newsbot_default_is_written_twice() -> None:
    """settings.py holds no newsbot setting, and no component reads one with a fallback."""
    settings_py = (PROJECT / "newsbot" / "settings.py").read_text()
    assert [n for n in DEFAULTS if re.search(rf"^{n} =", settings_py, re.M)] == []
    fallback = re.compile(r"settings\.get\w*\(\s*\"({})\"\s*,".format("|".join(DEFAULTS)))
    found = [
        f"{path.relative_to(PROJECT)}: {m.group(1)}"
        for path in (PROJECT / "newsbot").rglob("*.py")
        for m in fallback.finditer(path.read_text())
    ]
    assert found == []


def site(base: str) -> Pages:
    """Home -> /world (depth 1) -> /business (depth 2) -> /sport (depth 3: not followed);
    robots.txt names a sitemap, which names one article."""
    url, body = make_archives.article(1)
    path = url.replace(make_archives.HOST, "")

    def listing(title: str, link: str) -> bytes:
        return (
            f"<html><head><title>{title}</title></head><body><h1>{title}</h1>"
            f'<ul><li><a href="{link}">More {link}</a></li></ul></body></html>'
        ).encode()

    return {
        "/": (HTML, listing("Home", "/world")),
        "/world": (HTML, listing("World", "/business")),
        "/business": (HTML, listing("Business", "/sport")),
        "/sport": (HTML, listing("Sport", "/science")),
        "/robots.txt": ("text/plain", b"User-agent: *\nAllow: /\nSitemap: /sitemap.xml\n"),
        "/sitemap.xml": (
            "application/xml",
            (
                '<?xml version="1.0" encoding="UTF-8"?><urlset xmlns="http://www.sitemaps.org/'
                f'schemas/sitemap/0.9"><url><loc>{base}{path}</loc></url></urlset>'
            ).encode(),
        ),
        path: (HTML, body),
    }


@pytest.mark.slow
def test_scrapy_crawl_news_with_only_the_addons_defaults(tmp_path: Path) -> None:
    """No newsbot setting given: the follow depth (2) and sitemap discovery from robots.txt
    come from the add-on, read by the spider when it starts."""
    with serve_pages("127.0.0.9", site) as base:
        cmd = [
            sys.executable,
            "-m",
            "scrapy",
            "crawl",
            "news",
            "-a",
            f"url={base}/",
            "-s",
            f"ARCHIVE_DIR={tmp_path / 'archive'}",
            "-s",
            "LOG_LEVEL=DEBUG",
            "-s",
            "AUTOTHROTTLE_ENABLED=0",
            "-s",
            "DOWNLOAD_DELAY=0",
        ]
        proc = subprocess.run(
            cmd,
            cwd=PROJECT,
            capture_output=True,
            text=True,
            timeout=300,
            env=dict(os.environ, PYTHONUNBUFFERED="1"),
        )
    assert proc.returncode == 0, proc.stderr[-3000:]
    fetched = set(re.findall(r"Crawled \(200\) <GET [^>]*?(/[^/>]*|/news/[^>]*)>", proc.stderr))
    assert {"/", "/world", "/business", "/robots.txt", "/sitemap.xml"} <= fetched, fetched
    assert "/sport" not in fetched, textwrap.shorten(proc.stderr, 3000)
    assert any(p.startswith("/news/") for p in fetched), fetched
