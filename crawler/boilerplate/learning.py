"""Learned boilerplate: blocks that recur verbatim (after normalisation) across distinct articles of one
outlet, whatever their markup or position. Learning (:func:`count`) and deciding (:func:`decide`) are
separate, pure functions over a table of :class:`~crawler.state.records.LearnedBlock` rows (the crawl
state keeps them between runs; :mod:`crawler.pipelines.learned` feeds them).

What is counted, once per distinct article: each body paragraph (normalised: case, ё/е, punctuation and
spacing ignored) and each pair of consecutive paragraphs both seen before (a *link*). A paragraph is *recurring* once it
was seen in ``min_articles`` articles published on ``min_days`` different days. Consecutive recurring
paragraphs that also occur *together* (their link in at least ``run_ratio`` of the articles of the more
frequent of the two) form a *run*: a multi-paragraph block such as a donation box, whose salutation
("Dear readers,") or button labels say nothing promotional by themselves.

The signals, and why:

* recurrence across distinct articles and across days: template text recurs in every article, from day to
  day; a phrase that three same-day stories share is usually one story's wording;
* promotional vocabulary (the content classifier's weaker verdict, :attr:`Evidence.promotional`) in any
  paragraph of the run: a recurring run that asks the reader for something is boilerplate, all of it;
  this is what separates an appeal from recurring *content* (a background sentence repeated in several
  articles, a standard legal note such as "Meta is banned in Russia as extremist") which says nothing
  to the reader, so it stays;
* short labelled lines (``Photo:``/``Фото:``, ``Read also``/``Читайте также``) and short link-heavy lines
  that recur at the start or end of the body (position: ``edge`` paragraphs, in most of the articles
  that had them): credits and "read also" lines;
* run length: a run is removed or kept whole, so a widget's labels go with its appeal.

Recurrence across outlets is not used: a standard legal note recurs across outlets as much as a shared
partner's promo. Operators pin blocks (``scrapy boilerplate``) and the decision follows the pin.
"""

from __future__ import annotations

import hashlib
import re
from collections import Counter
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date

from crawler.boilerplate.appeals import Evidence, label_kind, link_heavy
from crawler.state.records import BOILERPLATE, CONTENT, UNDECIDED, LearnedBlock

_WORD = re.compile(r"[^\W_]+")


@dataclass(frozen=True)
class Policy:
    min_articles: int = 3  # distinct articles a block must recur in
    min_days: int = 2  # distinct publication days (first to last) it must span
    run_ratio: float = 0.8  # share of the articles in which two consecutive recurring paragraphs co-occur
    edge: int = 2  # paragraphs from the start or the end that count as "at the edge"
    edge_share: float = 0.5  # labelled/link lines must be at the edge in this share of their articles


def normalise(text: str) -> str:
    return " ".join(_WORD.findall(text.casefold().replace("ё", "е")))


def fingerprint(text: str) -> str:
    return hashlib.sha1(normalise(text).encode("utf-8")).hexdigest()[:20]


def link_fingerprint(first: str, second: str) -> str:
    return hashlib.sha1(f"{first}>{second}".encode("ascii")).hexdigest()[:20]


@dataclass
class ArticleBlocks:
    """The blocks of one article's body: a fingerprint per paragraph (empty when it has no words) and
    per pair of consecutive paragraphs."""

    key: str
    paragraphs: list[str]
    day: str | None = None  # publication date, YYYY-MM-DD
    fps: list[str] = field(default_factory=list)
    links: list[str] = field(default_factory=list)

    @classmethod
    def of(cls, key: str, paragraphs: Sequence[str], published_at: str | None = None) -> ArticleBlocks:
        fps = [fingerprint(p) if normalise(p) else "" for p in paragraphs]
        links = [link_fingerprint(a, b) if a and b else "" for a, b in zip(fps, fps[1:])]
        return cls(key, list(paragraphs), (published_at or "")[:10] or None, fps, links)

    def all_fingerprints(self) -> list[str]:
        return [f for f in self.fps + self.links if f]

    def at_edge(self, index: int, edge: int) -> bool:
        return index < edge or index >= len(self.paragraphs) - edge


def count(table: dict[str, LearnedBlock], outlet: str, article: ArticleBlocks, now: str, edge: int = 2) -> None:
    """Learning: one more distinct article for each of its paragraphs and links (rows are created as
    needed). Call it once per article; blocks repeated inside an article count once. A link is counted
    only between two paragraphs both seen before: an article's own text (nearly all of it) leaves no
    link rows, and a run's links count its co-occurrences but the first (see :func:`_together`)."""
    known = {fp for fp in article.fps if fp and fp in table and table[fp].articles > 0}
    seen: set[str] = set()
    for i, fp in enumerate(article.fps):
        if not fp:
            continue
        row = _row(table, outlet, fp, 1, article.paragraphs[i])
        if fp not in seen:  # once per article; its first position decides "edge"
            seen.add(fp)
            _add(row, now, article.day, article.at_edge(i, edge))
    for i, link in enumerate(article.links):
        if link and link not in seen and article.fps[i] in known and article.fps[i + 1] in known:
            seen.add(link)
            _add(_row(table, outlet, link, 2, ""), now, article.day, False)


def _row(table: dict[str, LearnedBlock], outlet: str, fp: str, paragraphs: int, text: str) -> LearnedBlock:
    row = table.get(fp)
    if row is None:
        row = table[fp] = LearnedBlock(outlet=outlet, fingerprint=fp, paragraphs=paragraphs, text=text)
    elif not row.text and text:
        row.text = text
    return row


def _add(row: LearnedBlock, now: str, day: str | None, edge: bool) -> None:
    row.articles += 1
    row.added += 1
    if edge:
        row.edge += 1
        row.added_edge += 1
    row.first_seen = row.first_seen or now
    row.last_seen = now
    if day:
        row.first_day = min(row.first_day or day, day)
        row.last_day = max(row.last_day or day, day)


@dataclass
class Verdict:
    """The decision for paragraphs ``start``..``end`` (inclusive) of one article."""

    start: int
    end: int
    decision: str  # boilerplate | content | undecided
    kind: str = "other"
    source: str = "learned"  # learned (recurrence) | appeal (the classifier alone) | pinned (an operator)
    new: bool = False  # learned as boilerplate just now (not before this article)

    @property
    def removed(self) -> bool:
        return self.decision == BOILERPLATE


def recurring(row: LearnedBlock | None, policy: Policy) -> bool:
    if row is None:
        return False
    if row.pinned:
        return True
    return row.articles >= policy.min_articles and _days(row) >= policy.min_days


def _days(row: LearnedBlock) -> int:
    if not row.first_day or not row.last_day:
        return 0
    try:
        return (date.fromisoformat(row.last_day) - date.fromisoformat(row.first_day)).days + 1
    except ValueError:
        return 0


def runs(article: ArticleBlocks, table: Mapping[str, LearnedBlock], policy: Policy) -> list[tuple[int, int]]:
    """Maximal runs (start, end) of recurring paragraphs that recur together."""
    out: list[tuple[int, int]] = []
    start = None
    for i, fp in enumerate(article.fps):
        if not recurring(table.get(fp), policy):
            if start is not None:
                out.append((start, i - 1))
                start = None
            continue
        if start is None:
            start = i
        elif not _together(article, i - 1, table, policy):
            out.append((start, i - 1))
            start = i
    if start is not None:
        out.append((start, len(article.fps) - 1))
    return out


def _together(article: ArticleBlocks, i: int, table: Mapping[str, LearnedBlock], policy: Policy) -> bool:
    """Paragraphs ``i`` and ``i + 1`` co-occur in ``run_ratio`` of the articles of the more frequent one
    (their first co-occurrence is not counted as a link: hence the + 1)."""
    link = table.get(article.links[i]) if article.links[i] else None
    a, b = table.get(article.fps[i]), table.get(article.fps[i + 1])
    if link is None or a is None or b is None:
        return False
    return link.articles + 1 >= policy.run_ratio * max(a.articles, b.articles)


def decide(article: ArticleBlocks, table: Mapping[str, LearnedBlock], evidence: Sequence[Evidence],
           policy: Policy = Policy(), appeals: bool = True) -> list[Verdict]:
    """Deciding: a verdict for every paragraph of ``article`` (in runs), from the counts in ``table``
    (which should include this article) and the classifier's ``evidence`` per paragraph; ``appeals``:
    remove a paragraph that is an appeal on its own evidence even when it does not recur. Pure: the
    caller writes the decisions back (:func:`record`)."""
    verdicts: list[Verdict] = []
    covered = set()
    for start, end in runs(article, table, policy):
        covered.update(range(start, end + 1))
        verdicts += _judge_run(article, table, evidence, policy, start, end)
    for i in range(len(article.paragraphs)):
        if i in covered:
            continue
        ev = evidence[i]
        if appeals and ev.appeal:
            verdicts.append(Verdict(i, i, BOILERPLATE, ev.kind or "other", "appeal"))
        else:
            verdicts.append(Verdict(i, i, UNDECIDED))
    return sorted(verdicts, key=lambda v: v.start)


def _judge_run(article: ArticleBlocks, table: Mapping[str, LearnedBlock], evidence: Sequence[Evidence],
               policy: Policy, start: int, end: int) -> list[Verdict]:
    rows = [table[article.fps[i]] for i in range(start, end + 1)]
    pinned = {start + k: row.decision for k, row in enumerate(rows) if row.pinned}
    kinds = Counter(evidence[i].kind for i in range(start, end + 1)
                    if (evidence[i].promotional or evidence[i].appeal) and evidence[i].kind)
    kinds.update(row.kind for row in rows if row.pinned and row.decision == BOILERPLATE and row.kind != "other")
    promotional = any(evidence[i].promotional or evidence[i].appeal for i in range(start, end + 1)
                      if pinned.get(i) != CONTENT)
    pinned_boilerplate = any(d == BOILERPLATE for d in pinned.values())
    kind = kinds.most_common(1)[0][0] if kinds else "other"
    decision, source = CONTENT, "learned"
    if promotional or pinned_boilerplate:
        decision = BOILERPLATE
        if not promotional:
            source = "pinned"
        elif all(evidence[i].appeal for i in range(start, end + 1)):
            source = "appeal"  # the classifier alone would have removed all of it
    else:
        labels = [label_kind(article.paragraphs[i]) or ("other" if link_heavy(article.paragraphs[i]) else None)
                  for i in range(start, end + 1)]
        at_edge = all(row.edge >= policy.edge_share * row.articles for row in rows)
        if all(labels) and at_edge and (article.at_edge(start, policy.edge) or article.at_edge(end, policy.edge)):
            decision, kind = BOILERPLATE, Counter(labels).most_common(1)[0][0] or "other"
    new = (decision == BOILERPLATE and source != "appeal"  # what the classifier removes anyway is not news
           and any(row.decision != BOILERPLATE and not row.pinned for row in rows))
    out: list[Verdict] = []
    # a pinned paragraph keeps its own decision; the rest of the run follows the run's
    for i in range(start, end + 1):
        own = pinned.get(i)
        d, src = (own, "pinned") if own in (BOILERPLATE, CONTENT) else (decision, source)
        if out and out[-1].decision == d and out[-1].source == src and out[-1].end == i - 1:
            out[-1].end = i
        else:
            out.append(Verdict(i, i, d, kind, src, new and d == BOILERPLATE))
    return out


def record(article: ArticleBlocks, table: Mapping[str, LearnedBlock], verdicts: Sequence[Verdict]) -> None:
    """Write the verdicts back on the recurring rows (kind, decision) of ``article``; pinned rows keep theirs."""
    for verdict in verdicts:
        if verdict.decision == UNDECIDED:
            continue
        for i in range(verdict.start, verdict.end + 1):
            row = table.get(article.fps[i])
            if row is None or row.pinned or not row.articles:
                continue
            if verdict.source == "appeal" and row.articles < 2:
                continue  # a one-off appeal is the classifier's business, not something learned
            if (row.decision, row.kind) != (verdict.decision, verdict.kind):
                row.decision, row.kind, row.changed = verdict.decision, verdict.kind, True
