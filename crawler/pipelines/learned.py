"""The clean pipeline of a crawl: text rules, the content classifier, and learned boilerplate.

For each article: the text rules first (as :class:`~crawler.pipelines.clean.CleanPipeline`), then the
item is held (:class:`~crawler.boilerplate.holding.BatchHold`) until its batch is decided: the batch's
paragraphs are looked up in the crawl state (``learned_blocks``), the articles not counted before are
counted (:func:`~crawler.boilerplate.learning.count`), every article is decided
(:func:`~crawler.boilerplate.learning.decide`: recurring promotional runs, appeals, pinned blocks go;
recurring content stays) and the new counts and decisions are written back. So within a first crawl an
appeal that recurs in most articles is removed from all of them, and the next run's first article is
clean at once. Without a crawl state (``STATE_ENABLED=False``) the counts live in memory for the run.

An article is counted once: not again when the crawl state already holds its URL (a re-crawl, a
revision). Reads: ``CLEAN_LEARN_ENABLED`` (True), ``CLEAN_LEARN_MIN_ARTICLES`` (3),
``CLEAN_LEARN_MIN_DAYS`` (2), ``CLEAN_LEARN_BATCH`` (50, at most ``CONCURRENT_ITEMS``),
``CLEAN_LEARN_MAX_HOLD`` (30 s), ``CLEAN_LEARN_FORGET_DAYS`` (90: blocks seen once and not since are
forgotten), and ``CLEAN_APPEALS_ENABLED``. Stats: those of the clean pipeline, plus
``clean/learned/<kind>`` (blocks removed by what was learned or pinned), ``clean/learned_new`` (blocks
learned as boilerplate in this run; the health report lists them), ``clean/learn/articles_counted``,
``clean/learn/batches``, ``clean/learn/batch_max``, ``clean/learn/write_errors``.
"""

from __future__ import annotations

import logging
import weakref
from dataclasses import dataclass, field
from datetime import datetime, timedelta, timezone
from typing import Any

from itemadapter import ItemAdapter
from scrapy.crawler import Crawler
from scrapy.exceptions import NotConfigured

from crawler.boilerplate.appeals import Evidence
from crawler.boilerplate.holding import BatchHold, engine_state
from crawler.boilerplate.learning import ArticleBlocks, Policy, Verdict, count, decide, record
from crawler.pipelines.clean import CleanPipeline
from crawler.state.records import LearnedBlock
from crawler.state.service import CrawlState
from crawler.text import split_paragraphs

logger = logging.getLogger(__name__)
_BY_CRAWLER: weakref.WeakKeyDictionary[Crawler, LearnedCleanPipeline] = weakref.WeakKeyDictionary()


@dataclass
class NewBlock:
    """A block learned as boilerplate in this run, for the health report."""

    outlet: str
    kind: str
    paragraphs: int
    articles: int
    first_words: str


@dataclass
class Held:
    adapter: ItemAdapter
    original: list[str]
    blocks: ArticleBlocks
    evidence: list[Evidence]
    native_id: str | None = None
    verdicts: list[Verdict] = field(default_factory=list)


class MemoryBlocks:
    """Learned blocks kept in memory for one run (no crawl state)."""

    def __init__(self) -> None:
        self.rows: dict[tuple[str, str], LearnedBlock] = {}

    def find_blocks(self, outlet: str, fingerprints: list[str]) -> list[LearnedBlock]:
        return [self.rows[(outlet, fp)] for fp in fingerprints if (outlet, fp) in self.rows]

    def save_blocks(self, blocks: list[LearnedBlock]) -> None:
        for block in blocks:
            self.rows[(block.outlet, block.fingerprint)] = block
            block.added = block.added_edge = 0
            block.changed = False


class LearnedCleanPipeline(CleanPipeline):
    def __init__(self, crawler: Crawler, policy: Policy, batch: int, max_hold: float, forget_days: int,
                 appeals: bool = True, learning: bool = True) -> None:
        super().__init__(crawler.stats, appeals=appeals)
        self.crawler = crawler
        self.learning = learning
        self.policy = policy
        self.forget_days = forget_days
        self.state: CrawlState | None = None
        self.memory = MemoryBlocks()
        self.counted: set[tuple[str, str]] = set()
        self.new_blocks: list[NewBlock] = []
        self.hold: BatchHold[Held] = BatchHold(self.decide_batch, batch, max_hold, lambda: engine_state(crawler))

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> LearnedCleanPipeline:
        settings = crawler.settings
        policy = Policy(min_articles=max(2, settings.getint("CLEAN_LEARN_MIN_ARTICLES", 3)),
                        min_days=max(1, settings.getint("CLEAN_LEARN_MIN_DAYS", 2)))
        batch = min(settings.getint("CLEAN_LEARN_BATCH", 50), settings.getint("CONCURRENT_ITEMS", 100))
        pipeline = cls(crawler, policy, batch, settings.getfloat("CLEAN_LEARN_MAX_HOLD", 30.0),
                       settings.getint("CLEAN_LEARN_FORGET_DAYS", 90),
                       appeals=settings.getbool("CLEAN_APPEALS_ENABLED", True),
                       learning=settings.getbool("CLEAN_LEARN_ENABLED", True))
        if not pipeline.learning:
            return pipeline  # the text rules and the classifier only, nothing held
        try:
            pipeline.state = CrawlState.of(crawler)
        except NotConfigured:
            logger.info("learned boilerplate: no crawl state; blocks are learned for this run only")
        _BY_CRAWLER[crawler] = pipeline
        return pipeline

    # ------------------------------------------------------------------ per item
    async def process_item(self, item: Any) -> Any:  # type: ignore[override]
        adapter = ItemAdapter(item)
        original = split_paragraphs(adapter.get("body") or "")
        paragraphs = self.apply_rules(adapter, original)
        if not self.learning or not paragraphs:
            return self.remove_appeals(adapter, original, paragraphs)
        classifier = self.classifier(adapter["outlet"])
        evidence = [classifier.evidence(p) for p in paragraphs]
        held = Held(adapter, original, ArticleBlocks.of(adapter["url"], paragraphs, adapter.get("published_at")),
                    evidence, adapter.get("native_id"))
        await self.hold.hold(held)
        if not held.verdicts:  # the batch could not be decided: the classifier alone
            held.verdicts = decide(held.blocks, {}, evidence, self.policy, self.appeals)
        self.apply(held)
        return item

    def apply(self, held: Held) -> None:
        adapter, paragraphs = held.adapter, held.blocks.paragraphs
        kept = []
        for verdict in held.verdicts:
            block = paragraphs[verdict.start:verdict.end + 1]
            if not verdict.removed:
                kept += block
                continue
            source = "appeal" if verdict.source == "appeal" else "learned"
            self.count_removal(source, verdict.kind, block, adapter)
        self.finish(adapter, held.original, kept)

    # ------------------------------------------------------------------ per batch
    async def decide_batch(self, batch: list[Held]) -> None:
        by_outlet: dict[str, list[Held]] = {}
        for held in batch:
            by_outlet.setdefault(held.adapter["outlet"], []).append(held)
        for outlet, entries in by_outlet.items():
            await self._decide_outlet(outlet, entries)
        self.stats.inc_value("clean/learn/batches")
        self.stats.max_value("clean/learn/batch_max", len(batch))

    async def _decide_outlet(self, outlet: str, entries: list[Held]) -> None:
        fingerprints = sorted({fp for held in entries for fp in held.blocks.all_fingerprints()})
        stored_urls: set[str] = set()
        if self._stored():
            assert self.state is not None and self.state.store is not None
            store = self.state.store
            rows = await self.state.call(store.find_blocks, outlet, fingerprints)
            found = await self.state.call(store.find_articles, outlet, [h.blocks.key for h in entries],
                                          [h.native_id for h in entries if h.native_id])
            stored_urls = {a.url for a in found} | {f"native:{a.native_id}" for a in found if a.native_id}
        else:
            rows = self.memory.find_blocks(outlet, fingerprints)
        table = {row.fingerprint: row for row in rows}
        now = self._now()
        for held in entries:
            key = (outlet, held.blocks.key)
            if key in self.counted or held.blocks.key in stored_urls or f"native:{held.native_id}" in stored_urls:
                continue  # counted when it was first crawled
            self.counted.add(key)
            count(table, outlet, held.blocks, now, self.policy.edge)
            self.stats.inc_value("clean/learn/articles_counted")
        for held in entries:
            held.verdicts = decide(held.blocks, table, held.evidence, self.policy, self.appeals)
            self._note_new(outlet, held, table)
            record(held.blocks, table, held.verdicts)
        changed = [row for row in table.values() if row.added or row.changed]
        if self._stored():
            self.state.submit(self._save, changed)  # type: ignore[union-attr]
        else:
            self.memory.save_blocks(changed)

    def _save(self, blocks: list[LearnedBlock]) -> None:
        """In the state's worker thread. Learned counts are not delivery: a failed write loses one batch's
        counts (a warning and ``clean/learn/write_errors``), the crawl and its exit code are unaffected."""
        assert self.state is not None and self.state.store is not None
        try:
            self.state.store.save_blocks(blocks)
        except Exception as exc:
            self.stats.inc_value("clean/learn/write_errors")
            logger.warning("learned boilerplate: %d block count(s) could not be written to the crawl state: %s",
                           len(blocks), exc)

    def _note_new(self, outlet: str, held: Held, table: dict[str, LearnedBlock]) -> None:
        for verdict in held.verdicts:
            if not verdict.new:
                continue
            rows = [table[fp] for fp in held.blocks.fps[verdict.start:verdict.end + 1]]
            text = held.blocks.paragraphs[verdict.start]
            self.new_blocks.append(NewBlock(outlet, verdict.kind, len(rows), min(r.articles for r in rows),
                                            " ".join(text.split()[:8])))
            self.stats.inc_value("clean/learned_new")
            logger.info("learned boilerplate: %s block of %d paragraph(s) in %d articles of %s: %.60r",
                        verdict.kind, len(rows), min(r.articles for r in rows), outlet, text)

    def _stored(self) -> bool:
        return self.state is not None and self.state.ready and self.state.store is not None

    def _now(self) -> str:
        clock = self.state.clock if self.state is not None else (lambda: datetime.now(timezone.utc))
        return clock().astimezone(timezone.utc).isoformat(timespec="seconds")

    # ------------------------------------------------------------------ close
    async def close_spider(self) -> None:
        await self.hold.release()  # nothing should be left; never keep an item
        outlet = getattr(getattr(self.crawler, "spider", None), "outlet", None)
        if self._stored() and outlet is not None and self.forget_days > 0:
            assert self.state is not None and self.state.store is not None
            cutoff = (self.state.clock() - timedelta(days=self.forget_days)).astimezone(timezone.utc)
            self.state.submit(self.state.store.forget_blocks, outlet.key, cutoff.isoformat(timespec="seconds"))


def newly_learned(crawler: Crawler) -> list[NewBlock]:
    """The blocks the crawl's clean pipeline learned as boilerplate in this run (for the health report)."""
    pipeline = _BY_CRAWLER.get(crawler)
    return list(pipeline.new_blocks) if pipeline is not None else []
