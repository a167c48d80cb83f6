"""``scrapy reextract <WACZ | folder | s3://bucket/prefix> [-O FILE]``: today's parsers and pipelines
over archived responses, with no network.

Each WACZ (oldest run first) is replayed as a crawl of the spider that wrote it, with the window it
had (its ``warcinfo`` record; ``-a since=/until=`` override it): every request is answered from the
archive (:class:`crawler.middlewares.archive.ArchiveReplayMiddleware`), so discovery is replayed from
the archived robots.txt, sitemaps, feeds and API lists, and each article from its archived page;
nothing is fetched. Runs in ``refresh`` mode, without robots.txt checks (they were made at capture
time), rendering or a new archive.

Output:
  (default)  through the crawl state (``STATE_URL``) and the project's output (``OUTPUT_URI``): an
             article whose text changed since its delivered version is emitted as version n+1, the
             others are dropped as unchanged (``dedup/dropped/unchanged``);
  -O/-o FILE every re-extracted article goes to FILE, judged against a fresh crawl state of the
             re-extraction alone (the crawl state is neither read nor written).
Exit codes: 0 done, 1 a run could not start, 2 usage (no readable archive), 3 output not delivered,
5 the crawl state could not be written.
"""

from __future__ import annotations

import argparse
import logging
import tempfile
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from scrapy.commands import BaseRunSpiderCommand
from scrapy.exceptions import UsageError

from crawler import outcome
from crawler.commands.crawl import check_spider_arguments
from crawler.exports.replay import SourceError, archives
from crawler.exports.wacz import WaczError, WaczReader

logger = logging.getLogger(__name__)


@dataclass
class Job:
    path: Path
    spider: str
    spargs: dict[str, Any]


def job_for(path: Path, spargs: dict[str, Any], known: list[str]) -> Job:
    """The crawl that replays one WACZ: its spider and window from the warcinfo record."""
    reader = WaczReader(str(path))
    try:
        info = reader.warcinfo()
    finally:
        reader.close()
    spider = info.get("spider")
    if spider not in known:
        raise UsageError(f"{path}: no spider of this project wrote it (warcinfo spider: {spider!r})",
                         print_help=False)
    args = {name: info[f"ruspress-{name}"] for name in ("since", "until", "limit") if info.get(f"ruspress-{name}")}
    return Job(path, spider, {**args, **spargs, "mode": "refresh"})


class Command(BaseRunSpiderCommand):
    requires_project = True

    def syntax(self) -> str:
        return "<WACZ | folder | s3://bucket/prefix> [-O FILE] [options]"

    def short_desc(self) -> str:
        return "Re-run today's parsers and pipelines over archived responses, without the network"

    def long_desc(self) -> str:
        return __doc__ or ""

    def process_options(self, args: list[str], opts: argparse.Namespace) -> None:
        super().process_options(args, opts)
        assert self.settings is not None
        self.to_file = bool(opts.output or opts.overwrite_output)
        for name, value in {"ARCHIVE_ENABLED": False, "ROBOTSTXT_OBEY": False, "RENDER_ENABLED": False,
                            "MIRRORS": {}, "DOWNLOAD_DELAY": 0, "AUTOTHROTTLE_ENABLED": False,
                            "OUTPUT_SPOOL_FLUSH": False, "RETRY_ENABLED": False}.items():
            self.settings.set(name, value, priority="cmdline")
        if self.to_file:
            self.settings.set("OUTPUT_DEFAULT_FEED", False, priority="cmdline")

    def run(self, args: list[str], opts: argparse.Namespace) -> None:
        if len(args) != 1:
            raise UsageError("give one archive: a .wacz file, a folder or s3://bucket/prefix")
        assert self.crawler_process is not None and self.settings is not None
        self.workdir = tempfile.TemporaryDirectory(prefix="ruspress-reextract-")
        work = Path(self.workdir.name)
        try:
            paths = archives(args[0], work / "s3", self.settings)
            known = self.crawler_process.spider_loader.list()
            self.jobs = [job_for(path, opts.spargs, known) for path in paths]
        except (SourceError, WaczError) as exc:
            raise UsageError(str(exc), print_help=False) from None
        for job in self.jobs:
            check_spider_arguments(self.crawler_process, job.spider, job.spargs)
        if self.to_file:  # one fresh state for the whole re-extraction: versions relative to these archives
            self.settings.set("STATE_URL", f"sqlite:///{work / 'state.sqlite'}", priority="cmdline")
        self.feeds = dict(self.settings.getdict("FEEDS"))
        self.crawlers: list[Any] = []
        self.queue = list(self.jobs)
        self._next()
        self.crawler_process.start()
        self.workdir.cleanup()
        if self.crawler_process.bootstrap_failed:
            self.exitcode = 1
            return
        failed = state_failed = 0
        for crawler in self.crawlers:
            try:
                stats = crawler.stats.get_stats()
            except (AttributeError, RuntimeError):  # never started
                continue
            failed += outcome.undelivered(stats)
            state_failed += bool(stats.get("state/write_failed"))
        if state_failed:  # an archive with no discovery (articles only) "reaches nothing": not a failure here
            self.exitcode = outcome.exit_code(outcome.STATE_FAILED)
            logger.error("reextract: the crawl state could not be written; exit code %d", self.exitcode)
        elif failed:
            self.exitcode = outcome.exit_code(outcome.OUTPUT_FAILED, self.settings)
            logger.error("reextract: %d output file(s) not delivered; exit code %d", failed, self.exitcode)

    def _next(self, *_: Any) -> None:
        """Start the next archive's crawl once the previous one has finished (they share the state)."""
        if not self.queue:
            return
        assert self.crawler_process is not None
        job = self.queue.pop(0)
        settings = self.crawler_process.settings
        settings.set("ARCHIVE_REPLAY", [str(job.path)], priority="cmdline")
        if self.feeds and len(self.crawlers):  # later archives add to the file the first one started
            settings.set("FEEDS", {uri: {**options, "overwrite": False} for uri, options in self.feeds.items()},
                         priority="cmdline")
        logger.info("Re-extracting %s with spider %s (%s)", job.path.name, job.spider,
                    ", ".join(f"{k}={v}" for k, v in job.spargs.items()))
        crawler = self.crawler_process.create_crawler(job.spider)
        self.crawlers.append(crawler)
        running = self.crawler_process.crawl(crawler, **job.spargs)
        if hasattr(running, "add_done_callback"):
            running.add_done_callback(self._next)
        else:
            running.addBoth(self._next)
