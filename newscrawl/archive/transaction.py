"""Write transactions that wait their turn, so several writers can share one archive.

A deferred ``BEGIN`` (sqlite-utils' ``db.atomic()``, Python's implicit transactions) takes
the write lock only at its first write. When another connection has committed since this
transaction first read, SQLite cannot turn the read into a write and fails at once with
"database is locked", whatever the busy timeout: a crawl lost articles that way while
``fetch`` or ``reparse`` wrote to the same archive. ``BEGIN IMMEDIATE`` takes the write lock
first, waiting for it up to the busy timeout (``open_archive`` sets it), so crawl, fetch,
reparse, rebuild-index and export can run at once: each write waits for the one before.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

from sqlite_utils import Database


@contextmanager
def write_transaction(db: Database) -> Iterator[Database]:
    """A transaction holding the write lock from its start (``BEGIN IMMEDIATE``); inside
    another one, part of it: the outer one holds the lock, and commits or rolls back the
    whole, so an error inside must reach it. No savepoint: FTS5 writes its pending index
    data at each one, which made a batch of articles cost a tenth more to store."""
    if db.conn.in_transaction:
        yield db
        return
    db.execute("BEGIN IMMEDIATE")
    try:
        yield db
    except BaseException:
        db.rollback()
        raise
    db.execute("COMMIT")
