"""The SQLite archive: a small library over sqlite-utils.

``open_archive(path)`` opens (creating and upgrading as needed) an archive;
``save_article(db, article)`` and ``record_failure(db, failure)`` write to it. The schema is
in :mod:`newscrawl.archive.migrations`; the README has a reference of its tables.
"""

from __future__ import annotations

import sqlite3
from pathlib import Path

from sqlite_utils import Database

from ..errors import NewscrawlError
from .migrations import migrate
from .pages import load_page
from .paths import archive_path
from .readonly import check_current, may_write, read_only_connection
from .search import ensure_index
from .store import SaveResult, mark_unchanged, record_failure, save_article

__all__ = ["SaveResult", "archived_sites", "load_page", "mark_unchanged", "open_archive", "open_existing_archive",
           "open_for_reading", "open_site_archive", "record_failure", "save_article"]

DEFAULT_PATH = Path("data") / "news.db"
#: Bytes per database page of a new archive.
PAGE_SIZE = 16384


def open_archive(path: str | Path = DEFAULT_PATH) -> Database:
    """The archive at ``path``, created if missing and migrated to the current schema.

    WAL mode lets datasette read while a crawl writes; a busy timeout makes a writer wait
    for another's transaction instead of failing with "database is locked". In WAL mode,
    ``synchronous = NORMAL`` writes a transaction to disk without waiting for the disk to
    confirm it (``FULL`` waited on every article): a crash or ``kill -9`` loses nothing
    committed, a power cut may lose the last transactions, each article whole or not at all.
    After the migrations (schema), the search index is rebuilt if older code built it.

    A new archive gets 16 KiB pages (an existing one keeps its own): an article's row is
    2-3 KB, and SQLite keeps whole rows in a page, so 4 KiB pages held one row each and
    wasted a third of the articles table.
    """
    real = archive_path(path)
    real.parent.mkdir(parents=True, exist_ok=True)
    db = Database(real)
    try:
        db.execute(f"PRAGMA page_size = {PAGE_SIZE:d}")  # sql: PRAGMA takes no parameters; an int
        db.execute("PRAGMA busy_timeout = 30000")
        db.execute("PRAGMA foreign_keys = ON")
        db.enable_wal()
        db.execute("PRAGMA synchronous = NORMAL")
        migrate(db)
        ensure_index(db)
    except sqlite3.DatabaseError as exc:  # damaged, read-only, in a directory it cannot write to
        db.close()
        raise NewscrawlError(f"{path}: cannot open the archive for writing: {exc}") from exc
    return db


def open_existing_archive(path: str | Path) -> Database:
    """:func:`open_archive` for commands that read an archive: a missing file is a user
    error (:class:`NewscrawlError`), not a new empty archive."""
    archive_path(path, create=False)
    return open_archive(path)


def open_for_reading(path: str | Path) -> Database:
    """The archive at ``path`` for a command that only reads it (search, export, health):
    as :func:`open_archive` (upgraded if need be) when this user may write it, else through
    a read-only connection, so that a user who can only read it can still read it."""
    real = archive_path(path, create=False, write=False)
    if may_write(real):
        return open_archive(real)
    conn = read_only_connection(real)
    check_current(real, conn)
    return Database(conn)


def archived_sites(db: Database) -> list[str]:
    """The sites the archive holds articles or crawl runs of, as ``--site`` names them."""
    rows = db.execute("SELECT site FROM articles UNION SELECT site FROM crawl_runs ORDER BY 1").fetchall()
    return [site for (site,) in rows if site]


def open_site_archive(path: str | Path, site: str | None, writing: bool = False) -> Database:
    """The archive for a command limited to ``site`` (:func:`open_for_reading`, or with
    ``writing`` :func:`open_existing_archive`), refusing a ``site`` it holds nothing of: a
    misspelt ``--site`` would otherwise read as an empty export or a healthy report."""
    db = open_existing_archive(path) if writing else open_for_reading(path)
    if site is not None and site not in (known := archived_sites(db)):
        db.close()
        raise NewscrawlError(f"{path} holds no site {site!r} (it holds: {', '.join(known) or 'nothing yet'})")
    return db
