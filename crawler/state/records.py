"""The rows of the crawl state: one per article URL, one per run, one per leased outlet, one per open
alert."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

DELIVERED = "delivered"  # emitted in a feed that was stored
DUPLICATE = "duplicate"  # dropped as a duplicate of ``duplicate_of``; kept so it is not fetched again
GONE = "gone"  # answered 404/410: not fetched again unless its entry changes (or a refresh)
REJECTED = "rejected"  # answered 200 without a usable article (empty, not HTML, dropped by validation)


@dataclass
class ArticleState:
    """What the state keeps per article URL.

    Dates are ISO 8601 strings; ``entry_date`` is the latest sitemap/feed date seen for the URL, in
    UTC (so that strings sort by time). ``signature`` is the MinHash signature as bytes.
    """

    outlet: str
    url: str
    native_id: str | None = None
    entry_date: str | None = None
    etag: str | None = None
    last_modified: str | None = None
    fingerprint: str | None = None
    version: int = 1
    published_at: str | None = None
    modified_at: str | None = None
    first_seen: str | None = None
    last_seen: str | None = None
    story_id: str | None = None
    duplicate_of: str | None = None
    status: str = DELIVERED
    signature: bytes | None = None
    id: int | None = None

    @property
    def key(self) -> tuple[str, str]:
        return (self.outlet, self.url)


@dataclass
class Touch:
    """A seen-again update that needs no delivery: last seen time, newer entry date, new validators."""

    id: int
    last_seen: str
    entry_date: str | None = None
    etag: str | None = None
    last_modified: str | None = None
    key: tuple[str, str] | None = None  # (outlet, url) it was seen under, for late entry dates


@dataclass
class RunRecord:
    outlet: str
    started_at: str
    since: str | None = None
    until: str | None = None
    mode: str = "incremental"
    status: str = "running"  # finished | partial | failed | running (a run that died stays "running")
    finished_at: str | None = None
    stats: dict[str, Any] = field(default_factory=dict)
    id: int | None = None


BOILERPLATE = "boilerplate"  # decisions of a learned block
CONTENT = "content"
UNDECIDED = "undecided"


@dataclass
class LearnedBlock:
    """One block of one outlet as learned from its articles (:mod:`crawler.boilerplate.learning`).

    A block is a normalised paragraph (``paragraphs == 1``) or a link between two consecutive paragraphs
    (``paragraphs == 2``: how often they occur together, which is how runs are found). ``articles``
    counts distinct articles, ``edge`` those in which it sat at the start or end of the body; ``first_day``
    and ``last_day`` are the articles' publication dates, ``first_seen``/``last_seen`` when it was counted.
    ``text`` is kept (first 500 characters) once the block has recurred. ``pinned`` means an operator set
    ``decision`` (``scrapy boilerplate``) and the crawler never changes it. ``added``/``added_edge`` are
    this run's counts not yet written (the store adds them to the stored ones)."""

    outlet: str
    fingerprint: str
    paragraphs: int = 1
    text: str = ""
    articles: int = 0
    edge: int = 0
    first_seen: str | None = None
    last_seen: str | None = None
    first_day: str | None = None
    last_day: str | None = None
    kind: str = "other"
    decision: str = UNDECIDED
    pinned: bool = False
    id: int | None = None
    added: int = 0
    added_edge: int = 0
    changed: bool = False  # kind or decision changed in this run (written even without new counts)


@dataclass
class Lease:
    """Who crawls an outlet now (the ``leases`` table). Times are seconds since the epoch, by the
    database's clock (one clock for every machine of a fleet); ``now`` is that clock when it was read."""

    outlet: str
    holder: str  # "<host>/<pid>/<random>": one per crawler process
    host: str
    pid: int
    job: str | None  # Scrapyd's job id (its _job spider argument), when run by Scrapyd
    acquired_at: float
    renewed_at: float
    expires_at: float
    now: float = 0.0

    @property
    def expires_in(self) -> float:
        return self.expires_at - self.now

    def describe(self) -> str:
        job = f", job {self.job}" if self.job else ""
        return (f"host {self.host}, pid {self.pid}{job}, lease renewed {max(0, self.now - self.renewed_at):.0f} s ago, "
                f"expires in {max(0, self.expires_in):.0f} s")


@dataclass
class Alert:
    """A problem of an outlet that a channel (``webhook``, ``email``) has been told about; the row goes
    when a run finds the problem resolved, so that it alerts again if it comes back."""

    outlet: str
    problem: str  # a monitor's key: run_failed, layout_drift, ...
    channel: str
    message: str
    first_seen: str
    sent_at: str
