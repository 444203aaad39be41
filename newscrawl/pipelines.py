"""Item pipelines: extract, normalise, validate, store — in that order.

Each stage is a few lines over the library: :mod:`newscrawl.extract` reads the fields,
normalises and validates them; :mod:`newscrawl.archive` stores them. A page that is not an
article is dropped (``DropItem``) with its reason; during a crawl the reason is also
recorded in the archive's ``failures`` table. :func:`run_offline` (one page) and
:class:`OfflineChain` (many) run the same chain without a crawler, which is how
``newscrawl extract`` and ``reparse`` use it.
"""

from __future__ import annotations

from typing import Any

from scrapy import signals
from scrapy.crawler import Crawler
from scrapy.exceptions import DropItem, NotConfigured
from scrapy.settings import BaseSettings
from scrapy.utils.misc import load_object
from sqlite_utils import Database
from twisted.python.failure import Failure

from .archive import mark_unchanged, open_archive, record_failure, save_article
from .archive.store import now_kst
from .errors import NotAnArticle
from .extract import extract_page
from .extract.normalise import normalise_article
from .extract.validate import validate_article
from .items import Article, ExtractedArticle, FetchFailure, NotModified, RawPage
from .sites import SiteProfile, choose_profile, get_profile


class _Stage:
    """A pipeline stage built from settings, so the offline chain can build it too."""

    def __init__(self, settings: BaseSettings):
        self.settings = settings

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> _Stage:
        return cls(crawler.settings)


def page_profile(page: RawPage) -> SiteProfile:
    """The site profile named by the page or its URL (the generic profile when no other knows the site)."""
    return choose_profile(page.url, page.site)


class ExtractPipeline(_Stage):
    """RawPage -> ExtractedArticle, read with its :func:`page_profile`."""

    def process_item(self, item: Any) -> Any:
        if not isinstance(item, RawPage):
            return item
        try:
            return extract_page(item, page_profile(item))
        except NotAnArticle as exc:
            raise DropItem(str(exc)) from exc


class NormalisePipeline(_Stage):
    """ExtractedArticle -> Article: ISO dates in Asia/Seoul, print edition, body text."""

    def process_item(self, item: Any) -> Any:
        return normalise_article(item) if isinstance(item, ExtractedArticle) else item


class ValidatePipeline(_Stage):
    """Drops what is not an article; marks truncated pages incomplete."""

    def process_item(self, item: Any) -> Any:
        if not isinstance(item, Article):
            return item
        try:
            return validate_article(item)
        except NotAnArticle as exc:
            raise DropItem(str(exc)) from exc


class ArchivePipeline(_Stage):
    """Stores articles, 304 answers to revisits and failures in the SQLite archive (``NEWSCRAWL_DB``)."""

    def __init__(self, settings: BaseSettings):
        if not settings.getbool("NEWSCRAWL_STORE"):
            raise NotConfigured("storing is switched off (NEWSCRAWL_STORE=False)")
        super().__init__(settings)
        self.record_failures = settings.getbool("NEWSCRAWL_RECORD_FAILURES")
        self.db = None
        self.stats = None

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> ArchivePipeline:
        pipeline = cls(crawler.settings)
        pipeline.stats = crawler.stats
        crawler.signals.connect(pipeline.item_dropped, signal=signals.item_dropped)
        crawler.signals.connect(pipeline.item_error, signal=signals.item_error)
        return pipeline

    def archive(self) -> Database:
        """The archive, opened on first use so a run that stores nothing creates nothing."""
        if self.db is None:
            self.db = open_archive(self.settings.get("NEWSCRAWL_DB"))
        return self.db

    def close_spider(self) -> None:
        if self.db is not None:
            self.db.close()

    def process_item(self, item: Any) -> Any:
        if isinstance(item, Article):
            result = save_article(self.archive(), item)
            item.archived = result.outcome
            self._count(f"newscrawl/articles/{result.outcome}")
            if not item.complete and self.record_failures:
                # stored for what it holds, and a failure too, so that later runs fetch it again
                record_failure(self.archive(), FetchFailure(
                    url=item.url, error=item.incomplete_reason or "incomplete", site=item.site,
                    status=item.page.status if item.page else None, failed_at=now_kst(), kind="incomplete"))
        elif isinstance(item, NotModified):
            if mark_unchanged(self.archive(), item.site, item.article_id, item.url, item.fetched_at):
                self._count("newscrawl/articles/unchanged")
                self._count("newscrawl/not_modified")
        elif isinstance(item, FetchFailure):
            self._count("newscrawl/failures")
            self._count(f"newscrawl/failures/{item.kind}")
            if self.record_failures:
                record_failure(self.archive(), item)
        return item

    def item_dropped(self, item: Any, response: Any, exception: BaseException) -> None:
        """A page dropped as not-an-article is a failure the next run should see."""
        page = item.page if isinstance(item, (Article, ExtractedArticle)) else item
        if isinstance(page, RawPage):
            self._count("newscrawl/not_articles")
            if self.record_failures:
                record_failure(self.archive(), FetchFailure(
                    url=page.url, error=str(exception), site=archive_site(item), status=page.status,
                    failed_at=now_kst(), kind="not-article"))

    def item_error(self, item: Any, response: Any, failure: Failure) -> None:
        """A page the pipelines failed on (a bug in newscrawl) is a failure to retry once it is
        fixed, not a page lost: Scrapy itself only logs the traceback."""
        if isinstance(item, RawPage):
            self._count("newscrawl/errors")
            if self.record_failures:
                record_failure(self.archive(), FetchFailure(
                    url=item.url, site=archive_site(item), status=item.status, failed_at=now_kst(), kind="error",
                    error=f"newscrawl failed on the page ({failure.type.__name__}: {failure.getErrorMessage()}); "
                          "the crawl's log has the traceback"))

    def _count(self, key: str) -> None:
        if self.stats is not None:
            self.stats.inc_value(key)


def archive_site(item: RawPage | ExtractedArticle | Article) -> str | None:
    """The archive's name for the site of ``item`` (``joongdo``, a paper's host): an article
    knows it; a raw page names the profile that fetched it, which names the site."""
    if isinstance(item, (Article, ExtractedArticle)):
        return item.site
    return get_profile(item.site).site_name(item.url) if item.site else None


def build_chain(settings: BaseSettings) -> list[Any]:
    """The enabled pipelines of ``ITEM_PIPELINES``, in order, built from ``settings``."""
    chain = []
    for path, _order in sorted(settings.getwithbase("ITEM_PIPELINES").items(), key=lambda kv: kv[1]):
        try:
            chain.append(load_object(path)(settings))
        except NotConfigured:
            continue
    return chain


class OfflineChain:
    """The pipeline chain, built once from ``settings``, run over items without a crawler.

    Building it costs more than running a page through it (a copy of the settings, the
    archive opened), so a loop over many pages (``reparse``) builds it once.
    """

    def __init__(self, settings: BaseSettings):
        settings = settings.copy()
        settings.set("NEWSCRAWL_EXTRACT_WORKERS", 0)  # in this process: no worker processes to wait for
        self.stages = build_chain(settings)

    def run(self, item: Any) -> Any:
        """``item`` through every stage; raises :class:`NotAnArticle` with the reason when a
        stage drops it."""
        for stage in self.stages:
            try:
                item = stage.process_item(item)
            except DropItem as exc:
                raise NotAnArticle(str(exc)) from exc
        return item

    def close(self) -> None:
        for stage in self.stages:
            if hasattr(stage, "close_spider"):
                stage.close_spider()

    def __enter__(self) -> OfflineChain:
        return self

    def __exit__(self, *exc: Any) -> None:
        self.close()


def run_offline(item: Any, settings: BaseSettings) -> Any:
    """Run ``item`` through the pipeline chain without a crawler.

    Raises :class:`NotAnArticle` with the reason when a stage drops the item.
    """
    with OfflineChain(settings) as chain:
        return chain.run(item)
