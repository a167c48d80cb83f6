"""Parse + clean cost per page, against trafilatura.extract on the same pages, in the same process.

    python -m benchmarks.extraction [--rounds 30]

Pages: every article of the Moscow Times fixture site (template-derived, 30-60 KB each).
"""

from __future__ import annotations

import argparse
import time
from datetime import datetime, timezone

import trafilatura
from scrapy.statscollectors import MemoryStatsCollector
from scrapy.utils.test import get_crawler

from crawler import outlets
from crawler.pages.moscowtimes import MoscowTimesPage
from crawler.pipelines.clean import CleanPipeline
from tests.crawl import expected
from tests.unit.pages.expectations import fixture_response


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--rounds", type=int, default=30)
    args = parser.parse_args()
    responses = [fixture_response("moscowtimes", url) for url in sorted(expected("moscowtimes")["articles"])]
    outlet = outlets.get("moscowtimes")
    clean = CleanPipeline(MemoryStatsCollector(get_crawler()))
    fetched = datetime(2023, 9, 1, tzinfo=timezone.utc)
    trafilatura.extract(responses[0].text)  # warm-up (imports, caches)

    def ours() -> None:
        for response in responses:
            # a fresh response each time: parsel caches the parsed tree on the response
            fresh = response.replace(body=response.body)
            clean.process_item(MoscowTimesPage(fresh, outlet, fetched).to_article())

    def reference() -> None:
        for response in responses:
            trafilatura.extract(response.text, url=response.url, favor_precision=True)

    timings = {}
    for name, job in (("ruspress parse+clean", ours), ("trafilatura.extract", reference)):
        start = time.perf_counter()
        for _ in range(args.rounds):
            job()
        timings[name] = (time.perf_counter() - start) / (args.rounds * len(responses)) * 1000
    kb = sum(len(r.body) for r in responses) / len(responses) / 1024
    print(f"{len(responses)} pages (mean {kb:.0f} KB), {args.rounds} rounds")
    for name, ms in timings.items():
        print(f"  {name:<22} {ms:6.2f} ms/page")
    print(f"  ratio ours/trafilatura  {timings['ruspress parse+clean'] / timings['trafilatura.extract']:.2f}")


if __name__ == "__main__":
    main()
