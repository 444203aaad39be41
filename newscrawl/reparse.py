"""Re-extraction: run the current extractor over the raw pages kept in the archive.

Each article's latest stored page is read again with :func:`newscrawl.read_page` and saved
with :meth:`newscrawl.Archive.save`, as in a crawl, so an improved extractor updates the
archive without touching the network: an article whose content now reads differently gets
a new revision (the old one stays), the others are unchanged. The page is re-read as of
its last fetch, so "last seen" times do not move.

Pages are read and extracted by worker processes, one per core, each with its own
read-only connection; an article that reads exactly as stored (the same content and the
same lists beside it) costs no write. The rest are stored by this process, the archive's
one writer, in article order.
"""

from __future__ import annotations

import dataclasses
import multiprocessing
import os
import sqlite3
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from sqlite_utils import Database

from .archive import load_page
from .archive.api import Archive
from .archive.lists import by_list, list_hash_of, lists_seen
from .archive.revisions import current_content, revision_content
from .archive.store import content_hash, content_of
from .errors import NotAnArticle
from .items import Article
from .reading import read_page

#: Articles per task sent to a worker: enough to make sending them cheap.
CHUNK = 64


@dataclass(frozen=True)
class Change:
    """An article that got a new revision: which one, and which fields differ from the last."""

    article_rowid: int
    site: str
    article_id: str
    title: str
    revision: int
    fields: list[str]


@dataclass
class ReparseReport:
    """What a re-extraction did: counts by outcome, the changed articles, the dropped pages."""

    counts: dict[str, int] = field(default_factory=lambda: {"unchanged": 0, "updated": 0, "new": 0, "dropped": 0})
    changes: list[Change] = field(default_factory=list)
    dropped: list[tuple[str, str]] = field(default_factory=list)  # (url, reason)


def reparse(db_path: str | Path, site: str | None = None, workers: int | None = None) -> ReparseReport:
    """Re-extract the latest page of every article (of ``site``) into the archive at
    ``db_path``, in ``workers`` processes (default: one per core)."""
    report = ReparseReport()
    with Archive(db_path) as archive:
        pages = archive.latest_page_ids(site)
        chunks = [pages[start:start + CHUNK] for start in range(0, len(pages), CHUNK)]
        with _rereading(archive.path, workers or os.cpu_count() or 1, len(chunks)) as reread:
            for results in reread(chunks):
                for outcome, value in results:
                    if outcome == "dropped":
                        report.counts["dropped"] += 1
                        report.dropped.append(value)
                    elif outcome == "unchanged":
                        report.counts["unchanged"] += 1
                    else:
                        _store(archive, value, report)
    return report


def _store(archive: Archive, article: Article, report: ReparseReport) -> None:
    outcome = archive.save(article).outcome
    report.counts[outcome] += 1
    if outcome == "updated":
        report.changes.append(_change(archive.db, article.site, article.article_id))


@contextmanager
def _rereading(db_path: str | Path, workers: int, tasks: int) -> Iterator[Any]:
    """A function from chunks of pages to their results, in order: in this process for one
    worker (or one chunk), else in a pool of spawned processes (forking a process that
    holds SQLite connections and Scrapy's state would be unsafe)."""
    if min(workers, tasks) <= 1:
        _open_worker(str(db_path))
        try:
            yield lambda chunks: map(_reread, chunks)
        finally:
            _worker.pop("db").close()
        return
    context = multiprocessing.get_context("spawn")
    with context.Pool(min(workers, tasks), initializer=_open_worker, initargs=(str(db_path),)) as pool:
        yield lambda chunks: pool.imap(_reread, chunks)


_worker: dict[str, Any] = {}


def _open_worker(db_path: str) -> None:
    """A worker's read-only connection to the archive."""
    _worker["db"] = Database(sqlite3.connect(f"file:{db_path}?mode=ro", uri=True))


def _reread(pages: list[tuple[int, int, str]]) -> list[tuple[str, Any]]:
    """Each page extracted again: ``("dropped", (url, reason))``, ``("unchanged", None)`` or
    ``("store", article)``."""
    db = _worker["db"]
    results: list[tuple[str, Any]] = []
    for rowid, page_id, last_fetched_at in pages:
        page = dataclasses.replace(load_page(db, page_id), fetched_at=last_fetched_at)
        try:
            article = read_page(page)
        except NotAnArticle as exc:
            results.append(("dropped", (page.url, str(exc))))
            continue
        results.append(("unchanged", None) if _as_stored(db, rowid, article) else ("store", article))
    return results


def _as_stored(db: Database, rowid: int, article: Article) -> bool:
    """Whether storing ``article`` would change nothing of article ``rowid``: the same
    article, content, last fetch and lists beside it."""
    stored = db.execute("SELECT site, article_id, content_hash, last_fetched_at FROM articles WHERE id = ?",
                        [rowid]).fetchone()
    lists = {list_hash_of(name, entries) for name, entries in by_list(article.related)}
    return (stored == (article.site, article.article_id, content_hash(content_of(article)), article.fetched_at)
            and lists == lists_seen(db, rowid, article.fetched_at))


def _change(db: Database, site: str, article_id: str) -> Change:
    """The article's new revision, compared field by field with the one before it."""
    rowid, title, revision = db.execute(
        "SELECT id, title, revision FROM articles WHERE site = ? AND article_id = ?", [site, article_id]).fetchone()
    (before,), (after,) = db.execute(
        "SELECT data FROM revisions WHERE article = ? AND revision IN (?, ?) ORDER BY revision",
        [rowid, revision - 1, revision]).fetchall()
    before, after = revision_content(before), revision_content(after, current_content(db, rowid))
    fields = [name for name in after if before.get(name) != after[name]]
    return Change(rowid, site, article_id, title, revision, fields)
