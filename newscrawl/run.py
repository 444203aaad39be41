"""What the CLI commands do, as plain functions: extract a saved page, fetch one article,
list the site profiles.

``extract`` reads a saved page with :func:`newscrawl.read_article`; ``fetch`` downloads one
with a real Scrapy crawl of one URL, through the project's item pipelines
(:mod:`newscrawl.pipelines`), which read and store it with the same library calls.
"""

from __future__ import annotations

import multiprocessing
import sys
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from parsel import Selector
from scrapy import signals
from scrapy.crawler import CrawlerProcess
from scrapy.settings import Settings
from scrapy.spiderloader import SpiderLoader

from .errors import BadURL, FetchFailed, NewscrawlError, NotAnArticle
from .items import Article, FetchFailure
from .links import check_web_url
from .reading import read_article
from .archive import DEFAULT_PATH
from .archive.paths import archive_path
from .extract.encoding import decode_html
from .extract.layout import explain_profile
from .extract.select import parse_html
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


def profile_choice(url: str, html: str | Path | None = None) -> tuple[SiteProfile, str]:
    """The profile ``fetch`` reads ``url`` with and why, judged on the saved page ``html`` if given."""
    root = parse_html(decode_html(Path(html).read_bytes())[0]) if html else None
    return explain_profile(url, root)


def extract_file(path: str | Path, url: str | None = None, site: str | None = None,
                 content_type: str | None = None) -> Article:
    """The article in a saved page (nothing stored): :func:`read_article` of its bytes."""
    return extract_bytes(Path(path).read_bytes(), str(path), url, site, content_type)


def extract_bytes(body: bytes, name: str, url: str | None = None, site: str | None = None,
                  content_type: str | None = None) -> Article:
    """:func:`extract_file` of a page already read (from standard input); ``name`` names it in errors."""
    url = url or _declared_url(body)
    if not url:
        raise BadURL(f"{name}: the page names no URL of its own; give it with --url")
    return read_article(body, url, content_type=content_type, site=site)


def _declared_url(body: bytes) -> str | None:
    selector = Selector(body=body[:65536], type="html")
    return selector.xpath('//link[@rel="canonical"]/@href | //meta[@property="og:url"]/@content').get()


def fetch(url: str, *, site: str | None = None, db: str | Path = DEFAULT_PATH, store: bool = True,
          timeout: float = 30.0, settings: dict[str, Any] | None = None) -> Article:
    """Download the article at ``url`` with a real (polite) Scrapy crawl, read every field and,
    unless ``store`` is False, store it in the archive at ``db``.

    ``site`` names the site profile to read it with (default: the URL's); ``timeout`` is in
    seconds; ``settings`` overrides Scrapy or ``NEWSCRAWL_`` settings. Raises
    :class:`~newscrawl.errors.FetchFailed` or :class:`~newscrawl.errors.NotAnArticle` with
    the reason when there is no article to return.

    Twisted's reactor runs once per process: the first call crawls in this process, every
    later one in a fresh child process (about a second more), so ``fetch`` can be called
    any number of times.
    """
    if not timeout > 0:
        raise NewscrawlError(f"--timeout must be a positive number of seconds, not {timeout:g}")
    # A single fetch reports its failure to its caller; only crawls keep failures for a retry.
    # The timeout bounds the whole fetch (robots.txt, retries and their back-off included).
    settings = {"NEWSCRAWL_DB": str(db), "NEWSCRAWL_STORE": store, "NEWSCRAWL_RECORD_FAILURES": False,
                "DOWNLOAD_TIMEOUT": timeout, "CLOSESPIDER_TIMEOUT": timeout, "LOG_LEVEL": "WARNING",
                **(settings or {})}
    check_web_url(url)
    if _reactor_has_run():
        return _fetch_in_child(url, site, settings)
    return _fetch_here(url, site, settings)


def _reactor_has_run() -> bool:
    if "twisted.internet.reactor" not in sys.modules:
        return False
    from twisted.internet import reactor
    return bool(getattr(reactor, "_startedBefore", False))


def _fetch_in_child(url: str, site: str | None, settings: dict[str, Any] | None) -> Article:
    with ProcessPoolExecutor(1, mp_context=multiprocessing.get_context("spawn")) as child:
        outcome = child.submit(_fetch_outcome, url, site, settings).result()
    if isinstance(outcome, Article):
        return outcome
    error, message = outcome
    raise (NotAnArticle if error == "not-article" else FetchFailed)(message)


def _fetch_outcome(url: str, site: str | None, settings: dict[str, Any] | None) -> Article | tuple[str, str]:
    """In the child: the article, or ``(kind, message)`` of the error (sent back as plain
    values: some error classes take more than a message and would not unpickle)."""
    try:
        return _fetch_here(url, site, settings)
    except NotAnArticle as exc:
        return "not-article", str(exc)
    except NewscrawlError as exc:
        return "failed", str(exc)


def _fetch_here(url: str, site: str | None, settings: dict[str, Any] | None) -> Article:
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
