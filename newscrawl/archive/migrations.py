"""The archive's schema, as an ordered list of migrations.

``PRAGMA user_version`` holds the number of migrations applied. Opening an archive applies
the missing ones in order, each in its own transaction, so an older archive is upgraded in
place and a new one is built by the same code. Never edit a released migration: add one.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterator
from contextlib import contextmanager

from sqlite_utils import Database

from .search import create_index, rebuild_index
from .sections import link_section


def _pages_and_articles(db: Database) -> None:
    db["pages"].create(
        {
            "id": int, "site": str, "article_id": str, "url": str, "requested_url": str,
            "status": int, "headers": str, "body": bytes, "compression": str,
            "body_size": int, "body_sha256": str, "encoding": str, "truncated": int,
            "fetched_at": str, "last_fetched_at": str,
        },
        pk="id",
        not_null=["url", "body", "compression", "body_sha256", "fetched_at"],
    )
    db["pages"].create_index(["url", "body_sha256"], unique=True)
    db["pages"].create_index(["site", "article_id"])

    db["articles"].create(
        {
            "id": int, "site": str, "article_id": str, "url": str, "canonical_url": str,
            "title": str, "subtitle": str, "sections": str, "section": str,
            "published_at": str, "modified_at": str, "print_date": str, "print_page": int,
            "dateline": str, "byline": str, "body": str, "complete": int,
            "incomplete_reason": str, "revision": int, "content_hash": str, "sources": str,
            "raw": str, "page_id": int, "first_seen_at": str, "last_fetched_at": str,
            "last_changed_at": str,
        },
        pk="id",
        not_null=["site", "article_id", "url", "title", "body", "content_hash"],
        foreign_keys=[("page_id", "pages", "id")],
    )
    db["articles"].create_index(["site", "article_id"], unique=True)
    for columns in (["published_at"], ["section", "published_at"], ["print_date", "print_page"],
                    ["modified_at"], ["page_id"]):
        db["articles"].create_index(columns)

    db["revisions"].create(
        {
            "id": int, "article": int, "revision": int, "content_hash": str, "data": str,
            "page_id": int, "first_seen_at": str, "last_seen_at": str,
        },
        pk="id",
        not_null=["article", "revision", "content_hash", "data"],
        foreign_keys=[("article", "articles", "id"), ("page_id", "pages", "id")],
    )
    db["revisions"].create_index(["article", "revision"], unique=True)
    db["revisions"].create_index(["page_id"])


def _people_photos_lists(db: Database) -> None:
    db["reporters"].create(
        {"id": int, "site": str, "name": str, "url": str, "email": str},
        pk="id", not_null=["site", "name"],
    )
    db.execute("CREATE UNIQUE INDEX idx_reporters_identity ON reporters (site, name, coalesce(url, ''))")
    db["article_reporters"].create(
        {"article": int, "reporter": int, "position": int},
        pk=("article", "reporter"),
        foreign_keys=[("article", "articles", "id"), ("reporter", "reporters", "id")],
    )
    db["article_reporters"].create_index(["reporter"])

    db["photos"].create(
        {"id": int, "article": int, "position": int, "url": str, "alt": str,
         "caption": str, "credit": str},
        pk="id", not_null=["article", "url"],
        foreign_keys=[("article", "articles", "id")],
    )
    db["photos"].create_index(["article", "position"], unique=True)

    db["related_items"].create(
        {"id": int, "item_hash": str, "url": str, "title": str, "summary": str},
        pk="id", not_null=["item_hash", "url", "title"],
    )
    db["related_items"].create_index(["item_hash"], unique=True)
    db["related_links"].create(
        {"id": int, "article": int, "list": str, "rank": int, "item": int,
         "first_seen_at": str, "last_seen_at": str},
        pk="id", not_null=["article", "list", "rank", "item", "first_seen_at", "last_seen_at"],
        foreign_keys=[("article", "articles", "id"), ("item", "related_items", "id")],
    )
    db["related_links"].create_index(["article", "list", "rank"])
    db["related_links"].create_index(["list", "first_seen_at"])
    db["related_links"].create_index(["item"])


def _failures(db: Database) -> None:
    db["failures"].create(
        {"id": int, "url": str, "site": str, "kind": str, "status": int, "error": str,
         "attempts": int, "first_failed_at": str, "last_failed_at": str},
        pk="id", not_null=["url", "kind", "error", "attempts", "last_failed_at"],
    )
    db["failures"].create_index(["url"], unique=True)
    db["failures"].create_index(["site", "last_failed_at"])


def _sections(db: Database) -> None:
    """The section tree from the breadcrumbs; each article points at its innermost section."""
    db.execute(
        "CREATE TABLE sections (id INTEGER PRIMARY KEY, site TEXT NOT NULL, name TEXT NOT NULL,"
        " parent INTEGER REFERENCES sections(id), depth INTEGER NOT NULL, path TEXT NOT NULL)")
    db.execute("CREATE UNIQUE INDEX idx_sections_identity ON sections (site, coalesce(parent, 0), name)")
    db["sections"].create_index(["parent"])
    db["sections"].create_index(["name"])
    db.execute("ALTER TABLE articles ADD COLUMN section_id INTEGER REFERENCES sections(id)")
    db["articles"].create_index(["section_id", "published_at"])
    for rowid, site, breadcrumbs in db.execute("SELECT id, site, sections FROM articles").fetchall():
        link_section(db, rowid, site, json.loads(breadcrumbs or "[]"))


def _search_index(db: Database) -> None:
    """Korean full-text index of title, subtitle and body (see newscrawl.archive.search)."""
    create_index(db)
    rebuild_index(db)


def _readable_views(db: Database) -> None:
    """Views a person can read without the code, and indexes for the common questions."""
    db.create_view("article_summary", """
SELECT a.id, a.site, a.article_id, a.published_at, a.modified_at, s.path AS section_path,
  a.title, a.subtitle,
  (SELECT group_concat(name, ', ') FROM (
     SELECT r.name FROM article_reporters ar JOIN reporters r ON r.id = ar.reporter
     WHERE ar.article = a.id ORDER BY ar.position)) AS reporters,
  a.print_date, a.print_page, a.revision, a.url, a.section_id
FROM articles a LEFT JOIN sections s ON s.id = a.section_id""")
    db.create_view("revision_history", """
SELECT v.article, a.title AS current_title, v.revision, a.revision AS revisions,
  json_extract(v.data, '$.title') AS title, json_extract(v.data, '$.subtitle') AS subtitle,
  json_extract(v.data, '$.modified_at') AS modified_at,
  v.first_seen_at, v.last_seen_at, v.page_id
FROM revisions v JOIN articles a ON a.id = v.article""")
    db.create_view("list_snapshots", """
SELECT l.list, l.rank, i.title, i.url, l.first_seen_at, l.last_seen_at,
  l.article AS seen_beside, l.item
FROM related_links l JOIN related_items i ON i.id = l.item""")
    db.execute("CREATE INDEX idx_articles_edited ON articles (last_changed_at) WHERE revision > 1")
    db["reporters"].create_index(["name"])


def _crawl_runs(db: Database) -> None:
    db["crawl_runs"].create(
        {
            "id": int, "site": str, "job": int, "started_at": str, "ended_at": str,
            "arguments": str, "window_since": str, "window_until": str, "routine": int,
            "pages_fetched": int, "bytes": int, "articles_new": int, "articles_updated": int,
            "articles_unchanged": int, "articles_failed": int, "not_articles": int,
            "skipped": int, "discovery_pages": int, "discovery_failed": int,
            "stop_reason": str, "exit_status": int, "problems": str, "health": str, "pid": int,
        },
        pk="id",
        not_null=["site", "started_at", "arguments", "window_since"],
        foreign_keys=[("job", "crawl_runs", "id")],
    )
    db["crawl_runs"].create_index(["site", "started_at"])
    db["crawl_runs"].create_index(["job"])


def _page_dictionaries(db: Database) -> None:
    """Pages compressed with a preset dictionary of their site's shared markup
    (:mod:`newscrawl.archive.pages`); pages stored before keep theirs (``dictionary`` NULL)."""
    db.execute(
        "CREATE TABLE page_dictionaries (id INTEGER PRIMARY KEY, site TEXT, created_at TEXT NOT NULL,"
        " made_after_page INTEGER NOT NULL, data BLOB NOT NULL)")
    db.execute("ALTER TABLE pages ADD COLUMN dictionary INTEGER REFERENCES page_dictionaries(id)")


def _current_body_once(db: Database) -> None:
    """The current revision's body is kept in ``articles.body`` only (added back to the
    revision's data when a newer version supersedes it: :mod:`newscrawl.archive.store`)."""
    db.execute(
        "UPDATE revisions SET data = json_remove(data, '$.body') WHERE id IN"
        " (SELECT v.id FROM revisions v JOIN articles a ON a.id = v.article AND a.revision = v.revision)")


def _related_lookup(db: Database) -> None:
    """The reading room links a related-list item to our copy of the article: by its URL."""
    db["articles"].create_index(["canonical_url"])
    db["articles"].create_index(["url"])


def _photo_files(db: Database) -> None:
    """Archived copies of the photos (:mod:`newscrawl.archive.photos`): one blob per content,
    and which blob each photo URL gave."""
    db["photo_blobs"].create(
        {"sha256": str, "size": int, "content_type": str, "data": bytes, "fetched_at": str},
        pk="sha256", not_null=["data", "size", "fetched_at"])
    db["photo_urls"].create(
        {"url": str, "sha256": str, "fetched_at": str},
        pk="url", not_null=["sha256", "fetched_at"], foreign_keys=[("sha256", "photo_blobs", "sha256")])
    db["photo_urls"].create_index(["sha256"])
    db["photos"].create_index(["url"])


def _list_pages(db: Database) -> None:
    """The feed and list pages a crawl read, kept like the article pages (same columns;
    ``article_id`` always empty), so that a WARC export holds the whole crawl."""
    columns = {name: kind for name, kind in db["pages"].columns_dict.items()}
    db["list_pages"].create(columns, pk="id", not_null=["url", "body", "compression", "body_sha256", "fetched_at"])
    db["list_pages"].create_index(["url", "body_sha256"], unique=True)


#: Every migration, in order. The archive's version is the number applied.
MIGRATIONS: list[Callable[[Database], None]] = [
    _pages_and_articles,
    _people_photos_lists,
    _failures,
    _sections,
    _search_index,
    _readable_views,
    _crawl_runs,
    _page_dictionaries,
    _current_body_once,
    _related_lookup,
    _photo_files,
    _list_pages,
]


def migrate(db: Database) -> int:
    """Apply the migrations ``db`` lacks; returns the number applied now.

    Each step takes the write lock first (``BEGIN IMMEDIATE``) and re-reads the version, so
    two processes opening a new archive at once cannot both apply the same migration.
    """
    applied = 0
    while True:
        with immediate_transaction(db):
            version = db.execute("PRAGMA user_version").fetchone()[0]
            if version >= len(MIGRATIONS):
                return applied
            MIGRATIONS[version](db)
            db.execute(f"PRAGMA user_version = {version + 1:d}")  # sql: PRAGMA takes no parameters; an int
        applied += 1


@contextmanager
def immediate_transaction(db: Database) -> Iterator[Database]:
    """A transaction that holds the write lock from its start (``BEGIN IMMEDIATE``)."""
    db.execute("BEGIN IMMEDIATE")
    try:
        yield db
    except BaseException:
        db.rollback()
        raise
    db.execute("COMMIT")
