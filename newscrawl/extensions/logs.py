"""The crawl's log, made for people: times in Asia/Seoul like everything else newscrawl prints,
no per-page failure lines at WARNING (``-q``: the summary and the ``failures`` table list
them all), and without Scrapy's start-up dump of settings and components unless asked for.
"""

from __future__ import annotations

import logging
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import datetime

from scrapy import Spider, signals
from scrapy.crawler import Crawler
from scrapy.utils.log import get_scrapy_root_handler

from ..clock import KST

#: Loggers of Scrapy's start-up dump (versions, components, overridden settings), and its
#: "Spider opened", which the spider's own "Crawling 중도일보 (…): articles published …" says better.
STARTUP_LOGGERS = ("scrapy.utils.log", "scrapy.addons", "scrapy.middleware", "scrapy.crawler", "scrapy.core.engine")
STARTUP_MESSAGES = ("Scrapy %(version)s started", "Versions:", "Enabled ", "Overridden settings", "Spider opened")


class SeoulTimes(logging.Formatter):
    """Log times as ISO 8601 in Asia/Seoul (``2026-01-05T10:17:02+09:00``), as in the summary."""

    def formatTime(self, record: logging.LogRecord, datefmt: str | None = None) -> str:  # noqa: N802
        return datetime.fromtimestamp(record.created, KST).isoformat(timespec="seconds")


class SummarisedFailures(logging.Filter):
    """Drops the log lines of single pages that failed: each is in the run's summary and in the
    ``failures`` table, so at WARNING they are noise that hides what needs action."""

    def filter(self, record: logging.LogRecord) -> bool:
        if getattr(record, "newscrawl_page_failure", False):
            return False
        return not (record.name == "scrapy.downloadermiddlewares.retry" and str(record.msg).startswith("Gave up"))


class StartupDump(logging.Filter):
    def filter(self, record: logging.LogRecord) -> bool:
        return not str(record.msg).startswith(STARTUP_MESSAGES)


@contextmanager
def without_startup_dump() -> Iterator[None]:
    """Scrapy's start-up dump left out of the log while this lasts (``newscrawl crawl`` without ``-v``)."""
    dump = StartupDump()
    loggers = [logging.getLogger(name) for name in STARTUP_LOGGERS]
    for each in loggers:
        each.addFilter(dump)
    try:
        yield
    finally:
        for each in loggers:
            each.removeFilter(dump)


class CrawlLog:
    """The Scrapy extension that gives the crawl's log handler Seoul times and, at WARNING and
    above, leaves out the per-page failures."""

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> CrawlLog:
        log = cls()
        crawler.signals.connect(log.spider_opened, signal=signals.spider_opened)
        return log

    def spider_opened(self, spider: Spider) -> None:
        # Scrapy installs its handler when the crawl starts: this is the first moment it is there
        handler = get_scrapy_root_handler()
        if handler is None:
            return
        settings = spider.settings
        if type(handler.formatter) is logging.Formatter:  # not colorlog's, which has its own ways
            handler.setFormatter(SeoulTimes(settings.get("LOG_FORMAT")))
        if handler.level >= logging.WARNING:
            handler.addFilter(SummarisedFailures())
