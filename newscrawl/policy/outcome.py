"""How a run went, from Scrapy's stats: its counts, why it stopped, its exit status.

Pure functions of the stats dictionary, shared by the run recorder (which stores them in
``crawl_runs``) and the summary the ``crawl`` command prints.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

#: crawl_runs column -> the stats key it counts.
COUNTERS = {
    "pages_fetched": "downloader/response_count",
    "bytes": "downloader/response_bytes",
    "articles_new": "newscrawl/articles/new",
    "articles_updated": "newscrawl/articles/updated",
    "articles_unchanged": "newscrawl/articles/unchanged",
    "articles_failed": "newscrawl/failures/fetch",
    "not_articles": "newscrawl/not_articles",
    "discovery_pages": "newscrawl/discovery/pages",
    "discovery_failed": "newscrawl/failures/discovery",
}
#: Stop reasons of a run that did what it was asked.
COMPLETE = ("finished", "max_articles")


#: crawl_runs column -> the stats key of the photo downloads its count includes (not pages).
PHOTO_COUNTERS = {"pages_fetched": "newscrawl/photos/responses", "bytes": "newscrawl/photos/bytes"}


def run_counts(stats: dict[str, Any]) -> dict[str, int]:
    counts = {column: int(stats.get(key, 0)) - int(stats.get(PHOTO_COUNTERS.get(column, ""), 0))
              for column, key in COUNTERS.items()}
    # an article fetched but not written (the archive stayed locked) failed too
    counts["articles_failed"] += int(stats.get("newscrawl/failures/write", 0))
    counts["skipped"] = sum(int(v) for k, v in stats.items() if k.startswith("newscrawl/skipped/"))
    return counts


def stop_reason(reason: str, stats: dict[str, Any]) -> str:
    """Scrapy's close reason, or ``max_articles`` when a finished run left articles for later."""
    if reason == "finished" and stats.get("newscrawl/skipped/max-articles"):
        return "max_articles"
    return reason


def problems(stop: str, counts: dict[str, int], alarm: str | None, discovery: Iterable[str] = ()) -> list[str]:
    """Why the run should exit non-zero, one line each (empty: it went well); ``discovery``
    holds what the spider found wrong with discovery itself (a site with no feed at all)."""
    found = [alarm] if alarm else []
    found += discovery
    if stop not in COMPLETE:
        found.append(f"the run stopped before the end ({stop}); `newscrawl crawl SITE --resume` continues it")
    if counts["discovery_failed"] and not counts["discovery_pages"]:
        found.append("no feed or list page could be fetched: is the site reachable from here?")
    fetched = counts["articles_new"] + counts["articles_updated"] + counts["articles_unchanged"]
    if counts["articles_failed"] and not fetched:
        found.append(f"all {counts['articles_failed']} article fetches failed")
    return found
