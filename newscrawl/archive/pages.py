"""Raw responses, kept compressed so any article can be re-extracted without the network."""

from __future__ import annotations

import hashlib
import json
import zlib

from sqlite_utils import Database

from ..items import RawPage

COMPRESSION = "zlib"


def compress(body: bytes) -> bytes:
    return zlib.compress(body, 9)


def decompress(blob: bytes, compression: str) -> bytes:
    if compression != COMPRESSION:
        raise ValueError(f"unknown page compression {compression!r}")
    return zlib.decompress(blob)


def store_page(db: Database, page: RawPage, article_id: str | None, seen_at: str) -> int:
    """The id of the ``pages`` row holding ``page``; an identical body at the same URL is stored once."""
    digest = hashlib.sha256(page.body).hexdigest()
    existing = db.execute(
        "SELECT id FROM pages WHERE url = ? AND body_sha256 = ?", [page.url, digest]
    ).fetchone()
    if existing:
        db.execute("UPDATE pages SET last_fetched_at = ? WHERE id = ?", [seen_at, existing[0]])
        return existing[0]
    return db["pages"].insert({
        "site": page.site, "article_id": article_id, "url": page.url,
        "requested_url": page.requested_url, "status": page.status,
        "headers": json.dumps(page.headers, ensure_ascii=False),
        "body": compress(page.body), "compression": COMPRESSION, "body_size": len(page.body),
        "body_sha256": digest, "encoding": page.encoding, "truncated": int(page.truncated),
        "fetched_at": page.fetched_at or seen_at, "last_fetched_at": seen_at,
    }).last_pk


def load_page(db: Database, page_id: int) -> RawPage:
    """The stored page ``page_id`` as a :class:`RawPage`, body decompressed."""
    row = db["pages"].get(page_id)
    return RawPage(
        url=row["url"], status=row["status"], headers=json.loads(row["headers"]),
        body=decompress(row["body"], row["compression"]), encoding=row["encoding"],
        fetched_at=row["fetched_at"], site=row["site"], requested_url=row["requested_url"],
        truncated=bool(row["truncated"]),
    )
