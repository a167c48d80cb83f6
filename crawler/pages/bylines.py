"""Bylines and photo credits as pages print them: "A, B и C" -> names; "Caption. Фото: X" -> (caption, credit)."""

from __future__ import annotations

import re

from crawler.text import normalize

NAME_SEPARATORS = re.compile(r"\s*,\s*|\s+(?:и|and)\s+")
CREDIT = re.compile(r"^(?P<caption>.*?)[\s.,;|/—–-]*(?P<credit>(?:Фото|Фотография|Photo|Документ|Инфографика|"
                    r"Иллюстрация|Скриншот|Видео|Кадр|Illustration|Infographic|Screenshot)\s*:.*)$", re.S)


def split_names(found: list[str]) -> list[str]:
    """Byline texts -> names: one node may hold "A, B и C"."""
    return [name for text in found for name in NAME_SEPARATORS.split(text) if name]


def split_credit(caption: str) -> tuple[str | None, str | None]:
    """("Вера Михайлова. Фото: из личного архива") -> ("Вера Михайлова", "Фото: из личного архива")."""
    m = CREDIT.match(caption)
    if not m:
        return caption, None
    return normalize(m["caption"]).rstrip(" .,;") or None, normalize(m["credit"])
