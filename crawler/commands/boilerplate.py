"""``scrapy boilerplate <outlet>``: what the crawler learned about an outlet's recurring blocks, and pins.

Lists the outlet's blocks (paragraphs) seen in at least ``--min`` distinct articles (default 2) or
pinned, most frequent first: id, decision (boilerplate / content / undecided), whether an operator
pinned it, kind, in how many articles, the publication days it spans, and its first words.
``--pin-boilerplate ID`` and ``--pin-content ID`` (repeatable) pin a block: the next crawl removes or
keeps it whatever the counts say; ``--unpin ID`` hands it back to the crawler. ``--json`` prints the
list as JSON lines. Reads the crawl state of ``STATE_URL`` (as ``scrapy crawl`` does; an SQLite state
cannot be opened while a crawl of the same file runs). Exit codes: 0, 1 the state cannot be opened,
2 usage error (unknown outlet or block id).
"""

from __future__ import annotations

import argparse
import json
import sys
from dataclasses import asdict

from scrapy.commands import ScrapyCommand
from scrapy.exceptions import UsageError

from crawler import outlets
from crawler.state.records import BOILERPLATE, CONTENT, LearnedBlock
from crawler.state.service import default_state_url
from crawler.state.store import StateError, open_store, redact


class Command(ScrapyCommand):
    requires_project = True
    default_settings = {"LOG_ENABLED": False}

    def syntax(self) -> str:
        return "<outlet> [--pin-boilerplate ID] [--pin-content ID] [--unpin ID] [--min N] [--json]"

    def short_desc(self) -> str:
        return "List the boilerplate learned for an outlet; pin a block as boilerplate or as content"

    def add_options(self, parser: argparse.ArgumentParser) -> None:
        super().add_options(parser)
        parser.add_argument("--pin-boilerplate", type=int, action="append", default=[], metavar="ID",
                            help="always remove this block")
        parser.add_argument("--pin-content", type=int, action="append", default=[], metavar="ID",
                            help="never remove this block")
        parser.add_argument("--unpin", type=int, action="append", default=[], metavar="ID",
                            help="let the crawler decide again")
        parser.add_argument("--min", type=int, default=2, help="list blocks seen in at least N articles (2)")
        parser.add_argument("--json", action="store_true", help="one JSON object per block")

    def run(self, args: list[str], opts: argparse.Namespace) -> None:
        if len(args) != 1:
            raise UsageError("give exactly one outlet")
        key = args[0]
        if key not in outlets.all_outlets():
            raise UsageError(f"unknown outlet {key!r}; known: {', '.join(outlets.all_outlets())}", print_help=False)
        assert self.settings is not None
        try:
            url = self.settings.get("STATE_URL") or default_state_url(self.settings.get("OUTPUT_DIR", ""))
            store = open_store(url.replace("%(name)s", key))
            store.connect()
        except (StateError, OSError) as exc:
            print(f"Cannot open the crawl state: {exc}", file=sys.stderr)
            self.exitcode = 1
            return
        try:
            pins = ([(i, BOILERPLATE) for i in opts.pin_boilerplate] + [(i, CONTENT) for i in opts.pin_content]
                    + [(i, None) for i in opts.unpin])
            for block_id, decision in pins:
                block = store.pin_block(key, block_id, decision)
                if block is None:
                    print(f"No block {block_id} learned for {key} in {redact(store.url)}", file=sys.stderr)
                    self.exitcode = 2
                    return
                what = f"pinned as {decision}" if decision else "unpinned"
                print(f"Block {block_id} {what}: {_words(block.text)}")
            blocks = store.list_blocks(key, max(1, opts.min))
        finally:
            store.close()
        if opts.json:
            for block in blocks:
                print(json.dumps({k: v for k, v in asdict(block).items() if k not in ("added", "added_edge", "changed")},
                                 ensure_ascii=False))
            return
        print(_table(key, blocks))


def _words(text: str, count: int = 10) -> str:
    words = text.split()
    return " ".join(words[:count]) + (" …" if len(words) > count else "")


def _table(outlet: str, blocks: list[LearnedBlock]) -> str:
    if not blocks:
        return f"Nothing learned for {outlet} yet (no block seen in enough articles)."
    lines = [f"{'id':>6}  {'decision':<12} {'pin':<3}  {'kind':<10} {'articles':>8}  {'days':<23} first words"]
    for b in blocks:
        days = f"{b.first_day}..{b.last_day}" if b.first_day else "-"
        lines.append(f"{b.id:>6}  {b.decision:<12} {'yes' if b.pinned else '-':<3}  {b.kind:<10} {b.articles:>8}  "
                     f"{days:<23} {_words(b.text)}")
    return "\n".join(lines)
