"""``newscrawl crawl`` as a library function: one whole-site crawl, start to summary.

The crawl itself is the same as ``scrapy crawl SITE -a since=…``: the spider, pipelines and
extensions are all Scrapy components switched on by settings. What this adds is what only
a command can do: check the arguments before anything starts; open the archive, the
process's one connection to it, holding its lock (:mod:`newscrawl.archive.lock`); tidy the
job directory (a new run starts clean, ``--resume`` keeps it); settle what the run crawls
(:func:`~newscrawl.policy.plan.plan_run`) and hand it with the archive to the spider; and
read the run's record back for the summary.
"""

from __future__ import annotations

from contextlib import nullcontext
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any

from scrapy import signals
from scrapy.crawler import Crawler, CrawlerProcess
from scrapy.spiderloader import SpiderLoader

from ..archive.api import Archive
from ..archive.paths import archive_path
from ..archive.runs import get_run, run_failures
from ..errors import NewscrawlError
from ..clock import KST
from ..run import project_settings
from ..sites import get_profile
from ..policy.jobs import JobDir, job_path
from ..extensions.logs import without_startup_dump
from ..policy.plan import CrawlPlan, check_crawlable, plan_run
from ..extensions.record import RunRecorder
from ..policy.summary import format_summary
from ..policy.window import BadWindow


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
        """Where the spider crawls (what it crawls is the plan, settled beforehand)."""
        values = {"base_url": self.base_url, "start": self.start}
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
        return 1 if self.run["exit_status"] is None else self.run["exit_status"]

    def summary(self) -> str:
        if self.run is None:
            why = "NEWSCRAWL_RECORD_ENABLED is off" if self.reason == "finished" else "see the log"
            return f"crawl {self.reason} (no run recorded: {why})"
        if self.run["ended_at"] is None:  # the recorder failed to write the run's end: its error is logged
            return f"crawl {self.reason}, but run {self.run['id']} could not be recorded as ended: see the log"
        return format_summary(self.run, self.failures)


def crawl_site(site: str, db: str | Path, options: CrawlOptions, settings: dict[str, Any] | None = None,
               verbose: bool = False) -> CrawlResult:
    """Crawl ``site`` into the archive ``db``; raises a NewscrawlError for bad arguments, a
    locked archive or nothing to resume. A crawl that runs always returns its result.

    Scrapy's dumps of settings, components and stats are logged only when ``verbose``."""
    name, plan = check_options(site, options)
    db = archive_path(db)  # before the lock and job files are made beside it
    job = JobDir(job_path(db, name))
    if options.resume and job.notes() is None:  # before the archive is opened, or created
        raise NothingToResume(f"no stopped crawl of {name} to resume in {db} (nothing in {job.path})")
    with Archive(db, exclusive=True) as archive:
        if not options.resume:
            job.remove()
        with nullcontext() if verbose else without_startup_dump():
            process = CrawlerProcess(project_settings(settings))
            launched = launch(process, Launch(site, name, plan, options, archive),
                              {"STATS_DUMP": verbose, **site_overrides(db, job, settings)}, first=True)
            process.start()
        if "error" in launched:
            launched["error"].raiseException()
        return crawl_result(launched["crawler"], launched["reason"], archive)


def check_options(site: str, options: CrawlOptions) -> tuple[str, CrawlPlan]:
    """Raise a NewscrawlError unless ``options`` make a crawl of ``site``; returns the name the
    archive knows the site by (one job per site: a CMS profile, or the generic one, crawls
    many sites, each known by its host) and the plan asked for."""
    profile = get_profile(site)
    check_crawlable(profile, options.base_url, options.start)
    plan = CrawlPlan.parse(profile, datetime.now(KST), options.since, options.until, ",".join(options.sections),
                           options.max_articles)
    if options.resume and (options.since or options.until or options.sections or options.max_articles):
        raise BadWindow("--resume continues the stopped run with its own window and limits: "
                        "leave out --since, --until, --section and --max-articles")
    return profile.site_name(f"{options.start or options.base_url or profile.base_url}/"), plan


def site_overrides(db: str | Path, job: JobDir, settings: dict[str, Any] | None) -> dict[str, Any]:
    """The settings of one site's crawl into ``db``."""
    return {**(settings or {}), "NEWSCRAWL_DB": str(db), "JOBDIR": str(job.path)}


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


@dataclass(frozen=True)
class Launch:
    """One site's crawl to launch: its profile (``site``), the archive's ``name`` for it, the
    ``plan`` asked for, its options and the ``archive`` the process holds open."""

    site: str
    name: str
    plan: CrawlPlan
    options: CrawlOptions
    archive: Archive


def launch(process: CrawlerProcess, crawl: Launch, overrides: dict[str, Any], first: bool) -> dict[str, Any]:
    """Settle what the crawl of ``crawl.site`` crawls and add it to ``process`` (the first one
    added installs the reactor); the returned dict gets its ``reason`` (Scrapy's close
    reason) or its ``error`` once the process has run."""
    settings = project_settings(overrides)
    run = plan_run(crawl.plan, crawl.archive.db, crawl.name, settings)
    crawler = Crawler(SpiderLoader.from_settings(settings).load(crawl.site), settings, init_reactor=first)
    outcome: dict[str, Any] = {"reason": "not started", "crawler": crawler}

    def closed(spider: Any, reason: str) -> None:
        outcome["reason"] = reason

    crawler.signals.connect(closed, signal=signals.spider_closed)
    failed = process.crawl(crawler, run=run, archive=crawl.archive, **crawl.options.spider_arguments())
    failed.addErrback(lambda failure: outcome.setdefault("error", failure))
    return outcome


def crawl_result(crawler: Crawler, reason: str, archive: Archive) -> CrawlResult:
    recorder = crawler.get_extension(RunRecorder)
    if recorder is None or recorder.run_id is None:
        return CrawlResult(None, [], reason)
    run = get_run(archive.db, recorder.run_id)
    return CrawlResult(run, run_failures(archive.db, run["site"], run["started_at"]), reason)
