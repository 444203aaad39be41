"""``newscrawl crawl --all``: every enabled site of the sites file, in one process, one schedule.

Each site is its own Scrapy crawler in one reactor (:class:`CrawlerProcess`), so each keeps
its own downloader, delays, AutoThrottle, robots.txt and run record, while the process opens
the archive once (holding its lock) for all of them and ends when the last site is done. A site that fails does not
stop the others: its error is a line of the summary and makes the exit status 1.
"""

from __future__ import annotations

from contextlib import nullcontext
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from scrapy.crawler import CrawlerProcess

from ..archive.api import Archive
from ..errors import NewscrawlError
from ..run import project_settings
from ..policy.jobs import JobDir, job_path
from ..extensions.logs import without_startup_dump
from .runner import CrawlOptions, CrawlResult, Launch, check_options, crawl_result, launch, site_overrides
from ..policy.sitesfile import SiteEntry


@dataclass(frozen=True)
class SiteOutcome:
    """How one site's crawl ended: its result, or the error that kept it from running."""

    name: str
    result: CrawlResult | None
    error: str | None = None

    @property
    def exit_status(self) -> int:
        return self.result.exit_status if self.result else 1


def entry_options(entry: SiteEntry, defaults: CrawlOptions) -> CrawlOptions:
    """The crawl options of ``entry``; what it leaves out comes from the command line's ``defaults``."""
    return CrawlOptions(since=entry.since or defaults.since, until=entry.until or defaults.until,
                        sections=entry.sections, max_articles=entry.max_articles or defaults.max_articles,
                        base_url=entry.base_url, start=entry.start)


def crawl_all(entries: list[SiteEntry], db: str | Path, defaults: CrawlOptions,
              settings: dict[str, Any] | None = None, verbose: bool = False) -> list[SiteOutcome]:
    """Crawl every enabled site of ``entries`` into ``db`` at once; one outcome per site."""
    enabled = [entry for entry in entries if entry.enabled]
    if not enabled:
        raise NewscrawlError("every site in the sites file is disabled (enabled = false): nothing to crawl")
    options = {entry.name: entry_options(entry, defaults) for entry in enabled}
    checked = {entry.name: check_options(entry.profile, options[entry.name]) for entry in enabled}
    # Scrapy merges the process's settings into each crawler's at equal priority: a setting
    # that a site sets for itself must not be among them, or the command line's value wins.
    own = {name for entry in enabled for name in entry.settings}
    with Archive(db, exclusive=True) as archive:
        with nullcontext() if verbose else without_startup_dump():
            process = CrawlerProcess(project_settings({k: v for k, v in (settings or {}).items() if k not in own}))
            launched = {}
            for number, entry in enumerate(enabled):
                job = JobDir(job_path(db, entry.name))
                job.remove()
                overrides = site_overrides(db, job, {"STATS_DUMP": verbose, **(settings or {}), **entry.settings})
                crawl = Launch(entry.profile, *checked[entry.name], options[entry.name], archive)
                launched[entry.name] = launch(process, crawl, overrides, first=number == 0)
            process.start()
        return [_outcome(name, outcome, archive) for name, outcome in launched.items()]


def _outcome(name: str, launched: dict[str, Any], archive: Archive) -> SiteOutcome:
    if "error" in launched:
        failure = launched["error"]
        return SiteOutcome(name, None, f"{failure.type.__name__}: {failure.getErrorMessage()}")
    return SiteOutcome(name, crawl_result(launched["crawler"], launched["reason"], archive))


def format_table(outcomes: list[SiteOutcome]) -> str:
    """One line per site (its run, status and counts), then the problems of those that failed."""
    status = max(outcome.exit_status for outcome in outcomes)
    lines = [f"newscrawl crawl --all: {len(outcomes)} site(s), exit status {status}",
             f"  {'site':<24} {'run':>5} {'exit':>4} {'new':>5} {'updated':>7} {'unchanged':>9} "
             f"{'failed':>6} {'not art.':>8}  stop"]
    problems = []
    for outcome in outcomes:
        run = outcome.result.run if outcome.result else None
        if run is None or run["ended_at"] is None:
            reason = outcome.error or (outcome.result.summary() if run else outcome.result.reason)
            lines.append(f"  {outcome.name:<24} {'-':>5} {outcome.exit_status:>4}  {reason}")
            continue
        lines.append(f"  {outcome.name:<24} {run['id']:>5} {run['exit_status']:>4} {run['articles_new']:>5} "
                     f"{run['articles_updated']:>7} {run['articles_unchanged']:>9} {run['articles_failed']:>6} "
                     f"{run['not_articles']:>8}  {run['stop_reason']}")
        problems += [f"  {outcome.name}: {line}" for line in (run["problems"] or "").splitlines()]
    if problems:
        lines += ["PROBLEMS:", *problems]
    return "\n".join(lines)
