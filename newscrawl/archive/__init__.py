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
from .search import ensure_index
from .store import SaveResult, mark_unchanged, record_failure, save_article

__all__ = ["SaveResult", "archived_sites", "load_page", "mark_unchanged", "open_archive", "open_existing_archive",
           "open_site_archive", "record_failure", "save_article"]

DEFAULT_PATH = Path("data") / "news.db"


def open_archive(path: str | Path = DEFAULT_PATH) -> Database:
    """The archive at ``path``, created if missing and migrated to the current schema.

    WAL mode lets datasette read while a crawl writes; a busy timeout makes a writer wait
    for another's transaction instead of failing with "database is locked". In WAL mode,
    ``synchronous = NORMAL`` writes a transaction to disk without waiting for the disk to
    confirm it (``FULL`` waited on every article): a crash or ``kill -9`` loses nothing
    committed, a power cut may lose the last transactions, each article whole or not at all.
    After the migrations (schema), the search index is rebuilt if older code built it.
    """
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    db = Database(path)
    db.execute("PRAGMA busy_timeout = 30000")
    db.execute("PRAGMA foreign_keys = ON")
    db.enable_wal()
    db.execute("PRAGMA synchronous = NORMAL")
    migrate(db)
    ensure_index(db)
    return db


def open_existing_archive(path: str | Path) -> Database:
    """:func:`open_archive` for commands that read an archive: a missing file is a user
    error (:class:`NewscrawlError`), not a new empty archive."""
    if not Path(path).is_file():
        raise NewscrawlError(f"{path}: no archive there (create one with newscrawl fetch or crawl)")
    return open_archive(path)


def archived_sites(db: Database) -> list[str]:
    """The sites the archive holds articles or crawl runs of, as ``--site`` names them."""
    rows = db.execute("SELECT site FROM articles UNION SELECT site FROM crawl_runs ORDER BY 1").fetchall()
    return [site for (site,) in rows if site]


def open_site_archive(path: str | Path, site: str | None) -> Database:
    """:func:`open_existing_archive`, refusing a ``site`` it holds nothing of: a misspelt
    ``--site`` would otherwise read as an empty export or a healthy report."""
    db = open_existing_archive(path)
    if site is not None and site not in (known := archived_sites(db)):
        db.close()
        raise NewscrawlError(f"{path} holds no site {site!r} (it holds: {', '.join(known) or 'nothing yet'})")
    return db
