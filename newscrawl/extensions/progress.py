"""How far a site crawl has got: articles done of those to fetch, the rate, and the time left.

Discovery (the feeds and lists) finds the articles to fetch, and goes on all through a
crawl: an article goes before the next list page, so that the queue stays one list page
deep. Lists are newest first, so while discovery goes on the total is estimated from how far
back in the window the lists have reached (40 found in the newest 60 % of the window: about
67 in all); once it is over the total is known. (The due revisits and the retries of earlier
failures join the total when the new articles are done: they are scheduled when the crawl
would otherwise end.)

On a terminal this is a live bar (tqdm) under the log; elsewhere (cron, systemd, a log file)
a line logged every ``NEWSCRAWL_PROGRESS_INTERVAL`` seconds::

    progress: 120/412 articles (29%) · 121.2/min · ETA 2.4 min · 110 new · 2 updated · 5 unchanged · 3 failed
    progress: 40 of ~67 articles (discovering: 60% of the window listed) · 212.6/min · ETA ~7 s · 36 new · …
"""

from __future__ import annotations

import logging
import sys
import time
from collections.abc import Iterator
from contextlib import ExitStack, contextmanager
from dataclasses import dataclass
from typing import Any

from scrapy import Request, Spider, signals
from scrapy.crawler import Crawler
from scrapy.exceptions import NotConfigured
from scrapy.http import Response
from scrapy.utils.asyncio import create_looping_call
from scrapy.utils.log import get_scrapy_root_handler
from tqdm import tqdm

from ..items import FetchFailure

logger = logging.getLogger(__name__)

#: Stats that each end one scheduled article: stored, not an article, failed, never sent.
DONE_KEYS = ("newscrawl/articles/new", "newscrawl/articles/updated", "newscrawl/articles/unchanged",
             "newscrawl/not_articles", "newscrawl/errors", "newscrawl/failures/fetch", "newscrawl/failures/robots",
             "newscrawl/skipped/site-down")
#: How often the bar is redrawn (seconds).
BAR_REFRESH = 0.5


@dataclass(frozen=True)
class Snapshot:
    """The crawl's progress at one moment."""

    done: int
    total: int
    discovering: bool
    elapsed: float
    new: int
    updated: int
    unchanged: int
    failed: int
    #: While discovering: the share of the window the lists have reached back through, if they date their items.
    listed: float | None = None

    @classmethod
    def from_stats(cls, stats: dict[str, Any], elapsed: float, discovering: bool,
                   listed: float | None = None) -> Snapshot:
        def count(key: str) -> int:
            return int(stats.get(key, 0))

        total = sum(int(value) for key, value in stats.items() if key.startswith("newscrawl/fetch/"))
        return cls(done=sum(count(key) for key in DONE_KEYS), total=total, discovering=discovering, elapsed=elapsed,
                   new=count("newscrawl/articles/new"), updated=count("newscrawl/articles/updated"),
                   unchanged=count("newscrawl/articles/unchanged"),
                   failed=count("newscrawl/failures/fetch"),  # as the summary counts them: robots apart
                   listed=listed if discovering else None)

    @property
    def expected(self) -> int | None:
        """The total: known once discovery is over, estimated while the lists date their items."""
        if not self.discovering:
            return self.total
        if not self.listed:
            return None
        return max(self.total, round(self.total / self.listed))

    @property
    def rate(self) -> float:
        """Articles a minute."""
        return self.done / max(self.elapsed, 1e-9) * 60

    @property
    def eta(self) -> float | None:
        """Seconds left, once the total is known or estimated and something is done."""
        if self.expected is None or not self.done:
            return None
        return max(self.expected - self.done, 0) / self.rate * 60

    def outcomes(self) -> str:
        return f"{self.new} new · {self.updated} updated · {self.unchanged} unchanged · {self.failed} failed"

    def line(self) -> str:
        """The progress line logged when there is no bar."""
        about = "~" if self.discovering else ""
        if self.expected is None:
            head = f"{self.done} of {self.total} articles found so far (discovering)"
        elif self.discovering:
            head = f"{self.done} of ~{self.expected} articles (discovering: {self.listed:.0%} of the window listed)"
        else:
            share = self.done / self.total if self.total else 1.0
            head = f"{self.done}/{self.total} articles ({share:.0%})"
        eta = "" if self.eta is None else f" · ETA {about}{duration(self.eta)}"
        return f"progress: {head} · {self.rate:.1f}/min{eta} · {self.outcomes()}"


def duration(seconds: float) -> str:
    """``45 s``, ``3.4 min``, ``1.2 h``."""
    if seconds < 60:
        return f"{seconds:.0f} s"
    if seconds < 3600:
        return f"{seconds / 60:.1f} min"
    return f"{seconds / 3600:.1f} h"


class Discovery:
    """Whether the crawl is still reading its feeds and lists: a discovery request is waiting
    or in flight. Requests are followed by URL, so that a retry or a redirect, which is a new
    request for the same page, keeps the page pending."""

    def __init__(self) -> None:
        self.pending: set[str] = set()
        self.over = False

    @property
    def going_on(self) -> bool:
        return bool(self.pending) and not self.over

    def scheduled(self, request: Request) -> None:
        if request.meta.get("newscrawl_discovery"):
            self.pending.add(request.url)

    def answered(self, response: Response, request: Request) -> None:
        if request.meta.get("newscrawl_discovery"):
            self.pending.difference_update([request.url, *request.meta.get("redirect_urls", ())])

    def failed(self, item: Any) -> None:
        if isinstance(item, FetchFailure) and item.kind == "discovery":
            self.pending.discard(item.url)

    def idle(self) -> None:
        """The crawl ran out of requests: whatever discovery had left never came (filtered)."""
        self.over = True


class Progress:
    """The Scrapy extension: a bar on a terminal, else a progress line every interval."""

    def __init__(self, crawler: Crawler, interval: float, bar: bool):
        self.crawler = crawler
        self.interval = interval
        self.show_bar = bar
        self.started = time.monotonic()
        self.discovery = Discovery()
        self.task: Any = None
        self.bar: tqdm | None = None
        self.exits = ExitStack()

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> Progress:
        settings = crawler.settings
        interval = settings.getfloat("NEWSCRAWL_PROGRESS_INTERVAL")
        if not settings.getbool("NEWSCRAWL_PROGRESS_ENABLED") or interval <= 0:
            raise NotConfigured("progress lines are switched off")
        if getattr(crawler.spider, "plan", None) is None:
            raise NotConfigured  # a one-article fetch has no progress to report
        progress = cls(crawler, interval, wants_bar(settings.get("NEWSCRAWL_PROGRESS_BAR"), settings.get("LOG_LEVEL")))
        for handler, signal in ((progress.spider_opened, signals.spider_opened),
                                (progress.spider_closed, signals.spider_closed),
                                (progress.discovery.scheduled, signals.request_scheduled),
                                (progress.discovery.answered, signals.response_received),
                                (progress.discovery.failed, signals.item_scraped),
                                (progress.discovery.idle, signals.spider_idle)):
            crawler.signals.connect(handler, signal=signal)
        return progress

    def snapshot(self) -> Snapshot:
        stats = self.crawler.stats.get_stats()
        return Snapshot.from_stats(stats, time.monotonic() - self.started, self.discovery.going_on,
                                   listed_share(self.crawler.spider, stats.get("newscrawl/discovery/oldest_listed")))

    def spider_opened(self, spider: Spider) -> None:
        self.started = time.monotonic()
        if self.show_bar:
            self.bar = tqdm(desc=spider.name, unit="articles", file=sys.stderr, dynamic_ncols=True,
                            bar_format="{desc}: {n}/{total_fmt} {unit} |{bar:24}| {percentage:3.0f}% "
                                       "[{elapsed}<{remaining}, {rate_fmt}]{postfix}")
            self.exits.enter_context(logs_above(self.bar))
        self.task = create_looping_call(self.draw if self.bar is not None else self.log)
        self.task.start(BAR_REFRESH if self.bar is not None else self.interval, now=False)

    def log(self) -> None:
        logger.info(self.snapshot().line())

    def draw(self) -> None:
        assert self.bar is not None
        now = self.snapshot()
        # while discovery goes on the total is an estimate, or unknown (tqdm shows ?)
        self.bar.total = now.expected
        self.bar.update(now.done - self.bar.n)
        self.bar.set_postfix_str(("estimated · " if now.discovering else "") + now.outcomes(),
                                 refresh=False)
        self.bar.refresh()

    def spider_closed(self, spider: Spider) -> None:
        if self.task is not None and self.task.running:
            self.task.stop()
        if self.bar is not None:
            self.draw()
            self.bar.close()
        self.exits.close()


def listed_share(spider: Spider, oldest_listed: float | None) -> float | None:
    """The share of the crawl's window its lists have reached back through (lists are newest
    first), or None when they gave no dates."""
    window = getattr(spider, "window", None)
    if window is None or oldest_listed is None:
        return None
    end = (window.until or spider.job_started).timestamp()
    span = end - window.since.timestamp()
    return min(max((end - oldest_listed) / span, 0.0), 1.0) if span > 0 else 1.0


def wants_bar(setting: Any, log_level: Any) -> bool:
    """``NEWSCRAWL_PROGRESS_BAR``: ``auto`` shows the bar when stderr is a terminal and the log
    shows INFO (not under ``-q``); otherwise as a boolean."""
    if str(setting).lower() != "auto":
        return str(setting).lower() in ("1", "true", "yes", "on")
    level = logging.getLevelName(str(log_level).upper())
    return sys.stderr.isatty() and isinstance(level, int) and level <= logging.INFO


@contextmanager
def logs_above(bar: tqdm) -> Iterator[None]:
    """Scrapy's log lines printed above the bar instead of through it."""
    handler = get_scrapy_root_handler()
    if not isinstance(handler, logging.StreamHandler) or handler.stream is not sys.stderr:
        yield
        return
    wrapper = AboveTheBar(handler, bar)
    logging.root.removeHandler(handler)
    logging.root.addHandler(wrapper)
    try:
        yield
    finally:
        logging.root.removeHandler(wrapper)
        logging.root.addHandler(handler)


class AboveTheBar(logging.Handler):
    """A log handler that clears the bar, lets ``inner`` write the record, and redraws it."""

    def __init__(self, inner: logging.StreamHandler, bar: tqdm):
        super().__init__(inner.level)
        self.inner = inner
        self.bar = bar

    def handle(self, record: logging.LogRecord) -> bool:
        with self.bar.external_write_mode(file=self.inner.stream):
            return bool(self.inner.handle(record))
