"""Reading and storing pages as a crawl does, without Scrapy: one article
(:func:`store_article`, what ``ArchivePipeline`` calls), a batch in one transaction
(:func:`store_all`), and what an extraction worker process runs (:func:`work_on`).

The extraction workers (:mod:`newscrawl.pipelines.workers`) are spawned processes that
import only this module and what it needs: reading pages and the archive. Without Scrapy
and Twisted a worker starts in half the time and memory (0.16 s and 35 MB against 0.35 s
and 64 MB), which counts twice on a two-core machine, where the workers start while the
crawl itself does.
"""

from __future__ import annotations

import ctypes
import dataclasses
import os
import signal
import sqlite3
import sys
import traceback
from collections.abc import Iterable
from functools import lru_cache
from multiprocessing.util import Finalize

from .archive.api import Archive
from .archive.pages import store_list_page
from .archive.transaction import write_transaction
from .clock import now_kst
from .errors import NotAnArticle
from .items import Article, FetchFailure, RawPage
from .reading import read_page


def store_article(archive: Archive, article: Article, record_failures: bool) -> str:
    """Store ``article`` as a crawl does; returns what storing did (new, updated, unchanged).
    An article cut short is stored for what it holds, and (``record_failures``) recorded as
    a failure too, so that later runs fetch it again."""
    result = archive.save(article)
    if not article.complete and record_failures:
        archive.record_failure(FetchFailure(
            url=article.url, error=article.incomplete_reason or "incomplete", site=article.site,
            status=article.page.status if article.page else None, failed_at=now_kst(), kind="incomplete"))
    return result.outcome


def store_all(archive: Archive, articles: list[Article], record_failures: bool,
              lists: Iterable[tuple[RawPage, str]] = ()) -> str | None:
    """Store ``articles`` (and the feed or list pages ``lists``, each with its site) in one
    transaction; returns None, or why not (then no article is stored: each is left unstored)."""
    try:
        with write_transaction(archive.db):
            for page, site in lists:
                store_list_page(archive.db, page, site)
            for article in articles:
                store_article(archive, article, record_failures)
    except sqlite3.Error as exc:  # locked past the busy timeout, disk full, ...: the caller tries again
        for article in articles:
            article.archived = None
        return f"{type(exc).__name__}: {exc}"
    return None


#: prctl(2) option: the signal the calling process gets when its parent dies.
PR_SET_PDEATHSIG = 1


def die_with_parent(parent: int) -> None:
    """Worker initializer: be killed when the crawl process ``parent`` dies (Linux; elsewhere
    the pool's own shutdown is all there is)."""
    if sys.platform.startswith("linux"):
        ctypes.CDLL(None, use_errno=True).prctl(PR_SET_PDEATHSIG, signal.SIGKILL)
    if os.getppid() != parent:  # it died before we asked
        os._exit(1)


class WorkerError(Exception):
    """Reading a page failed in a worker (a bug in newscrawl): the error in one line
    (``TypeError: …``), the worker's traceback beside it for the crawl's log."""

    def __init__(self, message: str, worker_traceback: str = ""):
        super().__init__(message)
        self.worker_traceback = worker_traceback

    def __reduce__(self) -> tuple[type, tuple[str, str]]:
        return WorkerError, (str(self), self.worker_traceback)


@dataclasses.dataclass
class Job:
    """A page for a worker: an article page to read (and store), or, with ``list_of`` (a
    site), a feed or list page of that site's crawl to store."""

    page: RawPage
    list_of: str | None = None


@dataclasses.dataclass
class Done:
    """What a worker did with one page: the article, without the page (which the crawl still
    holds: its bytes need not travel back), and the encoding the page was read with; or why
    there is none (``error``: raised in the crawl for this page alone). ``unstored`` says why
    the archive did not take an article the worker was to store."""

    article: Article | None = None
    encoding: str | None = None
    error: Exception | None = None
    unstored: str | None = None


def work_on(jobs: list[Job], db: str | None, record_failures: bool) -> list[Done]:
    """In a worker: the articles of ``jobs``, stored with their list pages in the archive
    ``db`` (None: nothing stored)."""
    read = [read_in_worker(job.page) if job.list_of is None else None for job in jobs]
    articles = [article for article in read if isinstance(article, Article)]
    lists = [job for job in jobs if job.list_of is not None]
    unstored = (store_all(worker_archive(db), articles, record_failures, [(job.page, job.list_of) for job in lists])
                if db and (articles or lists) else None)
    return [_done(outcome, unstored) for outcome in read]


def _done(read: Article | Exception | None, unstored: str | None) -> Done:
    """What to send back for a page that gave ``read`` (None: a list page, stored)."""
    if isinstance(read, Exception):
        return Done(error=read)
    if read is None:
        return Done(unstored=unstored)
    return Done(dataclasses.replace(read, page=None), read.page.encoding, unstored=unstored)


def read_in_worker(page: RawPage) -> Article | Exception:
    """The article in ``page``, or the error to raise for it in the crawl: not an article,
    or a bug, sent as a :class:`WorkerError` (which always pickles, unlike some exceptions)."""
    try:
        return read_page(page)
    except NotAnArticle as exc:
        return exc
    except Exception as exc:
        return WorkerError(f"{type(exc).__name__}: {exc}", traceback.format_exc())


@lru_cache(maxsize=1)
def worker_archive(db: str) -> Archive:
    """The worker's connection to the archive ``db``, opened on its first batch and closed
    when the worker exits (multiprocessing runs its finalizers then, not ``atexit``)."""
    archive = Archive(db)
    Finalize(archive, archive.close, exitpriority=10)
    return archive
