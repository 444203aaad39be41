"""The table ``newscrawl crawl`` prints when a run ends, from its ``crawl_runs`` row."""

from __future__ import annotations

import json
from datetime import datetime
from typing import Any


def format_summary(run: dict[str, Any], failures: list[dict[str, Any]]) -> str:
    """A few aligned lines: what the run crawled, fetched and stored, its failures and problems."""
    health = json.loads(run["health"] or "{}")
    seconds = _seconds(run["started_at"], run["ended_at"])
    articles = run["articles_new"] + run["articles_updated"] + run["articles_unchanged"] + run["articles_failed"]
    rate = articles / (seconds / 60) if seconds else 0.0
    missing = health.get("missing", {})
    rows = [
        ("window", f"{run['window_since']} → {run['window_until'] or 'now'}"),
        ("time", f"{run['started_at']} → {run['ended_at']} ({seconds:.0f} s)"),
        ("pages fetched", f"{run['pages_fetched']} ({run['bytes'] / 1e6:.1f} MB), of which "
                          f"{run['discovery_pages']} feed/list pages ({run['discovery_failed']} failed)"),
        ("articles", f"{run['articles_new']} new · {run['articles_updated']} updated · "
                     f"{run['articles_unchanged']} unchanged · {run['not_articles']} not articles · "
                     f"{run['articles_failed']} failed · {run['skipped']} skipped"),
        ("rate", f"{rate:.1f} articles/min"),
        ("missing", " · ".join(f"{name} {count}" for name, count in missing.items())
         + f" (of {health.get('articles', 0)} article pages)"),
    ]
    width = max(len(label) for label, _ in rows)
    lines = [f"newscrawl crawl {run['site']}: run {run['id']} (job {run['job']}) "
             f"{run['stop_reason']}, exit status {run['exit_status']}"]
    lines += [f"  {label.ljust(width)}  {value}" for label, value in rows]
    if failures:
        lines.append(f"failures recorded by this run ({len(failures)} shown; all are in the failures table):")
        lines += [f"  {f['kind']:<10} {_failure_text(f)}" for f in failures]
    if run["problems"]:
        lines.append("PROBLEMS:")
        lines += [f"  {line}" for line in run["problems"].splitlines()]
    return "\n".join(lines)


def _failure_text(failure: dict[str, Any]) -> str:
    """The error, followed by the URL unless the error names it already."""
    if failure["url"] in failure["error"]:
        return failure["error"]
    return f"{failure['error']}  {failure['url']}"


def _seconds(start: str, end: str | None) -> float:
    if not end:
        return 0.0
    return (datetime.fromisoformat(end) - datetime.fromisoformat(start)).total_seconds()
