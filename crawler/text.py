"""Text normalisation that changes no words: spaces, soft hyphens, invisible characters."""

from __future__ import annotations

import re
import unicodedata

_INVISIBLE = dict.fromkeys(map(ord, "\u00ad\u200b\u200c\u200d\u2060\ufeff"), None)
_SPACES = re.compile(r"[\s\u00a0\u2007\u202f\u2009\u200a]+")


def normalize(text: object) -> str:
    """One paragraph: NFC, soft hyphens and zero-width characters removed, runs of spaces collapsed.
    Structured data is not always what it should be: a number is written out, the strings of a list
    are joined, anything else (an object) is no text."""
    if not text:
        return ""
    if not isinstance(text, str):
        if isinstance(text, (int, float)) and not isinstance(text, bool):
            text = str(text)
        elif isinstance(text, (list, tuple)):
            text = " ".join(t for t in text if isinstance(t, str))
        else:
            return ""
    text = unicodedata.normalize("NFC", text).translate(_INVISIBLE)
    return _SPACES.sub(" ", text).strip()


def join_paragraphs(paragraphs: list[str]) -> str:
    """The item's ``body`` format: plain-text paragraphs separated by one blank line."""
    return "\n\n".join(p for p in (normalize(p) for p in paragraphs) if p)


def split_paragraphs(body: str) -> list[str]:
    return [p for p in body.split("\n\n") if p.strip()]


def word_count(body: str) -> int:
    return len(re.findall(r"\w+(?:[-'’]\w+)*", body))
