"""Incremental crawling: fetch what is new, revisit what is due, retry what failed.

:class:`ArchiveIndex` answers, for each article a crawl discovers, whether to fetch it and
how: a new article is fetched, and so is one whose stored copy was cut short in transfer;
an archived one otherwise only when its revisit is due by the
:class:`~newscrawl.policy.window.RevisitSchedule` (then conditionally, with the ETag and
Last-Modified of the stored page, so an unchanged page costs a 304); a URL that already
failed ``max_attempts`` times is left alone. Anything fetched since the job started is
done: that is what makes a resumed job skip what its stopped legs already stored.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import datetime

from sqlite_utils import Database

from ..archive.state import ArticleState, article_state, failed_attempts, failures_to_retry, revisit_candidates
from ..clock import KST, isoformat
from .window import RevisitSchedule

#: Failure kinds a later run retries; "robots" and "discovery" pages are not articles to retry.
RETRIED_KINDS = ("fetch", "not-article", "incomplete", "error", "write")


@dataclass(frozen=True)
class Fetch:
    """Fetch an article: why (new, revisit, retry) and with which conditional headers."""

    reason: str
    headers: dict[str, str] = field(default_factory=dict)


@dataclass
class ArchiveIndex:
    db: Database
    site: str
    schedule: RevisitSchedule
    job_started: datetime
    max_attempts: int

    def decide(self, article_id: str, url: str) -> Fetch | str:
        """A :class:`Fetch`, or the reason to skip: ``fresh``, ``this-job`` or ``given-up``."""
        state = article_state(self.db, self.site, article_id)
        if state is None:
            attempts = failed_attempts(self.db, url)
            if attempts >= self.max_attempts:
                return "given-up"
            return Fetch("retry" if attempts else "new")
        # Times have whole seconds: a fetch in the very second the job started is taken as the
        # previous run's (a quick cron pair), at worst costing one fetch after a kill -9.
        if state.last_fetched_at > self._job_started:
            return "this-job"
        if not state.complete:
            # Cut short last time: fetched again whole, unconditionally (a 304 would keep the cut copy).
            return "given-up" if failed_attempts(self.db, url) >= self.max_attempts else Fetch("retry")
        if photos_pending(state, self.max_attempts):
            # A photo failed last time: fetched again whole (a 304 carries no photos to retry).
            return Fetch("retry")
        now = datetime.now(KST)
        published = datetime.fromisoformat(state.published_at)
        if not self.schedule.is_due(published, datetime.fromisoformat(state.last_fetched_at), now):
            return "fresh"
        return revisit(state, self.max_attempts)

    def due_revisits(self, until: datetime | None) -> Iterator[tuple[str, Fetch]]:
        """``(article_id, Fetch)`` of every article due a revisit, published before ``until``."""
        horizon = self.schedule.horizon
        if horizon is None:
            return
        now = datetime.now(KST)
        for state in revisit_candidates(self.db, self.site, isoformat(now - horizon), isoformat(until),
                                        self._job_started):
            published = datetime.fromisoformat(state.published_at)
            if self.schedule.is_due(published, datetime.fromisoformat(state.last_fetched_at), now):
                yield state.article_id, revisit(state, self.max_attempts)

    def retries(self) -> list[str]:
        """URLs that failed in earlier jobs and have attempts left."""
        return failures_to_retry(self.db, self.site, RETRIED_KINDS, self.max_attempts, self._job_started)

    @property
    def _job_started(self) -> str:
        return isoformat(self.job_started)


def photos_pending(state: ArticleState, max_attempts: int) -> bool:
    """True when a photo of the article failed and has attempts left."""
    return state.photo_attempts is not None and state.photo_attempts < max_attempts


def revisit(state: ArticleState, max_attempts: int) -> Fetch:
    """A revisit: conditional, unless a photo of the article is waiting for another try (a 304
    carries no photos)."""
    return Fetch("revisit", {} if photos_pending(state, max_attempts) else conditional_headers(state))


def conditional_headers(state: ArticleState) -> dict[str, str]:
    """If-None-Match / If-Modified-Since from the stored page's validators."""
    headers = {}
    if state.etag:
        headers["If-None-Match"] = state.etag
    if state.last_modified:
        headers["If-Modified-Since"] = state.last_modified
    return headers
