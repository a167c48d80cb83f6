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
    inline elements join their block, ``br`` is a space, media, forms and scripts are skipped.
    Walks the tree with its own stack, so a page nested thousands of levels deep is read like any other."""
    stack = [_Frame(node, out, None, inline=False)]
    while stack:
        frame = stack[-1]
        child = next(frame.children, None)
        if child is None:  # this element is done
            _flush(frame.buffer, frame.out)
            stack.pop()
            parent = frame.parent
            if parent is not None:
                if frame.inline:
                    parent.buffer.append(" ".join(frame.out))
                if frame.node.tail:
                    parent.buffer.append(frame.node.tail)
            continue
        tag = tag_of(child)
        if tag in BLOCK_TAGS:
            _flush(frame.buffer, frame.out)
            stack.append(_Frame(child, frame.out, frame, inline=False))
        elif tag and tag not in SKIP_TAGS and tag != "br":
            stack.append(_Frame(child, [], frame, inline=True))
        else:  # comments, processing instructions, media, forms; br is a space
            if tag == "br":
                frame.buffer.append(" ")
            if child.tail:
                frame.buffer.append(child.tail)


class _Frame:
    """An element being read by :func:`collect`: its pending inline text and where its paragraphs go."""

    __slots__ = ("node", "out", "parent", "inline", "buffer", "children")

    def __init__(self, node: etree._Element, out: list[str], parent: _Frame | None, inline: bool) -> None:
        self.node, self.out, self.parent, self.inline = node, out, parent, inline
        self.buffer: list[str] = [node.text] if node.text else []
        self.children = iter(node)


def _flush(buffer: list[str], out: list[str]) -> None:
    text = normalize("".join(buffer))
    if text:
        out.append(text)
    buffer.clear()
