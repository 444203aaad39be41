"""``newscrawl crawl`` as a library function: one whole-site crawl, start to summary.

The crawl itself is the same as ``scrapy crawl SITE -a since=…``: the spider, pipelines and
extensions are all Scrapy components switched on by settings. What this adds is what only
a command can do: check the arguments before anything starts, hold the archive's lock while
it tidies the job directory (a new run starts clean, ``--resume`` keeps it), and read the
run's record back for the summary.
"""

from __future__ import annotations

import logging
from contextlib import nullcontext
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any

from scrapy import signals
from scrapy.crawler import Crawler, CrawlerProcess
from scrapy.spiderloader import SpiderLoader

from ..archive import open_archive
from ..archive.paths import archive_path
from ..archive.runs import get_run, run_failures
from ..errors import NewscrawlError
from ..clock import KST
from ..run import project_settings
from ..sites import get_profile
from ..spiders.failures import OneLineNetworkErrors
from .jobs import JobDir, job_path
from .lock import ArchiveLock
from .logs import without_startup_dump
from .plan import CrawlPlan, check_crawlable
from .record import RunRecorder
from .summary import format_summary
from .window import BadWindow


class NothingToResume(NewscrawlError):
    """``--resume`` with no stopped job in the archive's job directory."""


@dataclass(frozen=True)
class CrawlOptions:
    """The ``newscrawl crawl`` options, as given (strings, like spider arguments)."""

    since: str | None = None
    until: str | None = None
    sections: tuple[str, ...] = ()
    max_articles: int | None = None
    resume: bool = False
    base_url: str | None = None
    #: The page a generic crawl starts from.
    start: str | None = None

    def spider_arguments(self) -> dict[str, str]:
        values = {"since": self.since, "until": self.until, "section": ",".join(self.sections) or None,
                  "max_articles": str(self.max_articles) if self.max_articles else None,
                  "base_url": self.base_url, "start": self.start}
        return {name: value for name, value in values.items() if value}


@dataclass(frozen=True)
class CrawlResult:
    run: dict[str, Any] | None
    failures: list[dict[str, Any]]
    reason: str

    @property
    def exit_status(self) -> int:
        if self.run is None:
            return 0 if self.reason == "finished" else 1
        return self.run["exit_status"]

    def summary(self) -> str:
        if self.run is None:
            why = "NEWSCRAWL_RECORD_ENABLED is off" if self.reason == "finished" else "see the log"
            return f"crawl {self.reason} (no run recorded: {why})"
        return format_summary(self.run, self.failures)


def crawl_site(site: str, db: str | Path, options: CrawlOptions, settings: dict[str, Any] | None = None,
               verbose: bool = False) -> CrawlResult:
    """Crawl ``site`` into the archive ``db``; raises a NewscrawlError for bad arguments, a
    locked archive or nothing to resume. A crawl that runs always returns its result.

    Scrapy's dumps of settings, components and stats are logged only when ``verbose``."""
    profile = get_profile(site)
    check_crawlable(profile, options.base_url, options.start)
    db = archive_path(db)  # before the lock and job files are made beside it
    CrawlPlan.parse(profile, datetime.now(KST), options.since, options.until, ",".join(options.sections),
                    options.max_articles)
    if options.resume and (options.since or options.until or options.sections or options.max_articles):
        raise BadWindow("--resume continues the stopped run with its own window and limits: "
                        "leave out --since, --until, --section and --max-articles")
    # one job per site: a CMS profile (or the generic one) crawls many sites, each known by its host
    name = profile.site_name(f"{options.start or options.base_url or profile.base_url}/")
    job = JobDir(job_path(db, name))
    with ArchiveLock(db):
        if options.resume and job.notes() is None:
            raise NothingToResume(f"no stopped crawl of {name} to resume in {db} (nothing in {job.path})")
        if not options.resume:
            job.remove()
        overrides = {**(settings or {}), "NEWSCRAWL_DB": str(db), "JOBDIR": str(job.path),
                     # this process holds the lock already; a second flock would refuse it
                     "NEWSCRAWL_LOCK_ENABLED": False}
        with nullcontext() if verbose else without_startup_dump():
            crawler, reason = _run(site, options.spider_arguments(), {"STATS_DUMP": verbose, **overrides})
    return _result(crawler, reason, db)


def crawl_target(site: str | None, generic: bool) -> str:
    """The profile a ``newscrawl crawl`` command line names: SITE, or ``generic`` for ``--generic``."""
    if generic:
        if site not in (None, "generic"):
            raise NewscrawlError(f"--generic crawls a site no profile knows; leave out the site name ({site})")
        return "generic"
    if not site:
        raise NewscrawlError("name the site to crawl (see `newscrawl sites`), or crawl any site with "
                             "--generic --start URL")
    return site


def _run(site: str, arguments: dict[str, str], overrides: dict[str, Any]) -> tuple[Crawler, str]:
    robots_log = logging.getLogger("scrapy.downloadermiddlewares.robotstxt")
    if not any(isinstance(f, OneLineNetworkErrors) for f in robots_log.filters):
        robots_log.addFilter(OneLineNetworkErrors())
    settings = project_settings(overrides)
    process = CrawlerProcess(settings)
    crawler = process.create_crawler(SpiderLoader.from_settings(settings).load(site))
    outcome: dict[str, Any] = {"reason": "not started"}

    def closed(spider: Any, reason: str) -> None:
        outcome["reason"] = reason

    crawler.signals.connect(closed, signal=signals.spider_closed)
    failed = process.crawl(crawler, **arguments)
    failed.addErrback(lambda failure: outcome.setdefault("error", failure))
    process.start()
    if "error" in outcome:
        outcome["error"].raiseException()
    return crawler, outcome["reason"]


def _result(crawler: Crawler, reason: str, db: str | Path) -> CrawlResult:
    recorder = crawler.get_extension(RunRecorder)
    if recorder is None or recorder.run_id is None:
        return CrawlResult(None, [], reason)
    archive = open_archive(db)
    try:
        run = get_run(archive, recorder.run_id)
        return CrawlResult(run, run_failures(archive, run["site"], run["started_at"]), reason)
    finally:
        archive.close()
