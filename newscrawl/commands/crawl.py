"""``scrapy crawl``, exiting 1 when a feed export (``-O articles.jsonl``) could not be written.

Scrapy's own command exits 0 once the spider ran, however its feeds fared: a cron job or a
pipeline of commands would take an empty or missing file for a crawl that found nothing.
"""

from __future__ import annotations

import argparse
import sys

from scrapy.commands import crawl
from scrapy.crawler import Crawler
from scrapy.spiders import Spider

from ..extensions.feeds import feed_failure


class Command(crawl.Command):
    crawler: Crawler | None = None

    def _create_crawler(self, spidercls: type[Spider] | str) -> Crawler:
        self.crawler = super()._create_crawler(spidercls)
        return self.crawler

    def run(self, args: list[str], opts: argparse.Namespace) -> None:
        super().run(args, opts)
        failure = feed_failure(self.crawler.settings, self.crawler.stats) if self.crawler else None
        if failure:
            print(f"scrapy crawl: error: {failure}", file=sys.stderr)
            self.exitcode = 1
