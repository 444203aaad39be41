"""Raw responses, kept compressed so any article can be re-extracted without the network.

Each page is compressed on its own (any one can be read back alone), with zstd and, once
the site has a few pages stored, with a dictionary made of the markup its pages share: the
navigation, sidebars and scripts that make up most of a news page then cost almost
nothing. A site's first dictionary is the raw content of its latest pages; once it has
``DICTIONARY_SAMPLE`` pages, one trained on them by zstd (on the benchmarks' generated site
0.95 KB a 16 KB page, against 1.05 with raw content and 1.24 with zlib's 32 KiB preset
dictionary, which older pages keep). Dictionaries are rows of ``page_dictionaries``; each
page names the one it was compressed with (``pages.dictionary``, NULL for none), and a
site gets a new one every ``DICTIONARY_EVERY`` pages so that a redesign is soon reflected.
Decompressing gives back the received bytes exactly (``body_sha256`` is their digest).
"""

from __future__ import annotations

import hashlib
import json
import zlib
from functools import lru_cache

try:
    from compression import zstd  # Python 3.14
except ImportError:
    from backports import zstd

from sqlite_utils import Database
from sqlite_utils.db import NotFoundError

from ..items import RawPage
from .rows import insert_row

COMPRESSION = "zstd"
#: zstd's level: 19 saves another 7 % for ten times the time.
LEVEL = 9
#: A site's first dictionary is made once it has this many pages stored.
DICTIONARY_AFTER = 8
#: A site's dictionary is made again after this many pages were stored since the last one.
DICTIONARY_EVERY = 5000
#: Recent pages a dictionary is trained on (at most SAMPLE_BYTES of them).
DICTIONARY_SAMPLE = 200
SAMPLE_BYTES = 4 * 2**20
#: Bytes of a trained dictionary, and of a raw one (the end of the latest pages).
DICTIONARY_SIZE = 64 * 1024
RAW_DICTIONARY_SIZE = 128 * 1024
#: How a trained zstd dictionary begins; a raw one is any bytes.
_ZSTD_DICTIONARY_MAGIC = b"\x37\xa4\x30\xec"


def compress(body: bytes, dictionary: bytes | None = None) -> bytes:
    return zstd.compress(body, level=LEVEL, zstd_dict=_zstd_dictionary(dictionary) if dictionary else None)


def decompress(blob: bytes, compression: str, dictionary: bytes | None = None) -> bytes:
    if compression == "zstd":
        return zstd.decompress(blob, zstd_dict=_zstd_dictionary(dictionary) if dictionary else None)
    if compression == "zlib":  # pages stored before zstd
        decompressor = zlib.decompressobj(zdict=dictionary) if dictionary else zlib.decompressobj()
        return decompressor.decompress(blob) + decompressor.flush()
    raise ValueError(f"unknown page compression {compression!r}")


@lru_cache(maxsize=8)
def _zstd_dictionary(data: bytes) -> zstd.ZstdDict:
    """The dictionary ``data`` as zstd takes it (made once: zstd digests it when first used)."""
    return zstd.ZstdDict(data, is_raw=not data.startswith(_ZSTD_DICTIONARY_MAGIC))


#: The tables of raw responses: article pages, and the feed and list pages of crawls.
PAGE_TABLES = ("pages", "list_pages")


def store_page(db: Database, page: RawPage, site: str, article_id: str | None, seen_at: str,
               table: str = "pages") -> int:
    """The id of the ``table`` row holding ``page``; an identical body at the same URL is stored once."""
    assert table in PAGE_TABLES
    digest = hashlib.sha256(page.body).hexdigest()
    existing = db.execute(  # sql: the table name is one of PAGE_TABLES
        f"SELECT id FROM {table} WHERE url = ? AND body_sha256 = ?", [page.url, digest]
    ).fetchone()
    if existing:
        db.execute(f"UPDATE {table} SET last_fetched_at = ? WHERE id = ?", [seen_at, existing[0]])  # sql: as above
        return existing[0]
    dictionary_id, dictionary = site_dictionary(db, site, seen_at)
    return insert_row(db, table, {
        "site": site, "profile": page.profile, "article_id": article_id, "url": page.url,
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
        "SELECT url, status, headers, body, compression, dictionary, encoding, fetched_at, profile, requested_url,"
        f" truncated FROM {table} WHERE id = ?", [page_id]).fetchone()
    if row is None:
        raise NotFoundError(f"no page {page_id}")
    url, status, headers, blob, compression, dictionary, encoding, fetched_at, profile, requested_url, truncated = row
    return RawPage(
        url=url, status=status, headers=json.loads(headers), body=page_body(db, blob, compression, dictionary),
        encoding=encoding, fetched_at=fetched_at, profile=profile, requested_url=requested_url, truncated=bool(truncated),
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
        "SELECT id, data, made_after_page FROM page_dictionaries WHERE site IS ? AND compression = ?"
        " ORDER BY id DESC LIMIT 1", [site, COMPRESSION]).fetchone()
    stored = db.execute("SELECT coalesce(max(id), 0) FROM pages").fetchone()[0]
    if latest is not None and stored - latest[2] < DICTIONARY_EVERY and not _train_now(db, site, latest[1]):
        return latest[0], latest[1]
    if _pages_of(db, site, DICTIONARY_AFTER) < DICTIONARY_AFTER:
        return (latest[0], latest[1]) if latest else (None, None)
    data = build_dictionary(_recent_bodies(db, site))
    dictionary_id = insert_row(db, "page_dictionaries", {"site": site, "created_at": now, "made_after_page": stored,
                                                         "data": data, "compression": COMPRESSION})
    return dictionary_id, data


def _train_now(db: Database, site: str | None, dictionary: bytes) -> bool:
    """Whether a raw dictionary is to be replaced by a trained one: the site has enough pages."""
    return (not dictionary.startswith(_ZSTD_DICTIONARY_MAGIC)
            and _pages_of(db, site, DICTIONARY_SAMPLE) >= DICTIONARY_SAMPLE)


def _pages_of(db: Database, site: str | None, up_to: int) -> int:
    """How many pages of ``site`` are stored, counted up to ``up_to``."""
    return db.execute("SELECT count(*) FROM (SELECT 1 FROM pages WHERE site IS ? LIMIT ?)",
                      [site, up_to]).fetchone()[0]


def _recent_bodies(db: Database, site: str | None) -> list[bytes]:
    rows = db.execute(
        # NOT INDEXED: read back from the newest page, where this site's latest pages are,
        # instead of sorting all of the site's pages by the (site, article_id) index
        "SELECT body, compression, dictionary FROM pages NOT INDEXED WHERE site IS ? ORDER BY id DESC LIMIT ?",
        [site, DICTIONARY_SAMPLE])
    bodies, size = [], 0
    for row in rows:
        bodies.append(page_body(db, *row))
        size += len(bodies[-1])
        if size >= SAMPLE_BYTES:
            break
    return bodies[::-1]


def build_dictionary(pages: list[bytes]) -> bytes:
    """A dictionary for pages like ``pages`` (oldest first): trained on them by zstd when
    there are DICTIONARY_SAMPLE of them (or SAMPLE_BYTES), else their last bytes, raw.

    Trained on fewer pages, zstd's dictionaries compressed the benchmarks' pages twice as
    badly as the raw end of the latest pages, which keeps their markup unbroken.
    """
    if len(pages) >= DICTIONARY_SAMPLE or sum(map(len, pages)) >= SAMPLE_BYTES:
        try:
            return zstd.train_dict(pages, DICTIONARY_SIZE).dict_content
        except zstd.ZstdError:  # pages too alike or too small to learn from: the raw kind does
            pass
    return b"".join(pages)[-RAW_DICTIONARY_SIZE:]
