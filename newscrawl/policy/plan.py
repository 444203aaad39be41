"""What a whole-site crawl was asked for: the spider's arguments, parsed and checked.

Spider arguments are strings (``scrapy crawl joongdo -a since=2d -a section=N01_06,N02``,
and always under scrapyd), so this is where they become a window, section codes and a limit.
A plan is saved with its run (``crawl_runs.arguments``) and in the job directory, so a
resumed run crawls exactly what the stopped one set out to.

What a run crawls is settled before its crawler starts (:func:`plan_run`): by ``newscrawl
crawl``'s runner, which passes it to the spider, or by the spider itself when Scrapy runs
alone (``scrapy crawl``), with the same function.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import asdict, dataclass, replace
from datetime import datetime, timedelta
from typing import Any
from urllib.parse import urlsplit

from sqlite_utils import Database

from ..archive.runs import last_routine_start
from ..errors import BadURL, NewscrawlError
from ..clock import isoformat, now_kst
from ..links import check_web_url
from ..sites import GENERIC, profile_for_url
from ..sites.base import SiteProfile
from .jobs import JobDir
from .window import BadWindow, Window, parse_duration, parse_when


class NotCrawlable(NewscrawlError):
    """A profile a whole-site crawl cannot start from (no address, no feed or list)."""


def check_crawlable(profile: SiteProfile, base_url: str | None, start: str | None = None) -> None:
    """Raise :class:`NotCrawlable` unless a crawl of ``profile`` has an address and somewhere to start."""
    if profile is GENERIC:
        check_generic_start(start, base_url)
        return
    if start:
        raise NotCrawlable(f"--start is for generic crawls (--generic); {profile.name} takes its address "
                           "with --base-url")
    if not (base_url or profile.base_url):
        raise NotCrawlable(f"{profile.name} is the profile of many sites: give the site's address with --base-url")
    if base_url:
        check_site_url("--base-url", base_url)
    discovery = profile.discovery
    if not discovery.feeds and not (discovery.latest_list and discovery.list_item):
        raise NotCrawlable(f"{profile.name} names no feed or list to crawl; fetch its articles by URL instead")


#: Scrapy's URLLENGTH_LIMIT: a longer URL is dropped without a request.
MAX_URL_LENGTH = 2083


def check_site_url(option: str, url: str) -> None:
    """Raise :class:`NotCrawlable` unless ``url`` is an http(s) URL with a host, short enough
    for Scrapy to request (a ``file:`` or overlong address used to "finish" a crawl of nothing)."""
    shown = url if len(url) <= 80 else f"{url[:60]}… ({len(url)} characters)"
    if len(url) > MAX_URL_LENGTH:
        raise NotCrawlable(f"{option} is too long: {shown} (at most {MAX_URL_LENGTH} characters)")
    try:
        check_web_url(url)
    except BadURL:
        raise NotCrawlable(f"{option} must be an http(s) URL, not {shown!r}") from None


def check_generic_start(start: str | None, base_url: str | None) -> None:
    """A generic crawl needs an http(s) start page on a site that no site profile owns."""
    if not start:
        raise NotCrawlable("a generic crawl starts from a page of the site: give it with --start URL")
    if base_url:
        raise NotCrawlable("a generic crawl takes its address from --start; leave out --base-url")
    check_site_url("--start", start)
    parts = urlsplit(start)
    owner = profile_for_url(start)
    if owner is not None and not owner.any_host:
        raise NotCrawlable(f"{parts.hostname} has a site profile: crawl it with `newscrawl crawl {owner.name}`")


@dataclass(frozen=True)
class CrawlPlan:
    """``since`` None means "since the last successful routine run" (settled by :func:`plan_run`)."""

    since: datetime | None = None
    until: datetime | None = None
    sections: tuple[str, ...] = ()
    max_articles: int | None = None

    @classmethod
    def parse(cls, profile: SiteProfile, now: datetime, since: str | None = None, until: str | None = None,
              section: str | None = None, max_articles: str | int | None = None) -> CrawlPlan:
        """The plan of the spider arguments; raises :class:`BadWindow` with a one-line reason."""
        plan = cls(
            since=parse_when(since, now) if since else None,
            until=parse_when(until, now, end_of_day=True) if until else None,
            sections=parse_sections(profile, section),
            max_articles=_positive_int(max_articles),
        )
        if plan.since and plan.until:
            Window(plan.since, plan.until)  # checks the order
        return plan

    @property
    def routine(self) -> bool:
        """Open-ended and site-wide: a run the next routine run may start from."""
        return self.until is None and not self.sections

    def with_since(self, since: datetime) -> CrawlPlan:
        return replace(self, since=since)

    def window(self) -> Window:
        if self.since is None:
            raise BadWindow("the crawl window has no start (since) yet")
        return Window(self.since, self.until)

    def to_json(self) -> dict[str, Any]:
        data = asdict(self)
        data.update(since=isoformat(self.since), until=isoformat(self.until), sections=list(self.sections))
        return data

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> CrawlPlan:
        return cls(
            since=datetime.fromisoformat(data["since"]) if data.get("since") else None,
            until=datetime.fromisoformat(data["until"]) if data.get("until") else None,
            sections=tuple(data.get("sections") or ()),
            max_articles=data.get("max_articles"),
        )


@dataclass(frozen=True)
class RunStart:
    """A whole-site run, settled before its crawler starts: its plan (``since`` resolved),
    when its job began, and the job it resumes (None: a new job)."""

    plan: CrawlPlan
    job_started: datetime
    resumed_job: int | None = None


def settle_run(asked: CrawlPlan, now: datetime, notes: dict[str, Any] | None, last_routine: str | None,
               first_since: timedelta, overlap: timedelta) -> RunStart:
    """The run ``asked`` for, at ``now``: a stopped job's own plan and start when its job
    ``notes`` are given; else a plan with no ``since`` starts where the last successful routine
    job started (``last_routine``, ISO 8601) less ``overlap``, or with none ``first_since`` ago."""
    if notes:
        return RunStart(CrawlPlan.from_json(notes["plan"]), datetime.fromisoformat(notes["started_at"]), notes["job"])
    if asked.since is None:
        start = datetime.fromisoformat(last_routine) - overlap if last_routine else now - first_since
        asked = asked.with_since(start)
    return RunStart(asked, now)


def plan_run(asked: CrawlPlan, db: Database, site: str, settings: Mapping[str, Any]) -> RunStart:
    """:func:`settle_run` with the facts it needs: the notes of the job in ``JOBDIR`` (a job
    directory that holds some resumes), the archive's last routine run of ``site``, and
    ``NEWSCRAWL_FIRST_SINCE`` and ``NEWSCRAWL_OVERLAP``, from the crawl's ``settings``."""
    jobdir = settings.get("JOBDIR")
    return settle_run(asked, datetime.fromisoformat(now_kst()), JobDir(jobdir).notes() if jobdir else None,
                      last_routine_start(db, site), parse_duration(settings.get("NEWSCRAWL_FIRST_SINCE")),
                      parse_duration(settings.get("NEWSCRAWL_OVERLAP")))


def parse_sections(profile: SiteProfile, text: str | None) -> tuple[str, ...]:
    """Section codes from ``"N01_06,N02"`` (or ``"all"``), checked against the profile."""
    discovery = profile.discovery
    codes = [code.strip() for code in (text or "").split(",") if code.strip()]
    if codes == ["all"]:
        return discovery.sections
    if codes and not (discovery.section_list and discovery.list_item):
        raise BadWindow(f"{profile.name} has no section lists; crawl it without --section")
    bad = [code for code in codes if not discovery.section_code.fullmatch(code)]
    if bad:
        raise BadWindow(f"not a {profile.name} section code: {', '.join(bad)} "
                        f"(expected e.g. {', '.join(discovery.sections[:2]) or 'a code'}, or 'all')")
    return tuple(dict.fromkeys(codes))


def _positive_int(value: str | int | None) -> int | None:
    if value in (None, ""):
        return None
    try:
        number = int(value)
    except ValueError:
        number = 0
    if number < 1:
        raise BadWindow(f"--max-articles must be a positive whole number, not {value!r}")
    return number
