"""How a run ended, in one word (the ``run/outcome`` stat) and the exit code of ``scrapy crawl``.

=================  ====  ===========================================================================
outcome            exit  when
=================  ====  ===========================================================================
``delivered``      0     the output was stored (some sources may have failed: see the health report)
``output_failed``  3     a feed file, the manifest or a spooled file was not stored (``-o``/``-O``
                         included); ``OUTPUT_FAILED_EXIT_CODE`` changes the code
``nothing_reached`` 4    discovery reached nothing: every source (robots.txt, sitemaps, feeds, listings, the
                         outlet's API) failed: DNS, refused connections, timeouts, HTTP errors
``state_failed``   5     the crawl state could not be written (what it missed is kept in the state
                         journal and written by the next run before it crawls)
``lease_busy``     6     another crawl of this outlet holds the lease (set by the lease component)
=================  ====  ===========================================================================

Exit code 1 (the crawl could not start) and 2 (a usage error) come before any outcome. When several
things went wrong, the first of ``lease_busy``, ``state_failed``, ``output_failed``,
``nothing_reached`` wins. The outcome is a pure function of the stats, so every component that
records something that changes it calls :func:`settle` (the stats dump and ``STATS_FILE`` then show
the final word), and the crawl commands call it once more for the exit code.
"""

from __future__ import annotations

from typing import Any

DELIVERED = "delivered"
OUTPUT_FAILED = "output_failed"
NOTHING_REACHED = "nothing_reached"
STATE_FAILED = "state_failed"
LEASE_BUSY = "lease_busy"

EXIT_CODES = {DELIVERED: 0, OUTPUT_FAILED: 3, NOTHING_REACHED: 4, STATE_FAILED: 5, LEASE_BUSY: 6}
PRECEDENCE = (LEASE_BUSY, STATE_FAILED, OUTPUT_FAILED, NOTHING_REACHED, DELIVERED)
STAT = "run/outcome"


def _total(stats: dict[str, Any], prefix: str) -> int:
    return sum(v for k, v in stats.items() if k.startswith(prefix) and isinstance(v, int))


def undelivered(stats: dict[str, Any]) -> int:
    """How many files of the run (feeds, manifest, spooled ones) were not stored."""
    return max(_total(stats, "feedexport/failed_count/"), int(stats.get("output/failed") or 0))


def sources_answered(stats: dict[str, Any]) -> int:
    return _total(stats, "sources/ok/")


def sources_failed(stats: dict[str, Any]) -> int:
    return _total(stats, "sources/failed/")


def nothing_reached(stats: dict[str, Any]) -> bool:
    """Discovery reached nothing: at least one source was tried and none answered."""
    return sources_failed(stats) > 0 and sources_answered(stats) == 0


def decide(stats: dict[str, Any]) -> str:
    if stats.get(STAT) == LEASE_BUSY:
        return LEASE_BUSY
    if stats.get("state/write_failed"):
        return STATE_FAILED
    if undelivered(stats):
        return OUTPUT_FAILED
    if nothing_reached(stats):
        return NOTHING_REACHED
    return DELIVERED


def settle(collector: Any) -> str:
    """Work out the outcome from a stats collector's values and store it as ``run/outcome``."""
    outcome = decide(collector.get_stats())
    collector.set_value(STAT, outcome)
    return outcome


def exit_code(outcome: str, settings: Any = None) -> int:
    if outcome == OUTPUT_FAILED and settings is not None:
        return settings.getint("OUTPUT_FAILED_EXIT_CODE", EXIT_CODES[OUTPUT_FAILED])
    return EXIT_CODES.get(outcome, 0)


def worst(outcomes: list[str]) -> str:
    """The outcome that decides the exit code of several crawls (``scrapy crawlall``)."""
    return min(outcomes, key=PRECEDENCE.index, default=DELIVERED)


def explain(name: str, outcome: str, stats: dict[str, Any], code: int) -> str:
    """The one line a failed run ends with."""
    if outcome == NOTHING_REACHED:
        kinds = {k.rsplit("/", 1)[1]: v for k, v in stats.items() if k.startswith("sources/failed/")}
        errors = {k.rsplit("/", 1)[1]: v for k, v in stats.items()
                  if k.startswith(("spider/download_error/", "spider/http_error/"))}
        what = ", ".join(f"{k} {v}" for k, v in sorted(kinds.items()))
        why = ", ".join(f"{'HTTP ' + k if k.isdigit() else k} {v}" for k, v in sorted(errors.items()))
        return (f"{name}: NOTHING REACHED: none of the {sources_failed(stats)} discovery sources answered "
                f"({what}{'; ' + why if why else ''}); the run is recorded as failed and the next run "
                f"covers its window again; exit code {code}")
    if outcome == OUTPUT_FAILED:
        return f"{name}: {undelivered(stats)} output file(s) not delivered (see the errors above); exit code {code}"
    if outcome == STATE_FAILED:
        if stats.get("state/failed_at_start"):
            done = "nothing was crawled"
        elif stats.get("state/journaled"):
            done = f"{stats['state/journaled']} record(s) are kept in the state journal for the next run"
        else:
            done = "what it could not write is lost (see the errors above)"
        return f"{name}: THE CRAWL STATE COULD NOT BE WRITTEN; {done}; exit code {code}"
    if outcome == LEASE_BUSY:
        return f"{name}: another crawl of this outlet holds the lease; exit code {code}"
    return f"{name}: {outcome}; exit code {code}"
