"""Item pipelines: read, then store — thin adapters over the library.

:class:`ReadPipeline` turns a downloaded :class:`RawPage` into an :class:`Article` with
:func:`newscrawl.read_page` (extract, normalise, validate: the one way every page is read);
:class:`ArchivePipeline` stores it with :class:`newscrawl.Archive`. A page that is not an
article is dropped (``DropItem``) with its reason, which a crawl also records in the
archive's ``failures`` table. Beside them, as in ``scrapy/pipelines/``: extraction in worker
processes (:mod:`.workers`) and the articles' photos (:mod:`.photos`).
"""

from __future__ import annotations

import logging
import sqlite3
from collections.abc import Callable
from typing import Any

from scrapy import signals
from scrapy.crawler import Crawler
from scrapy.exceptions import DropItem, NotConfigured
from scrapy.settings import BaseSettings
from twisted.python.failure import Failure

from ..archive.api import Archive
from ..clock import now_kst
from ..errors import NotAnArticle
from ..items import Article, FetchFailure, NotModified, RawPage
from ..reading import read_page
from ..sites import get_profile
from ..storing import store_article

logger = logging.getLogger(__name__)


class WriteFailed(DropItem):
    """The archive could not store an item (see :meth:`ArchivePipeline.process_item`)."""


class _Stage:
    """A pipeline stage built from settings."""

    def __init__(self, settings: BaseSettings):
        self.settings = settings

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> _Stage:
        return cls(crawler.settings)


class ReadPipeline(_Stage):
    """RawPage -> Article (every field, normalised and validated) with :func:`read_page`."""

    def process_item(self, item: Any) -> Any:
        if not isinstance(item, RawPage):
            return item
        try:
            return read_page(item)
        except NotAnArticle as exc:
            raise DropItem(str(exc)) from exc


class ArchivePipeline(_Stage):
    """Stores articles, 304 answers to revisits and failures in the SQLite archive (``NEWSCRAWL_DB``)."""

    def __init__(self, settings: BaseSettings):
        if not settings.getbool("NEWSCRAWL_STORE"):
            raise NotConfigured("storing is switched off (NEWSCRAWL_STORE=False)")
        super().__init__(settings)
        self.record_failures = settings.getbool("NEWSCRAWL_RECORD_FAILURES")
        self._archive: Archive | None = None
        #: The crawl's one archive, which its spider holds (every newscrawl spider does).
        self._spider_archive: Callable[[], Archive] | None = None
        self.stats = None

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> ArchivePipeline:
        pipeline = cls(crawler.settings)
        pipeline.stats = crawler.stats
        pipeline._spider_archive = getattr(crawler.spider, "archive", None)
        crawler.signals.connect(pipeline.item_dropped, signal=signals.item_dropped)
        crawler.signals.connect(pipeline.item_error, signal=signals.item_error)
        return pipeline

    def archive(self) -> Archive:
        """The archive, opened on first use so a run that stores nothing creates nothing."""
        if self._archive is None:
            opened = self._spider_archive or (lambda: Archive(self.settings.get("NEWSCRAWL_DB")))
            self._archive = opened()
        return self._archive

    def close_spider(self) -> None:
        if self._archive is not None and self._spider_archive is None:  # the spider closes its own
            self._archive.close()

    def process_item(self, item: Any) -> Any:
        try:
            self._store(item)
        except sqlite3.OperationalError as exc:  # still locked after the busy timeout, disk full, ...
            self._write_failed(item, exc)
        return item

    def _write_failed(self, item: Any, exc: sqlite3.OperationalError) -> None:
        """A write that failed is a failure in the summary and (when the archive lets us) in
        ``failures``, never a page silently lost; the item goes no further."""
        if not isinstance(item, FetchFailure):  # a failure is counted already, as its own kind
            self._count("newscrawl/failures/write")
        url = getattr(item, "url", None)
        logger.error("Could not write %s to the archive: %s", url, exc)
        if self.record_failures and url:
            try:
                self.archive().record_failure(FetchFailure(
                    url=url, error=f"could not write to the archive: {exc}", site=getattr(item, "site", None),
                    status=None, failed_at=now_kst(), kind="write"))
            except sqlite3.OperationalError as again:
                logger.error("Could not record that failure either: %s", again)
        raise WriteFailed(f"the archive could not store it: {exc}") from exc

    def _store(self, item: Any) -> None:
        if isinstance(item, Article):
            # an extraction worker (newscrawl.pipelines.workers) may have stored it already
            outcome = item.archived or store_article(self.archive(), item, self.record_failures)
            self._count(f"newscrawl/articles/{outcome}")
        elif isinstance(item, NotModified):
            if self.archive().mark_unchanged(item.site, item.article_id, item.url, item.fetched_at):
                self._count("newscrawl/articles/unchanged")
                self._count("newscrawl/not_modified")
        elif isinstance(item, FetchFailure):
            self._count("newscrawl/failures")
            self._count(f"newscrawl/failures/{item.kind}")
            if self.record_failures:
                self.archive().record_failure(item)

    def item_dropped(self, item: Any, response: Any, exception: BaseException) -> None:
        """A page dropped as not-an-article is a failure the next run should see."""
        page = item.page if isinstance(item, Article) else item
        if isinstance(page, RawPage) and not isinstance(exception, WriteFailed):  # that one is recorded
            self._count("newscrawl/not_articles")
            if self.record_failures:
                self.archive().record_failure(FetchFailure(
                    url=page.url, error=str(exception), site=archive_site(item), status=page.status,
                    failed_at=now_kst(), kind="not-article"))

    def item_error(self, item: Any, response: Any, failure: Failure) -> None:
        """A page the pipelines failed on (a bug in newscrawl) is a failure to retry once it is
        fixed, not a page lost: Scrapy itself only logs the traceback."""
        if isinstance(item, RawPage):
            self._count("newscrawl/errors")
            if self.record_failures:
                self.archive().record_failure(FetchFailure(
                    url=item.url, site=archive_site(item), status=item.status, failed_at=now_kst(), kind="error",
                    error=f"newscrawl failed on the page ({failure.type.__name__}: {failure.getErrorMessage()}); "
                          "the crawl's log has the traceback"))

    def _count(self, key: str) -> None:
        if self.stats is not None:
            self.stats.inc_value(key)


def archive_site(item: RawPage | Article) -> str | None:
    """The archive's name for the site of ``item`` (``joongdo``, a paper's host): an article
    knows it; a raw page names the profile that fetched it, which names the site."""
    if isinstance(item, Article):
        return item.site
    return get_profile(item.profile).site_name(item.url) if item.profile else None
