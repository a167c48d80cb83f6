"""JavaScript rendering through scrapy-playwright, only for the pages that need it.

Three parts, one job (getting a page's HTML out of a browser when plain HTTP is not enough):

``RenderAddon`` (in ``ADDONS``)
    At crawl start, reads the spider's ``render_mode`` (the outlet record's ``render``, or the run's
    ``-a render=``). Only when it is ``always`` or ``fallback`` (and ``RENDER_ENABLED``) does it
    install scrapy-playwright's download handlers for http/https and build ``PLAYWRIGHT_LAUNCH_OPTIONS``
    from ``RENDER_BROWSER`` and ``RENDER_BROWSER_ARGS`` (headless; ``--no-sandbox`` added only when
    running as root, which Chromium requires). A ``never`` run (The Moscow Times) installs nothing: no
    Playwright driver, no browser. A missing browser stops the crawl at start with a clear error.

``RenderMiddleware`` (downloader middleware, ``PRIORITY_RENDER``)
    Reads the request meta key ``render`` (``always`` | ``fallback``; the spider sets it on article
    requests). ``always``: the request goes to the browser. ``fallback``: the plain-HTTP response is
    checked (``challenge.PageCheck``); a challenge page or an empty application shell is re-fetched
    once through the browser (``render_reason`` says why). The browser loads the same URL the plain
    request used, so ``MIRRORS`` apply; the response keeps the canonical URL. A rendered response gets
    the status of the page's last main-frame document (a challenge answers 503, the page after its
    reload 200). A render that does not show the page's text within ``RENDER_TIMEOUT`` seconds fails
    with one ``Render timed out`` log line.

``render_again(response, reason)``
    For the spider: the browser re-fetch of a plain response whose parser found no body (reason
    ``no_body``), or None when the request is not in ``fallback`` mode or was rendered already. The
    spider hands it to the engine directly (``crawler.engine.crawl``): it is a second download of the
    same page, not a discovery for the spider middlewares to judge (incremental crawling would drop
    it as already requested).

Stats: ``render/requested/<reason>`` (requests sent to the browser: always, challenge, app_shell,
no_body), ``render/pages`` and ``render/pages/<outlet>`` and ``render/pages/<outlet>/<reason>``
(rendered pages received), ``render/not_needed`` (fallback pages that plain HTTP served well),
``render/still_challenged``, ``render/timeout``, ``render/failed/<error>``; scrapy-playwright adds
``playwright/*`` (pages, contexts, ``playwright/request_count/aborted`` for blocked resources).
"""

from __future__ import annotations

import asyncio
import logging
import os
import shutil
from collections import Counter
from pathlib import Path
from typing import Any

from scrapy import Request
from scrapy.crawler import Crawler
from scrapy.exceptions import NotConfigured
from scrapy.http import Response, TextResponse
from scrapy.settings import SETTINGS_PRIORITIES, Settings
from scrapy_playwright.page import PageMethod  # a plain class: importing it starts nothing

from crawler.middlewares.challenge import READY_JS, PageCheck

logger = logging.getLogger(__name__)

MODES = ("always", "fallback", "never")
META_MODE = "render"  # set by the spider: "always" | "fallback"
META_REASON = "render_reason"  # why this request goes through the browser
META_STATUS = "render_status"  # status of the last main-frame document the browser loaded
META_CONTEXT = "render_browser_context"  # the page's BrowserContext, while the page is open
CONTEXT = "render"  # scrapy-playwright context names: render-0, render-1, ... (ContextRotation)
HANDLER = "crawler.middlewares.render_handler.RenderDownloadHandler"  # scrapy-playwright's, shared by schemes
HANDLERS = (HANDLER, "scrapy_playwright.handler.ScrapyPlaywrightDownloadHandler")
CONDITIONAL_HEADERS = ("If-None-Match", "If-Modified-Since")
DOWNLOAD_META = frozenset({  # what the last download wrote into the meta: not carried to the re-fetch
    "download_latency", "retry_times", "redirect_times", "redirect_ttl", "redirect_urls", "redirect_reasons",
    "_auth_proxy", "_scheme_proxy", "cache_timestamp", "_dont_cache",
})
BLOCKED_RESOURCE_TYPES = frozenset({"image", "media", "font"})


# ---------------------------------------------------------------------------- add-on
def spider_render_mode(crawler: Crawler) -> str:
    return getattr(crawler.spider, "render_mode", "never") if crawler.spider else "never"


class RenderAddon:
    """Installs scrapy-playwright only for runs that may render (see the module docstring)."""

    def __init__(self, crawler: Crawler) -> None:
        self.crawler = crawler

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> RenderAddon:
        return cls(crawler)

    def update_settings(self, settings: Settings) -> None:
        mode = spider_render_mode(self.crawler)
        if mode == "never" or not settings.getbool("RENDER_ENABLED", True):
            return
        handlers = settings.getdict("DOWNLOAD_HANDLERS")
        handlers.update({"http": HANDLER, "https": HANDLER})
        _merge(settings, "DOWNLOAD_HANDLERS", handlers)
        _merge(settings, "PLAYWRIGHT_LAUNCH_OPTIONS", launch_options(settings))


def _merge(settings: Settings, name: str, value: dict[str, Any]) -> None:
    """Set a dict setting that already holds what was given explicitly (merged into ``value``)."""
    priority = max(settings.getpriority(name) or 0, SETTINGS_PRIORITIES["addon"])
    settings.set(name, value, priority=priority)


def handler_installed(settings: Settings) -> bool:
    handlers = settings.getdict("DOWNLOAD_HANDLERS")
    return handlers.get("http") in HANDLERS or handlers.get("https") in HANDLERS


def launch_options(settings: Settings) -> dict[str, Any]:
    """``RENDER_BROWSER`` / ``RENDER_BROWSER_ARGS`` as Playwright launch options; keys given in
    ``PLAYWRIGHT_LAUNCH_OPTIONS`` win. Raises when the browser executable does not exist."""
    explicit = settings.getdict("PLAYWRIGHT_LAUNCH_OPTIONS")
    options: dict[str, Any] = {"headless": True, "args": [a for a in settings.getlist("RENDER_BROWSER_ARGS") if a]}
    browser = settings.get("RENDER_BROWSER") or ""
    remote = settings.get("PLAYWRIGHT_CDP_URL") or settings.get("PLAYWRIGHT_CONNECT_URL")
    if browser and not remote:
        path = shutil.which(browser) or browser
        if not Path(path).is_file() and "executable_path" not in explicit:
            raise RuntimeError(
                f"Rendering pages needs a browser, and RENDER_BROWSER={browser!r} does not exist. Install "
                "Debian's Chromium (apt-get install chromium; ./run does it), point RUSPRESS_BROWSER or "
                "-s RENDER_BROWSER=... at another Chromium-based browser, or crawl with -a render=never.")
        options["executable_path"] = path
    options.update(explicit)
    args = list(options.get("args") or [])
    if running_as_root() and "--no-sandbox" not in args:
        args.append("--no-sandbox")  # Chromium refuses to start its sandbox as root
    options["args"] = args
    return options


def running_as_root() -> bool:
    return hasattr(os, "geteuid") and os.geteuid() == 0


def abort_request(request: Any) -> bool:
    """``PLAYWRIGHT_ABORT_REQUEST``: images, media and fonts are never downloaded when rendering."""
    return request.resource_type in BLOCKED_RESOURCE_TYPES


# ---------------------------------------------------------------------------- requests
def is_rendered(response: Response) -> bool:
    return "playwright" in response.flags


def render_request(request: Request, reason: str) -> Request:
    """The same request (same URL, so a mirror's), to be fetched again through the browser. Without
    conditional headers: the browser sends the request's headers with every navigation, and a 304
    to a challenge's reload would leave it an empty page."""
    headers = request.headers.copy()
    for name in CONDITIONAL_HEADERS:
        headers.pop(name, None)
    meta = {key: value for key, value in request.meta.items() if key not in DOWNLOAD_META}
    return request.replace(meta={**meta, META_REASON: reason}, headers=headers, dont_filter=True)


def render_again(response: Response, reason: str) -> Request | None:
    """The browser re-fetch for a plain ``fallback`` response (e.g. its parser found no body)."""
    request = response.request
    if (request is None or request.meta.get(META_MODE) != "fallback" or META_REASON in request.meta
            or is_rendered(response) or request.meta.get("local_html")):
        return None
    return render_request(request, reason)


async def watch_documents(page: Any, request: Request) -> None:
    """``playwright_page_init_callback``: remember the status of each main-frame document."""

    def on_response(pw_response: Any) -> None:
        if pw_response.request.is_navigation_request() and pw_response.frame == page.main_frame:
            request.meta[META_STATUS] = pw_response.status

    request.meta[META_CONTEXT] = page.context  # for ContextRotation; removed when the page is done
    page.on("response", on_response)


async def wait_until_ready(page: Any, selector: str | None, min_text: int, markers: list[str],
                           timeout_ms: float) -> None:
    """Page method: wait (surviving a challenge's reload) until the page shows its content."""
    await page.wait_for_function(READY_JS, arg=[selector, min_text, markers], timeout=timeout_ms,
                                 polling=250)


# ---------------------------------------------------------------------------- contexts
class ContextRotation:
    """Browser contexts used in turn: after ``pages_per_context`` pages the next context is opened,
    once the old one has finished its pages and been closed, so that what a long crawl leaves in a
    context (cache, cookies, storage, renderer memory) cannot grow without bound, and the cap on open
    pages holds across the switch. 0: one context for the whole run."""

    def __init__(self, pages_per_context: int) -> None:
        self.pages_per_context = pages_per_context
        self.generation = 0
        self.assigned = 0
        self.inflight: Counter[str] = Counter()
        self.contexts: dict[str, Any] = {}  # context name -> Playwright BrowserContext, once a page saw it
        self.drained: asyncio.Event | None = None  # set once the retired context is closed
        self.idle: list[Any] = []  # retired contexts with no page open, to be closed

    @property
    def current(self) -> str:
        return f"{CONTEXT}-{self.generation}"

    def assign(self) -> str:
        if self.pages_per_context and self.assigned >= self.pages_per_context:
            retired = self.current
            self.generation += 1
            self.assigned = 0
            if self.inflight[retired]:
                self.drained = asyncio.Event()
            else:  # nothing open in it: close it now
                self.inflight.pop(retired, None)
                if retired in self.contexts:
                    self.idle.append(self.contexts.pop(retired))
        self.assigned += 1
        self.inflight[self.current] += 1
        return self.current

    async def slot(self) -> str:
        """A context name for a new page; waits while the retired context finishes its pages."""
        name = self.assign()
        if self.drained is not None:
            await self.drained.wait()
        return name

    def done(self, name: str, context: Any) -> tuple[bool, Any]:
        """A page of context ``name`` is finished: (the retired context is now idle, its context)."""
        if context is not None:
            self.contexts.setdefault(name, context)
        if self.inflight[name] > 0:
            self.inflight[name] -= 1
        if name != self.current and self.inflight[name] == 0:
            del self.inflight[name]
            return True, self.contexts.pop(name, None)
        return False, None

    def release(self) -> None:
        """The retired context is closed: pages of the new one may open."""
        if self.drained is not None:
            self.drained.set()
            self.drained = None


class QuietTimeouts(logging.Filter):
    """scrapy-playwright logs a render timeout as a warning with a 30-line traceback; our own
    ``Render timed out`` line says it all, so the traceback is dropped (the warning line stays)."""

    def filter(self, record: logging.LogRecord) -> bool:
        exc = record.exc_info[1] if record.exc_info else None
        if exc is not None and type(exc).__name__ == "TimeoutError":
            record.exc_info = None
            record.exc_text = None
        return True


# ---------------------------------------------------------------------------- middleware
class RenderMiddleware:
    def __init__(self, check: PageCheck, timeout: float, outlet_key: str, body_selector: str | None,
                 stats: Any, pages_per_context: int = 0) -> None:
        self.check = check
        self.timeout = timeout
        self.outlet_key = outlet_key
        self.body_selector = body_selector
        self.stats = stats
        self.rotation = ContextRotation(pages_per_context)

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> RenderMiddleware:
        settings = crawler.settings
        if not handler_installed(settings):
            raise NotConfigured  # nothing is rendered in this run: no "Disabled" warning either
        check = PageCheck.of(settings.getlist("RENDER_CHALLENGE_MARKERS"),
                             settings.getlist("RENDER_SHELL_SELECTORS"),
                             settings.getlist("RENDER_CHALLENGE_STATUSES"), settings.getint("RENDER_MIN_TEXT"))
        playwright_log = logging.getLogger("scrapy-playwright")
        if not any(isinstance(f, QuietTimeouts) for f in playwright_log.filters):
            playwright_log.addFilter(QuietTimeouts())
        outlet = getattr(crawler.spider, "outlet", None)
        return cls(check, settings.getfloat("RENDER_TIMEOUT"), getattr(outlet, "key", "unknown"),
                   (outlet.extra.get("body_selector") if outlet else None), crawler.stats,
                   settings.getint("RENDER_PAGES_PER_CONTEXT"))

    async def process_request(self, request: Request) -> None:
        meta = request.meta
        if not meta.get(META_MODE) or meta.get("local_html"):
            return None
        if meta[META_MODE] == "always":
            meta.setdefault(META_REASON, "always")
        reason = meta.get(META_REASON)
        if not reason:
            return None
        if not meta.get("playwright"):
            self.stats.inc_value(f"render/requested/{reason}")
            timeout_ms = self.timeout * 1000
            meta.update({
                "playwright": True,
                "playwright_context_kwargs": {"service_workers": "block"},
                "playwright_page_goto_kwargs": {"wait_until": "load", "timeout": timeout_ms},
                "playwright_page_init_callback": f"{__name__}.watch_documents",
                "playwright_page_methods": [
                    PageMethod(wait_until_ready, self.body_selector, self.check.min_text,
                               list(self.check.markers), timeout_ms),
                ],
            })
        meta["playwright_context"] = await self.rotation.slot()  # every attempt, retries included
        while self.rotation.idle:
            await self._close(self.rotation.idle.pop())
        return None

    async def process_response(self, request: Request, response: Response) -> Request | Response:
        meta = request.meta
        if meta.get("playwright"):
            await self._page_done(request)
        if is_rendered(response):
            return self._rendered(request, response)
        if meta.get(META_MODE) != "fallback" or META_REASON in meta or meta.get("local_html"):
            return response
        if not isinstance(response, TextResponse):
            return response
        reason = self.check.reason(response.status, response.text)
        if not reason:
            self.stats.inc_value("render/not_needed")
            return response
        logger.info("Rendering %s in the browser: %s (HTTP %s)", _canonical(request), reason, response.status)
        return render_request(request, reason)

    def _rendered(self, request: Request, response: Response) -> Response:
        reason = request.meta.get(META_REASON, "always")
        for key in ("render/pages", f"render/pages/{self.outlet_key}", f"render/pages/{self.outlet_key}/{reason}"):
            self.stats.inc_value(key)
        final = request.meta.get(META_STATUS)
        if final and final != response.status:
            response = response.replace(status=final)
        if isinstance(response, TextResponse) and self.check.reason(response.status, response.text) == "challenge":
            self.stats.inc_value("render/still_challenged")
            request.meta["dont_retry"] = True  # another browser attempt would meet the same challenge
            logger.warning("Still a challenge page after rendering (HTTP %s): %s", response.status,
                           _canonical(request))
        return response

    async def process_exception(self, request: Request, exception: BaseException) -> None:
        if not request.meta.get("playwright"):
            return None
        await self._page_done(request)
        name = type(exception).__name__
        if name == "TimeoutError":
            self.stats.inc_value("render/timeout")
            logger.error("Render timed out after %gs (%s): %s", self.timeout,
                         request.meta.get(META_REASON), _canonical(request))
        else:
            self.stats.inc_value(f"render/failed/{name}")
            logger.error("Render failed (%s): %s: %s", request.meta.get(META_REASON), _canonical(request),
                         str(exception).splitlines()[0] if str(exception) else name)
        return None

    async def _page_done(self, request: Request) -> None:
        name = request.meta.get("playwright_context")
        idle, retired = self.rotation.done(name, request.meta.pop(META_CONTEXT, None)) if name else (False, None)
        if retired is not None:
            await self._close(retired)
        if idle:
            self.rotation.release()

    async def _close(self, context: Any) -> None:
        self.stats.inc_value("render/contexts_closed")
        try:
            await context.close()
        except Exception as exc:  # already closed with the browser: nothing left to free
            logger.debug("Closing a retired browser context: %s", exc)


def _canonical(request: Request) -> str:
    return request.meta.get("mirror", {}).get("canonical", request.url)


# ---------------------------------------------------------------------------- ./run
def needs_browser(argv: list[str]) -> bool:
    """Whether ``scrapy crawl <argv>`` may render pages: the outlet's ``render``, ``-a render=``,
    ``-s RENDER_ENABLED=``. ``./run crawl`` installs Chromium only then."""
    from crawler import outlets  # the registry, only for this command-line check

    spider, mode, enabled, i = None, None, True, 0
    while i < len(argv):
        arg = argv[i]
        value = argv[i + 1] if i + 1 < len(argv) else ""
        if arg in ("-a", "-s", "-o", "-O", "-t", "--logfile", "-L", "--loglevel", "--output", "--overwrite-output"):
            if arg == "-a" and value.startswith("render="):
                mode = value.split("=", 1)[1]
            elif arg == "-s" and value.startswith("RENDER_ENABLED="):
                enabled = value.split("=", 1)[1].strip().lower() not in ("0", "false", "no", "off", "")
            i += 2
            continue
        if arg.startswith("-a") and arg[2:].startswith("render="):
            mode = arg[2:].split("=", 1)[1]
        elif not arg.startswith("-") and spider is None:
            spider = arg
        i += 1
    if not enabled or spider is None:
        return False
    if mode is None:
        try:
            mode = outlets.get(spider).render
        except KeyError:
            return False
    return mode in ("always", "fallback")


if __name__ == "__main__":  # python -m crawler.middlewares.render needs-browser <scrapy crawl arguments>
    import sys

    if sys.argv[1:2] != ["needs-browser"]:
        sys.exit("usage: python -m crawler.middlewares.render needs-browser <spider> [scrapy crawl options]")
    sys.exit(0 if needs_browser(sys.argv[2:]) else 1)
