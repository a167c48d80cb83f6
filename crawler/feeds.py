"""Add-on: the default feed when the user gave none (no -o/-O, no FEEDS).

Reads ``OUTPUT_DIR`` (default: the project's ``output/`` folder) and ``OUTPUT_DEFAULT_FEED``; writes
JSON Lines to ``<OUTPUT_DIR>/<spider>/<UTC timestamp>.jsonl``, UTF-8 with Cyrillic unescaped.
"""

from __future__ import annotations

from pathlib import Path

from scrapy.settings import Settings

PROJECT_OUTPUT = Path(__file__).resolve().parent.parent / "output"


class DefaultFeedAddon:
    def update_settings(self, settings: Settings) -> None:
        if settings.getdict("FEEDS") or not settings.getbool("OUTPUT_DEFAULT_FEED", True):
            return
        out = Path(settings.get("OUTPUT_DIR") or PROJECT_OUTPUT).expanduser().resolve()
        settings.set("FEEDS", {
            f"{out.as_uri()}/%(name)s/%(time)s.jsonl": {"format": "jsonlines", "encoding": "utf-8"},
        }, priority="addon")
