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
DOWNLOAD_MAXSIZE = 32 * 1024 * 1024  # a page larger than this is dropped with a log line (sitemaps: below)
DOWNLOAD_WARNSIZE = 8 * 1024 * 1024

# --- Bounded discovery and parsing (crawler/middlewares/frontier.py, crawler/middlewares/page_budget.py) ---
DISCOVERY_SITEMAP_MAX_SIZE = 50 * 1024 * 1024  # the protocol's 50 MB, after gzip is inflated
DISCOVERY_SITEMAP_MAX_DEPTH = 3  # sitemap indexes nested deeper are not followed (robots.txt's sitemaps: 0)
DISCOVERY_SITEMAP_MAX_FILES = 1000  # sitemaps requested per run, at most
PARSE_MAX_BYTES = 4 * 1024 * 1024  # a page is cut to this many bytes before it is parsed (0: no cut)
PARSE_MAX_NODES = 100_000  # ... and to this many elements (0: no cut)

# --- Retries: 5xx and 429; Retry-After is honoured by RetryAfterMiddleware -----------------
RETRY_ENABLED = True
RETRY_TIMES = 3
RETRY_HTTP_CODES = [500, 502, 503, 504, 522, 524, 408, 429]
RETRY_AFTER_MAX_SECONDS = 300  # a longer Retry-After is neither waited for nor retried; the request fails loudly

# --- Security ---------------------------------------------------------------------------
REMOTE_CONTROL_ENABLED = False
TELNETCONSOLE_ENABLED = False
# The scope (crawler/scope.py, crawler/middlewares/scope.py): a crawl requests only http(s) URLs on the
# outlet's hosts, the hosts its record names (sitemaps, feeds, robots, API templates) and these.
SCOPE_EXTRA_HOSTS = ["web.archive.org", "index.commoncrawl.org", "data.commoncrawl.org"]
# Only HTTP(S) is ever downloaded: a site cannot make the crawler open a local file, an FTP or S3 URL or
# a data: URI (`scrapy article --html FILE` reads its file in crawler/middlewares/local_html.py instead).
DOWNLOAD_HANDLERS = {"file": None, "ftp": None, "s3": None, "data": None}

# --- Components, in one place --------------------------------------------------------------
PRIORITY_SCOPE = 50  # first, in place of Scrapy's OffsiteMiddleware: before robots.txt (100) and mirrors
PRIORITY_PAGE_BUDGET = 585  # process_response right after decompression (590), before meta refresh (580)
PRIORITY_MIRRORS = 120  # after RobotsTxtMiddleware (100): robots rules apply to canonical URLs
PRIORITY_LOCAL_HTML = 110  # `scrapy article --html`: answers before anything is downloaded
PRIORITY_RETRY_AFTER = 560  # process_response runs just before RetryMiddleware (550)
PRIORITY_NOT_MODIFIED = 650  # process_response sees a 304 re-check first (before redirects 600, retries 550)
PRIORITY_RENDER = 570  # sees responses after redirects/decompression (600/590), before retries (560/550)
PRIORITY_CHARSET = 580  # after decompression (590), before rendering looks at the text (570)
PRIORITY_ARCHIVE_REPLAY = 105  # `scrapy reextract`/`fixture`: answers from the archive, before mirrors and downloads
PRIORITY_ARCHIVE_CAPTURE = 595  # keeps the response as received: after redirects (600), before decompression (590)
PRIORITY_WEB_ARCHIVES = 540  # sees the final answer after retries (550) and rendering: 404/410/blocked -> archive

DOWNLOADER_MIDDLEWARES = {
    "scrapy.downloadermiddlewares.offsite.OffsiteMiddleware": None,  # replaced by the scope, below
    "crawler.middlewares.scope.ScopeMiddleware": PRIORITY_SCOPE,
    "crawler.middlewares.page_budget.PageBudgetMiddleware": PRIORITY_PAGE_BUDGET,
    "crawler.middlewares.local_html.LocalHtmlMiddleware": PRIORITY_LOCAL_HTML,
    "crawler.middlewares.mirrors.MirrorMiddleware": PRIORITY_MIRRORS,
    "crawler.middlewares.retry_after.RetryAfterMiddleware": PRIORITY_RETRY_AFTER,
    "crawler.middlewares.incremental.IncrementalDownloaderMiddleware": PRIORITY_NOT_MODIFIED,
    "crawler.middlewares.render.RenderMiddleware": PRIORITY_RENDER,  # off unless the run renders
    "crawler.middlewares.charset.CharsetMiddleware": PRIORITY_CHARSET,  # declared cp1251, sent UTF-8: read UTF-8
    "crawler.middlewares.archive.ArchiveReplayMiddleware": PRIORITY_ARCHIVE_REPLAY,  # off unless ARCHIVE_REPLAY
    "crawler.middlewares.archive.ArchiveCaptureMiddleware": PRIORITY_ARCHIVE_CAPTURE,  # off unless archiving
    "crawler.middlewares.web_archives.WebArchiveMiddleware": PRIORITY_WEB_ARCHIVES,  # off unless -a sources names an archive
}
CHARSET_CHECK_ENABLED = True

SPIDER_INCREMENTAL = 600  # filters the article requests discovery yields against the crawl state
SPIDER_PARSE_ERRORS = 40  # next to the engine: sees every exception of a callback, after HttpErrorMiddleware (50)

SPIDER_ARCHIVE = 900  # writes each response to the run's archive just before its callback parses it
SPIDER_FRONTIER = 950  # close to the spider: sitemap output is handed out lazily from start() (all see it)

SPIDER_MIDDLEWARES = {
    "crawler.middlewares.frontier.DiscoveryFrontier": SPIDER_FRONTIER,
    "crawler.middlewares.incremental.IncrementalSpiderMiddleware": SPIDER_INCREMENTAL,
    "crawler.middlewares.parse_errors.ParseErrorMiddleware": SPIDER_PARSE_ERRORS,
    "crawler.middlewares.archive.ArchiveSpiderMiddleware": SPIDER_ARCHIVE,  # off unless archiving
}
PARSE_ERRORS_ENABLED = True  # a callback that raises: counted spider/parse_error/<type>, one log line, crawl goes on
LOG_FORMATTER = "crawler.logformatter.LogFormatter"  # a pipeline error names the item's URL, not its whole body

PIPELINE_CLEAN = 100
PIPELINE_VALIDATE = 200
PIPELINE_DEDUP = 300  # last: only valid articles are versioned and de-duplicated

ITEM_PIPELINES = {
    "crawler.pipelines.learned.LearnedCleanPipeline": PIPELINE_CLEAN,  # rules, appeals, learned boilerplate
    "crawler.pipelines.validate.ValidatePipeline": PIPELINE_VALIDATE,
    "crawler.pipelines.dedup.DedupPipeline": PIPELINE_DEDUP,
}

EXTENSION_SPOOL_FLUSH = 20  # on spider_opened: delivers earlier runs' spooled files before crawling
EXTENSION_MANIFEST = 30  # on feed_exporter_closed: the run manifest, after every feed file is stored

EXTENSION_ARCHIVE = 35  # the run's WACZ (crawler/exports/archive.py), stored when the spider closes
EXTENSION_DELIVERY = 40  # which items are in a stored feed (crawler/extensions/delivery.py)
EXTENSION_CRAWL_STATE = 50  # the crawl state: opened with the spider, run recorded after the feeds

EXTENSION_SOURCES = 5  # which discovery sources answered: the run's outcome (crawler/outcome.py)

EXTENSIONS = {
    "crawler.extensions.sources.SourceTracker": EXTENSION_SOURCES,
    "crawler.extensions.health.HealthReport": 10,
    "crawler.extensions.delivery.DeliveryTracker": EXTENSION_DELIVERY,
    "crawler.state.service.CrawlState": EXTENSION_CRAWL_STATE,
    "crawler.exports.spool.SpoolFlush": EXTENSION_SPOOL_FLUSH,
    "crawler.exports.manifest.RunManifest": EXTENSION_MANIFEST,
    "crawler.exports.archive.ArchiveOutput": EXTENSION_ARCHIVE,
    "crawler.alerts.extension.Alerts": 60,  # Spidermon monitors + webhook/e-mail, on the crawl state's run_recorded
    "crawler.extensions.backfill.BackfillProgress": 55,  # -a backfill=1: cursors in the crawl state, progress
    "crawler.extensions.stats_file.StatsFile": 1000,  # last: writes what the others added
}
HEALTH_ENABLED = True
HEALTH_FALLBACK_RATIO = 0.5  # above this share of generic-extractor bodies, the layout probably changed
STATS_FILE = ""  # write the final stats as JSON here (tests and monitoring read it)

ADDONS = {
    "crawler.extensions.delivery.DeliveryAddon": 1000,  # last: tracks whatever storages the others set
    "crawler.feeds.OutputAddon": 0,  # OUTPUT_* -> FEEDS; log redaction of credentials
    "crawler.middlewares.render.RenderAddon": 10,  # installs scrapy-playwright only when pages may render
}

# --- Output (crawler/feeds.py, crawler/exports/) -----------------------------------------------
# `scrapy crawl <outlet>` writes <OUTPUT_URI>/<outlet>/<YYYY-MM-DD>/<run_id>-<batch>.jsonl[.gz] and, last,
# <run_id>.manifest.json. Paths must be absolute (Scrapyd runs the egg from its own directory).
OUTPUT_DIR = os.environ.get("RUSPRESS_OUTPUT_DIR", "")  # local output folder; empty: the project's output/
OUTPUT_URI = os.environ.get("RUSPRESS_OUTPUT_URI", "")  # absolute dir, file:// or s3://bucket/prefix; empty: OUTPUT_DIR
OUTPUT_FORMAT = "jsonlines"  # or "json"
OUTPUT_GZIP = False
OUTPUT_BATCH_ITEMS = 0  # a new file every N items (0: one file per run)
OUTPUT_DEFAULT_FEED = True  # False: only -o/-O/FEEDS
OUTPUT_MANIFEST = True
OUTPUT_SPOOL_DIR = os.environ.get("RUSPRESS_SPOOL_DIR", "")  # failed uploads; empty: <OUTPUT_DIR>/.spool
OUTPUT_SPOOL_FLUSH = True  # deliver earlier runs' spooled files when the outlet's next run starts
OUTPUT_FAILED_EXIT_CODE = 3  # `scrapy crawl` exit code when a feed file or manifest was not stored
FEED_EXPORT_ENCODING = "utf-8"
FEED_STORE_EMPTY = True
FEED_STORAGES = {
    "": "crawler.exports.storages.LocalFeedStorage",  # <file>.part, renamed once stored
    "file": "crawler.exports.storages.LocalFeedStorage",
    "s3": "crawler.exports.storages.SpoolingS3FeedStorage",  # Scrapy's S3 storage + the local spool
}
# --- Evidence archive (crawler/exports/archive.py, docs/archive.md) ----------------------------------
# Every response the crawler parsed, as WARC records in <OUTPUT_URI>/<outlet>/<YYYY-MM-DD>/<run_id>.wacz.
# "auto": on for scheduled runs (a Scrapyd job, or OUTPUT_URI set), off for ad-hoc runs (-o/-O, tests, the demo).
ARCHIVE_ENABLED = os.environ.get("RUSPRESS_ARCHIVE", "auto")  # "auto", or True / False
ARCHIVE_ARTICLES_ONLY = False  # True: only article pages and their API records (no robots, sitemaps, feeds)
ARCHIVE_GZIP_LEVEL = 3  # each WARC record is its own gzip member; 1 fastest .. 9 smallest (6: 11 % smaller, 2.4x the CPU)
ARCHIVE_REPLAY: list[str] = []  # local WACZ paths to answer every request from (scrapy reextract / fixture)

# S3 (and S3-compatible stores): keys come from the environment (AWS_ACCESS_KEY_ID, AWS_SECRET_ACCESS_KEY,
# AWS_SESSION_TOKEN), which boto3 reads itself; never write them here. Any credential that reaches the
# settings or a URI is masked in the log (crawler/exports/redact.py).
AWS_ENDPOINT_URL = os.environ.get("AWS_ENDPOINT_URL") or None  # e.g. http://127.0.0.1:9000 for MinIO
AWS_REGION_NAME = os.environ.get("AWS_REGION") or os.environ.get("AWS_DEFAULT_REGION") or None

# --- Scrapyd (crawler/commands/schedule.py, deployall.py, deploy/, docs/deployment.md) ------------------
SCRAPYD_URL = os.environ.get("RUSPRESS_SCRAPYD_URL", "http://127.0.0.1:6800/")  # one node
SCRAPYD_NODES = os.environ.get("RUSPRESS_SCRAPYD_NODES", "")  # a fleet: URLs (list, or commas/spaces); wins over SCRAPYD_URL
SCRAPYD_PROJECT = "ruspress"

# --- Crawl state: incremental crawls and de-duplication (crawler/state/, docs/incremental.md) -------------------
STATE_ENABLED = True  # `scrapy article` turns it off: nothing is read or written
# sqlite:///<absolute path> (one crawler process per file) or postgresql://user@host/db (shared);
# empty: sqlite:///<OUTPUT_DIR>/state.sqlite. `%(name)s` is replaced by the spider name.
STATE_URL = os.environ.get("RUSPRESS_STATE_URL", "")
STATE_RECHECK_DAYS = 2  # undated sitemap entries are re-checked (conditionally) while this young
STATE_LOOKUP_BATCH = 200  # discovered URLs looked up per query
STATE_WRITE_BATCH = 500  # drops and seen-again updates written per transaction
STATE_LEASE_SECONDS = 300  # one crawl per outlet: a lease renewed every third of this; a killed crawl's expires after it
DEDUP_ENABLED = True
DEDUP_NEAR_ENABLED = True
DEDUP_NEAR_THRESHOLD = 0.5  # estimated Jaccard similarity of word 3-shingles (docs/incremental.md: thresholds)
DEDUP_NEAR_ACTION = "mark"  # "mark": emit with duplicate_of + shared story_id; "drop": drop it
DEDUP_NUM_PERM = 64  # MinHash permutations (changing it invalidates stored signatures)
DEDUP_LOG_LEVEL = "INFO"  # level of the "Dropped: <reason>" lines for duplicates and unchanged articles

# --- Cleaning: text rules, appeals, learned boilerplate (docs/extraction.md#how-cleaning-works) -----------
CLEAN_APPEALS_ENABLED = True  # remove blocks that ask the reader to donate/subscribe/follow (the classifier)
CLEAN_LEARN_ENABLED = True  # learn blocks that recur across an outlet's articles (kept in the crawl state)
CLEAN_LEARN_MIN_ARTICLES = 3  # a block recurs once seen in this many distinct articles...
CLEAN_LEARN_MIN_DAYS = 2  # ...published on days this far apart (first to last, inclusive)
CLEAN_LEARN_BATCH = 50  # items held and decided together (at most CONCURRENT_ITEMS)
CLEAN_LEARN_MAX_HOLD = 30  # seconds an item may wait for its batch
CLEAN_LEARN_FORGET_DAYS = 90  # blocks seen in one article only and not since are forgotten
# --- Alerts (crawler/alerts/, docs/deployment.md): Spidermon monitors after every run, each problem sent once ---
ALERTS_ENABLED = True  # the monitors run (and log) even without a channel
ALERTS_WEBHOOK_URL = os.environ.get("RUSPRESS_ALERTS_WEBHOOK_URL", "")  # Slack/Mattermost incoming webhook, Telegram sendMessage
ALERTS_TELEGRAM_CHAT_ID = os.environ.get("RUSPRESS_ALERTS_TELEGRAM_CHAT_ID", "")  # adds chat_id to the payload
ALERTS_WEBHOOK_DETAILS = False  # True: the payload also has "ruspress": {outlet, run, problems}
ALERTS_SMTP_HOST = os.environ.get("RUSPRESS_ALERTS_SMTP_HOST", "")  # empty: no e-mail
ALERTS_SMTP_PORT = 587
ALERTS_SMTP_SECURITY = "starttls"  # starttls | ssl | none
ALERTS_SMTP_USER = os.environ.get("RUSPRESS_ALERTS_SMTP_USER", "")
ALERTS_SMTP_PASSWORD = os.environ.get("RUSPRESS_ALERTS_SMTP_PASSWORD", "")  # never written here
ALERTS_EMAIL_FROM = os.environ.get("RUSPRESS_ALERTS_EMAIL_FROM", "")
ALERTS_EMAIL_TO = os.environ.get("RUSPRESS_ALERTS_EMAIL_TO", "")  # addresses, separated by commas
ALERTS_TIMEOUT = 20  # seconds for one webhook call or SMTP session
ALERTS_DAILY_DAYS = 28  # "publishes daily": articles dated on ALERTS_DAILY_RATIO of these days ...
ALERTS_DAILY_RATIO = 0.8
ALERTS_SILENT_DAYS = 2  # ... and none dated in the last 2 days (today, yesterday): zero_articles
ALERTS_VALIDATION_RATIO = 0.1  # more than this share of the checked articles dropped by validation

# --- Web archives beside the site (docs/backfill.md) ----------------------------------------------
# `-a sources=site,wayback,commoncrawl` (or `scrapy backfill`) lists articles from the archives' indexes and
# takes a page the site answers 404/410/403/451 (or a challenge, or never connects) from the archive.
WEBARCHIVE_CDX_PAGE_SIZE = 5000  # rows per Wayback CDX page (limit=); pages are read one at a time
WEBARCHIVE_CAPTURE_LAG_DAYS = 30  # captures up to this many days after `until` are listed (pages are archived late)
WEBARCHIVE_CC_LOOKUP_COLLECTIONS = 3  # Common Crawl collections asked for one page the site no longer serves
WEBARCHIVE_SITE_DOWN_AFTER = 3  # connection failures (with no answer at all) before the site counts as down
# Per-archive politeness: one request at a time, at the pace each archive asks for (docs/backfill.md):
# Wayback CDX API 24 requests/min hard limit (2026) -> one every 3 s; playback 600/min -> one a second;
# Common Crawl's index server is one machine ("please do not overload") -> one every 2 s; its data server
# asks for no more than one retry a second -> one a second. A 429 or 503 there also doubles the slot's delay.
DOWNLOAD_SLOTS = {
    "web.archive.org/cdx": {"concurrency": 1, "delay": 3.0},
    "web.archive.org": {"concurrency": 1, "delay": 1.0},
    "index.commoncrawl.org": {"concurrency": 1, "delay": 2.0},
    "data.commoncrawl.org": {"concurrency": 1, "delay": 1.0},
}
BACKFILL_PROGRESS = "auto"  # a progress bar on a terminal, else a log line; or "bar", "log", "off"
BACKFILL_PROGRESS_INTERVAL = 60  # seconds between progress log lines (and cursor writes)

# --- Mirrors: host -> base URL; requests for the host are downloaded from the mirror ---------
MIRRORS: dict[str, str] = {}

# --- JavaScript rendering (scrapy-playwright); see crawler/middlewares/render.py ----------------
# Nothing here costs anything unless the outlet record (render="always"|"fallback") or -a render=...
# asks for a browser: only then does RenderAddon install scrapy-playwright's download handlers.
RENDER_ENABLED = True  # False: never render, whatever the outlet or -a render says
RENDER_BROWSER = os.environ.get("RUSPRESS_BROWSER", "/usr/bin/chromium")  # Debian's; "" = Playwright's own
RENDER_BROWSER_ARGS = [  # headless; --no-sandbox is added only when running as root
    "--disable-gpu",
    "--disable-background-networking",  # without these, Chromium hangs on a closed network
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
    "--disable-dev-shm-usage",
]
RENDER_TIMEOUT = 30  # seconds for a page to load and show its text; then it fails with a log line
RENDER_MIN_TEXT = 200  # visible characters below which a page with an empty mount point is a shell
RENDER_CHALLENGE_STATUSES = [403, 503]  # with a script-only body: a JavaScript challenge
RENDER_CHALLENGE_MARKERS = [  # strings found only on challenge pages (not on pages behind the vendor)
    "_cf_chl_opt",  # Cloudflare challenge ("Just a moment...") configuration object
    "cf-browser-verification",  # Cloudflare's older "Checking your browser" page
    "<title>Just a moment...</title>",
    "<title>DDoS-Guard</title>",  # DDoS-Guard's check page
]
RENDER_SHELL_SELECTORS = ["#root", "#__next", "#__nuxt", "#app", "app-root"]  # SPA mount points
PLAYWRIGHT_BROWSER_TYPE = "chromium"
PLAYWRIGHT_ABORT_REQUEST = "crawler.middlewares.render.abort_request"  # no images, media, fonts
RENDER_PAGES_PER_CONTEXT = 100  # then a fresh browser context, once the old one is done and closed
PLAYWRIGHT_MAX_PAGES_PER_CONTEXT = 4  # the cap on pages open at once (one context at a time)
# PLAYWRIGHT_MAX_CONTEXTS stays unset: contexts are bounded by the rotation above, and a cap here can
# deadlock scrapy-playwright (a new context waits for a slot while holding the lock old pages need).
# PLAYWRIGHT_LAUNCH_OPTIONS is built from RENDER_BROWSER(_ARGS) by RenderAddon; keys given here win.

# --- Logging ----------------------------------------------------------------------------
LOG_LEVEL = "INFO"

# --- Scrapy defaults we pin -------------------------------------------------------------------
TWISTED_REACTOR = "twisted.internet.asyncioreactor.AsyncioSelectorReactor"
