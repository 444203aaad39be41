"""Extraction in worker processes, so that reading pages never holds up downloading them.

Scrapy runs the item pipelines on its reactor thread: while a page is being extracted
(a few milliseconds of CPU), no response is read and no request is sent. That costs
nothing on a polite crawl (one page every half second) and half the throughput on a fast
one (a mirror, a backfill with the delays off, the benchmarks). With
``NEWSCRAWL_EXTRACT_WORKERS`` set to N > 0, :class:`ExtractWorkersPipeline` sends each page
to a pool of N processes, which read it with :func:`newscrawl.read_page` (the same call as
in the crawl's process), and the reactor goes on downloading meanwhile; the article then
goes on to be stored on the reactor as before (one transaction per article). Pages are extracted in parallel, so articles
may be stored in another order than they were fetched, which nothing depends on.

The workers die with the crawl, however it ends: each asks Linux to kill it when its parent
dies (``PR_SET_PDEATHSIG``), so a ``kill -9`` of the crawl leaves no worker behind, nor
multiprocessing's resource tracker, which exits once nothing holds its pipe.
"""

from __future__ import annotations

import asyncio
import ctypes
import dataclasses
import logging
import multiprocessing
import os
import signal
import sys
from concurrent.futures import Executor, ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool
from typing import Any

from scrapy.crawler import Crawler
from scrapy.exceptions import DropItem, NotConfigured
from scrapy.settings import BaseSettings
from scrapy.utils.reactor import is_asyncio_reactor_installed

from ..errors import NotAnArticle
from ..items import Article, RawPage
from ..reading import read_page

logger = logging.getLogger(__name__)


#: prctl(2) option: the signal the calling process gets when its parent dies.
PR_SET_PDEATHSIG = 1


def die_with_parent(parent: int) -> None:
    """Worker initializer: be killed when the crawl process ``parent`` dies (Linux; elsewhere
    the pool's own shutdown is all there is)."""
    if sys.platform.startswith("linux"):
        ctypes.CDLL(None, use_errno=True).prctl(PR_SET_PDEATHSIG, signal.SIGKILL)
    if os.getppid() != parent:  # it died before we asked
        os._exit(1)


def read_in_worker(page: RawPage) -> tuple[Article, str | None]:
    """In a worker: the article in ``page`` (without the page, which the crawl still holds:
    its bytes need not travel back) and the encoding the page was read with."""
    article = read_page(page)
    return dataclasses.replace(article, page=None), page.encoding


class ExtractWorkersPipeline:
    """RawPage -> Article in a worker process (``NEWSCRAWL_EXTRACT_WORKERS``);
    :class:`~newscrawl.pipelines.ReadPipeline` then lets the article through."""

    def __init__(self, settings: BaseSettings):
        self.workers = settings.getint("NEWSCRAWL_EXTRACT_WORKERS")
        if self.workers <= 0:
            # the default, nothing to warn about: Scrapy logs a NotConfigured with a message as a warning
            raise NotConfigured
        self.pool = self._new_pool()

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> ExtractWorkersPipeline:
        # the pages are awaited as asyncio futures: Scrapy's default (asyncio) reactor only
        if not is_asyncio_reactor_installed():
            raise NotConfigured("NEWSCRAWL_EXTRACT_WORKERS needs Scrapy's asyncio reactor")
        return cls(crawler.settings)

    def _new_pool(self) -> Executor:
        # spawn, not fork: a forked copy of a running reactor (threads, sockets, SQLite
        # connections) is unsafe, and a fresh interpreter holds only what extraction needs
        return ProcessPoolExecutor(self.workers, mp_context=multiprocessing.get_context("spawn"),
                                   initializer=die_with_parent, initargs=(os.getpid(),))

    def close_spider(self) -> None:
        self.pool.shutdown()

    def process_item(self, item: Any) -> Any:
        if not isinstance(item, RawPage):
            return item
        return self._extract(item)

    async def _extract(self, page: RawPage) -> Article:
        try:
            article, encoding = await self._in_worker(page)
        except NotAnArticle as exc:
            raise DropItem(str(exc)) from exc
        page.encoding = encoding
        article.page = page
        return article

    async def _in_worker(self, page: RawPage) -> tuple[Article, str | None]:
        try:
            return await asyncio.wrap_future(self.pool.submit(read_in_worker, page))
        except BrokenProcessPool:
            # a worker died (killed, out of memory): a new pool for this page and the next
            logger.error("An extraction worker died; starting new ones (page %s)", page.url)
            self.pool = self._new_pool()
            return await asyncio.wrap_future(self.pool.submit(read_in_worker, page))
