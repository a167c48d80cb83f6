"""Remove boilerplate paragraphs recognised by their text: first by anchored rules (donation appeals,
newsletter sign-ups, "Read more" labels, the foreign-agent disclaimer, kept as ``foreign_agent_label``),
then by what they say (the content classifier: a block that asks the reader to donate, subscribe, become
a member or follow a channel, :mod:`crawler.boilerplate.appeals`).

Markup-level boilerplate (known CSS classes) is already gone: the page parser drops the outlet's
``boilerplate_selectors``. This pipeline handles what is injected with unpredictable markup. Rules
are data: the shared English/Russian list (``crawler/rules/shared.json``) plus the outlet record's
``text_rules``; the classifier's vocabulary is ``crawler/rules/appeals.json``.

:class:`CleanPipeline` needs no crawl state and no crawler (``CleanPipeline(stats).process_item(item)``
works anywhere, synchronously); the crawl runs its subclass
:class:`crawler.pipelines.learned.LearnedCleanPipeline`, which also removes learned boilerplate.
A body that had paragraphs and has none left is emptied and marked ``extraction["clean"] =
"boilerplate_only"``; the validation pipeline drops it with that reason.

Reads: ``CLEAN_APPEALS_ENABLED`` (default True). Stats: ``clean/blocks_removed``,
``clean/paragraphs_removed``, ``clean/text/<rule>``, ``clean/appeal/<kind>``.
"""

from __future__ import annotations

import logging
from typing import Any

from itemadapter import ItemAdapter
from scrapy.crawler import Crawler

from crawler import outlets
from crawler.boilerplate.appeals import AppealClassifier, classifier_for, outlet_names
from crawler.outlets.base import TextRule
from crawler.rules import shared_rules
from crawler.text import join_paragraphs, split_paragraphs, word_count

logger = logging.getLogger(__name__)

BOILERPLATE_ONLY = "boilerplate_only"  # extraction["clean"] of a body that cleaning emptied


def remove_boilerplate(paragraphs: list[str], rules: tuple[TextRule, ...]) -> tuple[list[str], list[tuple[TextRule, list[str]]]]:
    """(kept paragraphs, [(rule, removed paragraphs)]): one pass, blocks removed whole."""
    kept: list[str] = []
    removed: list[tuple[TextRule, list[str]]] = []
    i = 0
    while i < len(paragraphs):
        paragraph = paragraphs[i]
        rule = next((r for r in rules if r.matches(paragraph)), None)
        if rule is None:
            kept.append(paragraph)
            i += 1
            continue
        end = i
        if rule.until:
            for j in range(i + 1, min(len(paragraphs), i + rule.max_span)):
                if rule.ends(paragraphs[j]):
                    end = j
                    break
        removed.append((rule, paragraphs[i:end + 1]))
        i = end + 1
    return kept, removed


def remove_appeals(paragraphs: list[str], classifier: AppealClassifier) -> tuple[list[str], list[tuple[str, str]]]:
    """(kept paragraphs, [(kind, removed paragraph)]): the paragraphs that are appeals on their own evidence."""
    kept: list[str] = []
    removed: list[tuple[str, str]] = []
    for paragraph in paragraphs:
        evidence = classifier.evidence(paragraph)
        if evidence.appeal:
            removed.append((evidence.kind or "other", paragraph))
        else:
            kept.append(paragraph)
    return kept, removed


class CleanPipeline:
    def __init__(self, stats: Any, appeals: bool = True) -> None:
        self.stats = stats
        self.appeals = appeals

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> CleanPipeline:
        return cls(crawler.stats, appeals=crawler.settings.getbool("CLEAN_APPEALS_ENABLED", True))

    def rules_for(self, outlet_key: str) -> tuple[TextRule, ...]:
        return outlets.get(outlet_key).text_rules + shared_rules()

    def classifier(self, outlet_key: str) -> AppealClassifier:
        try:
            outlet = outlets.get(outlet_key)
        except KeyError:
            outlet = None
        return classifier_for(outlet_names(outlet))

    def process_item(self, item: Any) -> Any:
        adapter = ItemAdapter(item)
        original = split_paragraphs(adapter.get("body") or "")
        return self.remove_appeals(adapter, original, self.apply_rules(adapter, original))

    def remove_appeals(self, adapter: ItemAdapter, original: list[str], paragraphs: list[str]) -> Any:
        """The classifier's removals (when enabled), then the body written back; returns the item."""
        if self.appeals:
            paragraphs, removed = remove_appeals(paragraphs, self.classifier(adapter["outlet"]))
            for kind, paragraph in removed:
                self.count_removal("appeal", kind, [paragraph], adapter)
        self.finish(adapter, original, paragraphs)
        return adapter.item

    def apply_rules(self, adapter: ItemAdapter, paragraphs: list[str]) -> list[str]:
        """The paragraphs the text rules keep; removals counted, flags and kept fields set."""
        kept, removed = remove_boilerplate(paragraphs, self.rules_for(adapter["outlet"]))
        for rule, block in removed:
            self.stats.inc_value(f"clean/text/{rule.name}")
            self.count_removal(None, rule.name, block, adapter)
            if rule.flag:
                adapter[rule.flag] = True
            if rule.keep_as and not adapter.get(rule.keep_as):
                adapter[rule.keep_as] = "\n\n".join(block)
        return kept

    def count_removal(self, source: str | None, name: str, block: list[str], adapter: ItemAdapter) -> None:
        """Stats and a debug line for one removed block; ``source`` names the ``clean/<source>/<name>`` stat."""
        self.stats.inc_value("clean/blocks_removed")
        self.stats.inc_value("clean/paragraphs_removed", len(block))
        if source:
            self.stats.inc_value(f"clean/{source}/{name}")
        logger.debug("clean: %s%s removed %d paragraph(s) from %s: %.80r", f"{source} " if source else "", name,
                     len(block), adapter["url"], block[0])

    def finish(self, adapter: ItemAdapter, original: list[str], kept: list[str]) -> None:
        """Write the cleaned body back; an emptied body is marked ``boilerplate_only``."""
        if len(kept) == len(original):
            return
        adapter["body"] = join_paragraphs(kept)
        adapter["word_count"] = word_count(adapter["body"])
        if original and not adapter["body"]:
            extraction = adapter.get("extraction")
            if isinstance(extraction, dict):
                extraction["clean"] = BOILERPLATE_ONLY
