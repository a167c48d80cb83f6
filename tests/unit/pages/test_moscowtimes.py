"""The Moscow Times parser + cleaning against the template-derived fixture pages (tests/sites/moscowtimes)."""

from datetime import datetime, timezone

import pytest
from itemadapter import ItemAdapter
from scrapy.statscollectors import MemoryStatsCollector
from scrapy.utils.test import get_crawler

from crawler import outlets
from crawler.pages.moscowtimes import MoscowTimesPage
from crawler.pipelines.clean import CleanPipeline
from tests.crawl import expected
from tests.unit.pages.expectations import fixture_response, mismatches

EXPECTED = expected("moscowtimes")["articles"]
FETCHED = datetime(2023, 9, 1, 12, 0, tzinfo=timezone.utc)


def parse(url: str) -> dict:
    page = MoscowTimesPage(fixture_response("moscowtimes", url), outlets.get("moscowtimes"), FETCHED)
    item = page.to_article()
    CleanPipeline(MemoryStatsCollector(get_crawler())).process_item(item)
    return ItemAdapter(item).asdict()


@pytest.mark.parametrize("url", sorted(EXPECTED))
def test_article_fields_match_the_page(url):
    item = parse(url)
    assert mismatches(item, EXPECTED[url]) == []
    assert item["native_id"] == url.rsplit("-", 1)[1]
    assert item["fetched_at"] == "2023-09-01T12:00:00+00:00"


def test_seed_article_is_exactly_the_seven_paragraphs_and_no_appeal():
    url = "https://www.themoscowtimes.com/2023/08/22/russian-army-officials-visit-libya-after-haftar-invite-a82219"
    body = parse(url)["body"]
    assert body.count("\n\n") == 6
    seed = open("tests/fixtures/moscowtimes-a82219-naive-extraction.txt", encoding="utf-8").read()
    article_lines = {line for line in body.split("\n\n")}
    for line in (l.strip() for l in seed.splitlines()):
        if line and line not in article_lines:
            assert line not in body, f"boilerplate survived: {line!r}"


def test_json_ld_names_only_the_first_author_but_the_byline_all():
    url = "https://www.themoscowtimes.com/2023/08/24/siberian-wildfires-burn-record-area-as-firefighting-budgets-shrink-a82241"
    page = MoscowTimesPage(fixture_response("moscowtimes", url), outlets.get("moscowtimes"), FETCHED)
    assert page.jsonld["author"]["name"] == "Irina Voronova"
    assert page.authors() == ["Irina Voronova", "Daniel Hartley", "Maxim Orlov"]


def test_updated_article_keeps_publication_date_not_the_byline_time():
    url = "https://www.themoscowtimes.com/2023/08/28/moscow-airports-restrict-flights-after-overnight-drone-attack-a82287"
    response = fixture_response("moscowtimes", url)
    assert "Updated:" in " ".join(response.css("div.byline__details ::text").getall())
    item = parse(url)
    assert (item["published_at"], item["modified_at"]) == ("2023-08-28T09:15:00+03:00", "2023-08-28T14:42:18+03:00")


def test_markup_boilerplate_is_counted():
    url = "https://www.themoscowtimes.com/2023/08/24/siberian-wildfires-burn-record-area-as-firefighting-budgets-shrink-a82241"
    page = MoscowTimesPage(fixture_response("moscowtimes", url), outlets.get("moscowtimes"), FETCHED)
    page.to_article()
    assert page.removed["aside.article__related-article"] == 1
