"""Scrapy settings for newsbot.

Politeness defaults are for real sites. A crawl of a local test site or a
benchmark may lift them, e.g.::

    scrapy crawl news -a url=http://127.0.0.1:8000/sitemap.xml \
        -s AUTOTHROTTLE_ENABLED=0 -s DOWNLOAD_DELAY=0 -s CONCURRENT_REQUESTS_PER_DOMAIN=16

Scrapy's own settings are set here; newsbot's, prefixed by the component they
configure, have their defaults and a one-line comment each in newsbot/addon.py,
enabled here through ADDONS.
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
COOKIES_ENABLED = (
    False  # news pages need none; avoids cookie-jar growth and tldextract's suffix-list download
)
TELNETCONSOLE_ENABLED = False
LOG_LEVEL = "INFO"
LOG_FORMATTER = (
    "newsbot.logformatter.NewsLogFormatter"  # items named by id and URL, not printed whole
)
REQUEST_FINGERPRINTER_IMPLEMENTATION = "2.7"
TWISTED_REACTOR = "twisted.internet.asyncioreactor.AsyncioSelectorReactor"
FEED_EXPORT_ENCODING = "utf-8"

# --- newsbot's own settings ---------------------------------------------------
# Every newsbot setting (ARCHIVE_DIR, WARC_*, NEWSBOT_*, EXTRACT_*, DATES_*, DEDUP_*,
# TEMPLATES_*, STATE_*, ...) has its default in one place, the add-on below
# (newsbot/addon.py), so that a project using newsbot's components gets them too.
# Set any of them here, with -s, or in a spider's custom_settings to change it.
ADDONS = {"newsbot.addon.NewsbotAddon": 0}

DOWNLOADER_MIDDLEWARES = {
    "newsbot.downloadermiddlewares.incremental.IncrementalMiddleware": 50,
    "newsbot.downloadermiddlewares.guard.GuardMiddleware": 75,  # after offsite (50), before robots.txt (100)
    "newsbot.downloadermiddlewares.faults.FaultMiddleware": 920,  # after WARC capture, before redirects
    "newsbot.downloadermiddlewares.capture.WarcCaptureMiddleware": 950,
}
SPIDER_MIDDLEWARES = {
    "newsbot.frontier.middleware.AcknowledgeMiddleware": 1,  # shared frontier only: outermost
}
ITEM_PIPELINES = {
    "newsbot.pipelines.extract.ExtractionPipeline": 100,
    "newsbot.pipelines.dates.DatePipeline": 200,
    "newsbot.pipelines.versions.VersionPipeline": 300,
    "newsbot.pipelines.templates.TemplatePipeline": 350,
    "newsbot.pipelines.dedup.DedupPipeline": 400,
    "newsbot.pipelines.archive.ArticleArchivePipeline": 900,
}
EXTENSIONS = {
    "newsbot.extensions.resources.CrawlResources": 100,  # opens and closes state and WARC; finishes the run
    "newsbot.extensions.report.CrawlReport": 500,  # progress lines; writes the summary (optional)
    "newsbot.frontier.extension.FrontierExtension": 600,  # shared frontier only: leases, idle close
    # Scrapy's code-execution HTTP server (for its MCP server): off, like the telnet console,
    # and not even imported (aiohttp costs a third of a second at every start). To use it,
    # set REMOTE_CONTROL_ENABLED and give this entry a number again.
    "scrapy.extensions.remote_control.RemoteControl": None,
}
REMOTE_CONTROL_ENABLED = False

# --- Hostile web and crawler safety ---------------------------------------------------
DUPEFILTER_CLASS = (
    "newsbot.dupefilter.UrlKeyDupeFilter"  # one fetch per page: http/https, tracking params
)
