"""One request rate per site, however many workers: a slot in Redis that every request takes.

Scrapy's ``DOWNLOAD_DELAY`` spaces the requests of one process. In a cluster, each site's
delay (its ``DOWNLOAD_DELAY`` on the coordinator, registered in the frontier) is kept in Redis
instead: before a worker sends a request of a task, :class:`SharedSlotMiddleware` takes the
site's slot, or waits until it may. Retries and redirects pass through it again, so they are
spaced like first attempts. robots.txt requests, one per worker and host, are not.
"""

from __future__ import annotations

import logging

from redis.exceptions import RedisError
from scrapy import Request
from scrapy.crawler import Crawler
from scrapy.utils.defer import maybe_deferred_to_future
from twisted.internet import reactor
from twisted.internet.task import deferLater

logger = logging.getLogger(__name__)

#: How long to wait before asking a Redis that did not answer again (seconds).
REDIS_PAUSE = 1.0


class SharedSlotMiddleware:
    """Holds each task's request until its site's shared slot is free (the worker spider's frontier)."""

    def __init__(self, crawler: Crawler):
        self.crawler = crawler

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> SharedSlotMiddleware:
        return cls(crawler)

    async def process_request(self, request: Request) -> None:
        task = request.meta.get("newscrawl_task")
        frontier = getattr(self.crawler.spider, "frontier", None)
        if task is None or frontier is None:
            return
        while True:
            try:
                wait = frontier.wait_for_slot(task.site)
            except RedisError as exc:
                logger.warning("The cluster's Redis is not answering (%s); holding %s", exc, request.url)
                wait = REDIS_PAUSE
            if wait <= 0:
                return
            await maybe_deferred_to_future(deferLater(reactor, wait, lambda: None))
