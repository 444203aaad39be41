"""``newscrawl.Archive``: one archive, opened (and migrated) once, as a Python object.

The functions of this package take a sqlite-utils ``Database``; :class:`Archive` holds one
and offers what a user of the library does with an archive — store an article, read one
back, search, list its revisions, walk every article or stored page — so that scripts,
``reparse``, the crawl's pipeline and the tests all go through the same calls.

    with newscrawl.Archive("data/news.db") as archive:
        archive.save(newscrawl.read_article(html, url))
        for hit in archive.search("세종", limit=5):
            print(hit["title"])
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from sqlite_utils import Database

from ..items import Article, FetchFailure, Photo, RawPage, RelatedItem, Reporter
from . import open_archive
from .lock import ArchiveLock
from .pages import load_page
from .search import search
from .revisions import CONTENT_FIELDS, Revision, article_revisions, current_content, revision_content
from .paths import archive_path
from .store import SaveResult, mark_unchanged, record_failure, save_article

class Archive:
    """The SQLite archive at ``path``: created if missing, migrated to the current schema once.

    ``archive.db`` is the underlying sqlite-utils ``Database`` for anything the methods do
    not cover (SQL queries, ``db["articles"].rows_where(...)``). ``exclusive`` holds the
    archive's lock (:mod:`.lock`) from before it is opened until it is closed, as a crawl
    does; a second exclusive opener gets :class:`~newscrawl.errors.ArchiveLocked`.
    """

    def __init__(self, path: str | Path, exclusive: bool = False):
        self.path = Path(path)
        self.lock = ArchiveLock(archive_path(path)) if exclusive else None
        if self.lock:
            self.lock.acquire()
        try:
            self.db: Database = open_archive(self.path)
        except BaseException:
            self._unlock()
            raise

    # -- writing ------------------------------------------------------------------------

    def save(self, article: Article, page: RawPage | None = None) -> SaveResult:
        """Store ``article`` with its raw ``page`` (default: the page it was read from), in
        one transaction. Saving identical content again changes only the "last seen" times;
        changed content adds a revision."""
        if page is not None:
            article.page = page
        result = save_article(self.db, article)
        article.archived = result.outcome
        return result

    def mark_unchanged(self, site: str, article_id: str, url: str, seen_at: str) -> SaveResult | None:
        """Record a 304 Not Modified answer for a stored article (None: not in the archive)."""
        return mark_unchanged(self.db, site, article_id, url, seen_at)

    def record_failure(self, failure: FetchFailure) -> None:
        """Count one more failed attempt at ``failure.url`` (kept until the URL succeeds)."""
        record_failure(self.db, failure)

    # -- reading ------------------------------------------------------------------------

    def get(self, key: int | str, site: str | None = None) -> Article | None:
        """The current version of an article: by its row id (``articles.id``), its URL, or
        its ``article_id`` with ``site``. None when the archive holds no such article."""
        return next(self._articles(*_key_condition(key, site), limit=1), None)

    def __iter__(self) -> Iterator[Article]:
        """Every article's current version, oldest row first."""
        return self.articles()

    def articles(self, site: str | None = None) -> Iterator[Article]:
        """Every article (of ``site``) at its current version, in row order."""
        return self._articles("a.site = ?", [site]) if site else self._articles("1", [])

    def revisions(self, key: int | str, site: str | None = None) -> list[Revision]:
        """Every version ever seen of the article ``key`` (as for :meth:`get`), oldest first."""
        where, params = _key_condition(key, site)
        # sql: the WHERE fragment is one of _key_condition's constants; values are parameters
        row = self.db.execute(f"SELECT a.id FROM articles a WHERE {where} LIMIT 1", params).fetchone()
        return article_revisions(self.db, row[0]) if row else []

    def search(self, query: str, limit: int = 20) -> list[dict[str, Any]]:
        """Articles matching ``query`` (Korean-aware, words AND-ed), most relevant first."""
        return search(self.db, query, limit)

    def page(self, page_id: int) -> RawPage:
        """The raw page ``page_id`` as it was received."""
        return load_page(self.db, page_id)

    def latest_pages(self, site: str | None = None) -> Iterator[tuple[int, RawPage]]:
        """``(article row id, its latest raw page)`` for every article (of ``site``) that has
        one, re-dated to its last fetch: what ``reparse`` reads again."""
        for rowid, page_id, last_fetched_at in self.latest_page_ids(site):
            page = load_page(self.db, page_id)
            page.fetched_at = last_fetched_at
            yield rowid, page

    def latest_page_ids(self, site: str | None = None) -> list[tuple[int, int, str]]:
        """``(article row id, page id, last fetch)`` of :meth:`latest_pages`, without the pages."""
        where, params = ("AND a.site = ?", [site]) if site else ("", [])
        # sql: the WHERE fragment is a constant; the site is a parameter
        return self.db.execute(
            "SELECT a.id, a.page_id, p.last_fetched_at FROM articles a JOIN pages p ON p.id = a.page_id"
            f" WHERE a.page_id IS NOT NULL {where} ORDER BY a.id", params).fetchall()

    # -- plumbing -----------------------------------------------------------------------

    def _articles(self, where: str, params: list[Any], limit: int = -1) -> Iterator[Article]:
        # sql: the WHERE fragments are this module's constants; values are parameters
        rows = self.db.execute(
            "SELECT a.id, a.site, a.article_id, a.url, a.canonical_url, a.last_fetched_at, a.sources, a.raw,"
            " a.incomplete_reason, v.data, p.profile FROM articles a"
            " JOIN revisions v ON v.article = a.id AND v.revision = a.revision"
            " LEFT JOIN pages p ON p.id = a.page_id"
            f" WHERE {where} ORDER BY a.id LIMIT ?", [*params, limit])
        for row in rows:
            yield self._article(*row)

    def _article(self, rowid: int, site: str, article_id: str, url: str, canonical_url: str | None,
                 fetched_at: str, sources: str, raw: str, incomplete_reason: str | None, data: str,
                 profile: str | None) -> Article:
        content = revision_content(data, current_content(self.db, rowid))
        content["complete"] = bool(content.get("complete", True))
        content["reporters"] = [Reporter(**reporter) for reporter in content.get("reporters") or []]
        content["photos"] = [Photo(**photo) for photo in content.get("photos") or []]
        return Article(url=url, canonical_url=canonical_url, site=site, article_id=article_id,
                       related=self._related(rowid), fetched_at=fetched_at,
                       incomplete_reason=incomplete_reason, sources=json.loads(sources or "{}"),
                       raw=json.loads(raw or "{}"), profile=profile,
                       **{name: content.get(name) for name in CONTENT_FIELDS})

    def _related(self, rowid: int) -> list[RelatedItem]:
        """The news lists as the article's latest fetch showed them."""
        rows = self.db.execute(
            "SELECT r.list, li.rank, i.url, i.title, i.summary FROM related_sightings s"
            " JOIN related_lists r ON r.id = s.related_list"
            " JOIN related_list_items li ON li.related_list = r.id JOIN related_items i ON i.id = li.item"
            " WHERE s.article = ? AND s.last_seen_at = (SELECT last_fetched_at FROM articles WHERE id = ?)"
            " ORDER BY s.id, li.rank", [rowid, rowid]).fetchall()
        return [RelatedItem(name, rank, title, url, summary) for name, rank, url, title, summary in rows]

    def close(self) -> None:
        self.db.close()
        self._unlock()

    def _unlock(self) -> None:
        if self.lock:
            self.lock.release()

    def __enter__(self) -> Archive:
        return self

    def __exit__(self, *exc: Any) -> None:
        self.close()

    def __repr__(self) -> str:
        return f"Archive({str(self.path)!r})"


def _key_condition(key: int | str, site: str | None) -> tuple[str, list[Any]]:
    """The WHERE condition on ``articles a`` for an article key as :meth:`Archive.get` takes it."""
    if isinstance(key, int):
        return "a.id = ?", [key]
    if site is not None:
        return "a.site = ? AND a.article_id = ?", [site, key]
    return "(a.url = ? OR a.canonical_url = ?)", [key, key]
