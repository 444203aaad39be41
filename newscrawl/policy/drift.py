"""Has a site's profile stopped matching? The judgement behind ``newscrawl health``.

A site that changes its layout seldom makes fields vanish: the label, metadata and generic
layers still find most of them, and the crawl's own alarm (articles missing a title, date
or body) stays quiet. What changes is where the fields come from: the key fields stop
coming from the site profile. Every run stores where they came from
(:class:`~newscrawl.policy.health.Health`, ``crawl_runs.health``); a site is judged on

* its *latest* runs: the most recent ones taken together until they hold at least
  ``NEWSCRAWL_DRIFT_MIN_ARTICLES`` article pages (an hourly run may hold only a few);
* its *earlier* runs: the rest of the runs looked at (``--runs``), taken together.

A site is flagged when, in its latest runs,

* more than ``NEWSCRAWL_DRIFT_THRESHOLD`` of the article pages miss their title, date or
  body (any site, the generic ones included: they are judged on this alone); or, for a
  site read with a site profile,
* a key field (``NEWSCRAWL_HEALTH_FIELDS``) came from the profile for fewer than
  ``NEWSCRAWL_HEALTH_PROFILE_FLOOR`` of the pages, or for a share more than
  ``NEWSCRAWL_HEALTH_PROFILE_DROP`` below the earlier runs' share.

A site whose runs hold too few article pages in all is shown, not judged.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from functools import reduce
from typing import Any

from sqlite_utils import Database

from ..archive.runs import recent_health, run_sites
from ..errors import NewscrawlError
from .health import ESSENTIAL, Health


@dataclass(frozen=True)
class Thresholds:
    """The rule's settings (see the module's docstring)."""

    missing: float
    min_articles: int
    floor: float
    drop: float
    fields: tuple[str, ...]

    @classmethod
    def from_settings(cls, settings: Any) -> Thresholds:
        """The thresholds of Scrapy ``settings`` (read with their ``getfloat``, ``getint`` and ``getlist``)."""
        return cls(missing=settings.getfloat("NEWSCRAWL_DRIFT_THRESHOLD"),
                   min_articles=max(settings.getint("NEWSCRAWL_DRIFT_MIN_ARTICLES"), 1),
                   floor=settings.getfloat("NEWSCRAWL_HEALTH_PROFILE_FLOOR"),
                   drop=settings.getfloat("NEWSCRAWL_HEALTH_PROFILE_DROP"),
                   fields=tuple(settings.getlist("NEWSCRAWL_HEALTH_FIELDS")))


@dataclass(frozen=True)
class RunHealth:
    """One recorded run: its id, start and extraction health."""

    id: int
    started_at: str
    health: Health


@dataclass(frozen=True)
class Verdict:
    """One site judged: its runs (newest first), the latest and earlier ones pooled, and why
    it is flagged (no problems: it is fine, or ``judged`` is False)."""

    site: str
    runs: list[RunHealth]
    latest: list[RunHealth]
    earlier: list[RunHealth]
    profiled: bool
    judged: bool
    #: Essential fields missing too often.
    missing: list[str]
    #: Key fields the profile no longer gives: it stopped matching.
    drifted: list[str]

    @property
    def problems(self) -> list[str]:
        return self.missing + self.drifted

    @property
    def flagged(self) -> bool:
        return bool(self.problems)

    @property
    def now(self) -> Health:
        return pooled(self.latest)

    @property
    def before(self) -> Health:
        return pooled(self.earlier)


def pooled(runs: list[RunHealth]) -> Health:
    return reduce(lambda total, run: total + run.health, runs, Health())


def site_health(db: Database, site: str | None, runs: int, thresholds: Thresholds) -> list[Verdict]:
    """Every site of the archive (or ``site``) judged on its ``runs`` most recent runs."""
    sites = [site] if site else run_sites(db)
    verdicts = []
    for name in sites:
        rows = recent_health(db, name, runs)
        if not rows and site:
            raise NewscrawlError(f"no finished crawl of {site} in the archive (sites: {', '.join(run_sites(db))})")
        verdicts.append(judge(name, [_run_health(row) for row in rows], thresholds))
    return verdicts


def _run_health(row: dict[str, Any]) -> RunHealth:
    return RunHealth(row["id"], row["started_at"], Health.from_json(json.loads(row["health"])))


def judge(site: str, runs: list[RunHealth], thresholds: Thresholds) -> Verdict:
    """The verdict on ``site`` from its runs, newest first."""
    latest = split_latest(runs, thresholds.min_articles)
    earlier = runs[len(latest):]
    now, before = pooled(latest), pooled(earlier)
    profiled = (now + before).profiled
    judged = now.articles >= thresholds.min_articles
    missing = missing_problems(now, thresholds) if judged else []
    drifted = profile_problems(now, before, thresholds) if judged and profiled else []
    return Verdict(site, runs, latest, earlier, profiled, judged, missing, drifted)


def split_latest(runs: list[RunHealth], min_articles: int) -> list[RunHealth]:
    """The newest runs that together hold at least ``min_articles`` article pages (all of
    them when they never do)."""
    total = 0
    for count, run in enumerate(runs, start=1):
        total += run.health.articles
        if total >= min_articles:
            return runs[:count]
    return runs


def missing_problems(now: Health, thresholds: Thresholds) -> list[str]:
    return [f"{name}: missing on {now.missing_share(name):.0%} of the latest article pages "
            f"(more than {thresholds.missing:.0%})" for name in ESSENTIAL
            if now.missing_share(name) > thresholds.missing]


def profile_problems(now: Health, before: Health, thresholds: Thresholds) -> list[str]:
    """Key fields the profile gave too rarely: below the floor, or well below earlier runs."""
    problems = []
    for name in thresholds.fields:
        share = now.share(name, "profile")
        earlier = before.share(name, "profile") if before.articles >= thresholds.min_articles else None
        fell = earlier is not None and earlier - share > thresholds.drop
        if share < thresholds.floor or fell:
            before_text = f"earlier runs {earlier:.0%}; " if earlier is not None else ""
            problems.append(f"{name}: from the site profile on {share:.0%} of the latest article pages "
                            f"({before_text}floor {thresholds.floor:.0%}, largest fall {thresholds.drop:.0%})")
    return problems
