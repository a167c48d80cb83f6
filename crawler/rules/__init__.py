"""Shared English/Russian boilerplate text rules, kept as data in ``shared.json``."""

from __future__ import annotations

import json
from functools import cache
from importlib import resources

from crawler.outlets.base import TextRule


@cache
def shared_rules() -> tuple[TextRule, ...]:
    raw = json.loads(resources.files(__package__).joinpath("shared.json").read_text("utf-8"))
    return tuple(TextRule(**rule) for rule in raw["rules"])
