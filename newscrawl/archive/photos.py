"""Archived copies of article photos, content-addressed.

``photo_blobs`` holds each distinct image once, keyed by the SHA-256 of its bytes;
``photo_urls`` says which blob a photo URL gave. However many articles show a photo, and
under however many URLs the site serves the same bytes, the archive keeps one copy. The
``photos`` table (what the page says: URL, caption, credit) is joined to them by URL.
A photo that could not be downloaded is a row of ``failures`` (kind ``photo``), forgotten
once a later fetch stores it.
"""

from __future__ import annotations

import hashlib
import sqlite3
from dataclasses import dataclass

from sqlite_utils import Database

from ..items import FetchFailure
from .store import record_failure
from .transaction import write_transaction

#: The failures table's kind for a photo that could not be downloaded.
PHOTO_FAILURE = "photo"


@dataclass(frozen=True)
class PhotoDownload:
    """A downloaded photo: where from, its bytes, and what the server said they are."""

    url: str
    body: bytes
    content_type: str | None
    fetched_at: str


def store_photo(db: Database, photo: PhotoDownload) -> tuple[str, bool]:
    """Keep ``photo``; returns its SHA-256 and whether its bytes were new to the archive."""
    digest = hashlib.sha256(photo.body).hexdigest()
    with write_transaction(db):
        new = db.execute(
            "INSERT OR IGNORE INTO photo_blobs (sha256, size, content_type, data, fetched_at) VALUES (?, ?, ?, ?, ?)",
            [digest, len(photo.body), photo.content_type, photo.body, photo.fetched_at]).rowcount == 1
        db.execute("INSERT OR REPLACE INTO photo_urls (url, sha256, fetched_at) VALUES (?, ?, ?)",
                   [photo.url, digest, photo.fetched_at])
        db.execute("DELETE FROM failures WHERE url = ?", [photo.url])
    return digest, new


def record_photo_failure(db: Database, url: str, site: str | None, error: str, failed_at: str) -> None:
    record_failure(db, FetchFailure(url=url, error=error, site=site, status=None, failed_at=failed_at,
                                    kind=PHOTO_FAILURE))


def held_photo(conn: sqlite3.Connection, url: str) -> str | None:
    """The SHA-256 of the archived copy of the photo at ``url``, if the archive has one."""
    row = conn.execute("SELECT sha256 FROM photo_urls WHERE url = ?", [url]).fetchone()
    return row[0] if row else None


def photo_blob(conn: sqlite3.Connection, digest: str) -> tuple[bytes, str | None] | None:
    """The bytes and content type of archived photo ``digest``."""
    row = conn.execute("SELECT data, content_type FROM photo_blobs WHERE sha256 = ?", [digest]).fetchone()
    return (row[0], row[1]) if row else None
