"""What the archive knows that decides what a crawl fetches: when each article was last
fetched, its age, the validators (ETag, Last-Modified) of its stored page, past failures.

Times are compared as ISO 8601 text: every time in the archive is written in Asia/Seoul
with seconds precision, so text order is time order.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from dataclasses import dataclass

from sqlite_utils import Database

from .transaction import write_transaction


@dataclass(frozen=True)
class ArticleState:
    article_id: str
    #: Publication time, or first-seen time for an article whose page shows none.
    published_at: str
    last_fetched_at: str
    etag: str | None
    last_modified: str | None
    #: False when the stored copy was cut short in transfer.
    complete: bool
    #: Fewest failed attempts among its photos that could not be downloaded (None: none failed).
    photo_attempts: int | None = None


_STATE = (
    "SELECT a.article_id, coalesce(a.published_at, a.first_seen_at), a.last_fetched_at,"
    " json_extract(p.headers, '$.etag[0]'), json_extract(p.headers, '$.\"last-modified\"[0]'), coalesce(a.complete, 1),"
    " (SELECT min(f.attempts) FROM photos ph JOIN failures f ON f.url = ph.url AND f.kind = 'photo'"
    "  WHERE ph.article = a.id)"
    " FROM articles a LEFT JOIN pages p ON p.id = a.page_id"
)


def article_state(db: Database, site: str, article_id: str) -> ArticleState | None:
    # sql: _STATE is a constant; values are parameters
    row = db.execute(f"{_STATE} WHERE a.site = ? AND a.article_id = ?", [site, article_id]).fetchone()
    return ArticleState(*row) if row else None


def revisit_candidates(db: Database, site: str, published_after: str, published_before: str | None,
                       fetched_before: str) -> Iterator[ArticleState]:
    """Articles published in the range and last fetched at or before ``fetched_before``, newest first."""
    rows = db.execute(  # sql: _STATE is a constant; values are parameters
        f"{_STATE} WHERE a.site = ? AND coalesce(a.published_at, a.first_seen_at) >= ?"
        " AND (? IS NULL OR coalesce(a.published_at, a.first_seen_at) < ?) AND a.last_fetched_at <= ?"
        " ORDER BY 2 DESC",
        [site, published_after, published_before, published_before, fetched_before],
    )
    for row in rows:
        yield ArticleState(*row)


def failed_attempts(db: Database, url: str) -> int:
    """How many times fetching ``url`` has failed (0 when it never did or succeeded since)."""
    row = db.execute("SELECT attempts FROM failures WHERE url = ?", [url]).fetchone()
    return row[0] if row else 0


def failures_to_retry(db: Database, site: str, kinds: Iterable[str], max_attempts: int,
                      failed_before: str) -> list[str]:
    """URLs of ``site`` that failed fewer than ``max_attempts`` times, last at or before ``failed_before``."""
    kinds = list(kinds)
    marks = ", ".join("?" for _ in kinds)
    # sql: one placeholder per kind; the kinds are parameters
    rows = db.execute(
        f"SELECT url FROM failures WHERE site = ? AND kind IN ({marks}) AND attempts < ?"
        " AND last_failed_at <= ? ORDER BY last_failed_at DESC",
        [site, *kinds, max_attempts, failed_before],
    )
    return [row[0] for row in rows]


def articles_fetched_since(db: Database, site: str, since: str) -> int:
    """Article fetches of ``site`` recorded at or after ``since``: stored or failed (an
    incomplete article is both, and counts once)."""
    stored = db.execute("SELECT count(*) FROM articles WHERE site = ? AND last_fetched_at >= ?",
                        [site, since]).fetchone()[0]
    failed = db.execute("SELECT count(*) FROM failures WHERE site = ? AND kind NOT IN ('discovery', 'incomplete')"
                        " AND last_failed_at >= ?", [site, since]).fetchone()[0]
    return stored + failed


def clear_failures(db: Database, urls: Iterable[str]) -> None:
    """Forget the failures of ``urls`` (they were fetched successfully since)."""
    with write_transaction(db):
        for url in urls:
            db.execute("DELETE FROM failures WHERE url = ?", [url])
