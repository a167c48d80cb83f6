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

MAX_CHARS = 800  # longer blocks are article text, whatever they say
DENSE_CHARS = 350  # above this, an appeal needs at least 3 promotional words or verbs of asking
SHORT_CHARS = 120  # a short order with promotional vocabulary ("Subscribe to the newsletter") needs no "we"

_SPELLING = (("’", "'"), ("ʼ", "'"), ("`", "'"), ("$", " usd "), ("€", " eur "))  # apostrophes; currencies as words
_QUOTED = re.compile(r"«[^«»]*»|“[^“”]*”|„[^„“”]*[“”]|\"[^\"]*\"")
_SENTENCE_START = re.compile(r"(?:^|[.!?…:;—–]\s+|\n)[\"«“„(\s—–-]*")
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
    """One regex for lower-case vocabulary entries, each matched at the start of a word (and, with
    ``whole_words``, to its end)."""
    for entry in entries:  # an entry that cannot start with \b would make every alternation slow
        if not re.match(r"[\w(]|\\[dw]", entry):
            raise ValueError(f"vocabulary entry {entry!r} must begin with a letter, a digit or a group")
    alternatives = [rf"\b(?:{entry})" for entry in sorted(entries, key=len, reverse=True)]
    return "(?:" + "|".join(alternatives) + ")" + (r"(?!\w)" if whole_words else "")


class AppealClassifier:
    """Scores blocks against the vocabulary; ``self_names`` are regexes of the outlet's own names."""

    def __init__(self, vocabulary: dict[str, Any], self_names: tuple[str, ...] = ()) -> None:
        # the text is lower-cased once and matched case-sensitively: several times faster than re.I on Cyrillic
        self.kinds = {kind: re.compile(_alternation(words, False)) for kind, words in vocabulary["kinds"].items()}
        promo_words = [w for words in vocabulary["kinds"].values() for w in words] + vocabulary["cause"]
        self.any_kind = re.compile(_alternation(promo_words, False))
        # one scan that tells whether a block can be promotional at all: most article paragraphs cannot
        self.prefilter = re.compile(_alternation(promo_words + vocabulary["actions"], False))
        self.cause = re.compile(_alternation(vocabulary["cause"], False))
        self.actions = re.compile(_alternation(vocabulary["actions"], False))
        imperative = vocabulary["imperative"]
        self.en_start = re.compile(rf"(?:(?:please|so|now|then|and|just|simply),?\s+)?"
                                   rf"{_alternation(imperative['en_start'], True)}")
        self.en_anywhere = re.compile(_alternation(imperative["en_anywhere"], True))
        self.ru_imperative = re.compile(
            rf"\b(?:{'|'.join(imperative['ru_stems'])})\w*(?:ите|йте|ьте)(?:сь)?\b"
            rf"|{_alternation(imperative['ru_words'], True)}")
        self.reader = re.compile(_alternation(vocabulary["reader"], True))
        self.self_ref = re.compile(_alternation(vocabulary["self"], True))
        self.reported = re.compile(_alternation(vocabulary["reported"], False))
        names = [n for n in self_names if n]  # the outlet's names keep their case rules: matched as given
        self.names = re.compile(r"(?<!\w)(?:" + "|".join(f"(?:{n})" for n in names) + ")", re.I) if names else None

    def evidence(self, text: str) -> Evidence:
        """The evidence for one block. When it has neither promotional vocabulary nor a verb of asking,
        neither verdict can hold, and who is addressed is not looked at (``imperative``, ``reader``,
        ``self_ref``, ``reported`` are left False)."""
        low = text.lower()
        for char, spelled in _SPELLING:
            if char in low:
                low = low.replace(char, spelled)
        if not self.prefilter.search(low):
            return Evidence(None, 0, 0, False, False, False, False, False, len(text))
        hits: dict[str, int] = {}
        cause = False
        if self.any_kind.search(low):
            hits = {kind: n for kind, rx in self.kinds.items() if (n := len(rx.findall(low)))}
            cause = bool(self.cause.search(low))
        promo = sum(hits.values()) + cause
        kind = max(hits, key=lambda k: hits[k]) if hits else ("donation" if cause else None)
        # who speaks to whom is read outside quotes: a quoted «поддержите нас» is mentioned, not said;
        # the outlet's own name may be quoted («Холод»), so it is looked for in the whole text
        said = unquoted(low)
        asks = len(self.actions.findall(said))
        if not promo and not asks:
            return Evidence(kind, 0, 0, False, False, False, cause, False, len(text))
        imperative = bool(self.ru_imperative.search(said) or self.en_anywhere.search(said)
                          or any(self.en_start.match(said, m.end()) for m in _SENTENCE_START.finditer(said)))
        return Evidence(
            kind=kind, promo=promo, asks=asks, imperative=imperative, reader=bool(self.reader.search(said)),
            self_ref=bool(self.self_ref.search(said) or (self.names is not None and self.names.search(low))),
            cause=cause, reported=bool(self.reported.search(low)), chars=len(text),
        )


def unquoted(text: str) -> str:
    """``text`` with quoted spans (guillemets, curly and straight double quotes, nested) blanked out."""
    while True:
        stripped = _QUOTED.sub(" ~ ", text)
        if stripped == text:
            return text
        text = stripped


def label_kind(text: str) -> str | None:
    """``read_also`` or ``credits`` for the short labelled lines that recur under articles (the
    vocabulary's ``labels``), else None."""
    if len(text) > 200:
        return None
    low = text.lower()
    return next((kind for kind, rx in _labels().items() if rx.match(low)), None)


@cache
def _labels() -> dict[str, re.Pattern[str]]:
    labels = vocabulary()["labels"]
    return {kind: re.compile("|".join(f"(?:{e})" for e in entries)) for kind, entries in labels.items() if kind != "about"}


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
