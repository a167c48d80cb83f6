"""Every page saved with `scrapy fixture` (tests/fixtures/pages/<outlet>/*.json + .html) still parses into
its reviewed expectation."""

from __future__ import annotations

import json
from datetime import datetime
from pathlib import Path

import pytest

from crawler.pages.saved import differences, parse_saved
from tests.crawl import ROOT

SAVED = sorted((ROOT / "tests" / "fixtures" / "pages").glob("*/*.json"))


def test_there_is_at_least_one_saved_page():
    assert SAVED, "tests/fixtures/pages holds no saved page: the parametrised test below would not run"


@pytest.mark.parametrize("path", SAVED, ids=[f"{p.parent.name}/{p.stem}" for p in SAVED])
def test_saved_page_parses_into_its_expectation(path: Path):
    spec = json.loads(path.read_text("utf-8"))
    item = parse_saved(spec["outlet"], spec["url"], path.with_suffix(".html").read_bytes(),
                       datetime.fromisoformat(spec["fetched_at"]), spec.get("content_type", "text/html; charset=utf-8"))
    assert differences(item, spec["expected"]) == []
