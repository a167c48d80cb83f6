"""Scrapy settings: values only. Every component is registered here, with a named priority.

Our own settings carry a prefix (``MIRRORS``, ``CLEAN_*``, ``OUTPUT_*``, ``RETRY_AFTER_*``...).
Secrets (S3 keys, database passwords) are never written here: they come from the environment.
"""

from __future__ import annotations

import os

BOT_NAME = "ruspress"
PROJECT_URL = "https://github.com/ruspress/ruspress-crawler"

SPIDER_MODULES = ["crawler.spiders"]
NEWSPIDER_MODULE = "crawler.spiders"
COMMANDS_MODULE = "crawler.commands"

# --- Politeness and identity -------------------------------------------------------------
USER_AGENT = f"ruspress-crawler/0.1 (+{PROJECT_URL})"
ROBOTSTXT_OBEY = True
CONCURRENT_REQUESTS = 16
CONCURRENT_REQUESTS_PER_DOMAIN = 4
DOWNLOAD_DELAY = 0.25
AUTOTHROTTLE_ENABLED = True
AUTOTHROTTLE_START_DELAY = 1.0
AUTOTHROTTLE_MAX_DELAY = 30.0
AUTOTHROTTLE_TARGET_CONCURRENCY = 2.0
DOWNLOAD_TIMEOUT = 60
DOWNLOAD_MAXSIZE = 32 * 1024 * 1024  # a page larger than this is dropped with a log line
DOWNLOAD_WARNSIZE = 8 * 1024 * 1024

# --- Retries: 5xx and 429; Retry-After is honoured by RetryAfterMiddleware -----------------
RETRY_ENABLED = True
RETRY_TIMES = 3
RETRY_HTTP_CODES = [500, 502, 503, 504, 522, 524, 408, 429]
RETRY_AFTER_MAX_SECONDS = 300  # a longer Retry-After is not waited for; the request fails loudly

# --- Security ---------------------------------------------------------------------------
REMOTE_CONTROL_ENABLED = False
TELNETCONSOLE_ENABLED = False

# --- Components, in one place --------------------------------------------------------------
PRIORITY_MIRRORS = 120  # after RobotsTxtMiddleware (100): robots rules apply to canonical URLs
PRIORITY_LOCAL_HTML = 110  # `scrapy article --html`: answers before anything is downloaded
PRIORITY_RETRY_AFTER = 560  # process_response runs just before RetryMiddleware (550)

DOWNLOADER_MIDDLEWARES = {
    "crawler.middlewares.local_html.LocalHtmlMiddleware": PRIORITY_LOCAL_HTML,
    "crawler.middlewares.mirrors.MirrorMiddleware": PRIORITY_MIRRORS,
    "crawler.middlewares.retry_after.RetryAfterMiddleware": PRIORITY_RETRY_AFTER,
}

PIPELINE_CLEAN = 100
PIPELINE_VALIDATE = 200

ITEM_PIPELINES = {
    "crawler.pipelines.clean.CleanPipeline": PIPELINE_CLEAN,
    "crawler.pipelines.validate.ValidatePipeline": PIPELINE_VALIDATE,
}

EXTENSIONS = {
    "crawler.extensions.health.HealthReport": 10,
    "crawler.extensions.stats_file.StatsFile": 1000,  # last: writes what the others added
}
HEALTH_ENABLED = True
HEALTH_FALLBACK_RATIO = 0.5  # above this share of generic-extractor bodies, the layout probably changed
STATS_FILE = ""  # write the final stats as JSON here (tests and monitoring read it)

ADDONS = {
    "crawler.feeds.DefaultFeedAddon": 0,
}

# --- Output ---------------------------------------------------------------------------
# Where `scrapy crawl <outlet>` writes when no -o/-O/FEEDS is given: <OUTPUT_DIR>/<spider>/<UTC time>.jsonl
OUTPUT_DIR = os.environ.get("RUSPRESS_OUTPUT_DIR", "")  # empty: the project's output/ folder
OUTPUT_DEFAULT_FEED = True
FEED_EXPORT_ENCODING = "utf-8"
FEED_STORE_EMPTY = True

# --- Mirrors: host -> base URL; requests for the host are downloaded from the mirror ---------
MIRRORS: dict[str, str] = {}

# --- Logging ----------------------------------------------------------------------------
LOG_LEVEL = "INFO"

# --- Scrapy defaults we pin -------------------------------------------------------------------
TWISTED_REACTOR = "twisted.internet.asyncioreactor.AsyncioSelectorReactor"
