"""What the CLI commands do, as plain functions: extract a saved page, fetch one article,
list the site profiles.

``extract`` and ``fetch`` run the project's item pipelines (:mod:`newscrawl.pipelines`):
``extract`` without a crawler, ``fetch`` inside a real Scrapy crawl of one URL.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from parsel import Selector
from scrapy import signals
from scrapy.crawler import CrawlerProcess
from scrapy.settings import Settings
from scrapy.spiderloader import SpiderLoader

from .archive.paths import archive_path
from .errors import BadURL, FetchFailed, NewscrawlError, NotAnArticle
from .items import Article, FetchFailure, RawPage
from .pipelines import run_offline
from .sites import GENERIC, PROFILES, SiteProfile, choose_profile


def project_settings(overrides: dict[str, Any] | None = None) -> Settings:
    """newscrawl's Scrapy settings with ``overrides`` applied on top."""
    settings = Settings()
    settings.setmodule("newscrawl.settings", priority="project")
    settings.update(overrides or {}, priority="cmdline")
    return settings


_BOOLEANS = ("True", "true", "False", "false", "1", "0")  # what Settings.getbool reads


def check_setting_types(overrides: dict[str, str]) -> None:
    """Raise :class:`NewscrawlError` for a ``-s NAME=VALUE`` that cannot be read as its
    setting's kind (``DOWNLOAD_DELAY=abc``), before Scrapy fails on it with a traceback. A
    numeric setting takes any number (an int default may be read with ``getfloat``)."""
    defaults = project_settings()
    for name, value in overrides.items():
        default = defaults.get(name)
        if isinstance(default, bool) and value not in _BOOLEANS:
            raise NewscrawlError(f"-s {name}={value}: {name} must be true or false (default: {default})")
        if isinstance(default, (int, float)) and not isinstance(default, bool) and not _is_number(value):
            raise NewscrawlError(f"-s {name}={value}: {name} must be a number (default: {default})")


def _is_number(value: str) -> bool:
    try:
        float(value)
    except ValueError:
        return False
    return True


def check_fetchable(url: str) -> None:
    """Raise :class:`BadURL` unless ``url`` is an http(s) URL with a host."""
    try:
        parts = urlsplit(url)
        host = parts.hostname
    except ValueError:  # "http://[::1/x": an unclosed IPv6 bracket
        raise BadURL(f"not a valid URL: {url!r}") from None
    if parts.scheme not in ("http", "https") or not host:
        raise BadURL(f"not an http(s) URL: {url!r} (only web pages can be fetched)")


def generic_note(article: Article) -> str | None:
    """The one-line notice that ``article`` was read without a site profile, or None."""
    if article.profile != GENERIC.name:
        return None
    host = urlsplit(article.url).hostname
    return f"no site profile for host {host}: read with generic extraction (see `newscrawl sites`)"


def site_profiles() -> list[dict[str, str]]:
    """``[{name, title, matches}]``: each profile and how a URL or page finds it."""
    return [{"name": p.name, "title": p.title, "matches": _how_matched(p)} for p in PROFILES.values()]


def _how_matched(profile: SiteProfile) -> str:
    if profile is GENERIC:
        return "any other http(s) URL (fallback: labels, metadata and main-text extraction, no selectors)"
    shape = f"article URLs {profile.article_url_shape()}"
    if not profile.any_host:
        return f"hosts {', '.join(profile.domains)} and their subdomains; {shape}"
    markers = ", ".join(profile.markers)
    return f"any host with {shape}, or any page carrying {markers}"


def extract_file(path: str | Path, url: str | None = None, site: str | None = None,
                 content_type: str | None = None) -> Article:
    """The article in a saved page, through the same pipelines as a crawl (nothing stored)."""
    if not Path(path).is_file():  # a FIFO or a device would be read forever
        raise NewscrawlError(f"{path}: not a regular file (extract reads a saved page)")
    body = Path(path).read_bytes()
    url = url or _declared_url(body)
    if not url:
        raise BadURL(f"{path}: the page names no URL of its own; give it with --url")
    profile = choose_profile(url, site)
    page = RawPage(url=url, status=200, headers={"content-type": [content_type]} if content_type else {},
                   body=body, encoding=None, fetched_at=None, site=profile.name)
    return run_offline(page, project_settings({"NEWSCRAWL_STORE": False}))


def _declared_url(body: bytes) -> str | None:
    selector = Selector(body=body[:65536], type="html")
    return selector.xpath('//link[@rel="canonical"]/@href | //meta[@property="og:url"]/@content').get()


def fetch(url: str, site: str | None = None, settings: dict[str, Any] | None = None) -> Article:
    """Download ``url`` with a real Scrapy crawl and run it through the pipelines.

    Stores the article unless ``NEWSCRAWL_STORE`` is False. Raises :class:`FetchFailed` or
    :class:`NotAnArticle` with the reason when there is no article to return.
    """
    check_fetchable(url)
    profile = choose_profile(url, site)
    crawl_settings = project_settings(settings)
    if crawl_settings.getbool("NEWSCRAWL_STORE"):
        archive_path(crawl_settings.get("NEWSCRAWL_DB"))  # a bad --db is refused before the download
    spider_class = SpiderLoader.from_settings(crawl_settings).load(profile.name)
    outcome: dict[str, Any] = {}

    def scraped(item: Any) -> None:
        outcome["article" if isinstance(item, Article) else "failure"] = item

    def dropped(item: Any, exception: BaseException) -> None:
        outcome["dropped"] = str(exception)

    def errored(failure: Any) -> None:
        outcome["error"] = failure.getErrorMessage()

    def closed(spider: Any, reason: str) -> None:
        if reason == "closespider_timeout":
            outcome["timeout"] = crawl_settings.getfloat("CLOSESPIDER_TIMEOUT")

    process = CrawlerProcess(crawl_settings)
    crawler = process.create_crawler(spider_class)
    crawler.signals.connect(scraped, signal=signals.item_scraped)
    crawler.signals.connect(dropped, signal=signals.item_dropped)
    crawler.signals.connect(errored, signal=signals.spider_error)
    crawler.signals.connect(closed, signal=signals.spider_closed)
    process.crawl(crawler, url=url)
    process.start()
    return _fetch_result(url, outcome)


def _fetch_result(url: str, outcome: dict[str, Any]) -> Article:
    if "article" in outcome:
        return outcome["article"]
    if "dropped" in outcome:
        raise NotAnArticle(f"{url}: {outcome['dropped']}")
    if isinstance(outcome.get("failure"), FetchFailure):
        raise FetchFailed(f"{url}: {outcome['failure'].error}")
    if "error" in outcome:
        raise FetchFailed(f"{url}: {outcome['error']}")
    if "timeout" in outcome:
        raise FetchFailed(f"{url}: timed out: no article within {outcome['timeout']:g} s (--timeout)")
    raise FetchFailed(f"{url}: no response (the request was filtered before download)")
