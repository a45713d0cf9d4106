"""newsbot's Scrapy add-on: the one home of every newsbot setting's default.

Enabled by ``ADDONS`` in settings.py (or in another project's). ``update_settings`` gives
each setting its default at the ``addon`` priority, below the project's settings.py, a
spider's ``custom_settings`` and ``-s``, so whatever the user sets wins. Components read
these settings without fallbacks of their own: a default written twice drifts (the README
once documented a wrong one), and Scrapy answers 0 or False for an unset name without a
word, so a missing add-on must show, not silently run with DEDUP_THRESHOLD=0.0.

Scrapy creates the spider before it applies add-ons (``Crawler.crawl``), so spiders read
newsbot settings in ``start()``, never in ``__init__`` or ``from_crawler``. The archive
layout (``ARCHIVE_DIR``, ``NEWSBOT_STATE_FILE``, ``STATE_BACKEND``) is also given to the
settings of commands, which read it before any crawler exists
(``update_pre_crawler_settings``).
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from scrapy.settings import SETTINGS_PRIORITIES

if TYPE_CHECKING:
    from scrapy.settings import BaseSettings

ARCHIVE: dict[str, Any] = {
    "NEWSBOT_REDIS_URL": None,  # redis://[user:password@]host:6379/0: state (and issue 19's frontier) in Redis; None: SQLite, redis-py never imported
    "ARCHIVE_DIR": "archive",  # root of all output: warc/, articles/, state/, runs/
    "NEWSBOT_STATE_FILE": "newsbot.sqlite",  # state file under ARCHIVE_DIR/state/ ({run_id} allowed; replay: replay-{run_id}.sqlite)
    "STATE_BACKEND": "newsbot.state.SqliteBackend",  # dotted path of the state backend (newsbot.state.MemoryBackend: this process only)
}

DEFAULTS: dict[str, Any] = {
    **ARCHIVE,
    # --- shared frontier (newsbot/frontier/: on with NEWSBOT_REDIS_URL and NEWSBOT_CRAWL_ID)
    "NEWSBOT_CRAWL_ID": "",  # the crawl every worker of it names: frontier keys are namespaced by it
    "NEWSBOT_IDLE_CLOSE": 30,  # seconds the whole crawl must be idle before every worker closes
    "NEWSBOT_SHARDS": 64,  # site shards: one worker at a time fetches the sites of a shard
    "NEWSBOT_FRONTIER_LEASE": 60,  # seconds a popped request's (and a shard's) lease lasts, renewed every fifth
    "NEWSBOT_FRONTIER_RETRIES": 3,  # expired leases before a request goes to the failed list
    # --- state
    "STATE_RUN_LEASE": 120,  # seconds a run's lease lasts (renewed every quarter of it); another host's unfinished run is repaired only once it expired
    # --- more than one machine (newsbot/redisconn.py; NEWSBOT_REDIS_URL is with the archive layout)
    "NEWSBOT_REDIS_PREFIX": "newsbot",  # one archive's keys in Redis, {prefix}:... (a hash tag: one cluster slot)
    "NEWSBOT_WORKER_ID": None,  # stable name of this process across restarts (None: host name and a free slot)
    "NEWSBOT_REDIS_RETRY_SECONDS": 60,  # how long Redis may be unreachable before the run exits 1
    # --- WARC capture (downloader middleware)
    "WARC_ENABLED": True,  # write every HTTP exchange to ARCHIVE_DIR/warc/
    "WARC_PREFIX": "newsbot",  # file name prefix: {prefix}-{timestamp}-{serial}-{host}.warc.gz
    "WARC_MAX_SIZE": 1_000_000_000,  # bytes; a new file is started past this size
    "WARC_OPERATOR": "",  # shown in each file's warcinfo record
    "WARC_CDXJ": True,  # write a CDXJ index beside each closed WARC file
    "WARC_INFO_SETTINGS": [  # allow-list of settings copied into warcinfo (never secrets)
        "USER_AGENT",
        "ROBOTSTXT_OBEY",
        "DOWNLOAD_DELAY",
        "AUTOTHROTTLE_ENABLED",
        "CONCURRENT_REQUESTS",
        "CONCURRENT_REQUESTS_PER_DOMAIN",
        "DOWNLOAD_MAXSIZE",
    ],
    # --- discovery (news spider)
    "NEWSBOT_FOLLOW_DEPTH": 2,  # how many listing (home/section) pages deep to follow links
    "NEWSBOT_DISCOVER_SITEMAPS": True,  # for a home-page start URL, also read robots.txt Sitemap: lines
    "NEWSBOT_MAX_LINKS_PER_PAGE": 1000,  # links read from one HTML page (0: all); the rest are counted
    # --- dates
    "NEWSBOT_ZONE_MIN_PAGES": 3,  # pages of a site whose printed offsets agree before its zone-less times are read in that zone
    "NEWSBOT_ZONE_AGREEMENT": 0.8,  # share of those pages one zone must fit
    "NEWSBOT_ZONE_HOLD_PAGES": 10,  # a site's zone-less records wait for its zone at most until this many of its pages were seen (or the crawl ends)
    # --- extraction (process pool)
    "EXTRACT_WORKERS": 0,  # worker processes; 0 = one per core; -1 = none, extract in the crawl thread (tests, debugging)
    "EXTRACT_TIMEOUT": 60,  # seconds one page may take in a worker before it is abandoned
    # --- dates
    "DATES_DEFAULT_TIMEZONE": None,  # IANA zone for sites with no zone in sources or page; None = UTC
    # --- dedup
    "DEDUP_ENABLED": True,  # find syndicated copies and near-duplicates
    "DEDUP_THRESHOLD": 0.6,  # containment of the shorter text in the longer one to call a copy
    "DEDUP_KEEP_DUPLICATES": False,  # True: duplicates go to the articles JSONL, flagged, not beside it
    # --- templates (per-site boilerplate learning)
    "TEMPLATES_ENABLED": True,  # drop paragraphs a site repeats on many pages
    "TEMPLATES_MIN_PAGES": 3,  # distinct pages a paragraph must appear on to count as the site's template
    "TEMPLATES_PRUNE_IDLE_PAGES": 10_000,  # at the end of a crawl, forget rare paragraphs unseen in a site's last N pages (0: keep all)
    # --- reporting
    "NEWSBOT_PROGRESS_INTERVAL": 5.0,  # seconds between progress lines; 0 turns them off
    # --- site health across runs (newsbot/health.py)
    "HEALTH_ENABLED": True,  # compare each source's figures with its previous runs at the end of a crawl
    "HEALTH_WINDOW": 5,  # previous runs of a source compared with (their median)
    "HEALTH_MIN_PAGES": 10,  # article candidates of a source this run must have for it to be judged
    "HEALTH_NO_RECORD_RISE": 0.25,  # share of candidates without a record up by more than this: drift
    "HEALTH_UNDATED_RISE": 0.25,  # share of records without a date up by more than this: drift
    "HEALTH_LENGTH_DROP": 0.5,  # median text length below this fraction of before: drift
    # --- incremental runs
    "INCREMENTAL_ENABLED": True,  # skip article URLs already recorded unless their sitemap/feed date is newer
    # --- hostile web and crawler safety
    "GUARD_ENABLED": True,  # refuse private/loopback/link-local/... addresses no start URL named (guard.py)
    "FAULTS_ENABLED": True,  # fail truncated/corrupt gzip bodies, gzip bombs and redirect loops, counted (faults.py)
}


REDIS_BACKEND = "newsbot.state.redis_backend.RedisBackend"


def _apply(settings: BaseSettings, defaults: dict[str, Any]) -> None:
    for name, value in defaults.items():
        settings.setdefault(name, value, "addon")
    _select_backend(settings)


def _select_backend(settings: BaseSettings) -> None:
    """``NEWSBOT_REDIS_URL`` set: the Redis backend, unless the user named a backend
    himself (``STATE_BACKEND`` above the add-on's priority). Unset: nothing changes, and
    nothing of redis-py is imported (only the dotted path names it)."""
    if (
        settings.get("NEWSBOT_REDIS_URL")
        and settings.getpriority("STATE_BACKEND") == SETTINGS_PRIORITIES["addon"]
    ):
        settings.set("STATE_BACKEND", REDIS_BACKEND, "addon")


class NewsbotAddon:
    """Every newsbot default, below anything a user sets (Scrapy's ``addon`` priority)."""

    def update_settings(self, settings: BaseSettings) -> None:
        _apply(settings, DEFAULTS)
        if settings.get("NEWSBOT_REDIS_URL") and settings.get("NEWSBOT_CRAWL_ID"):
            _shared_frontier(settings)

    @classmethod
    def update_pre_crawler_settings(cls, settings: BaseSettings) -> None:
        """The archive layout, for commands (demo, wacz) that read it before a crawler exists."""
        _apply(settings, ARCHIVE)


def _shared_frontier(settings: BaseSettings) -> None:
    """N workers, one frontier (newsbot/frontier/): its scheduler, and this worker's id in
    the User-Agent when it is configured (sites and access logs can tell the workers apart;
    an id chosen at start, host name and slot, is added to each request by the scheduler)."""
    settings.set("SCHEDULER", "newsbot.frontier.scheduler.LeasedScheduler", "addon")
    worker = settings.get("NEWSBOT_WORKER_ID")
    agent = settings.get("USER_AGENT") or ""
    if worker and f"worker/{worker}" not in agent:
        settings.set(
            "USER_AGENT",
            f"{agent} worker/{worker}".strip(),
            settings.getpriority("USER_AGENT") or "addon",
        )
