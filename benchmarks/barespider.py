"""The crawl benchmark's reference: Scrapy downloading the same pages and doing nothing else.

    python -m benchmarks.barespider URLS_FILE CONCURRENCY

requests every URL of URLS_FILE (one a line) with Scrapy's defaults plus the settings the
newscrawl run gets (concurrency, no AutoThrottle, no delay, robots.txt obeyed) and drops
each response. It prints Scrapy's stats as JSON on the last line of stdout.
"""

from __future__ import annotations

import json
import sys
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import scrapy
from scrapy.crawler import CrawlerProcess


class BareSpider(scrapy.Spider):
    name = "bare"

    def __init__(self, urls: list[str], **kwargs: Any):
        super().__init__(**kwargs)
        self.urls = urls

    async def start(self) -> AsyncIterator[scrapy.Request]:
        for url in self.urls:
            yield scrapy.Request(url, callback=self.parse)

    def parse(self, response: scrapy.http.Response) -> None:
        return None


def crawl_settings(concurrency: int) -> dict[str, Any]:
    """What both crawls of the benchmark run with: throughput, not politeness."""
    return {"AUTOTHROTTLE_ENABLED": False, "DOWNLOAD_DELAY": 0, "CONCURRENT_REQUESTS": concurrency,
            "CONCURRENT_REQUESTS_PER_DOMAIN": concurrency, "LOG_LEVEL": "INFO"}


def main() -> None:
    urls = Path(sys.argv[1]).read_text().split()
    process = CrawlerProcess({**crawl_settings(int(sys.argv[2])), "ROBOTSTXT_OBEY": True,
                              "TELNETCONSOLE_ENABLED": False})
    crawler = process.create_crawler(BareSpider)
    process.crawl(crawler, urls=urls)
    process.start()
    print(json.dumps(crawler.stats.get_stats(), default=str))


if __name__ == "__main__":
    main()
