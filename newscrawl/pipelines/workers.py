"""Reading and storing pages in worker processes, so that the crawl's process only downloads.

Scrapy runs the item pipelines on its reactor thread: while a page is being extracted and
its article stored (a few milliseconds of CPU each), no response is read and no request is
sent. That costs nothing on a polite crawl (one page every half second) and more than half
the throughput on a fast one (a mirror, a backfill with the delays off, the benchmarks).
With ``NEWSCRAWL_EXTRACT_WORKERS`` set to N > 0, :class:`ExtractWorkersPipeline` sends the
pages to a pool of N processes, which read them with :func:`newscrawl.read_page` (the same
call as in the crawl's process) and, when the crawl stores articles, store them in the
archive themselves (:func:`newscrawl.storing.store_article`, as ``ArchivePipeline``
would), so the reactor goes on downloading meanwhile and the second core does the rest.
What a worker runs is :func:`newscrawl.storing.work_on`, in a module without Scrapy.

A worker takes the pages waiting for it in one go, up to ``BATCH``: they are read one by
one, and their articles stored in one transaction, which costs about half the time of one
transaction per article (the commit, the search index's segments). A batch goes out as soon
as a worker is free, so a slow crawl still sends every page on its own at once. While every
worker is busy, ``PREFETCH`` pages waiting go out as a batch queued behind its current one:
the worker then finds its next batch at hand, where it idled through the round trip to the
crawl's process for about a fifth of its time (on a fast crawl, this and batches of 32
rather than 16 made the crawl a tenth faster). An article the worker could not store (the
archive locked past its busy timeout, a full disk) comes back unstored, with the reason, and
``ArchivePipeline`` stores it in the crawl's process as without workers, recording a failure
if that fails too: nothing is lost. Pages are handled in parallel, so articles may be stored
in another order than they were fetched, which nothing depends on.

The workers die with the crawl, however it ends: each asks Linux to kill it when its parent
dies (``PR_SET_PDEATHSIG``), so a ``kill -9`` of the crawl leaves no worker behind, nor
multiprocessing's resource tracker, which exits once nothing holds its pipe. A batch being
stored then is rolled back whole, and the next run fetches its pages again.
"""

from __future__ import annotations

import asyncio
import logging
import multiprocessing
import os
from concurrent.futures import Executor, Future, ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool
from functools import partial
from typing import Any

from scrapy.crawler import Crawler
from scrapy.exceptions import DropItem, NotConfigured
from scrapy.settings import BaseSettings
from scrapy.utils.reactor import is_asyncio_reactor_installed

from ..errors import NotAnArticle
from ..items import Article, RawPage
from ..storing import Done, Job, WorkerError, die_with_parent, work_on

logger = logging.getLogger(__name__)


#: The most pages a worker reads and stores in one go (one transaction).
BATCH = 32
#: The fewest pages sent to a worker that is still busy with a batch.
PREFETCH = 16


class ExtractWorkersPipeline:
    """RawPage -> Article (stored, when the crawl stores articles) in a worker process
    (``NEWSCRAWL_EXTRACT_WORKERS``); :class:`~newscrawl.pipelines.ReadPipeline` then lets the
    article through and :class:`~newscrawl.pipelines.ArchivePipeline` counts it."""

    def __init__(self, settings: BaseSettings, store_in: str | None = None):
        self.workers = settings.getint("NEWSCRAWL_EXTRACT_WORKERS")
        if self.workers <= 0:
            # the default, nothing to warn about: Scrapy logs a NotConfigured with a message as a warning
            raise NotConfigured
        #: The archive the workers store articles in (None: they only read them).
        self.store_in = store_in
        self.record_failures = settings.getbool("NEWSCRAWL_RECORD_FAILURES")
        self.pool = self._new_pool()
        #: Pages waiting for a free worker, each with the future of its outcome.
        self.waiting: list[tuple[Job, asyncio.Future[Done]]] = []
        self.batches_out = 0
        #: List pages sent to be stored, which no item waits for.
        self.lists_out: set[asyncio.Future[Done]] = set()

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> ExtractWorkersPipeline:
        # the pages are awaited as asyncio futures: Scrapy's default (asyncio) reactor only
        if not is_asyncio_reactor_installed():
            raise NotConfigured("NEWSCRAWL_EXTRACT_WORKERS needs Scrapy's asyncio reactor")
        settings = crawler.settings
        return cls(settings, settings.get("NEWSCRAWL_DB") if stores_articles(settings) else None)

    def _new_pool(self) -> Executor:
        # spawn, not fork: a forked copy of a running reactor (threads, sockets, SQLite
        # connections) is unsafe, and a fresh interpreter holds only what extraction needs
        return ProcessPoolExecutor(self.workers, mp_context=multiprocessing.get_context("spawn"),
                                   initializer=die_with_parent, initargs=(os.getpid(),))

    async def close_spider(self) -> None:
        await asyncio.gather(*self.lists_out, return_exceptions=True)  # (each logs its own failure)
        self.pool.shutdown()

    def process_item(self, item: Any) -> Any:
        if not isinstance(item, RawPage):
            return item
        return self._extract(item)

    async def _extract(self, page: RawPage) -> Article:
        done = await self._in_worker(Job(page))
        if isinstance(done.error, NotAnArticle):
            raise DropItem(str(done.error)) from done.error
        if isinstance(done.error, WorkerError):
            logger.error("Reading %s failed in an extraction worker:\n%s", page.url, done.error.worker_traceback)
        if done.error is not None:
            raise done.error
        if done.unstored:
            logger.warning("An extraction worker could not store %s (%s): storing it here", page.url, done.unstored)
        page.encoding = done.encoding
        done.article.page = page
        return done.article

    def store_list_page(self, page: RawPage, site: str) -> None:
        """Store a feed or list page of ``site``'s crawl (see :class:`~newscrawl.extensions.record.RunRecorder`)
        in a worker, with the articles of the batch it joins."""
        outcome = self._in_worker(Job(page, site))
        self.lists_out.add(outcome)
        outcome.add_done_callback(self.lists_out.discard)
        outcome.add_done_callback(partial(_list_stored, page))

    def _in_worker(self, job: Job) -> asyncio.Future[Done]:
        """The outcome of ``job``, once a worker has done the batch it joins."""
        loop = asyncio.get_running_loop()
        outcome = loop.create_future()
        self.waiting.append((job, outcome))
        if self._ready():
            loop.call_soon(self._send_ready)  # the pages that arrive in this turn of the loop go with it
        return outcome

    def _ready(self) -> bool:
        """Whether a batch should go out now: a worker is free; or the pages waiting make a
        batch worth queueing behind a busy worker (``PREFETCH``), which then finds its next
        batch at hand instead of idling through the round trip to the crawl's process; or
        they fill a batch."""
        waiting = len(self.waiting)
        return bool(waiting) and (self.batches_out < self.workers or waiting >= BATCH
                                  or (self.batches_out < 2 * self.workers and waiting >= PREFETCH))

    def _send_ready(self) -> None:
        while self._ready():
            self._send()

    def _send(self, retried: bool = False) -> None:
        if not self.waiting:
            return
        batch, self.waiting = self.waiting[:BATCH], self.waiting[BATCH:]
        self.batches_out += 1
        pool = self.pool
        try:
            sent = pool.submit(work_on, [job for job, _ in batch], self.store_in, self.record_failures)
        except BrokenProcessPool as exc:  # the pool broke before this batch went out
            sent = Future()
            sent.set_exception(exc)
        asyncio.wrap_future(sent).add_done_callback(lambda result: self._returned(batch, result, pool, retried))

    def _returned(self, batch: list[tuple[Job, asyncio.Future[Done]]], result: asyncio.Future[list[Done]],
                  pool: Executor, retried: bool) -> None:
        self.batches_out -= 1
        error = result.exception()
        if isinstance(error, BrokenProcessPool) and not retried:
            # a worker died (killed, out of memory): new ones (once) for this batch and the next
            logger.error("An extraction worker died; starting new ones (pages from %s)", batch[0][0].page.url)
            if pool is self.pool:
                self.pool = self._new_pool()
            self.waiting[:0] = batch
            self._send(retried=True)
            return
        outcomes = [None] * len(batch) if error else result.result()
        for (_, waiter), done in zip(batch, outcomes):
            if waiter.done():  # cancelled while it waited
                continue
            if error:
                waiter.set_exception(error)
            else:
                waiter.set_result(done)
        self._send_ready()


def _list_stored(page: RawPage, outcome: asyncio.Future[Done]) -> None:
    """Log a list page the workers could not store (nothing waits for it)."""
    if outcome.cancelled():
        return
    why = outcome.exception() or outcome.result().unstored
    if why:
        logger.error("Could not store the list page %s: %s", page.url, why)


def storing_workers(crawler: Crawler) -> ExtractWorkersPipeline | None:
    """The crawl's :class:`ExtractWorkersPipeline` when its workers store what they read."""
    pipelines = getattr(crawler.engine.scraper.itemproc, "middlewares", ()) if crawler.engine else ()
    return next((p for p in pipelines if isinstance(p, ExtractWorkersPipeline) and p.store_in), None)


def stores_articles(settings: BaseSettings) -> bool:
    """Whether the crawl stores its articles (``ArchivePipeline`` on, ``NEWSCRAWL_STORE``)."""
    pipelines = settings.getwithbase("ITEM_PIPELINES")
    return settings.getbool("NEWSCRAWL_STORE") and pipelines.get("newscrawl.pipelines.ArchivePipeline") is not None
