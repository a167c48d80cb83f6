"""Remove boilerplate paragraphs recognised by their text: donation appeals, newsletter sign-ups,
"Read more" labels, the foreign-agent disclaimer (kept as ``foreign_agent_label``).

Markup-level boilerplate (known CSS classes) is already gone: the page parser drops the outlet's
``boilerplate_selectors``. This pipeline handles what is injected with unpredictable markup. Rules
are data: the shared English/Russian list (``crawler/rules/shared.json``) plus the outlet record's
``text_rules``. Stats: ``clean/blocks_removed``, ``clean/paragraphs_removed``, ``clean/text/<rule>``.
"""

from __future__ import annotations

import logging
from typing import Any

from itemadapter import ItemAdapter
from scrapy.crawler import Crawler

from crawler import outlets
from crawler.outlets.base import TextRule
from crawler.rules import shared_rules
from crawler.text import join_paragraphs, split_paragraphs, word_count

logger = logging.getLogger(__name__)


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


class CleanPipeline:
    def __init__(self, stats: Any) -> None:
        self.stats = stats

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> CleanPipeline:
        return cls(crawler.stats)

    def rules_for(self, outlet_key: str) -> tuple[TextRule, ...]:
        return outlets.get(outlet_key).text_rules + shared_rules()

    def process_item(self, item: Any) -> Any:
        adapter = ItemAdapter(item)
        paragraphs = split_paragraphs(adapter.get("body") or "")
        kept, removed = remove_boilerplate(paragraphs, self.rules_for(adapter["outlet"]))
        for rule, block in removed:
            self.stats.inc_value("clean/blocks_removed")
            self.stats.inc_value("clean/paragraphs_removed", len(block))
            self.stats.inc_value(f"clean/text/{rule.name}")
            logger.debug("clean: %s removed %d paragraph(s) from %s: %.80r", rule.name, len(block),
                         adapter["url"], block[0])
            if rule.flag:
                adapter[rule.flag] = True
            if rule.keep_as and not adapter.get(rule.keep_as):
                adapter[rule.keep_as] = "\n\n".join(block)
        if removed:
            adapter["body"] = join_paragraphs(kept)
            adapter["word_count"] = word_count(adapter["body"])
        return item
