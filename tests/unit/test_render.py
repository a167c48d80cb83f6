"""Rendering without a browser: challenge/shell detection, the middleware's decisions, the add-on,
the spider's render argument. The real browser runs in tests/integration/test_render.py."""

from __future__ import annotations

import asyncio
from pathlib import Path
from types import SimpleNamespace

import pytest
from scrapy import Request
from scrapy.http import HtmlResponse
from scrapy.settings import Settings
from scrapy.utils.test import get_crawler

from crawler import settings as project_settings
from crawler.middlewares import render
from crawler.middlewares.challenge import PageCheck, visible_text
from crawler.spiders.moscowtimes import MoscowTimesSpider

SITE = Path(__file__).resolve().parents[1] / "sites" / "render"
CHECK = PageCheck.of(project_settings.RENDER_CHALLENGE_MARKERS, project_settings.RENDER_SHELL_SELECTORS,
                     project_settings.RENDER_CHALLENGE_STATUSES, project_settings.RENDER_MIN_TEXT)
LONG = "Городская библиотека впервые за десять лет продлила часы работы. " * 8


def page(name: str) -> str:
    return (SITE / name).read_text("utf-8")


# ------------------------------------------------------------------ detection (data-driven)
@pytest.mark.parametrize("name, status, reason", [
    ("_challenge.html", 503, "challenge"),  # script-only body behind 503
    ("_challenge.html", 403, "challenge"),
    ("news/js-article", 200, "app_shell"),  # <div id="root"></div>
    ("news/next-article", 200, "app_shell"),  # <div id="__next"></div> + __NEXT_DATA__
    ("news/never-renders", 200, "app_shell"),
    ("news/plain-article", 200, None),  # server-rendered: no browser
    ("news/challenge-article", 200, None),  # the article behind the challenge
    ("news/late-body", 200, None),  # enough text: only the parser can tell (no_body)
])
def test_fixture_pages(name: str, status: int, reason: str | None) -> None:
    assert CHECK.reason(status, page(name)) == reason


@pytest.mark.parametrize("html, status, reason", [
    # known vendor markers, whatever the status
    ("<html><head><title>Just a moment...</title></head><body><script>window._cf_chl_opt={}</script></body></html>", 200, "challenge"),
    ("<html><head><title>DDoS-Guard</title></head><body><script src=/.well-known/ddos-guard/check></script></body></html>", 403, "challenge"),
    # a 403/503 error page with text and no script is a real error: a browser gets the same
    ("<html><body><h1>403 Forbidden</h1><p>You do not have access.</p></body></html>", 403, None),
    (f"<html><body><script>x()</script><article>{LONG}</article></body></html>", 503, None),
    # an empty mount point, but the page carries its text anyway (server-side rendered Next.js)
    (f"<html><body><div id='__next'><article>{LONG}</article></div><div id=app></div><script></script></body></html>", 200, None),
    # an empty mount point without any script cannot be rendered into anything
    ("<html><body><div id='root'></div></body></html>", 200, None),
    ("<html><body><app-root></app-root><script src='main.js'></script></body></html>", 200, "app_shell"),
    ("<html><body><div id='root'></div><script src='main.js'></script></body></html>", 404, None),
    ("", 200, None),
])
def test_detection_rules(html: str, status: int, reason: str | None) -> None:
    assert CHECK.reason(status, html) == reason


def test_markers_are_data() -> None:
    custom = PageCheck.of(["window._rp_challenge"], [], [], 200)
    assert custom.reason(200, page("_challenge.html")) == "challenge"
    assert PageCheck.of([], [], [], 200).reason(503, page("_challenge.html")) is None


def test_visible_text_skips_scripts_styles_noscript_head() -> None:
    from lxml import html

    doc = html.document_fromstring("<html><head><title>T</title></head><body>a<script>b</script>c"
                                   "<style>d</style><noscript>e</noscript><!-- f --><p>g</p>h</body></html>")
    assert visible_text(doc) == "a c g h"


# ------------------------------------------------------------------ the middleware's decisions
def make_middleware(**settings: object) -> tuple[render.RenderMiddleware, object]:
    crawler = get_crawler(settings_dict={
        "DOWNLOAD_HANDLERS": {"http": render.HANDLER, "https": render.HANDLER},
        "RENDER_CHALLENGE_MARKERS": project_settings.RENDER_CHALLENGE_MARKERS,
        "RENDER_SHELL_SELECTORS": project_settings.RENDER_SHELL_SELECTORS,
        "RENDER_CHALLENGE_STATUSES": project_settings.RENDER_CHALLENGE_STATUSES,
        "RENDER_MIN_TEXT": 200, "RENDER_TIMEOUT": 7, **settings})
    crawler.spider = SimpleNamespace(outlet=SimpleNamespace(key="demo", extra={"body_selector": "div.body"}),
                                     render_mode="fallback")
    crawler.stats.open_spider()
    return render.RenderMiddleware.from_crawler(crawler), crawler.stats


def run(value: object) -> object:
    """The middleware's response/exception hooks are coroutines."""
    return asyncio.run(value) if asyncio.iscoroutine(value) else value


def response_for(request: Request, name: str, status: int = 200, flags: list[str] | None = None) -> HtmlResponse:
    return HtmlResponse(request.url, status=status, body=page(name).encode(), encoding="utf-8",
                        request=request, flags=flags or [])


def test_fallback_renders_challenge_once_then_keeps_rendered_response() -> None:
    mw, stats = make_middleware()
    request = Request("http://127.0.0.1:1/news/challenge-article", meta={"render": "fallback"},
                      headers={"If-None-Match": '"v1"', "Accept-Language": "ru"})
    assert run(mw.process_request(request)) is None and "playwright" not in request.meta  # plain HTTP first
    again = run(mw.process_response(request, response_for(request, "_challenge.html", 503)))
    assert isinstance(again, Request) and again.dont_filter and again.url == request.url
    assert again.meta["render_reason"] == "challenge"
    assert "If-None-Match" not in again.headers and again.headers["Accept-Language"] == b"ru"
    run(mw.process_request(again))
    assert again.meta["playwright"] is True and again.meta["playwright_context"] == "render-0"
    assert again.meta["playwright_page_goto_kwargs"]["timeout"] == 7000
    assert stats.get_value("render/requested/challenge") == 1
    # the browser answered: the first document was the 503 challenge, the last one the page
    again.meta[render.META_STATUS] = 200
    rendered = run(mw.process_response(again, response_for(again, "news/challenge-article", 503, ["playwright"])))
    assert isinstance(rendered, HtmlResponse) and rendered.status == 200
    assert stats.get_value("render/pages") == 1
    assert stats.get_value("render/pages/demo/challenge") == 1
    # a rendered page that is still a challenge is said so, and not rendered again
    again.meta[render.META_STATUS] = 503
    still = run(mw.process_response(again, response_for(again, "_challenge.html", 503, ["playwright"])))
    assert isinstance(still, HtmlResponse) and stats.get_value("render/still_challenged") == 1
    assert again.meta["dont_retry"] is True  # RetryMiddleware would only render the same challenge again


def test_fallback_leaves_plain_pages_alone() -> None:
    mw, stats = make_middleware()
    request = Request("http://127.0.0.1:1/news/plain-article", meta={"render": "fallback"})
    response = response_for(request, "news/plain-article")
    assert run(mw.process_response(request, response)) is response
    assert stats.get_value("render/not_needed") == 1


def test_always_and_unmarked_requests() -> None:
    mw, stats = make_middleware()
    always = Request("http://127.0.0.1:1/news/plain-article", meta={"render": "always"})
    run(mw.process_request(always))
    assert always.meta["playwright"] and always.meta["render_reason"] == "always"
    plain = Request("http://127.0.0.1:1/sitemap.xml")  # discovery: never rendered
    run(mw.process_request(plain))
    assert "playwright" not in plain.meta
    shell = response_for(plain, "news/js-article")
    assert run(mw.process_response(plain, shell)) is shell
    local = Request("http://127.0.0.1:1/x", meta={"render": "always", "local_html": "/tmp/x.html"})
    run(mw.process_request(local))
    assert "playwright" not in local.meta  # `scrapy article --html` never starts a browser


def test_timeout_is_one_clear_log_line(caplog: pytest.LogCaptureFixture) -> None:
    mw, stats = make_middleware()
    request = Request("http://127.0.0.1:1/news/never-renders",
                      meta={"render": "fallback", "render_reason": "app_shell", "playwright": True,
                            "mirror": {"canonical": "https://www.example.invalid/news/never-renders"}})
    TimeoutError_ = type("TimeoutError", (Exception,), {})
    assert run(mw.process_exception(request, TimeoutError_("Timeout 7000ms exceeded."))) is None
    assert stats.get_value("render/timeout") == 1
    assert "Render timed out after 7s (app_shell): https://www.example.invalid/news/never-renders" in caplog.text


def test_contexts_rotate_and_retired_ones_close_when_idle() -> None:
    rotation = render.ContextRotation(pages_per_context=2)
    first = [rotation.assign(), rotation.assign()]
    assert first == ["render-0", "render-0"]
    assert rotation.assign() == "render-1"  # the third page opens the next context ...
    assert rotation.drained is not None and not rotation.drained.is_set()  # ... once render-0 is done
    ctx0, ctx1 = object(), object()
    assert rotation.done("render-0", ctx0) == (False, None)  # one page of render-0 still open
    assert rotation.done("render-0", ctx0) == (True, ctx0)  # retired and idle: close it
    event = rotation.drained
    rotation.release()
    assert event is not None and event.is_set() and rotation.drained is None
    assert rotation.done("render-1", ctx1) == (False, None)  # the current context stays open
    never = render.ContextRotation(0)
    for _ in range(1000):
        never.assign()
    assert never.current == "render-0" and never.drained is None


def test_new_context_waits_for_the_old_one_to_close() -> None:
    async def scenario() -> list[str]:
        rotation = render.ContextRotation(pages_per_context=1)
        events: list[str] = []
        assert await rotation.slot() == "render-0"

        async def second_page() -> None:
            events.append("asks " + await rotation.slot())

        task = asyncio.ensure_future(second_page())
        await asyncio.sleep(0.01)
        events.append("render-0 done")
        idle, _ = rotation.done("render-0", None)
        assert idle
        rotation.release()
        await task
        return events

    assert asyncio.run(scenario()) == ["render-0 done", "asks render-1"]


def test_middleware_closes_retired_contexts() -> None:
    mw, stats = make_middleware(RENDER_PAGES_PER_CONTEXT=1)
    closed: list[str] = []

    class Context:
        def __init__(self, name: str) -> None:
            self.name = name

        async def close(self) -> None:
            closed.append(self.name)

    requests = [Request(f"http://127.0.0.1:1/news/{n}", meta={"render": "always"}) for n in range(3)]
    for request in requests:  # one after another: a new context waits for the old one to close
        run(mw.process_request(request))
        request.meta[render.META_CONTEXT] = Context(request.meta["playwright_context"])
        run(mw.process_response(request, response_for(request, "news/plain-article", flags=["playwright"])))
        assert render.META_CONTEXT not in request.meta  # no Playwright object left in the meta
    assert [r.meta["playwright_context"] for r in requests] == ["render-0", "render-1", "render-2"]
    assert closed == ["render-0", "render-1"] and stats.get_value("render/contexts_closed") == 2


def test_render_again_only_once_and_only_in_fallback() -> None:
    request = Request("http://127.0.0.1:1/news/late-body", meta={"render": "fallback"})
    plain = response_for(request, "news/late-body")
    again = render.render_again(plain, "no_body")
    assert again is not None and again.meta["render_reason"] == "no_body"
    assert render.render_again(response_for(again, "news/late-body", flags=["playwright"]), "no_body") is None
    assert render.render_again(response_for(again, "news/late-body"), "no_body") is None  # tried already
    never = Request("http://127.0.0.1:1/news/late-body")
    assert render.render_again(response_for(never, "news/late-body"), "no_body") is None


def test_middleware_is_off_without_the_handler() -> None:
    from scrapy.exceptions import NotConfigured

    crawler = get_crawler(settings_dict={})
    crawler.spider = SimpleNamespace(render_mode="never")
    with pytest.raises(NotConfigured):
        render.RenderMiddleware.from_crawler(crawler)


# ------------------------------------------------------------------ the add-on
def addon_settings(mode: str, **values: object) -> Settings:
    settings = Settings({"RENDER_ENABLED": True, "RENDER_BROWSER": "/bin/sh", "RENDER_BROWSER_ARGS": ["--x"],
                         **values})
    addon = render.RenderAddon(SimpleNamespace(spider=SimpleNamespace(render_mode=mode)))  # type: ignore[arg-type]
    addon.update_settings(settings)
    return settings


def test_addon_installs_nothing_for_never() -> None:
    settings = addon_settings("never")
    assert not settings.getdict("DOWNLOAD_HANDLERS")
    assert not settings.getdict("PLAYWRIGHT_LAUNCH_OPTIONS")
    assert not addon_settings("fallback", RENDER_ENABLED=False).getdict("DOWNLOAD_HANDLERS")


def test_addon_installs_handlers_and_launch_options(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(render, "running_as_root", lambda: True)
    settings = addon_settings("fallback", DOWNLOAD_HANDLERS={"s3": None})
    assert settings.getdict("DOWNLOAD_HANDLERS") == {"s3": None, "http": render.HANDLER, "https": render.HANDLER}
    options = settings.getdict("PLAYWRIGHT_LAUNCH_OPTIONS")
    assert options == {"headless": True, "executable_path": "/bin/sh", "args": ["--x", "--no-sandbox"]}
    monkeypatch.setattr(render, "running_as_root", lambda: False)
    assert "--no-sandbox" not in addon_settings("always").getdict("PLAYWRIGHT_LAUNCH_OPTIONS")["args"]
    assert addon_settings("always", RENDER_BROWSER_ARGS="").getdict("PLAYWRIGHT_LAUNCH_OPTIONS")["args"] == []
    explicit = addon_settings("always", PLAYWRIGHT_LAUNCH_OPTIONS={"executable_path": "/opt/chrome", "headless": False})
    assert explicit.getdict("PLAYWRIGHT_LAUNCH_OPTIONS")["executable_path"] == "/opt/chrome"
    assert explicit.getdict("PLAYWRIGHT_LAUNCH_OPTIONS")["headless"] is False


def test_addon_says_clearly_when_the_browser_is_missing() -> None:
    with pytest.raises(RuntimeError, match=r"apt-get install chromium.*-a render=never"):
        addon_settings("fallback", RENDER_BROWSER="/nonexistent/chromium")
    remote = addon_settings("fallback", RENDER_BROWSER="/nonexistent/chromium", PLAYWRIGHT_CDP_URL="ws://127.0.0.1:9222")
    assert "executable_path" not in remote.getdict("PLAYWRIGHT_LAUNCH_OPTIONS")  # a remote browser: none to find


def test_abort_request_blocks_images_media_fonts() -> None:
    for kind, blocked in (("image", True), ("media", True), ("font", True), ("document", False),
                          ("script", False), ("fetch", False), ("stylesheet", False)):
        assert render.abort_request(SimpleNamespace(resource_type=kind)) is blocked


# ------------------------------------------------------------------ the spider argument
def test_spider_render_argument() -> None:
    assert MoscowTimesSpider().render_mode == "never"
    assert MoscowTimesSpider(render="always").render_mode == "always"
    with pytest.raises(ValueError, match=r"-a render='sometimes': expected one of always, fallback, never"):
        MoscowTimesSpider(render="sometimes")


# ------------------------------------------------------------------ ./run crawl: Chromium only when needed
@pytest.mark.parametrize("argv, needed", [
    (["moscowtimes"], False),  # render="never": `./run crawl moscowtimes` installs no browser
    (["moscowtimes", "-a", "since=2024-01-01", "-O", "out.jsonl"], False),
    (["moscowtimes", "-a", "render=fallback"], True),
    (["moscowtimes", "-arender=always"], True),
    (["-s", "LOG_LEVEL=INFO", "moscowtimes", "-a", "render=always", "-s", "RENDER_ENABLED=False"], False),
    (["no-such-outlet"], False),
    ([], False),
])
def test_needs_browser(argv: list[str], needed: bool) -> None:
    assert render.needs_browser(argv) is needed
