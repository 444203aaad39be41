"""The base of every site spider: it discovers and downloads, it never extracts.

A spider yields one :class:`~newscrawl.items.RawPage` per article page (what the server
sent, untouched), a :class:`~newscrawl.items.NotModified` when a revisit is answered 304,
and a :class:`~newscrawl.items.FetchFailure` per page that could not be fetched; the item
pipelines do everything else. The site's address is an argument (``base_url``), so the same
spider crawls the real site or a test server on 127.0.0.1.

Without ``url`` the spider crawls the whole site: it reads the feeds and lists the site
profile names (:class:`~newscrawl.sites.base.Discovery`), keeps the articles published in
the window, pages through each list until it reaches articles older than the window, and
fetches every article once, on its canonical URL. With an :class:`ArchiveIndex` (the
default, ``NEWSCRAWL_INCREMENTAL_ENABLED``) archived articles are skipped unless due a
revisit, and once discovery is done the due revisits and the retries of earlier failures
follow.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Iterable, Iterator
from datetime import datetime
from types import SimpleNamespace
from typing import Any
from urllib.parse import urlsplit

import scrapy
from scrapy import signals
from scrapy.crawler import Crawler
from scrapy.exceptions import DontCloseSpider, UsageError
from scrapy.http import Response, TextResponse
from scrapy.settings import SETTINGS_PRIORITIES, BaseSettings
from twisted.python.failure import Failure

from ..archive.api import Archive
from ..archive.state import articles_fetched_since
from ..clock import isoformat, now_kst
from ..config import ConfigError, check_setting_names
from ..middlewares.backoff import SiteDown
from ..policy.discovery import Listed, feed_items, list_items, next_page, on_site, parsed
from ..policy.incremental import ArchiveIndex, Fetch
from ..policy.plan import CrawlPlan, RunStart, plan_run
from ..policy.window import RevisitSchedule
from ..clock import KST
from ..items import FetchFailure, NotModified, RawPage
from ..sites.base import SiteProfile
from .failures import describe_failure, failure_kind, quiet_network_tracebacks

#: An article goes before the next list page, so the queue stays about one list page deep.
ARTICLE_PRIORITY = 10
LIST_PRIORITY = 0


class NewsRequest(scrapy.Request):
    """A request of a newscrawl spider. When Scrapy writes it to the job's queue (``JOBDIR``),
    it names its callbacks by searching the object it is given for the methods that match:
    given the spider, that listed every member of the spider, twice for each request; given
    the two callbacks alone (when they are the spider's methods of their names), it finds
    the same names at once."""

    def to_dict(self, *, spider: scrapy.Spider | None = None) -> dict[str, Any]:
        return super().to_dict(spider=_own_methods(spider, self.callback, self.errback))


def _own_methods(spider: scrapy.Spider | None, *callbacks: Any) -> Any:
    """``callbacks`` under their names, if each is ``spider``'s method of that name; else ``spider``."""
    found = SimpleNamespace()
    for callback in callbacks:
        if not callable(callback):
            continue
        name = getattr(callback, "__name__", "")
        if getattr(getattr(spider, name, None), "__func__", None) is not getattr(callback, "__func__", callback):
            return spider
        setattr(found, name, callback)
    return found


def raw_page(response: Response, profile: str | None) -> RawPage:
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
        profile=profile,
        requested_url=response.request.url if response.request else None,
        truncated="dataloss" in response.flags,
    )


def response_text(response: Response) -> str:
    """The text of a feed, list or start page; one served without a text Content-Type is
    still read (as UTF-8, damaged bytes replaced)."""
    return response.text if isinstance(response, TextResponse) else response.body.decode("utf-8", "replace")


def origin(url: str | None) -> str:
    """``scheme://host[:port]`` of ``url`` ("" for None)."""
    parts = urlsplit(url or "")
    return f"{parts.scheme}://{parts.netloc}" if parts.netloc else ""


def with_contact(user_agent: str, contact: str) -> str:
    """``newscrawl/1.0 (+URL; news archiver)`` -> ``newscrawl/1.0 (+URL; news archiver; contact: …)``."""
    if user_agent.endswith(")"):
        return f"{user_agent[:-1]}; contact: {contact})"
    return f"{user_agent} (contact: {contact})"


def add_contact(settings: BaseSettings) -> None:
    """``NEWSCRAWL_CONTACT`` into the User-Agent, unless the command line gave a User-Agent
    of its own (which is the user's: left as it is)."""
    contact = settings.get("NEWSCRAWL_CONTACT")
    if contact and (settings.getpriority("USER_AGENT") or 0) < SETTINGS_PRIORITIES["cmdline"]:
        settings.set("USER_AGENT", with_contact(settings["USER_AGENT"], contact), priority="spider")


class NewsSpider(scrapy.Spider):
    """One news site, described by a :class:`SiteProfile`.

    Arguments (``-a name=value`` with ``scrapy crawl``; all strings): ``url`` fetches that
    one article; ``base_url`` points the spider at another address of the site (a mirror,
    a test server); for a whole-site crawl ``since`` and ``until`` (``2d``, ``6h``,
    ``2024-01-31``), ``section`` (codes separated by commas, or ``all``) and
    ``max_articles``.

    From Python (``newscrawl crawl``'s runner) a whole-site crawl is given instead its
    ``run`` (:class:`~newscrawl.policy.plan.RunStart`), settled before the crawler started,
    and the ``archive`` the runner opened; without them the spider settles the run itself
    with the same function and opens the archive, which it then holds for the whole crawl.
    """

    profile: SiteProfile

    def __init__(self, url: str | None = None, base_url: str | None = None, since: str | None = None,
                 until: str | None = None, section: str | None = None, max_articles: str | None = None,
                 run: RunStart | None = None, archive: Archive | None = None, **kwargs: Any):
        super().__init__(**kwargs)
        self.article_url = url
        # A profile of many sites (ND소프트, generic) has no address of its own: the article's is used.
        self.base_url = (base_url or self.profile.base_url or origin(url)).rstrip("/")
        #: The archive's name for the site (a CMS profile's sites go by their host names).
        self.site = self.profile.site_name(self.base_url + "/")
        hosts = {h for h in (urlsplit(u).hostname for u in (self.base_url, url) if u) if h}
        # www.paper.kr and paper.kr are one site (a redirect from one to the other stays on it)
        hosts |= {h.removeprefix("www.") for h in hosts}
        self.allowed_domains = sorted(set(self.profile.domains) | hosts)
        #: The whole-site run (None when fetching one ``url``): settled by the runner, or when
        #: the crawler builds the spider (:meth:`from_crawler`).
        self.run: RunStart | None = None
        #: What a whole-site crawl is asked for, then what its run settled; None when fetching one ``url``.
        self.plan = None if url or run else CrawlPlan.parse(
            self.profile, datetime.now(KST), since, until, section, max_articles)
        #: When the job began (a resumed job: its first leg's start).
        self.job_started = datetime.now(KST)
        if run is not None:
            self._take_run(run)
        self._archive = archive
        self._own_archive = False
        #: Article fetches that earlier legs of a resumed job used of ``max_articles``.
        self.articles_spent = 0
        self.index: ArchiveIndex | None = None
        self._scheduled: set[str] = set()
        self._followups_done = False

    @classmethod
    def from_crawler(cls, crawler: Crawler, *args: Any, **kwargs: Any) -> NewsSpider:
        spider = super().from_crawler(crawler, *args, **kwargs)
        quiet_network_tracebacks()  # a site that is down reads as one line, not a crash, under `scrapy crawl` too
        crawler.signals.connect(spider.schedule_followups, signal=signals.spider_idle)
        crawler.signals.connect(spider.close_archive, signal=signals.engine_stopped)
        if spider.plan is not None and spider.run is None:
            spider._take_run(plan_run(spider.plan, spider.archive().db, spider.site, spider.settings))
        return spider

    def _take_run(self, run: RunStart) -> None:
        self.run, self.plan, self.job_started = run, run.plan, run.job_started

    def archive(self) -> Archive:
        """The crawl's one archive (``NEWSCRAWL_DB``), which the run recorder and the pipelines
        use too: the runner's, or opened here on first use, with the archive's lock held for a
        whole-site crawl (``NEWSCRAWL_LOCK_ENABLED``) so that a second crawl stops at once."""
        if self._archive is None:
            exclusive = self.plan is not None and self.settings.getbool("NEWSCRAWL_LOCK_ENABLED")
            self._archive = Archive(self.settings.get("NEWSCRAWL_DB"), exclusive=exclusive)
            self._own_archive = True
        return self._archive

    def close_archive(self) -> None:
        """Once everything is done with it (the recorder writes as the spider closes)."""
        if self._own_archive:
            self._archive.close()

    @classmethod
    def update_settings(cls, settings: BaseSettings) -> None:
        super().update_settings(settings)
        try:
            check_setting_names(settings, "scrapy -s or settings")
        except ConfigError as exc:  # `scrapy crawl` prints a UsageError as one line, exit 2
            raise UsageError(str(exc), print_help=False) from exc
        add_contact(settings)

    # -- start ----------------------------------------------------------------------------

    async def start(self) -> AsyncIterator[scrapy.Request]:
        if self.article_url:
            # Asked for by name: fetched even if seen before, and a redirect back to the same
            # URL counts towards REDIRECT_MAX_TIMES instead of vanishing in the dupe filter.
            yield self.article_request(self.article_url, dont_filter=True)
            return
        self.open_crawl()
        for request in self.discovery_requests():
            yield request

    def open_crawl(self) -> None:
        """Take the settled window, what a resumed job spent already, and the archive's index."""
        assert self.run is not None
        self.window = self.plan.window()
        if self.run.resumed_job is not None:
            state = getattr(self, "state", None) or {}  # Scrapy's SpiderState, from the JOBDIR
            self.articles_spent = state.get("articles_spent", articles_fetched_since(
                self.archive().db, self.site, isoformat(self.job_started)))
        if self.settings.getbool("NEWSCRAWL_INCREMENTAL_ENABLED"):
            self.index = ArchiveIndex(
                db=self.archive().db, site=self.site,
                schedule=RevisitSchedule.parse(self.settings.get("NEWSCRAWL_REVISIT")),
                job_started=self.job_started,
                max_attempts=self.settings.getint("NEWSCRAWL_MAX_FAILED_ATTEMPTS"),
            )
        self.logger.info("Crawling %s (%s): articles published %s%s", self.profile.title, self.base_url,
                         self.window.describe(),
                         f", sections {', '.join(self.plan.sections)}" if self.plan.sections else "")

    def closed(self, reason: str) -> None:
        # Saved in the JOBDIR (Scrapy's SpiderState) so a resumed job keeps to max_articles.
        if hasattr(self, "state"):
            self.state["articles_spent"] = self.articles_spent + len(self._scheduled)

    # -- discovery --------------------------------------------------------------------------

    def discovery_requests(self) -> Iterator[scrapy.Request]:
        """The feeds and first list pages: section lists when sections are asked for, else
        the feeds and the all-news list (lists only where the profile says how to read them)."""
        assert self.plan is not None
        discovery = self.profile.discovery
        if self.plan.sections:
            for section in self.plan.sections:
                yield self.list_request(self.base_url + discovery.section_list.format(section=section, page=1), 1)
            return
        for path in discovery.feeds:
            yield self.discovery_request(self.base_url + path, self.parse_feed)
        if discovery.latest_list and discovery.list_item:  # a list nobody described is not read
            yield self.list_request(self.base_url + discovery.latest_list.format(page=1), 1)

    def discovery_request(self, url: str, callback: Any, errback: Any = None, **meta: Any) -> scrapy.Request:
        return NewsRequest(url, callback=callback, errback=errback or self.fetch_failed, priority=LIST_PRIORITY,
                              meta={"newscrawl_discovery": True, **meta})

    def list_request(self, url: str, page: int) -> scrapy.Request:
        return self.discovery_request(url, self.parse_list, newscrawl_page=page)

    def parse_feed(self, response: Response) -> Iterator[scrapy.Request]:
        self._count("discovery/pages")
        yield from self.listed(feed_items(response.body, response.url))

    def parse_list(self, response: Response) -> Iterator[scrapy.Request]:
        self._count("discovery/pages")
        discovery = self.profile.discovery
        listing = parsed(response_text(response))  # once, for its items and its next page
        items = list_items(listing, response.url, discovery)
        yield from self.listed(items)
        page = response.meta["newscrawl_page"]
        if self._keep_paging(items, page):
            url = next_page(listing, response.url, discovery)
            url = on_site(url, self.profile, self.base_url) if url else None
            if url:
                yield self.list_request(url, page + 1)

    def _keep_paging(self, items: list[Listed], page: int) -> bool:
        """Lists are newest first: a page that reaches before the window is the last one."""
        if not items or self._budget_spent() or page >= self.settings.getint("NEWSCRAWL_MAX_LIST_PAGES"):
            return False
        return not any(item.published and self.window.is_older(item.published) for item in items)

    def listed(self, items: Iterable[Listed]) -> Iterator[scrapy.Request]:
        """Requests for the listed articles inside the window."""
        for item in items:
            if item.published:  # how far back the lists have reached: the progress estimates the total
                self.crawler.stats.min_value("newscrawl/discovery/oldest_listed", item.published.timestamp())
            if item.published and not self.window.contains(item.published):
                self._count("discovery/outside_window")
                continue
            site_url = on_site(item.url, self.profile, self.base_url)
            key = self.article_key(site_url) if site_url else None
            if key is None:
                self._count("discovery/ignored_links")
                continue
            request = self.schedule_article(key)
            if request is not None:
                yield request

    def run_arguments(self) -> dict[str, Any]:
        """What the run record keeps besides the plan: where the crawl went."""
        return {"base_url": self.base_url}

    def discovery_problems(self) -> list[str]:
        """Why discovery itself went wrong, one line each, for the run's record (none here:
        a failed feed or list page is a recorded failure of its own)."""
        return []

    # -- articles ----------------------------------------------------------------------------

    def article_key(self, url: str) -> str | None:
        """The archive's key of the article at ``url`` (an on-site URL), None when it is none."""
        return self.profile.article_id(url)

    def url_for_key(self, key: str) -> str:
        """The URL an article is fetched from: its canonical URL on the crawl's base URL."""
        return self.profile.canonical_url(key, self.base_url)

    def schedule_article(self, key: str, fetch: Fetch | None = None, failed_url: str | None = None) -> scrapy.Request | None:
        """The request for article ``key`` on its canonical URL, or None when it is not fetched:
        already scheduled, archived and not due, given up on, or over ``max_articles``."""
        url = self.url_for_key(key)
        if key in self._scheduled:
            return None
        if fetch is None:
            decision = self.index.decide(key, failed_url or url) if self.index else Fetch("new")
            if isinstance(decision, str):
                self._count(f"skipped/{decision}")
                return None
            fetch = decision
        if self._budget_spent():
            self._count("skipped/max-articles")
            return None
        self._scheduled.add(key)
        self._count(f"fetch/{fetch.reason}")
        return self.article_request(url, headers=fetch.headers, newscrawl_fetch=fetch.reason)

    def _budget_spent(self) -> bool:
        limit = self.plan.max_articles if self.plan else None
        return limit is not None and self.articles_spent + len(self._scheduled) >= limit

    def article_request(self, url: str, dont_filter: bool = False, headers: dict[str, str] | None = None,
                        **meta: Any) -> scrapy.Request:
        if headers:  # a conditional request: 304 Not Modified is an answer, not an error
            meta["handle_httpstatus_list"] = [304]
        return NewsRequest(url, callback=self.parse_article, errback=self.fetch_failed, headers=headers,
                              dont_filter=dont_filter, priority=ARTICLE_PRIORITY,
                              meta={"newscrawl_article": True, **meta})

    def parse_article(self, response: Response) -> RawPage | NotModified:
        if response.status == 304:
            return NotModified(url=response.url, site=self.site,
                               article_id=self.article_key(response.url) or "", fetched_at=now_kst())
        return raw_page(response, self.profile.name)

    def fetch_failed(self, failure: Failure) -> FetchFailure | None:
        if failure.check(SiteDown):  # never sent: the next run finds it again
            self._count("skipped/site-down")
            return None
        status, error = describe_failure(failure)
        request = getattr(failure, "request", None)
        url = request.url if request is not None else self.article_url or ""
        discovery = request is not None and request.meta.get("newscrawl_discovery", False)
        self.logger.warning("Failed %s: %s", url, error, extra={"newscrawl_page_failure": True})
        return FetchFailure(url=url, error=error, site=self.site, status=status,
                            failed_at=now_kst(), kind=failure_kind(failure, discovery))

    # -- after discovery: revisits and retries -------------------------------------------------

    def schedule_followups(self) -> None:
        """Once discovery is done, schedule the due revisits and the retries (once per run)."""
        if self.plan is None or self._followups_done:
            return
        self._followups_done = True
        requests = list(self.followup_requests())
        for request in requests:
            self.crawler.engine.crawl(request)
        if requests:
            raise DontCloseSpider

    def followup_requests(self) -> Iterator[scrapy.Request]:
        if self.index is None:
            return
        assert self.plan is not None
        for key, fetch in self.index.due_revisits(self.plan.until):
            request = self.schedule_article(key, fetch)
            if request is not None:
                yield request
        for url in self.index.retries():
            key = self.article_key(url)
            request = self.schedule_article(key, failed_url=url) if key else None
            if request is not None:
                yield request

    def _count(self, key: str) -> None:
        self.crawler.stats.inc_value(f"newscrawl/{key}")
