"""The generic spider: a site no profile knows, one article (``-a url=…``) or the whole site
(``-a start=…``) discovered through its feeds and sitemaps.

A whole-site crawl starts from the start page and robots.txt at once
(:mod:`newscrawl.policy.autodiscovery` says what it looks for); every feed and sitemap found
is read by :meth:`GenericSpider.parse_discovered`, which tells them apart by content. Dated
entries in the window become article requests, exactly as a profiled crawl's list items:
the same incremental index, run record, job directory and lock. Only the start page's site
(its host, with or without ``www.``) is ever crawled; a page the extractor does not accept
as an article is recorded as ``not-article``.

An ND소프트 paper crawled this way is recognised by its article URLs: they get the CMS
profile's key (``idxno``), the key its pages are archived under.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from typing import Any

import scrapy
from scrapy.http import Response
from scrapy.utils.gz import gunzip
from twisted.python.failure import Failure

from ..policy.autodiscovery import FEED_PATHS, SITEMAP_PATHS, feed_links, read_xml, robots_sitemaps, without_tracking
from ..policy.discovery import Listed, on_site
from ..policy.plan import NotCrawlable
from ..sites import GENERIC, PROFILES, SiteProfile
from .base import NewsSpider, origin, response_text

#: Profiles of a CMS that many sites run: an article URL of that shape gets that profile's key.
CMS_PROFILES = tuple(p for p in PROFILES.values() if p.any_host and p is not GENERIC)


def unpacked(body: bytes, max_size: int = 0) -> bytes:
    """``body``, gunzipped when it is gzip data (a ``.xml.gz`` sitemap served as is)."""
    return gunzip(body, max_size=max_size) if body[:3] == b"\x1f\x8b\x08" else body


class GenericSpider(NewsSpider):
    """Arguments as for every spider, plus ``start``: the page a whole-site crawl starts from
    (the home page, or a feed or sitemap URL)."""

    name = "generic"
    profile = GENERIC

    def __init__(self, start: str | None = None, url: str | None = None, base_url: str | None = None,
                 **kwargs: Any):
        if not (start or url):
            raise NotCrawlable("the generic spider needs a start page (-a start=URL) or an article (-a url=URL)")
        super().__init__(url=url, base_url=base_url or origin(start), **kwargs)
        self.start_page = start
        self._start_read = False
        self._sources_read = 0

    # -- discovery --------------------------------------------------------------------------

    def discovery_requests(self) -> Iterator[scrapy.Request]:
        yield self.discovery_request(self.start_page, self.parse_discovered, newscrawl_start=True)
        yield self.discovery_request(self.base_url + "/robots.txt", self.parse_robots, errback=self.robots_missing)

    def parse_discovered(self, response: Response) -> Iterator[scrapy.Request]:
        """A feed, a sitemap, a sitemap index — or the start page, an HTML page naming feeds."""
        body = unpacked(response.body, self.settings.getint("DOWNLOAD_MAXSIZE"))
        page = read_xml(body, response.url)
        if page is None:
            if response.meta.get("newscrawl_start"):
                yield from self.read_start_page(response)
            else:  # a tried feed path that answered with a web page
                self._count("discovery/not_feeds")
            return
        self._count("discovery/pages")
        self._sources_read += 1
        if page.kind == "sitemapindex":
            yield from self.sitemaps(page.entries)
        elif page.kind == "urlset":
            yield from self.listed(self.dated(page.entries))
        else:
            yield from self.listed(page.entries)

    def read_start_page(self, response: Response) -> Iterator[scrapy.Request]:
        """The feeds the start page links, or the usual feed paths when it links none."""
        self._count("discovery/pages")
        self._start_read = True
        html = response_text(response)
        feeds = [url for url in (on_site(link, self.profile, self.base_url) for link in feed_links(html, response.url))
                 if url]
        if feeds:
            for url in feeds:
                yield self.discovery_request(url, self.parse_discovered)
        else:
            yield from self.tried(FEED_PATHS)

    def parse_robots(self, response: Response) -> Iterator[scrapy.Request]:
        sitemaps = [url for url in (on_site(u, self.profile, self.base_url)
                                    for u in robots_sitemaps(response.body, response.url)) if url]
        if not sitemaps:
            yield from self.tried(SITEMAP_PATHS)
        for url in sitemaps:
            yield self.discovery_request(url, self.parse_discovered)

    def robots_missing(self, failure: Failure) -> Iterator[scrapy.Request]:
        """No robots.txt (or none that answers): the usual sitemap paths, then."""
        self._count("discovery/tried_missing")
        yield from self.tried(SITEMAP_PATHS)

    def tried(self, paths: Iterable[str]) -> Iterator[scrapy.Request]:
        """Requests for paths where a feed or sitemap often is: a miss is no failure."""
        for path in paths:
            yield self.discovery_request(self.base_url + path, self.parse_discovered, errback=self.tried_missing)

    def tried_missing(self, failure: Failure) -> None:
        self._count("discovery/tried_missing")

    def sitemaps(self, entries: list[Listed]) -> Iterator[scrapy.Request]:
        """The sitemaps of an index, but those unchanged since before the window."""
        for entry in entries:
            url = on_site(entry.url, self.profile, self.base_url)
            if url is None:
                self._count("discovery/ignored_links")
            elif entry.published and self.window.is_older(entry.published):
                self._count("discovery/old_sitemaps")
            else:
                yield self.discovery_request(url, self.parse_discovered)

    def dated(self, entries: list[Listed]) -> Iterator[Listed]:
        """A sitemap's URLs that carry a date: an undated one cannot be placed in the window,
        and a sitemap may list a site's whole history."""
        for entry in entries:
            if entry.published is None:
                self._count("discovery/undated")
            else:
                yield entry

    def run_arguments(self) -> dict[str, Any]:
        return {**super().run_arguments(), "start": self.start_page}

    def discovery_problems(self) -> list[str]:
        if self._start_read and not self._sources_read:
            return [f"found no RSS/Atom feed or sitemap for {self.base_url} (not linked from {self.start_page}, "
                    f"not in robots.txt, not at {', '.join(FEED_PATHS + SITEMAP_PATHS)}): nothing to crawl"]
        return []

    # -- article keys -----------------------------------------------------------------------

    def article_key(self, url: str) -> str | None:
        url = without_tracking(url)
        return self._key_profile(url).article_id(url)

    def url_for_key(self, key: str) -> str:
        profile = next((p for p in CMS_PROFILES if p.article_id(p.canonical_url(key, self.base_url)) == key),
                       self.profile)
        return profile.canonical_url(key, self.base_url)

    def _key_profile(self, url: str) -> SiteProfile:
        return next((p for p in CMS_PROFILES if p.article_id(url)), self.profile)
