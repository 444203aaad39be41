"""Scrapy's feed exports of a crawl: ``scrapy crawl joongdo -O articles.jsonl`` (any format
Scrapy ships: jsonl, json, csv, xml…) or the ``FEEDS`` setting.

A crawl's items are its articles plus the failures and 304 answers it records in the archive;
a feed holds the articles (an :class:`~newscrawl.items.Article` each) unless the feed names its
own ``item_classes`` or ``item_filter``. A feed that could not be written makes
``scrapy crawl`` exit 1 (:mod:`newscrawl.commands.crawl`).
"""

from __future__ import annotations

from typing import Any

from scrapy.extensions.feedexport import FeedExporter, ItemFilter
from scrapy.settings import BaseSettings
from scrapy.statscollectors import StatsCollector

from ..items import Article


class ArticleFeeds(FeedExporter):
    """Scrapy's feed exporter, whose feeds hold the articles unless they choose their items."""

    def _load_filter(self, feed_options: dict[str, Any]) -> ItemFilter:
        if not {"item_classes", "item_filter"} & set(feed_options):
            feed_options = {**feed_options, "item_classes": [Article]}
        return super()._load_filter(feed_options)


def feed_failure(settings: BaseSettings, stats: StatsCollector) -> str | None:
    """Why the crawl's feeds were not all written, or None when they were (or there were none)."""
    feeds = len(settings.getdict("FEEDS"))
    counts: dict[str, Any] = stats.get_stats()
    stored = sum(value for key, value in counts.items() if key.startswith("feedexport/success_count/"))
    failed = sum(value for key, value in counts.items() if key.startswith("feedexport/failed_count/"))
    if failed or stored < feeds:
        return f"{feeds - stored} of {feeds} feed(s) were not written (the log above says why)"
    return None
