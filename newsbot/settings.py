"""Scrapy settings for newsbot.

Politeness defaults are for real sites. A crawl of a local test site or a
benchmark may lift them, e.g.::

    scrapy crawl news -a url=http://127.0.0.1:8000/sitemap.xml \
        -s AUTOTHROTTLE_ENABLED=0 -s DOWNLOAD_DELAY=0 -s CONCURRENT_REQUESTS_PER_DOMAIN=16

Every newsbot setting is prefixed by the component it configures and has its
default and a one-line comment here.
"""

BOT_NAME = "newsbot"
SPIDER_MODULES = ["newsbot.spiders"]
NEWSPIDER_MODULE = "newsbot.spiders"
COMMANDS_MODULE = "newsbot.commands"

# --- Politeness (real sites) -------------------------------------------------
USER_AGENT = "newsbot/0.1 (+https://github.com/newsbot/newsbot; news archiving crawler)"
ROBOTSTXT_OBEY = True
AUTOTHROTTLE_ENABLED = True
AUTOTHROTTLE_START_DELAY = 1.0
AUTOTHROTTLE_MAX_DELAY = 30.0
AUTOTHROTTLE_TARGET_CONCURRENCY = 2.0
DOWNLOAD_DELAY = 0.5  # per-domain delay, seconds (randomised 0.5x-1.5x by Scrapy)
CONCURRENT_REQUESTS = 32
CONCURRENT_REQUESTS_PER_DOMAIN = 4
DOWNLOAD_TIMEOUT = 30
DOWNLOAD_MAXSIZE = 32 * 1024 * 1024  # bytes; larger bodies are abandoned (and counted)
DOWNLOAD_WARNSIZE = 8 * 1024 * 1024
RETRY_TIMES = 2
COOKIES_ENABLED = False  # news pages need none; avoids cookie-jar growth and tldextract's suffix-list download
TELNETCONSOLE_ENABLED = False
LOG_LEVEL = "INFO"
LOG_FORMATTER = "newsbot.logformatter.NewsLogFormatter"  # items named by id and URL, not printed whole
REQUEST_FINGERPRINTER_IMPLEMENTATION = "2.7"
TWISTED_REACTOR = "twisted.internet.asyncioreactor.AsyncioSelectorReactor"
FEED_EXPORT_ENCODING = "utf-8"

# --- Archives ----------------------------------------------------------------
ARCHIVE_DIR = "archive"  # root of all output: warc/, articles/, state/, runs/

# --- WARC capture (downloader middleware) -----------------------------------
WARC_ENABLED = True  # write every HTTP exchange to ARCHIVE_DIR/warc/
WARC_PREFIX = "newsbot"  # file name prefix: {prefix}-{timestamp}-{serial}-{host}.warc.gz
WARC_MAX_SIZE = 1_000_000_000  # bytes; a new file is started past this size
WARC_OPERATOR = ""  # shown in each file's warcinfo record
WARC_CDXJ = True  # write a CDXJ index beside each closed WARC file
WARC_INFO_SETTINGS = [  # allow-list of settings copied into warcinfo (never secrets)
    "USER_AGENT", "ROBOTSTXT_OBEY", "DOWNLOAD_DELAY", "AUTOTHROTTLE_ENABLED",
    "CONCURRENT_REQUESTS", "CONCURRENT_REQUESTS_PER_DOMAIN", "DOWNLOAD_MAXSIZE",
]

# --- Discovery (news spider) ------------------------------------------------
NEWSBOT_FOLLOW_DEPTH = 2  # how many listing (home/section) pages deep to follow links
NEWSBOT_DISCOVER_SITEMAPS = True  # for a home-page start URL, also read robots.txt Sitemap: lines

# --- Extraction (process pool) ------------------------------------------------
EXTRACT_WORKERS = 0  # worker processes; 0 = one per core
EXTRACT_TIMEOUT = 60  # seconds one page may take in a worker before it is abandoned

# --- Dates ----------------------------------------------------------------------
DATES_DEFAULT_TIMEZONE = None  # IANA zone for sites with no zone in sources or page; None = UTC

# --- Dedup -----------------------------------------------------------------------
DEDUP_ENABLED = True  # find syndicated copies and near-duplicates
DEDUP_THRESHOLD = 0.6  # containment of the shorter text in the longer one to call a copy
DEDUP_KEEP_DUPLICATES = False  # True: duplicates go to the articles JSONL, flagged, not beside it

# --- Templates (per-site boilerplate learning) -----------------------------------
TEMPLATES_ENABLED = True  # drop paragraphs a site repeats on many pages
TEMPLATES_MIN_PAGES = 3  # distinct pages a paragraph must appear on to count as the site's template
TEMPLATES_PRUNE_IDLE_PAGES = 10_000  # at the end of a crawl, forget rare paragraphs unseen in a site's last N pages (0: keep all)

# --- State ----------------------------------------------------------------------
STATE_BACKEND = "newsbot.state.SqliteBackend"  # dotted path of the state backend (newsbot.state.MemoryBackend: this process only)
STATE_RUN_LEASE = 120  # seconds a run's lease lasts (renewed every quarter of it); another host's unfinished run is repaired only once it expired
NEWSBOT_STATE_FILE = "newsbot.sqlite"  # state file under ARCHIVE_DIR/state/ ({run_id} allowed; replay: replay-{run_id}.sqlite)

# --- Reporting -------------------------------------------------------------------
NEWSBOT_PROGRESS_INTERVAL = 5.0  # seconds between progress lines; 0 turns them off

# --- Incremental runs ---------------------------------------------------------------
INCREMENTAL_ENABLED = True  # skip article URLs already recorded unless their sitemap/feed date is newer

DOWNLOADER_MIDDLEWARES = {
    "newsbot.downloadermiddlewares.incremental.IncrementalMiddleware": 50,
    "newsbot.downloadermiddlewares.guard.GuardMiddleware": 75,  # after offsite (50), before robots.txt (100)
    "newsbot.downloadermiddlewares.faults.FaultMiddleware": 920,  # after WARC capture, before redirects
    "newsbot.downloadermiddlewares.capture.WarcCaptureMiddleware": 950,
}
ITEM_PIPELINES = {
    "newsbot.pipelines.extract.ExtractionPipeline": 100,
    "newsbot.pipelines.dates.DateStatsPipeline": 200,
    "newsbot.pipelines.versions.VersionPipeline": 300,
    "newsbot.pipelines.templates.TemplatePipeline": 350,
    "newsbot.pipelines.dedup.DedupPipeline": 400,
    "newsbot.pipelines.archive.ArticleArchivePipeline": 900,
}
EXTENSIONS = {
    "newsbot.extensions.resources.CrawlResources": 100,  # opens and closes state and WARC; finishes the run
    "newsbot.extensions.report.CrawlReport": 500,  # progress lines; writes the summary (optional)
    # Scrapy's code-execution HTTP server (for its MCP server): off, like the telnet console,
    # and not even imported (aiohttp costs a third of a second at every start). To use it,
    # set REMOTE_CONTROL_ENABLED and give this entry a number again.
    "scrapy.extensions.remote_control.RemoteControl": None,
}
REMOTE_CONTROL_ENABLED = False

# --- Hostile web and crawler safety ---------------------------------------------------
NEWSBOT_MAX_LINKS_PER_PAGE = 1000  # links read from one HTML page (0: all); the rest are counted
GUARD_ENABLED = True  # refuse private/loopback/link-local/... addresses no start URL named (guard.py)
FAULTS_ENABLED = True  # fail truncated/corrupt gzip bodies, gzip bombs and redirect loops, counted (faults.py)
DUPEFILTER_CLASS = "newsbot.dupefilter.UrlKeyDupeFilter"  # one fetch per page: http/https, tracking params
