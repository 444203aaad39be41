"""Retries that slow down instead of storming: Scrapy's RetryMiddleware plus backoff and a
circuit breaker.

Scrapy retries a 5xx answer or a timeout at once. Here each retry of an answer that says
the server is overloaded (5xx, 429, a timeout) also doubles the download delay of the whole
site (its downloader slot), from at least ``NEWSCRAWL_BACKOFF_BASE`` seconds up to
``AUTOTHROTTLE_MAX_DELAY``: a server in trouble gets fewer requests, not more. A failed DNS
lookup or a refused connection is retried without backoff: waiting does not fix those.
As healthy answers return, AutoThrottle brings the delay back down; with AutoThrottle off,
this middleware does (each healthy answer halves it, down to the delay the slot had before),
or one 5xx would slow the rest of the crawl for good.

After ``NEWSCRAWL_GIVE_UP_AFTER`` failed downloads in a row the breaker trips: the crawl
closes with the reason ``site_unreachable``, nothing is retried any more, and requests not
sent yet are dropped (:class:`SiteDown`) rather than sent to a dead server. They are not
failures: the next run finds them again.
"""

from __future__ import annotations

import logging

from scrapy import Request
from scrapy.crawler import Crawler
from scrapy.downloadermiddlewares.retry import RetryMiddleware
from scrapy.exceptions import DownloadTimeoutError, IgnoreRequest
from scrapy.http import Response
from scrapy.settings import BaseSettings
from scrapy.utils.defer import deferred_from_coro

logger = logging.getLogger(__name__)


class SiteDown(IgnoreRequest):
    """A request dropped unsent because the crawl gave up on the site."""


def backed_off(delay: float, base: float, maximum: float) -> float:
    """The delay after one more retry: doubled, at least ``base``, at most ``maximum``."""
    return min(max(delay * 2, base), maximum)


def recovered(delay: float, resting: float, base: float) -> float:
    """The delay after one more healthy answer: halved, never under ``resting`` (the delay
    before any backoff), and ``resting`` itself once the halving gets under a quarter of
    ``base`` (halving alone never reaches a resting delay of 0)."""
    halved = delay / 2
    return resting if halved < base / 4 else max(halved, resting)


class BackoffRetryMiddleware(RetryMiddleware):
    def __init__(self, settings: BaseSettings):
        super().__init__(settings)
        self.base = settings.getfloat("NEWSCRAWL_BACKOFF_BASE")
        self.maximum = settings.getfloat("AUTOTHROTTLE_MAX_DELAY")
        self.give_up_after = settings.getint("NEWSCRAWL_GIVE_UP_AFTER")
        # With AutoThrottle on, it sets the delays after each answer; else this middleware does.
        self.recovers = not settings.getbool("AUTOTHROTTLE_ENABLED")
        self.resting_delays: dict[str, float] = {}  # slot -> its delay before it was backed off
        self.failed_in_a_row = 0
        self.closing: object = None  # set when the breaker trips; kept so it is not garbage-collected

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> BackoffRetryMiddleware:
        middleware = cls(crawler.settings)
        middleware.crawler = crawler
        return middleware

    def process_request(self, request: Request) -> None:
        if self.closing is not None:
            raise SiteDown(f"not requested: the crawl gave up on the site after {self.give_up_after} failures")

    def process_response(self, request: Request, response: Response) -> Request | Response:
        if self.closing is not None:
            return response
        result = super().process_response(request, response)
        overloaded = response.status >= 500 or response.status == 429
        self._after(request, failed=overloaded, overloaded=overloaded, result=result)
        if not overloaded and self.recovers:
            self._recover(request)
        return result

    def process_exception(self, request: Request, exception: Exception) -> Request | Response | None:
        if self.closing is not None:
            return None
        result = super().process_exception(request, exception)
        if not isinstance(exception, IgnoreRequest):  # robots.txt's "no" is an answer, not a site down
            self._after(request, failed=True, overloaded=isinstance(exception, DownloadTimeoutError), result=result)
        return result

    def _after(self, request: Request, failed: bool, overloaded: bool, result: object) -> None:
        if overloaded and isinstance(result, Request):
            self._back_off(request)
        self.failed_in_a_row = self.failed_in_a_row + 1 if failed else 0
        if self.give_up_after and self.failed_in_a_row == self.give_up_after:
            logger.error("%d downloads failed in a row: stopping (the site looks down)", self.failed_in_a_row)
            self.closing = deferred_from_coro(self.crawler.engine.close_spider_async(reason="site_unreachable"))

    def _back_off(self, request: Request) -> None:
        key = request.meta.get("download_slot")
        slot = self.crawler.engine.downloader.slots.get(key)
        if slot is not None:
            self.resting_delays.setdefault(key, slot.delay)
            slot.delay = backed_off(slot.delay, self.base, self.maximum)
            logger.info("Backing off %s: a request every %.2f s", key, slot.delay)

    def _recover(self, request: Request) -> None:
        key = request.meta.get("download_slot")
        if key not in self.resting_delays:  # every healthy answer comes here: the usual case first
            return
        slot = self.crawler.engine.downloader.slots.get(key)
        if slot is None:
            return
        slot.delay = recovered(slot.delay, self.resting_delays[key], self.base)
        if slot.delay == self.resting_delays[key]:
            del self.resting_delays[key]
            logger.info("Back to normal at %s: a request every %.2f s", key, slot.delay)
