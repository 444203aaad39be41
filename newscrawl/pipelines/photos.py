"""Downloading each article's photos with Scrapy's own media pipeline.

:class:`PhotosPipeline` is Scrapy's ``FilesPipeline`` with two changes: the files go into
the archive, content-addressed (:mod:`newscrawl.archive.photos`), instead of a directory,
and a photo the archive already holds under its URL is not downloaded again. Its requests
go through the same downloader as the pages (robots.txt, AutoThrottle, the per-domain
concurrency, retries; in a downloader slot of their own per host), inside the run. A photo
larger than ``NEWSCRAWL_PHOTO_MAX_BYTES`` is cancelled by the downloader and recorded as a
failure; ``NEWSCRAWL_PHOTOS = False`` switches the whole thing off. It runs after ``ArchivePipeline``: an article is stored as
soon as its page is read, whatever its photos do, and each photo is stored as it arrives
(short transactions of its own on the archive, like the article's).
"""

from __future__ import annotations

import logging
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from scrapy import Request
from scrapy.crawler import Crawler
from scrapy.exceptions import NotConfigured
from scrapy.http.request import NO_CALLBACK
from scrapy.pipelines.files import FilesPipeline
from scrapy.pipelines.media import _MediaRequestFiltered

from sqlite_utils import Database

from ..archive import open_archive
from ..archive.photos import PhotoDownload, held_photo, record_photo_failure, store_photo
from ..clock import now_kst
from ..items import Article


class ArchiveStore:
    """FilesPipeline's store for photos kept in the archive: the pipeline stores each photo
    by its content, not by the path FilesPipeline makes of its URL, so there is nothing to
    write here, and nothing to look up by path (held photos are skipped by URL before their
    request)."""

    def __init__(self, uri: str):
        self.uri = uri

    def persist_file(self, path: str, buf: Any, info: Any, meta: Any = None, headers: Any = None) -> None:
        return None

    def stat_file(self, path: str, info: Any) -> dict[str, Any]:
        return {}


logger = logging.getLogger(__name__)


class PhotoFailed(Exception):
    """A photo answered with something other than its bytes."""


class PhotosPipeline(FilesPipeline):
    """Article photos -> ``Article.photo_downloads`` (bytes) and ``photo_failures`` (reasons)."""

    STORE_SCHEMES = {**FilesPipeline.STORE_SCHEMES, "newscrawl-archive": ArchiveStore}
    # failures are recorded in the archive and the run's summary, not as tracebacks in the log
    LOG_FAILED_RESULTS = False

    def __init__(self, store_uri: Any, *, crawler: Crawler | None = None):
        if crawler is None:  # the offline chain (reparse, extract) has no downloader
            raise NotConfigured("photos are downloaded only during a crawl")
        super().__init__(store_uri, crawler=crawler)
        self.db_path = Path(crawler.settings["NEWSCRAWL_DB"])
        #: The crawl's one archive, which its spider holds (every newscrawl spider does).
        self.spider_archive = getattr(crawler.spider, "archive", None)
        self.max_bytes = crawler.settings.getint("NEWSCRAWL_PHOTO_MAX_BYTES")
        self.record_failures = crawler.settings.getbool("NEWSCRAWL_RECORD_FAILURES")
        self.db: Database | None = None
        #: The photo URLs requested for each article in flight (results come back in this order).
        self._requested: dict[int, list[str]] = {}

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> PhotosPipeline:
        settings = crawler.settings
        if not (settings.getbool("NEWSCRAWL_PHOTOS") and settings.getbool("NEWSCRAWL_STORE")):
            raise NotConfigured("photos are not downloaded (NEWSCRAWL_PHOTOS or NEWSCRAWL_STORE is False)")
        return cls("newscrawl-archive://", crawler=crawler)

    def archive(self) -> Database:
        """The archive, opened on first use (ArchivePipeline has made it by then)."""
        if self.db is None:
            self.db = self.spider_archive().db if self.spider_archive else open_archive(self.db_path)
        return self.db

    def close_spider(self) -> None:
        if self.db is not None and self.spider_archive is None:  # the spider closes its own
            self.db.close()

    def get_media_requests(self, item: Any, info: Any) -> list[Request]:
        if not isinstance(item, Article):
            return []
        # off-site photos are left alone, like off-site links (a paper's own CDN is its domain)
        domains = getattr(self.crawler.spider, "allowed_domains", None) or []
        urls = dict.fromkeys(p.url for p in item.photos if on_site(p.url or "", domains))
        self._requested[id(item)] = [url for url in urls if not held_photo(self.archive().conn, url)]
        # A downloader slot of their own per host: photos never hold up the pages (on most papers
        # they come from an image host anyway), and keep the same per-slot limit and AutoThrottle.
        return [Request(url, callback=NO_CALLBACK, meta={"download_maxsize": self.max_bytes,
                                                         "download_slot": f"photos@{urlsplit(url).hostname}"})
                for url in self._requested[id(item)]]

    async def media_downloaded(self, response: Any, request: Any, info: Any, *, item: Any = None) -> Any:
        self._count("responses")  # the run's summary counts pages without them
        self.crawler.stats.inc_value("newscrawl/photos/bytes", len(response.body))
        if response.status != 200:  # FilesPipeline would say only "download-error"
            raise PhotoFailed(f"HTTP {response.status}")
        return await super().media_downloaded(response, request, info, item=item)

    def file_downloaded(self, response: Any, request: Any, info: Any, *, item: Any = None) -> str:
        """Store the photo in the archive, one copy per content; its SHA-256 is the checksum."""
        content_type = response.headers.get("Content-Type", b"").decode("latin-1") or None
        digest, new = store_photo(self.archive(), PhotoDownload(request.url, response.body, content_type, now_kst()))
        self._count("stored" if new else "duplicate")
        return digest

    def media_failed(self, failure: Any, request: Any, info: Any) -> Any:
        """A failed photo is one line of the run's failures (see :meth:`item_completed`), not
        a traceback in the log: raised as the media pipeline's "filtered" outcome, the only
        one it does not log with its traceback (a private class of Scrapy's, pinned by
        constraints.txt)."""
        logger.info("Photo not downloaded: %s (%s)", request.url, _reason(failure))
        raise _MediaRequestFiltered(str(failure.value)) from failure.value

    def item_completed(self, results: list[tuple[bool, Any]], item: Any, info: Any) -> Any:
        if isinstance(item, Article):
            for url, (ok, outcome) in zip(self._requested.pop(id(item), []), results):
                if not ok:
                    self._count("failed")
                    if self.record_failures:
                        record_photo_failure(self.archive(), url, item.site, _reason(outcome), now_kst())
        return item

    def _count(self, outcome: str) -> None:
        self.crawler.stats.inc_value(f"newscrawl/photos/{outcome}")


def on_site(url: str, domains: list[str]) -> bool:
    """True for an http(s) URL whose host is one of ``domains`` or a subdomain of one (any port)."""
    parts = urlsplit(url)
    host = (parts.hostname or "").lower()
    return parts.scheme in ("http", "https") and any(host == d or host.endswith("." + d) for d in domains)


def _reason(failure: Any) -> str:
    """One line on why a photo download failed: FilesPipeline wraps the cause (an HTTP status,
    the size cap, a timeout) in an exception of its own without a message."""
    error = getattr(failure, "value", failure)
    while not str(error) and (error.__cause__ or error.__context__) is not None:
        error = error.__cause__ or error.__context__
    return f"photo download failed: {str(error) or type(error).__name__}"
