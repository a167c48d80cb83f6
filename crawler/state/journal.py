"""What the crawl state could not write, kept in a file until a later run writes it.

A feed is stored first and its articles are recorded in the state after (crawler/state/service.py):
when that write fails (a full disk: ``database or disk is full``; a database that went away), the
articles are in the output but not in the state, and the next run would emit them again. So the
records that could not be written (delivered articles with their LSH band keys, drops, seen-again
updates, the run's own row) are written to a journal file instead, and the next run of the outlet
on the same state writes them to the store *before* it crawls, then deletes the file. A journal
that cannot be written to the store stops that run at start (exit code 5): crawling without it
would deliver those articles a second time.

Files: ``<STATE_JOURNAL_DIR>/<outlet>/<run started_at>.json`` (JSON; written to ``.tmp``, fsynced,
renamed). ``STATE_JOURNAL_DIR`` defaults to ``<OUTPUT_SPOOL_DIR>/state-journal`` (the disk where the
output was just written, not the state's), else to ``<state file>.journal`` beside an SQLite state.
Each file names its state by a hash of ``STATE_URL`` (no password is written), and only a run on
that state replays it.
"""

from __future__ import annotations

import base64
import hashlib
import json
import logging
import os
import re
from dataclasses import asdict
from pathlib import Path
from typing import Any, Sequence

from crawler.state.records import ArticleState, RunRecord, Touch
from crawler.state.store import StateStore

logger = logging.getLogger(__name__)

Records = list[tuple[ArticleState, list[int]]]


def state_key(url: str) -> str:
    return hashlib.sha256(url.encode("utf-8")).hexdigest()[:16]


def default_dir(spool_dir: str, state_url: str) -> Path | None:
    if spool_dir:
        return Path(spool_dir) / "state-journal"
    if state_url.startswith("sqlite:///"):
        return Path(state_url[len("sqlite://"):] + ".journal")
    return None


class Journal:
    def __init__(self, folder: Path, state_url: str) -> None:
        self.folder = Path(folder)
        self.key = state_key(state_url)

    def write(self, outlet: str, articles: Sequence[tuple[ArticleState, Sequence[int]]], touches: Sequence[Touch],
              run: RunRecord | None) -> Path:
        """Keep these records (atomically); returns the file."""
        folder = self.folder / _safe(outlet)
        folder.mkdir(parents=True, exist_ok=True)
        name = _safe(run.started_at if run else "records") + ".json"
        path = folder / name
        data = {
            "journal_version": 1, "state": self.key, "outlet": outlet,
            "articles": [[_article(a), list(keys)] for a, keys in articles],
            "touches": [asdict(t) for t in touches],
            "run": asdict(run) if run else None,
        }
        tmp = path.with_name(path.name + ".tmp")
        with open(tmp, "w", encoding="utf-8") as f:
            json.dump(data, f, ensure_ascii=False, default=str)
            f.flush()
            os.fsync(f.fileno())
        os.replace(tmp, path)
        return path

    def pending(self, outlet: str) -> list[Path]:
        """This state's journal files for ``outlet``, oldest first."""
        folder = self.folder / _safe(outlet)
        if not folder.is_dir():
            return []
        found = []
        for path in sorted(folder.glob("*.json")):
            try:
                if json.loads(path.read_text("utf-8")).get("state") == self.key:
                    found.append(path)
            except (OSError, ValueError):
                logger.error("crawl state journal %s is unreadable; left in place", path)
        return found

    @staticmethod
    def load(path: Path) -> tuple[Records, list[Touch], RunRecord | None]:
        data = json.loads(path.read_text("utf-8"))
        articles = [(_from_article(a), [int(k) for k in keys]) for a, keys in data["articles"]]
        touches = [Touch(**{**t, "key": tuple(t["key"]) if t.get("key") else None}) for t in data["touches"]]
        run = RunRecord(**data["run"]) if data.get("run") else None
        return articles, touches, run

    def replay(self, store: StateStore, path: Path) -> int:
        """Write one journal file to the store, then delete it. Raises what the store raises."""
        articles, touches, run = self.load(path)
        store.save(articles, touches)  # type: ignore[arg-type]
        if run is not None and run.id is not None:
            store.finish_run(run)
        path.unlink()
        return len(articles) + len(touches)


def _article(article: ArticleState) -> dict[str, Any]:
    data = asdict(article)
    if article.signature is not None:
        data["signature"] = base64.b64encode(article.signature).decode("ascii")
    return data


def _from_article(data: dict[str, Any]) -> ArticleState:
    if data.get("signature") is not None:
        data = {**data, "signature": base64.b64decode(data["signature"])}
    return ArticleState(**data)


def _safe(name: str) -> str:
    return re.sub(r"[^A-Za-z0-9_.+-]", "_", name) or "_"
