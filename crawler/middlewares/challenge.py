"""Does a page fetched over plain HTTP need a browser? Pure checks over status and HTML, driven by data.

``PageCheck.reason()`` answers ``"challenge"`` (a JavaScript challenge stands in front of the page),
``"app_shell"`` (an empty application shell whose text only exists after scripts run) or ``None``.
What counts as either is data from settings (``RENDER_CHALLENGE_STATUSES``, ``RENDER_CHALLENGE_MARKERS``,
``RENDER_SHELL_SELECTORS``, ``RENDER_MIN_TEXT``), not code:

* challenge: the HTML contains one of the known challenge markers; or the status is one of the
  challenge statuses (403/503) and the page is script with almost no visible text (a plain 403 error
  page with text is *not* a challenge: a browser would get the same page);
* app shell: a script mount point (``#root``, ``#__next``, ...) exists and is empty, the page carries
  scripts, and the visible text of the whole page is below ``min_text`` characters.

The same data drives the browser side: ``READY_JS`` is the condition a rendered page must meet before
its HTML is taken (no challenge marker left; the outlet's body selector has text, or the page has
``min_text`` visible characters).
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from lxml import html as lxml_html

INVISIBLE = ("script", "style", "noscript", "template", "head")
SCAN_BYTES = 256 * 1024  # markers are looked for in the first 256 KiB of the page

# Run in the page by ``wait_for_function``: true once the page shows its content.
READY_JS = """([selector, minText, markers]) => {
  const root = document.documentElement;
  if (!root || !document.body) return false;
  const html = root.outerHTML.slice(0, %d);
  if (markers.some((m) => html.includes(m))) return false;
  if (selector) {
    const el = document.querySelector(selector);
    return !!el && el.innerText.trim().length > 0;
  }
  return document.body.innerText.trim().length >= minText;
}""" % SCAN_BYTES


@dataclass(frozen=True)
class PageCheck:
    markers: tuple[str, ...] = ()
    shell_selectors: tuple[str, ...] = ()
    challenge_statuses: frozenset[int] = frozenset({403, 503})
    min_text: int = 200

    @classmethod
    def of(cls, markers: Iterable[str], shell_selectors: Iterable[str], challenge_statuses: Iterable[int],
           min_text: int) -> PageCheck:
        return cls(tuple(m for m in markers if m), tuple(s for s in shell_selectors if s),
                   frozenset(int(s) for s in challenge_statuses), int(min_text))

    def marker_in(self, text: str) -> str | None:
        head = text[:SCAN_BYTES]
        return next((m for m in self.markers if m in head), None)

    def reason(self, status: int, text: str) -> str | None:
        """Why this page (HTML ``text`` answered with ``status``) needs a browser, or None."""
        if self.marker_in(text):
            return "challenge"
        if not text.strip():
            return None
        try:
            doc = lxml_html.document_fromstring(text)
        except (ValueError, lxml_html.etree.ParserError):
            return None
        has_script = bool(doc.xpath("//script"))
        visible = len(visible_text(doc))
        if status in self.challenge_statuses:
            return "challenge" if has_script and visible < self.min_text else None
        if not (200 <= status < 300) or not has_script or visible >= self.min_text:
            return None
        for css in self.shell_selectors:
            for mount in doc.cssselect(css):
                if not visible_text(mount):
                    return "app_shell"
        return None


def visible_text(node: lxml_html.HtmlElement) -> str:
    """The text a reader would see in ``node``: without scripts, styles, noscript and the head."""
    parts: list[str] = []

    def walk(el: lxml_html.HtmlElement) -> None:
        if isinstance(el.tag, str) and el.tag.lower() in INVISIBLE:
            if el.tail:
                parts.append(el.tail)
            return
        if el.text and isinstance(el.tag, str):
            parts.append(el.text)
        for child in el:
            walk(child)
        if el.tail and el is not node:
            parts.append(el.tail)

    walk(node)
    return " ".join(" ".join(parts).split())
