"""Plain text out of HTML trees: paragraphs by block element, nodes removed keeping the text around them.
Used by the page parsers (crawler/pages/base.py) on copies of the page's content root."""

from __future__ import annotations

from lxml import etree

from crawler.text import normalize

BLOCK_TAGS = {
    "p", "div", "section", "article", "main", "blockquote", "li", "ul", "ol", "h1", "h2", "h3", "h4",
    "h5", "h6", "pre", "table", "tr", "td", "th", "dl", "dt", "dd", "header", "footer", "aside",
}
SKIP_TAGS = {
    "script", "style", "noscript", "template", "figure", "figcaption", "iframe", "form", "button",
    "input", "select", "textarea", "svg", "video", "audio", "picture", "img", "nav", "object",
}


def drop(node: etree._Element) -> None:
    """Remove a node but keep its tail text."""
    parent = node.getparent()
    if parent is None:
        return
    if node.tail:
        prev = node.getprevious()
        if prev is not None:
            prev.tail = (prev.tail or "") + node.tail
        else:
            parent.text = (parent.text or "") + node.tail
    parent.remove(node)


def cut_from(node: etree._Element, root: etree._Element) -> None:
    """Remove ``node`` and everything after it (in document order) inside ``root``."""
    current = node
    while current is not None and current is not root:
        parent = current.getparent()
        for sibling in list(current.itersiblings()):
            parent.remove(sibling)
        current.tail = None
        current = parent
    node.getparent().remove(node)


def tag_of(node: etree._Element) -> str:
    return node.tag.lower() if isinstance(node.tag, str) else ""


def collect(node: etree._Element, out: list[str]) -> None:
    """Append the plain-text paragraphs of ``node`` to ``out``: one per block element with text of its own;
    inline elements join their block, ``br`` is a space, media, forms and scripts are skipped."""
    buffer: list[str] = []

    def flush() -> None:
        text = normalize("".join(buffer))
        if text:
            out.append(text)
        buffer.clear()

    if node.text:
        buffer.append(node.text)
    for child in node:
        tag = tag_of(child)
        if not tag or tag in SKIP_TAGS:
            pass  # comments, processing instructions, media, forms
        elif tag in BLOCK_TAGS:
            flush()
            collect(child, out)
        elif tag == "br":
            buffer.append(" ")
        else:
            inline: list[str] = []
            collect(child, inline)
            buffer.append(" ".join(inline))
        if child.tail:
            buffer.append(child.tail)
    flush()
