"""The run recorder: every whole-site crawl gets a ``crawl_runs`` row, from start to end.

When the run opens, the recorder settles what it crawls: a resumed job (its notes in the
``JOBDIR``, see :mod:`.jobs`) gets its saved plan back; a new routine run with no
``since`` starts where the last successful routine job started, less
``NEWSCRAWL_OVERLAP`` (the first one: ``NEWSCRAWL_FIRST_SINCE`` ago). While it runs it
counts extraction health (:mod:`.health`); when it closes it stores the counts, the stop
reason, the health and the exit status, and logs loudly when the site's layout seems to
have changed. ``NEWSCRAWL_RECORD_ENABLED`` switches it off.
"""

from __future__ import annotations

import json
import logging
import os
from datetime import datetime
from typing import Any

from scrapy import Spider, signals
from scrapy.crawler import Crawler
from scrapy.exceptions import NotConfigured
from scrapy.http import Request, Response
from sqlite_utils import Database

from ..archive import open_archive
from ..archive.pages import store_page
from ..archive.transaction import write_transaction
from ..archive.runs import finish_run, last_routine_start, mark_killed, start_run
from ..archive.state import articles_fetched_since, clear_failures
from ..clock import now_kst
from ..errors import MissingFields
from ..clock import isoformat
from ..items import Article
from ..spiders.base import raw_page
from .health import Health
from .jobs import JobDir
from .outcome import problems, run_counts, stop_reason
from .plan import CrawlPlan
from .window import parse_duration
from .workers import ExtractWorkersPipeline, storing_workers

logger = logging.getLogger(__name__)


class RunRecorder:
    def __init__(self, crawler: Crawler):
        self.crawler = crawler
        self.settings = crawler.settings
        jobdir = self.settings.get("JOBDIR")
        self.job = JobDir(jobdir) if jobdir else None
        self.health = Health()
        self.discovered: set[str] = set()
        self.db: Database | None = None
        self.run_id: int | None = None
        #: Extraction workers that store the list pages too (the crawl's process only downloads them).
        self.workers: ExtractWorkersPipeline | None = None

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> RunRecorder:
        if not crawler.settings.getbool("NEWSCRAWL_RECORD_ENABLED"):
            raise NotConfigured("run recording is switched off (NEWSCRAWL_RECORD_ENABLED=False)")
        if getattr(crawler.spider, "plan", None) is None:
            raise NotConfigured  # a one-article fetch is not a run
        recorder = cls(crawler)
        if recorder.job and recorder.job.was_killed():
            # Before the scheduler opens: it must not load a queue that was never written out.
            logger.warning("The last run of this job (%s) was killed: discarding Scrapy's stale queue; "
                           "the job resumes by rediscovering what the archive does not hold yet", recorder.job.path)
            recorder.job.discard_scrapy_state()
        for handler, signal in ((recorder.spider_opened, signals.spider_opened),
                                (recorder.spider_closed, signals.spider_closed),
                                (recorder.item_scraped, signals.item_scraped),
                                (recorder.item_dropped, signals.item_dropped),
                                (recorder.response_received, signals.response_received)):
            crawler.signals.connect(handler, signal=signal)
        return recorder

    # -- opening ----------------------------------------------------------------------------

    def spider_opened(self, spider: Spider) -> None:
        self.db = open_archive(self.settings.get("NEWSCRAWL_DB"))
        self.workers = storing_workers(self.crawler)
        mark_killed(self.db, spider.site)
        started_at = now_kst()
        notes = self.job.notes() if self.job else None
        if notes:
            job = self._resume(spider, notes)
        else:
            job = None
            spider.job_started = datetime.fromisoformat(started_at)
            if spider.plan.since is None:
                spider.plan = spider.plan.with_since(self._routine_since(spider.site, spider.job_started))
        self.run_id = start_run(self.db, {
            "site": spider.site, "started_at": started_at, "pid": os.getpid(),
            "arguments": json.dumps({**spider.plan.to_json(), **spider.run_arguments(),
                                     "resumed": notes is not None}, ensure_ascii=False),
            "window_since": isoformat(spider.plan.since), "window_until": isoformat(spider.plan.until),
            "routine": int(spider.plan.routine),
        }, job=job)
        if self.job:
            if notes is None:
                self.job.save_notes({"job": self.run_id, "started_at": started_at, "plan": spider.plan.to_json()})
            self.job.begin_leg()

    def _resume(self, spider: Spider, notes: dict[str, Any]) -> int:
        """Give the spider back the stopped job's plan and start; returns the job id."""
        spider.plan = CrawlPlan.from_json(notes["plan"])
        spider.job_started = datetime.fromisoformat(notes["started_at"])
        state = getattr(spider, "state", None) or {}
        spider.articles_spent = state.get("articles_spent", articles_fetched_since(
            self.db, spider.site, notes["started_at"]))
        logger.info("Resuming job %s (started %s)", notes["job"], notes["started_at"])
        return notes["job"]

    def _routine_since(self, site: str, now: datetime) -> datetime:
        last = last_routine_start(self.db, site)
        if last is None:
            return now - parse_duration(self.settings.get("NEWSCRAWL_FIRST_SINCE"))
        return datetime.fromisoformat(last) - parse_duration(self.settings.get("NEWSCRAWL_OVERLAP"))

    # -- while running ----------------------------------------------------------------------

    def item_scraped(self, item: Any) -> None:
        if isinstance(item, Article):
            self.health.add_article(item)

    def item_dropped(self, item: Any, response: Response, exception: BaseException) -> None:
        if isinstance(exception.__cause__, MissingFields):
            self.health.add_rejected(exception.__cause__.missing, getattr(item, "profile", None))

    def response_received(self, response: Response, request: Request) -> None:
        if request.meta.get("newscrawl_discovery") and response.status == 200:
            self.discovered.add(request.url)
            if self.db is not None and self.settings.getbool("NEWSCRAWL_STORE"):  # kept for a WARC of the crawl
                spider = self.crawler.spider
                page = raw_page(response, spider.profile.name)
                if self.workers is not None:
                    self.workers.store_list_page(page, spider.site)
                    return
                with write_transaction(self.db):
                    store_page(self.db, page, spider.site, None, page.fetched_at, "list_pages")

    # -- closing ----------------------------------------------------------------------------

    def spider_closed(self, spider: Spider, reason: str) -> None:
        if self.db is None or self.run_id is None:
            return
        values = self._end_values(reason, spider.discovery_problems())
        finish_run(self.db, self.run_id, values)
        clear_failures(self.db, self.discovered)
        self.db.close()
        if values["problems"]:
            for line in values["problems"].splitlines():
                logger.error("!!! newscrawl run %s: %s", self.run_id, line)
        logger.info("newscrawl run %s: %s, exit %s, %s new, %s updated, %s unchanged, %s failed",
                    self.run_id, values["stop_reason"], values["exit_status"], values["articles_new"],
                    values["articles_updated"], values["articles_unchanged"], values["articles_failed"])
        if self.job:
            self.job.end_leg()
            if values["stop_reason"] == "finished":
                self.job.remove()

    def _end_values(self, reason: str, discovery_problems: list[str]) -> dict[str, Any]:
        stats = self.crawler.stats.get_stats()
        counts = run_counts(stats)
        stop = stop_reason(reason, stats)
        alarm = self.health.alarm(self.settings.getfloat("NEWSCRAWL_DRIFT_THRESHOLD"),
                                  self.settings.getint("NEWSCRAWL_DRIFT_MIN_ARTICLES"))
        found = problems(stop, counts, alarm, discovery_problems)
        return {**counts, "ended_at": now_kst(), "stop_reason": stop, "exit_status": 1 if found else 0,
                "problems": "\n".join(found) or None,
                "health": json.dumps({**self.health.to_json(), "alarm": alarm}, ensure_ascii=False)}
