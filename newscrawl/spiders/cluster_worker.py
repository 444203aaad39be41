"""The cluster worker: fetch and extract article pages from the shared frontier, for any site.

``newscrawl worker --cluster redis://…`` (or ``scrapy crawl cluster-worker -a
cluster=redis://…``, which is how scrapyd runs it) is a Scrapy crawl with no start requests.
Every ``NEWSCRAWL_CLUSTER_POLL`` seconds it leases as many tasks as it has free slots
(``CONCURRENT_REQUESTS``), at most one per site per poll and only from a site whose leases are
under its concurrency. Every request to a site, retries and redirects included, then waits for
the site's shared slot (:mod:`newscrawl.cluster.politeness`): a site's rate is the same with 1
or 10 workers, so the worker's own delays are off. A page is read by the ordinary extraction
pipelines (extract, normalise, validate) and the result handed back through Redis; a worker
never opens the archive. Leases of the pages in flight are renewed; a killed worker's expire
and its pages go to another worker; a worker stopped cleanly gives back what it did not send.
"""

from __future__ import annotations

import logging
import os
import socket
from collections.abc import AsyncIterator
from typing import Any

import scrapy
from redis.exceptions import RedisError
from scrapy import signals
from scrapy.crawler import Crawler
from scrapy.exceptions import DontCloseSpider
from scrapy.http import Response
from scrapy.settings import BaseSettings
from twisted.internet.task import LoopingCall
from twisted.python.failure import Failure

from ..clock import now_kst
from ..cluster.frontier import Result, Task, WorkerFrontier, connect
from ..errors import NewscrawlError, NotAnArticle
from ..items import FetchFailure, NotModified, RawPage
from ..reading import read_page
from .base import add_contact, raw_page
from .failures import describe_failure, failure_kind

logger = logging.getLogger(__name__)

#: A worker's own politeness is off: the frontier paces each site across all workers. A worker
#: serves many sites at once, each page waiting for its site's turn and for a far server: many
#: requests in flight, little CPU each (benchmarks/cluster.py: 16 kept one worker at a quarter
#: of what 64 reach).
WORKER_SETTINGS = {
    "CONCURRENT_REQUESTS": 64,
    "DOWNLOAD_DELAY": 0,
    "AUTOTHROTTLE_ENABLED": False,
    "CONCURRENT_REQUESTS_PER_DOMAIN": 16,
    "NEWSCRAWL_GIVE_UP_AFTER": 0,  # one dead site must not stop the worker of all the others
    "NEWSCRAWL_LOCK_ENABLED": False,
    "NEWSCRAWL_PROGRESS_ENABLED": False,
    "DOWNLOADER_MIDDLEWARES": {"newscrawl.cluster.politeness.SharedSlotMiddleware": 990},
}


class ClusterWorkerSpider(scrapy.Spider):
    """Fetches the frontier's article tasks; argument ``cluster`` (else ``NEWSCRAWL_CLUSTER``)."""

    name = "cluster-worker"
    custom_settings = WORKER_SETTINGS

    def __init__(self, cluster: str | None = None, **kwargs: Any):
        super().__init__(**kwargs)
        self.cluster = cluster
        self.inflight: dict[tuple[str, str], Task] = {}
        self.frontier: WorkerFrontier | None = None
        self.loops: list[LoopingCall] = []

    @classmethod
    def update_settings(cls, settings: BaseSettings) -> None:
        super().update_settings(settings)
        add_contact(settings)

    @classmethod
    def from_crawler(cls, crawler: Crawler, *args: Any, **kwargs: Any) -> ClusterWorkerSpider:
        spider = super().from_crawler(crawler, *args, **kwargs)
        spider.cluster = spider.cluster or crawler.settings.get("NEWSCRAWL_CLUSTER")
        if not spider.cluster:
            raise NewscrawlError("a worker needs the cluster's Redis: --cluster redis://HOST:PORT/N")
        crawler.signals.connect(spider.keep_open, signal=signals.spider_idle)
        crawler.signals.connect(spider.stop, signal=signals.spider_closed)
        return spider

    async def start(self) -> AsyncIterator[scrapy.Request]:
        lease = self.settings.getfloat("NEWSCRAWL_CLUSTER_LEASE")
        poll = self.settings.getfloat("NEWSCRAWL_CLUSTER_POLL")
        self.frontier = WorkerFrontier(connect(self.cluster), f"{socket.gethostname()}:{os.getpid()}", lease, poll)
        self.logger.info("Worker %s serving the frontier of %s", self.frontier.holder, self.cluster)
        for call, interval in ((self.take, poll), (self.renew, lease / 3)):
            loop = LoopingCall(call)
            loop.start(interval, now=False).addErrback(self._loop_failed)
            self.loops.append(loop)
        return
        yield  # an async generator that yields nothing: the requests come from the frontier

    def keep_open(self) -> None:
        raise DontCloseSpider

    def stop(self) -> None:
        """Stop polling, and give back the tasks taken but not finished (Scrapy finished the
        pages in flight before closing; those still in its queue were never sent)."""
        for loop in self.loops:
            if loop.running:
                loop.stop()
        if self.frontier is not None and self.inflight:
            try:
                self.frontier.release(list(self.inflight.values()))
            except RedisError as exc:  # their leases run out instead
                logger.warning("Could not give back %d task(s) (%s)", len(self.inflight), exc)

    def _loop_failed(self, failure: Failure) -> None:
        logger.error("The worker's frontier loop stopped: %s", failure.getTraceback())

    # -- the frontier ---------------------------------------------------------------------

    def take(self) -> None:
        free = self.settings.getint("CONCURRENT_REQUESTS") - len(self.inflight)
        if free <= 0:
            return
        assert self.frontier is not None
        try:
            tasks = self.frontier.lease(free)
        except RedisError as exc:
            logger.warning("The cluster's Redis is not answering (%s); trying again", exc)
            return
        for task in tasks:
            self.inflight[task.site, task.key] = task
            self.crawler.engine.crawl(self.task_request(task))

    def renew(self) -> None:
        assert self.frontier is not None
        try:
            self.frontier.renew(list(self.inflight.values()))
        except RedisError as exc:
            logger.warning("Could not renew leases (%s); trying again", exc)

    def finish(self, task: Task, result: Result) -> None:
        self.inflight.pop((task.site, task.key), None)
        assert self.frontier is not None
        try:
            self.frontier.hand_back(task, result)
        except RedisError as exc:  # the lease expires and another worker fetches the page again
            logger.warning("Could not hand back %s (%s); its lease will expire", task.url, exc)

    # -- a page ---------------------------------------------------------------------------

    def task_request(self, task: Task) -> scrapy.Request:
        meta: dict[str, Any] = {"newscrawl_task": task, "newscrawl_article": True}
        if task.headers:  # a conditional revisit: 304 Not Modified is an answer, not an error
            meta["handle_httpstatus_list"] = [304]
        return scrapy.Request(task.url, callback=self.parse_task, errback=self.task_failed, headers=task.headers,
                              dont_filter=True, meta=meta)

    def parse_task(self, response: Response) -> None:
        task: Task = response.meta["newscrawl_task"]
        if response.status == 304:
            item: Any = NotModified(url=response.url, site=task.site, article_id=task.key, fetched_at=now_kst())
        else:
            item = raw_page(response, task.profile)
        self.finish(task, self.extract(task, item, len(response.body)))

    def task_failed(self, failure: Failure) -> None:
        task: Task = failure.request.meta["newscrawl_task"]
        status, error = describe_failure(failure)
        self.logger.warning("Failed %s: %s", task.url, error)
        self.finish(task, Result(FetchFailure(url=task.url, error=error, site=task.site, status=status,
                                              failed_at=now_kst(), kind=failure_kind(failure, False))))

    def extract(self, task: Task, item: Any, size: int) -> Result:
        """A downloaded page read with :func:`newscrawl.read_page` (a 304 answer goes back as it
        is); a page that is no article goes back as it was, with the reason."""
        if not isinstance(item, RawPage):
            return Result(item, response_bytes=size)
        try:
            return Result(read_page(item), response_bytes=size)
        except NotAnArticle as exc:
            return Result(item, dropped=str(exc), missing=getattr(exc, "missing", None), response_bytes=size)
        except Exception as exc:  # a bug in newscrawl: recorded, retried by later runs once fixed
            logger.exception("newscrawl failed on %s", task.url)
            return Result(FetchFailure(
                url=task.url, site=task.site, status=item.status, failed_at=now_kst(),
                kind="error", error=f"newscrawl failed on the page ({type(exc).__name__}: {exc}); "
                                    "the worker's log has the traceback"), response_bytes=size)
