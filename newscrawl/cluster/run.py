"""The command side of a cluster: check the Redis address, run a worker."""

from __future__ import annotations

from typing import Any

from redis.exceptions import RedisError
from scrapy.crawler import CrawlerProcess

from ..errors import NewscrawlError
from ..run import project_settings
from .coordinator import coordinator_settings
from .frontier import connect


class ClusterUnreachable(NewscrawlError):
    """The cluster's Redis is not at the address given, or does not answer."""


def check_cluster(url: str | None) -> dict[str, Any]:
    """The settings of a coordinator of the cluster at ``url`` (none without one), once its
    Redis has answered."""
    if not url:
        return {}
    try:
        connect(url).close()
    except (RedisError, ValueError) as exc:
        raise ClusterUnreachable(f"cannot reach the cluster's Redis at {url}: {exc}") from None
    return coordinator_settings(url)


def run_worker(url: str, settings: dict[str, Any]) -> None:
    """Serve the frontier at ``url`` until stopped (SIGTERM, Ctrl-C)."""
    check_cluster(url)
    process = CrawlerProcess(project_settings({**settings, "NEWSCRAWL_CLUSTER": url}))
    process.crawl("cluster-worker")
    process.start()
