"""How big each benchmark runs: ``quick`` (a smoke test), ``full`` and ``million`` (what docs/benchmarks.md
reports; ``million`` searches an archive of 1,000,000 articles)."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class ClusterSize:
    """The cluster benchmark (benchmarks/cluster.py): sites, articles each, worker counts."""

    sites: int
    articles: int
    workers: tuple[int, ...]
    #: every answer takes this long (a server far away), seconds
    latency: float = 0.2
    #: each site's politeness: one request per ``delay`` seconds, ``concurrency`` at a time
    delay: float = 0.1
    concurrency: int = 4
    #: each worker's requests in flight (CONCURRENT_REQUESTS): below what the sites allow, so
    #: that one worker cannot reach their ceiling alone and the table shows workers adding up
    worker_concurrency: int = 16
    #: results stored to measure the writer's ceiling
    writer_articles: int = 2000


@dataclass(frozen=True)
class Size:
    extraction_pages: int
    extraction_rounds: int
    #: articles of the site the crawl benchmark crawls (its pages also feed the extraction one)
    crawl_articles: int
    #: articles of the crawl whose memory is sampled; its archive is the disk benchmark's
    memory_articles: int
    search_articles: int
    search_queries: int
    search_rounds: int
    concurrency: int = 16
    #: the body benchmark on the six pages of tests/fixtures (True) or the whole benchmark
    body_quick: bool = False
    body_rounds: int = 3
    cluster: ClusterSize = ClusterSize(sites=2, articles=20, workers=(1, 2), writer_articles=200)

    def describe(self) -> str:
        return (f"extraction {self.extraction_pages} pages × {self.extraction_rounds} rounds; "
                f"crawl {self.crawl_articles:,} articles; memory and disk {self.memory_articles:,} articles; "
                f"search {self.search_articles:,} articles, {self.search_queries} queries × {self.search_rounds}; "
                f"crawl concurrency {self.concurrency}; body {'6 pages' if self.body_quick else 'all pages'} "
                f"× {self.body_rounds} rounds; cluster {self.cluster.sites} sites × "
                f"{self.cluster.articles} articles, workers {'/'.join(map(str, self.cluster.workers))}")


SIZES = {
    "quick": Size(extraction_pages=10, extraction_rounds=2, crawl_articles=100, memory_articles=200,
                  search_articles=500, search_queries=20, search_rounds=1, body_quick=True, body_rounds=1),
    "full": Size(extraction_pages=200, extraction_rounds=5, crawl_articles=5_000, memory_articles=20_000,
                 search_articles=100_000, search_queries=60, search_rounds=5,
                 cluster=ClusterSize(sites=12, articles=100, workers=(1, 2, 4), writer_articles=3000)),
    # the full size's crawls, and search at the scale of a real regional archive
    "million": Size(extraction_pages=200, extraction_rounds=5, crawl_articles=5_000, memory_articles=20_000,
                    search_articles=1_000_000, search_queries=48, search_rounds=1),
}
