"""The content classifier: does a block ask the reader to donate, subscribe, become a member or follow a
channel? Recognised by what it says (the vocabulary in ``crawler/rules/appeals.json``), not by where it is
or how it is marked up.

A block is scored on its words alone: promotional vocabulary by kind (donation, membership, newsletter,
telegram, podcast, other) and cause ("independent journalism"), a verb of asking, an order to the reader
(English imperative at the start of a sentence or after "please", Russian imperative endings), the reader
addressed (you/your, вы/ваш/тебя, "dear readers"), the outlet speaking of itself (we/our, мы/наш, its name),
and reported speech (said, according to, заявил, по словам...). Two verdicts:

* :attr:`Evidence.appeal` — an appeal on its own evidence, removed wherever it is: promotional vocabulary
  and a verb of asking, addressed to the reader (an order to them, or "you" together with "we"/the
  outlet/the cause), no reported speech, at most ``MAX_CHARS`` characters, and a dense vocabulary when it
  is longer than ``DENSE_CHARS``. A news paragraph about a fundraiser or a Telegram channel is third
  person, or attributed, or long and sparse: it stays.
* :attr:`Evidence.promotional` — weaker: promotional vocabulary with any address (reader, order, we, the
  outlet) and no reported speech. Not enough to remove a block that occurs once, but enough for a block
  that recurs verbatim across articles (:mod:`crawler.boilerplate.learning`).
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from functools import cache
from importlib import resources
from typing import Any

KINDS = ("donation", "membership", "newsletter", "telegram", "podcast", "read_also", "credits", "other")
MAX_CHARS = 800  # longer blocks are article text, whatever they say
DENSE_CHARS = 350  # above this, an appeal needs at least 3 promotional words or verbs of asking
SHORT_CHARS = 120  # a short order with promotional vocabulary ("Subscribe to the newsletter") needs no "we"

_QUOTES = str.maketrans({"’": "'", "ʼ": "'", "`": "'"})
_QUOTED = re.compile(r"«[^«»]*»|“[^“”]*”|„[^„“”]*[“”]|\"[^\"]*\"")
_SENTENCE_START = re.compile(r"(?:^|[.!?…:;—–]\s+|\n)[\"«“„(\s—–-]*")
# labels of recurring non-promotional lines, judged only for blocks that recur (learning)
_READ_ALSO = re.compile(r"^(read (also|more)|see also|related|more on this|по теме|(читайте|смотрите) (также|ещё|еще)|"
                        r"ещё по теме|еще по теме)\b", re.I)
_CREDIT_LABEL = (r"(photo|photos|cover|illustration|illustrations|editor|edited|text|translated|translation|video|"
                 r"design|фото|обложка|иллюстраци\w*|редактор\w*|текст|перевод|видео|дизайн|автор\w*|графика|"
                 r"инфографика)")
_CREDITS = re.compile(rf"^{_CREDIT_LABEL}(\s+(by|credits?))?\s*[:—–]\s*\S|^{_CREDIT_LABEL}\s+by\s+\w", re.I)
_URL = re.compile(r"(https?://\S+|\b[\w-]+(\.[\w-]+)+/\S*|\bt\.me/\S+|@\w{3,})", re.I)


@dataclass(frozen=True)
class Evidence:
    """What one block says, as far as promotion goes."""

    kind: str | None  # what it promotes (the kind with most vocabulary hits), None when nothing
    promo: int  # promotional words (kinds + cause)
    asks: int  # verbs of asking (any form)
    imperative: bool
    reader: bool
    self_ref: bool  # we/our, or the outlet's name
    cause: bool
    reported: bool
    chars: int

    @property
    def appeal(self) -> bool:
        """An appeal on its own evidence (see the module docstring)."""
        if self.reported or not self.promo or not (self.asks or self.imperative) or self.chars > MAX_CHARS:
            return False
        if self.chars > DENSE_CHARS and self.promo + self.asks < 3:
            return False
        if self.imperative and (self.self_ref or self.reader or self.cause or self.chars <= SHORT_CHARS):
            return True
        return self.reader and (self.self_ref or self.cause)

    @property
    def promotional(self) -> bool:
        """Promotional vocabulary (or an order to do what appeals ask) addressed to someone, not reported:
        enough for a block that recurs."""
        asked = self.promo > 0 or (self.imperative and self.asks > 0)
        return (not self.reported and asked and self.chars <= 2 * MAX_CHARS
                and (self.imperative or self.reader or self.self_ref))


def _alternation(entries: list[str], whole_words: bool) -> str:
    body = "|".join(f"(?:{e})" for e in sorted(entries, key=len, reverse=True))
    return rf"(?<!\w)(?:{body})" + (r"(?!\w)" if whole_words else "")


class AppealClassifier:
    """Scores blocks against the vocabulary; ``self_names`` are regexes of the outlet's own names."""

    def __init__(self, vocabulary: dict[str, Any], self_names: tuple[str, ...] = ()) -> None:
        flags = re.I | re.U
        self.kinds = {kind: re.compile(_alternation(words, False), flags) for kind, words in vocabulary["kinds"].items()}
        self.cause = re.compile(_alternation(vocabulary["cause"], False), flags)
        self.actions = re.compile(_alternation(vocabulary["actions"], False), flags)
        imperative = vocabulary["imperative"]
        self.en_start = re.compile(rf"(?:(?:please|so|now|then|and|just|simply),?\s+)?"
                                   rf"{_alternation(imperative['en_start'], True)}", flags)
        self.en_anywhere = re.compile(_alternation(imperative["en_anywhere"], True), flags)
        self.ru_imperative = re.compile(
            rf"(?<!\w)(?:{'|'.join(imperative['ru_stems'])})\w*(?:ите|йте|ьте)(?:сь)?(?!\w)"
            rf"|{_alternation(imperative['ru_words'], True)}", flags)
        self.reader = re.compile(_alternation(vocabulary["reader"], True), flags)
        names = [n for n in self_names if n]
        self.self_ref = re.compile(_alternation(vocabulary["self"], True), flags)
        self.names = re.compile(r"(?<!\w)(?:" + "|".join(f"(?:{n})" for n in names) + ")" if names else r"(?!x)x", flags)
        self.reported = re.compile(_alternation(vocabulary["reported"], False), flags)

    def evidence(self, text: str) -> Evidence:
        text = text.translate(_QUOTES)
        hits = {kind: len(rx.findall(text)) for kind, rx in self.kinds.items()}
        cause = bool(self.cause.search(text))
        promo = sum(hits.values()) + cause
        kind = max(hits, key=lambda k: hits[k]) if any(hits.values()) else ("donation" if cause else None)
        # who speaks to whom is read outside quotes: a quoted «поддержите нас» is mentioned, not said;
        # the outlet's own name may be quoted («Холод»), so it is looked for in the whole text
        said = unquoted(text)
        imperative = bool(self.ru_imperative.search(said) or self.en_anywhere.search(said)
                          or any(self.en_start.match(said, m.end()) for m in _SENTENCE_START.finditer(said)))
        return Evidence(
            kind=kind, promo=promo, asks=len(self.actions.findall(said)), imperative=imperative,
            reader=bool(self.reader.search(said)), self_ref=bool(self.self_ref.search(said) or self.names.search(text)),
            cause=cause, reported=bool(self.reported.search(text)), chars=len(text),
        )


def unquoted(text: str) -> str:
    """``text`` with quoted spans (guillemets, curly and straight double quotes, nested) blanked out."""
    while True:
        stripped = _QUOTED.sub(" ~ ", text)
        if stripped == text:
            return text
        text = stripped


def label_kind(text: str) -> str | None:
    """``read_also`` or ``credits`` for the short labelled lines that recur under articles, else None."""
    if len(text) > 200:
        return None
    if _READ_ALSO.match(text):
        return "read_also"
    if _CREDITS.match(text):
        return "credits"
    return None


def link_heavy(text: str) -> bool:
    """A short block that is mostly addresses (URLs, t.me links, @handles)."""
    if len(text) > 200:
        return False
    linked = sum(len(m.group(0)) for m in _URL.finditer(text))
    return linked > 0 and linked >= 0.4 * len(text.strip())


@cache
def vocabulary() -> dict[str, Any]:
    return json.loads(resources.files("crawler.rules").joinpath("appeals.json").read_text("utf-8"))


@cache
def classifier_for(self_names: tuple[str, ...] = ()) -> AppealClassifier:
    """The classifier for an outlet that calls itself ``self_names`` (regexes); built once per outlet."""
    return AppealClassifier(vocabulary(), self_names)


def outlet_names(outlet: Any) -> tuple[str, ...]:
    """Regexes of the names an outlet calls itself by: its record's ``name`` (without a parenthesised
    edition) and ``extra["self_names"]`` (e.g. «Холод\\w*» in guillemets: the bare word is a common noun)."""
    if outlet is None:
        return ()
    name = re.sub(r"\s*\(.*?\)\s*| in English$", "", outlet.name).strip()
    names = [re.escape(name)] if name else []
    return tuple(names + list(outlet.extra.get("self_names", ())))
