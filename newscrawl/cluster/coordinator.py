"""The coordinator: a whole-site crawl whose article pages are fetched by workers.

``newscrawl crawl SITE --cluster redis://…`` is the ordinary crawl (window, discovery,
incremental index, revisits, retries, run record, lock) with two components switched on by
``NEWSCRAWL_CLUSTER``: :class:`ClusterScheduler` sends every article request to the shared
frontier instead of the local downloader (feeds and list pages are still fetched here), and
:class:`ClusterCoordinator` stores what the workers hand back, through the crawl's own item
pipelines, so this process stays the archive's only writer. The run ends when everything it
planned is stored: before closing, it reconciles its plan with the frontier and queues again
what went missing (a Redis that lost its data, a push that failed while Redis was down).
"""

from __future__ import annotations

import logging
import time
from typing import Any

from redis.exceptions import RedisError
from scrapy import Request, Spider, signals
from scrapy.core.scheduler import Scheduler
from scrapy.crawler import Crawler
from scrapy.exceptions import DontCloseSpider, DropItem, NotConfigured
from scrapy.utils.defer import deferred_from_coro
from twisted.internet.defer import Deferred
from twisted.internet.task import LoopingCall

from ..clock import now_kst
from ..errors import MissingFields
from ..items import FetchFailure
from .frontier import Result, SiteFrontier, Task, connect, load_result

logger = logging.getLogger(__name__)

#: Seconds without a result, while pages wait, before the coordinator asks for workers.
STALLED_AFTER = 60.0


class ClusterCoordinator:
    """Plans article tasks into the frontier and stores the workers' results (one site)."""

    def __init__(self, crawler: Crawler, url: str):
        self.crawler = crawler
        self.url = url
        self.frontier: SiteFrontier | None = None
        #: article key -> task, for every article this run planned
        self.planned: dict[str, Task] = {}
        #: article keys whose result is in the archive (or were finished by an earlier coordinator)
        self.finished: set[str] = set()
        #: stream entries stored but not yet acknowledged (Redis failed in between)
        self.stored_entries: set[bytes] = set()
        self.loop: LoopingCall | None = None
        #: when a result last came (or the run started), to tell the operator when none come
        self.last_result = time.monotonic()
        self.last_warning = 0.0

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> ClusterCoordinator:
        url = crawler.settings.get("NEWSCRAWL_CLUSTER")
        if not url:
            raise NotConfigured  # not a cluster crawl: quietly off, like any crawl that is not one
        if getattr(crawler.spider, "plan", None) is None:
            raise NotConfigured("a one-article fetch is not planned")
        coordinator = cls(crawler, url)
        crawler.signals.connect(coordinator.spider_opened, signal=signals.spider_opened)
        crawler.signals.connect(coordinator.spider_idle, signal=signals.spider_idle)
        crawler.signals.connect(coordinator.spider_closed, signal=signals.spider_closed)
        return coordinator

    def spider_opened(self, spider: Spider) -> None:
        settings = self.crawler.settings
        self.frontier = SiteFrontier(connect(self.url), spider.site)
        self._register()
        logger.info("Cluster crawl of %s: article pages go to the workers of %s", spider.site, self.url)
        self.loop = LoopingCall(self.collect)
        self.loop.start(settings.getfloat("NEWSCRAWL_CLUSTER_POLL"), now=False).addErrback(
            lambda failure: logger.error("The cluster's collector stopped: %s", failure.getTraceback()))

    def _register(self) -> None:
        """Announce the site and its politeness to the workers."""
        assert self.frontier is not None
        settings = self.crawler.settings
        self.frontier.register(settings.getfloat("DOWNLOAD_DELAY"), settings.getint("CONCURRENT_REQUESTS_PER_DOMAIN"))

    def spider_closed(self, spider: Spider) -> None:
        if self.loop is not None and self.loop.running:
            self.loop.stop()

    # -- planning -------------------------------------------------------------------------

    def plan(self, request: Request) -> None:
        """Queue the article ``request`` for the workers (once per article key)."""
        spider = self.crawler.spider
        key = spider.article_key(request.url) or request.url
        headers = {k.decode("latin-1"): v[0].decode("latin-1") for k, v in request.headers.items()
                   if k.lower() in (b"if-none-match", b"if-modified-since")}
        task = Task(site=spider.site, key=key, url=request.url, profile=spider.profile.name,
                    reason=request.meta.get("newscrawl_fetch", "new"), headers=headers or None)
        self.planned[key] = task
        self._push(task)

    def _push(self, task: Task) -> None:
        assert self.frontier is not None
        try:
            self.frontier.push(task)
        except RedisError as exc:  # reconciled before the run ends
            logger.warning("Could not queue %s in the cluster's Redis (%s); it is queued again later", task.url, exc)

    # -- collecting -----------------------------------------------------------------------

    def collect(self) -> Deferred[None]:
        return deferred_from_coro(self._collect())

    async def _collect(self) -> None:
        assert self.frontier is not None
        try:
            results = self.frontier.results()
            if results:
                self.last_result = time.monotonic()
            for entry_id, key, payload in results:
                if entry_id not in self.stored_entries and self.frontier.is_outstanding(key):
                    await self._store(self._load(key, payload))
                    self.stored_entries.add(entry_id)
                elif entry_id not in self.stored_entries:
                    self._count("cluster/duplicates")
                self.frontier.done(entry_id, key)
                self.stored_entries.discard(entry_id)
                self.finished.add(key)
        except RedisError as exc:
            logger.warning("The cluster's Redis is not answering (%s); trying again", exc)

    def _load(self, key: str, payload: bytes) -> Result:
        """The worker's result, or a failure to record when it cannot be read (a worker of
        another newscrawl version): the article is then retried by the next run."""
        try:
            return load_result(payload)
        except Exception as exc:
            logger.error("Could not read a worker's result for %s: %s", key, exc)
            task = self.planned.get(key)
            return Result(FetchFailure(url=task.url if task else key, site=self.crawler.spider.site, kind="error",
                                       failed_at=now_kst(),
                                       error=f"the coordinator could not read the worker's result ({exc})"))

    async def _store(self, result: Result) -> None:
        """The result through the crawl's item pipelines, as if this process had fetched it."""
        stats = self.crawler.stats
        if result.response_bytes:
            stats.inc_value("downloader/response_count")
            stats.inc_value("downloader/response_bytes", result.response_bytes)
        self._count("cluster/results")
        if result.dropped is None:
            await self.crawler.engine.scraper.start_itemproc_async(result.item, response=None)
            return
        exception = DropItem(result.dropped)
        if result.missing is not None:
            exception.__cause__ = MissingFields(result.dropped, result.missing)
        await self.crawler.signals.send_catch_log_async(signal=signals.item_dropped, item=result.item, response=None,
                                                        spider=self.crawler.spider, exception=exception)

    # -- closing --------------------------------------------------------------------------

    def spider_idle(self) -> None:
        """Keep the run open until every planned article is stored; queue again what the
        frontier lost."""
        assert self.frontier is not None
        try:
            self._register()  # again: a Redis that lost its data lost the site's entry too
            outstanding = self.frontier.outstanding()
        except RedisError:
            raise DontCloseSpider from None
        lost = [task for key, task in self.planned.items() if key not in self.finished and key not in outstanding]
        for task in lost:
            logger.warning("Reconciling: %s was planned, is not in the archive and not in the frontier; "
                           "queued again", task.url)
            self._count("cluster/reconciled")
            self._push(task)
        if outstanding or lost:
            self._warn_if_stalled(len(outstanding) + len(lost))
            raise DontCloseSpider

    def _warn_if_stalled(self, waiting: int) -> None:
        """A run waiting on workers that never answer says so (once a STALLED_AFTER)."""
        now = time.monotonic()
        if now - self.last_result > STALLED_AFTER and now - self.last_warning > STALLED_AFTER:
            self.last_warning = now
            logger.warning("%d page(s) of %s wait for a worker and none has handed a page back for %.0f s: is "
                           "`newscrawl worker --cluster %s` running?", waiting, self.crawler.spider.site,
                           now - self.last_result, self.url)

    def _count(self, key: str) -> None:
        self.crawler.stats.inc_value(f"newscrawl/{key}")


class ClusterScheduler(Scheduler):
    """Scrapy's scheduler, except that article requests go to the cluster's frontier."""

    def enqueue_request(self, request: Request) -> bool:
        coordinator = self.crawler.get_extension(ClusterCoordinator) if self.crawler else None
        if coordinator is not None and request.meta.get("newscrawl_article"):
            coordinator.plan(request)
            return True
        return super().enqueue_request(request)


def coordinator_settings(url: str) -> dict[str, Any]:
    """The settings that make a crawl the coordinator of the cluster at ``url``."""
    return {"NEWSCRAWL_CLUSTER": url, "SCHEDULER": "newscrawl.cluster.coordinator.ClusterScheduler"}
