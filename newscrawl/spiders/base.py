"""The base of every site spider: it downloads, it never extracts.

A spider yields one :class:`~newscrawl.items.RawPage` per article page (what the server
sent, untouched) and one :class:`~newscrawl.items.FetchFailure` per page that could not be
fetched; the item pipelines do everything else. The site's address is an argument
(``base_url``), so the same spider crawls the real site or a test server on 127.0.0.1.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from typing import Any
from urllib.parse import urlsplit

import scrapy
from scrapy.http import Response
from twisted.python.failure import Failure

from ..archive.store import now_kst
from ..items import FetchFailure, RawPage
from ..sites.base import SiteProfile
from .failures import describe_failure


def raw_page(response: Response, site: str | None) -> RawPage:
    """The :class:`RawPage` of a Scrapy response."""
    headers = {
        key.decode("latin-1").lower(): [v.decode("latin-1") for v in values]
        for key, values in response.headers.items()
    }
    return RawPage(
        url=response.url,
        status=response.status,
        headers=headers,
        body=response.body,
        encoding=getattr(response, "encoding", None),
        fetched_at=now_kst(),
        site=site,
        requested_url=response.request.url if response.request else None,
        truncated="dataloss" in response.flags,
    )


def _origin(url: str | None) -> str:
    """``scheme://host[:port]`` of ``url`` ("" for None)."""
    parts = urlsplit(url or "")
    return f"{parts.scheme}://{parts.netloc}" if parts.netloc else ""


class NewsSpider(scrapy.Spider):
    """One news site, described by a :class:`SiteProfile`.

    Arguments (``-a name=value`` with ``scrapy crawl``): ``url`` fetches that one article;
    ``base_url`` points the spider at another address of the site (a mirror, a test server).
    """

    profile: SiteProfile

    def __init__(self, url: str | None = None, base_url: str | None = None, **kwargs: Any):
        super().__init__(**kwargs)
        self.article_url = url
        # A profile of many sites (ND소프트, generic) has no address of its own: the article's is used.
        self.base_url = (base_url or self.profile.base_url or _origin(url)).rstrip("/")
        hosts = {urlsplit(u).hostname for u in (self.base_url, url) if u}
        self.allowed_domains = sorted(set(self.profile.domains) | {h for h in hosts if h})

    async def start(self) -> AsyncIterator[scrapy.Request]:
        if self.article_url:
            # Asked for by name: fetched even if seen before, and a redirect back to the same
            # URL counts towards REDIRECT_MAX_TIMES instead of vanishing in the dupe filter.
            yield self.article_request(self.article_url, dont_filter=True)

    def article_request(self, url: str, dont_filter: bool = False, **meta: Any) -> scrapy.Request:
        return scrapy.Request(url, callback=self.parse_article, errback=self.fetch_failed,
                              dont_filter=dont_filter, meta={"newscrawl_article": True, **meta})

    def parse_article(self, response: Response) -> RawPage:
        return raw_page(response, self.profile.name)

    def fetch_failed(self, failure: Failure) -> FetchFailure:
        status, error = describe_failure(failure)
        request = getattr(failure, "request", None)
        url = request.url if request is not None else self.article_url or ""
        self.logger.warning("Failed %s: %s", url, error)
        return FetchFailure(url=url, error=error, site=self.profile.name, status=status,
                            failed_at=now_kst())
