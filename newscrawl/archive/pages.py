"""Raw responses, kept compressed so any article can be re-extracted without the network.

Each page is compressed on its own (any one can be read back alone), with zlib and, once
the site has a few pages stored, with a preset dictionary made of the markup its pages
share: the navigation, sidebars and scripts that make up most of a news page then cost
almost nothing (on the benchmarks' generated site a page takes a quarter of the space it
took alone). Dictionaries are rows of ``page_dictionaries``; each page names the one it was
compressed with (``pages.dictionary``, NULL for none), and a site gets a new one every
``DICTIONARY_EVERY`` pages so that a redesign is soon reflected. Decompressing gives back
the received bytes exactly (``body_sha256`` is their digest).
"""

from __future__ import annotations

import hashlib
import json
import zlib

from sqlite_utils import Database
from sqlite_utils.db import NotFoundError

from ..items import RawPage
from .rows import insert_row

COMPRESSION = "zlib"
#: A site's first dictionary is made once it has this many pages stored.
DICTIONARY_AFTER = 8
#: A site's dictionary is made again after this many pages were stored since the last one.
DICTIONARY_EVERY = 5000
#: Recent pages a dictionary is made from.
DICTIONARY_SAMPLE = 2
#: zlib looks back at most 32 KiB: a longer dictionary would not be used.
DICTIONARY_SIZE = 32 * 1024


def compress(body: bytes, dictionary: bytes | None = None) -> bytes:
    compressor = zlib.compressobj(9, zdict=dictionary) if dictionary else zlib.compressobj(9)
    return compressor.compress(body) + compressor.flush()


def decompress(blob: bytes, compression: str, dictionary: bytes | None = None) -> bytes:
    if compression != COMPRESSION:
        raise ValueError(f"unknown page compression {compression!r}")
    decompressor = zlib.decompressobj(zdict=dictionary) if dictionary else zlib.decompressobj()
    return decompressor.decompress(blob) + decompressor.flush()


#: The tables of raw responses: article pages, and the feed and list pages of crawls.
PAGE_TABLES = ("pages", "list_pages")


def store_page(db: Database, page: RawPage, article_id: str | None, seen_at: str, table: str = "pages") -> int:
    """The id of the ``table`` row holding ``page``; an identical body at the same URL is stored once."""
    assert table in PAGE_TABLES
    digest = hashlib.sha256(page.body).hexdigest()
    existing = db.execute(  # sql: the table name is one of PAGE_TABLES
        f"SELECT id FROM {table} WHERE url = ? AND body_sha256 = ?", [page.url, digest]
    ).fetchone()
    if existing:
        db.execute(f"UPDATE {table} SET last_fetched_at = ? WHERE id = ?", [seen_at, existing[0]])  # sql: as above
        return existing[0]
    dictionary_id, dictionary = site_dictionary(db, page.site, seen_at)
    return insert_row(db, table, {
        "site": page.site, "article_id": article_id, "url": page.url,
        "requested_url": page.requested_url, "status": page.status,
        "headers": json.dumps(page.headers, ensure_ascii=False),
        "body": compress(page.body, dictionary), "compression": COMPRESSION, "dictionary": dictionary_id,
        "body_size": len(page.body), "body_sha256": digest, "encoding": page.encoding,
        "truncated": int(page.truncated), "fetched_at": page.fetched_at or seen_at, "last_fetched_at": seen_at,
    })


def load_page(db: Database, page_id: int, table: str = "pages") -> RawPage:
    """The stored page ``page_id`` as a :class:`RawPage`, body decompressed.

    One plain SELECT: ``db["pages"].get()`` reads the table's schema on every call, which
    cost more than the query itself for each page of a reparse or a WARC export.
    """
    assert table in PAGE_TABLES
    row = db.execute(  # sql: the table name is one of PAGE_TABLES
        "SELECT url, status, headers, body, compression, dictionary, encoding, fetched_at, site, requested_url,"
        f" truncated FROM {table} WHERE id = ?", [page_id]).fetchone()
    if row is None:
        raise NotFoundError(f"no page {page_id}")
    url, status, headers, blob, compression, dictionary, encoding, fetched_at, site, requested_url, truncated = row
    return RawPage(
        url=url, status=status, headers=json.loads(headers), body=page_body(db, blob, compression, dictionary),
        encoding=encoding, fetched_at=fetched_at, site=site, requested_url=requested_url, truncated=bool(truncated),
    )


def page_body(db: Database, blob: bytes, compression: str, dictionary_id: int | None) -> bytes:
    """The bytes of a stored page body."""
    dictionary = None
    if dictionary_id is not None:
        dictionary = db.execute("SELECT data FROM page_dictionaries WHERE id = ?", [dictionary_id]).fetchone()[0]
    return decompress(blob, compression, dictionary)


def site_dictionary(db: Database, site: str | None, now: str) -> tuple[int | None, bytes | None]:
    """``(id, data)`` of the dictionary to compress a page of ``site`` with, made when due;
    ``(None, None)`` while the site has too few pages for one."""
    latest = db.execute(
        "SELECT id, data, made_after_page FROM page_dictionaries WHERE site IS ? ORDER BY id DESC LIMIT 1", [site]
    ).fetchone()
    stored = db.execute("SELECT coalesce(max(id), 0) FROM pages").fetchone()[0]
    if latest is not None and stored - latest[2] < DICTIONARY_EVERY:
        return latest[0], latest[1]
    if _pages_of(db, site) < DICTIONARY_AFTER:
        return (latest[0], latest[1]) if latest else (None, None)
    data = build_dictionary(_recent_bodies(db, site))
    dictionary_id = insert_row(db, "page_dictionaries",
                               {"site": site, "created_at": now, "made_after_page": stored, "data": data})
    return dictionary_id, data


def _pages_of(db: Database, site: str | None) -> int:
    """How many pages of ``site`` are stored, counted up to DICTIONARY_AFTER."""
    return db.execute("SELECT count(*) FROM (SELECT 1 FROM pages WHERE site IS ? LIMIT ?)",
                      [site, DICTIONARY_AFTER]).fetchone()[0]


def _recent_bodies(db: Database, site: str | None) -> list[bytes]:
    rows = db.execute(
        # NOT INDEXED: read back from the newest page, where this site's latest pages are,
        # instead of sorting all of the site's pages by the (site, article_id) index
        "SELECT body, compression, dictionary FROM pages NOT INDEXED WHERE site IS ? ORDER BY id DESC LIMIT ?",
        [site, DICTIONARY_SAMPLE]).fetchall()
    return [page_body(db, *row) for row in reversed(rows)]


def build_dictionary(pages: list[bytes]) -> bytes:
    """A dictionary for pages like ``pages`` (oldest first): their last DICTIONARY_SIZE bytes.

    Whole recent pages, because zlib's matches are long only where the dictionary keeps the
    page's markup unbroken: a dictionary of just the lines most pages share, tried on the
    generated site of the benchmarks, compressed pages 40 % worse than the last page alone.
    """
    return b"".join(pages)[-DICTIONARY_SIZE:]
