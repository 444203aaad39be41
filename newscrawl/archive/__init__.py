"""The SQLite archive: a small library over sqlite-utils.

``open_archive(path)`` opens (creating and upgrading as needed) an archive;
``save_article(db, article)`` and ``record_failure(db, failure)`` write to it. The schema is
in :mod:`newscrawl.archive.migrations`; the README has a reference of its tables.
"""

from __future__ import annotations

from pathlib import Path

from sqlite_utils import Database

from ..errors import NewscrawlError
from .migrations import migrate
from .pages import load_page
from .store import SaveResult, mark_unchanged, record_failure, save_article

__all__ = ["SaveResult", "load_page", "mark_unchanged", "open_archive", "open_existing_archive", "record_failure",
           "save_article"]

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

    A new archive gets 16 KiB pages (an existing one keeps its own): an article's row is
    2-3 KB, and SQLite keeps whole rows in a page, so 4 KiB pages held one row each and
    wasted a third of the articles table.
    """
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    db = Database(path)
    db.execute(f"PRAGMA page_size = {PAGE_SIZE:d}")  # sql: PRAGMA takes no parameters; an int
    db.execute("PRAGMA busy_timeout = 30000")
    db.execute("PRAGMA foreign_keys = ON")
    db.enable_wal()
    db.execute("PRAGMA synchronous = NORMAL")
    migrate(db)
    return db


def open_existing_archive(path: str | Path) -> Database:
    """:func:`open_archive` for commands that read an archive: a missing file is a user
    error (:class:`NewscrawlError`), not a new empty archive."""
    if not Path(path).is_file():
        raise NewscrawlError(f"{path}: no archive there (create one with newscrawl fetch or crawl)")
    return open_archive(path)
