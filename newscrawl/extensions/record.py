"""The run recorder: every whole-site crawl gets a ``crawl_runs`` row, from start to end.

When the run opens, the recorder writes down what the run crawls, settled before the
crawler started (the spider's ``run``, see :func:`newscrawl.policy.plan.plan_run`), and a
new job's notes in the ``JOBDIR`` (see :mod:`newscrawl.policy.jobs`) so that it can be
resumed. While it runs it counts extraction health (:mod:`newscrawl.policy.health`); when it
closes it stores the counts, the stop reason, the health and the exit status, and logs
loudly when the site's layout seems to have changed. It writes to the spider's archive,
the crawl's one connection. ``NEWSCRAWL_RECORD_ENABLED`` switches it off.
"""

from __future__ import annotations

import json
import logging
import os
from typing import Any

from scrapy import Spider, signals
from scrapy.crawler import Crawler
from scrapy.exceptions import NotConfigured
from scrapy.http import Request, Response
from sqlite_utils import Database

from ..archive.pages import store_list_page
from ..archive.runs import finish_run, mark_killed, start_run
from ..archive.state import clear_failures
from ..archive.transaction import write_transaction
from ..clock import isoformat, now_kst
from ..errors import MissingFields
from ..items import Article
from ..pipelines.workers import ExtractWorkersPipeline, storing_workers
from ..policy.health import Health
from ..policy.jobs import JobDir
from ..policy.outcome import problems, run_counts, stop_reason
from ..spiders.base import raw_page

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
        self.db = spider.archive().db
        self.workers = storing_workers(self.crawler)
        mark_killed(self.db, spider.site)
        run = spider.run
        resumed = run.resumed_job is not None
        # a new job starts as the run was settled; a resumed job's new leg, now
        started_at = now_kst() if resumed else isoformat(run.job_started)
        if resumed:
            logger.info("Resuming job %s (started %s)", run.resumed_job, isoformat(run.job_started))
        self.run_id = start_run(self.db, {
            "site": spider.site, "started_at": started_at, "pid": os.getpid(),
            "arguments": json.dumps({**run.plan.to_json(), **spider.run_arguments(), "resumed": resumed},
                                    ensure_ascii=False),
            "window_since": isoformat(run.plan.since), "window_until": isoformat(run.plan.until),
            "routine": int(run.plan.routine),
        }, job=run.resumed_job)
        if self.job:
            if not resumed:
                self.job.save_notes({"job": self.run_id, "started_at": started_at, "plan": run.plan.to_json()})
            self.job.begin_leg()

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
                    store_list_page(self.db, page, spider.site)

    # -- closing ----------------------------------------------------------------------------

    def spider_closed(self, spider: Spider, reason: str) -> None:
        if self.db is None or self.run_id is None:
            return
        values = self._end_values(reason, spider.discovery_problems())
        finish_run(self.db, self.run_id, values)
        clear_failures(self.db, self.discovered)
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
