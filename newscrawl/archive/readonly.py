"""Opening an archive for reading only, as a user who may not be able to write it.

An archive is in WAL mode, whose readers share a ``-shm`` file beside it: with ``mode=ro``
SQLite still has to create that file, which a user who cannot write the directory cannot
("attempt to write a readonly database"). Such a user gets the archive ``immutable``: read
as the file is, with no locking, which is right for an archive nobody writes meanwhile (a
copy, an archive on read-only media). ``newscrawl serve --immutable`` asks for that anyway.
"""

from __future__ import annotations

import sqlite3
from pathlib import Path

from ..errors import NewscrawlError
from .migrations import MIGRATIONS
from .paths import may_write

__all__ = ["check_current", "may_write", "read_only_connection", "schema_behind"]


def read_only_connection(path: Path, immutable: bool = False) -> sqlite3.Connection:
    """A connection that cannot write: ``mode=ro``, else (asked, or ``mode=ro`` cannot open the
    file) ``immutable=1``. Raises :class:`NewscrawlError` when neither can read it."""
    modes = ("immutable=1",) if immutable else ("mode=ro", "immutable=1")
    for mode in modes:
        conn = sqlite3.connect(f"{path.as_uri()}?{mode}", uri=True, check_same_thread=False)
        try:
            conn.execute("PRAGMA user_version").fetchone()
            return conn
        except sqlite3.DatabaseError as exc:
            conn.close()
            error = exc
    raise NewscrawlError(f"{path}: cannot read the archive: {error}")


def schema_behind(conn: sqlite3.Connection) -> int:
    """How many migrations the archive lacks (0: current)."""
    return max(0, len(MIGRATIONS) - conn.execute("PRAGMA user_version").fetchone()[0])


def check_current(path: Path, conn: sqlite3.Connection) -> None:
    """Raise :class:`NewscrawlError` when the archive needs an upgrade this user cannot make."""
    if schema_behind(conn):
        raise NewscrawlError(f"{path}: the archive was made by an older newscrawl; upgrade it once as a user "
                             f"who can write it (any command that writes, e.g. newscrawl rebuild-index --db {path})")
