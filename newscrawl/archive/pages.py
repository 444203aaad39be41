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
An article's page is compressed with more: its dictionary is the site's followed by the
article's text (the body of the revision it gave, ``pages.text_revision`` of the article
``site``, ``article_id``), taken as raw history (``compression`` ``zstd+text``). The text the
archive keeps in ``articles`` and ``revisions`` anyway then costs almost nothing again in the
page: 0.34 KB a page instead of 0.94 on the benchmarks' site. Such a page is read back with
that text, which the archive never changes (a revision's content is written once; the
current one's is the article's row until a newer one supersedes it and copies it).
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
from .revisions import revision_body
from .rows import insert_row, json_text

COMPRESSION = "zstd"
#: An article page's: zstd with the site's dictionary and the article's text as raw history.
TEXT_COMPRESSION = "zstd+text"
#: zstd takes no raw dictionary shorter than this (bytes): a page with less text has none.
MIN_RAW_DICTIONARY = 8
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


def compress(body: bytes, dictionary: bytes | None = None, text: str | None = None) -> bytes:
    """``body`` compressed with ``dictionary``, and ``text`` after it as raw history if given."""
    return zstd.compress(body, level=LEVEL, zstd_dict=_dictionary_for(dictionary, text))


def decompress(blob: bytes, compression: str, dictionary: bytes | None = None, text: str | None = None) -> bytes:
    if compression == COMPRESSION:
        return zstd.decompress(blob, zstd_dict=_dictionary_for(dictionary, None))
    if compression == TEXT_COMPRESSION:
        return zstd.decompress(blob, zstd_dict=_dictionary_for(dictionary, text))
    if compression == "zlib":  # pages stored before zstd
        decompressor = zlib.decompressobj(zdict=dictionary) if dictionary else zlib.decompressobj()
        return decompressor.decompress(blob) + decompressor.flush()
    raise ValueError(f"unknown page compression {compression!r}")


def _dictionary_for(dictionary: bytes | None, text: str | None) -> zstd.ZstdDict | None:
    """What zstd compresses a page with: the site's ``dictionary``; with ``text``, the
    dictionary's bytes and the text's as one raw dictionary (made for each page: not cached)."""
    if text is None:
        return _zstd_dictionary(dictionary) if dictionary else None
    return zstd.ZstdDict((dictionary or b"") + text.encode(), is_raw=True)


def _with_text(dictionary: bytes | None, text: str | None) -> bool:
    """Whether a page is compressed with ``text`` too: there is some, and enough bytes in all."""
    return bool(text) and len(dictionary or b"") + len(text.encode()) >= MIN_RAW_DICTIONARY


@lru_cache(maxsize=8)
def _zstd_dictionary(data: bytes) -> zstd.ZstdDict:
    """The dictionary ``data`` as zstd takes it (made once: zstd digests it when first used)."""
    return zstd.ZstdDict(data, is_raw=not data.startswith(_ZSTD_DICTIONARY_MAGIC))


#: The tables of raw responses: article pages, and the feed and list pages of crawls.
PAGE_TABLES = ("pages", "list_pages")
#: The columns of a page row :func:`page_body` takes, in its order.
STORED_BODY = "body, compression, dictionary, site, article_id, text_revision"


def store_page(db: Database, page: RawPage, site: str, article_id: str | None, seen_at: str,
               table: str = "pages", text: tuple[int, str] | None = None) -> int:
    """The id of the ``table`` row holding ``page``; an identical body at the same URL, of the
    same site and article, is stored once. Found by the (site, article_id) index: an article
    has few pages, and a unique index of (url, body_sha256) took a sixth of a page's bytes.

    ``text``: ``(revision, body)``, the revision of article (``site``, ``article_id``) the
    page gives and its body, which the page is then compressed with (``TEXT_COMPRESSION``)."""
    assert table in PAGE_TABLES
    digest = hashlib.sha256(page.body).hexdigest()
    existing = db.execute(  # sql: the table name is one of PAGE_TABLES
        f"SELECT id FROM {table} WHERE site IS ? AND article_id IS ? AND url = ? AND body_sha256 = ?",
        [site, article_id, page.url, digest]).fetchone()
    if existing:
        db.execute(f"UPDATE {table} SET last_fetched_at = ? WHERE id = ?", [seen_at, existing[0]])  # sql: as above
        return existing[0]
    dictionary_id, dictionary = site_dictionary(db, site, seen_at, table)
    revision, body_text = text if text and _with_text(dictionary, text[1]) else (None, None)
    return insert_row(db, table, {
        "site": site, "profile": page.profile, "article_id": article_id, "url": page.url,
        "requested_url": page.requested_url, "status": page.status,
        "headers": json_text(page.headers),
        "body": compress(page.body, dictionary, body_text), "dictionary": dictionary_id,
        "compression": COMPRESSION if revision is None else TEXT_COMPRESSION, "text_revision": revision,
        "body_size": len(page.body), "body_sha256": digest, "encoding": page.encoding,
        "truncated": int(page.truncated), "fetched_at": page.fetched_at or seen_at, "last_fetched_at": seen_at,
    })


def store_list_page(db: Database, page: RawPage, site: str) -> int:
    """The id of the ``list_pages`` row holding feed or list ``page`` of ``site``'s crawl."""
    return store_page(db, page, site, None, page.fetched_at, "list_pages")


def load_page(db: Database, page_id: int, table: str = "pages") -> RawPage:
    """The stored page ``page_id`` as a :class:`RawPage`, body decompressed.

    One plain SELECT: ``db["pages"].get()`` reads the table's schema on every call, which
    cost more than the query itself for each page of a reparse or a WARC export.
    """
    assert table in PAGE_TABLES
    row = db.execute(  # sql: the table name is one of PAGE_TABLES, STORED_BODY a constant
        "SELECT url, status, headers, encoding, fetched_at, profile, requested_url, truncated,"
        f" {STORED_BODY} FROM {table} WHERE id = ?", [page_id]).fetchone()
    if row is None:
        raise NotFoundError(f"no page {page_id}")
    url, status, headers, encoding, fetched_at, profile, requested_url, truncated = row[:8]
    return RawPage(
        url=url, status=status, headers=json.loads(headers), body=page_body(db, *row[8:]),
        encoding=encoding, fetched_at=fetched_at, profile=profile, requested_url=requested_url, truncated=bool(truncated),
    )


def page_body(db: Database, blob: bytes, compression: str, dictionary_id: int | None, site: str | None = None,
              article_id: str | None = None, text_revision: int | None = None) -> bytes:
    """The bytes of a stored page body, from its row's STORED_BODY columns."""
    dictionary = None
    if dictionary_id is not None:
        dictionary = db.execute("SELECT data FROM page_dictionaries WHERE id = ?", [dictionary_id]).fetchone()[0]
    text = revision_body(db, site, article_id, text_revision) if compression == TEXT_COMPRESSION else None
    return decompress(blob, compression, dictionary, text)


def site_dictionary(db: Database, site: str | None, now: str,
                    table: str = "pages") -> tuple[int | None, bytes | None]:
    """``(id, data)`` of the dictionary to compress a page of ``site`` with, made when due from
    the site's pages in ``table`` (article pages and list pages share little markup: each
    table has dictionaries of its own); ``(None, None)`` while it has too few pages for one."""
    latest = db.execute(
        "SELECT id, data, made_after_page FROM page_dictionaries WHERE site IS ? AND compression = ?"
        " AND pages_table = ? ORDER BY id DESC LIMIT 1", [site, COMPRESSION, table]).fetchone()
    stored = db.execute(f"SELECT coalesce(max(id), 0) FROM {table}").fetchone()[0]  # sql: one of PAGE_TABLES
    if latest is not None and stored - latest[2] < DICTIONARY_EVERY and not _train_now(db, site, latest[1], table):
        return latest[0], latest[1]
    if _pages_of(db, site, DICTIONARY_AFTER, table) < DICTIONARY_AFTER:
        return (latest[0], latest[1]) if latest else (None, None)
    data = build_dictionary(_recent_bodies(db, site, table))
    dictionary_id = insert_row(db, "page_dictionaries", {"site": site, "created_at": now, "made_after_page": stored,
                                                         "data": data, "compression": COMPRESSION,
                                                         "pages_table": table})
    return dictionary_id, data


def _train_now(db: Database, site: str | None, dictionary: bytes, table: str) -> bool:
    """Whether a raw dictionary is to be replaced by a trained one: the site has enough pages."""
    return (not dictionary.startswith(_ZSTD_DICTIONARY_MAGIC)
            and _pages_of(db, site, DICTIONARY_SAMPLE, table) >= DICTIONARY_SAMPLE)


def _pages_of(db: Database, site: str | None, up_to: int, table: str) -> int:
    """How many pages of ``site`` are stored in ``table``, counted up to ``up_to``."""
    return db.execute(f"SELECT count(*) FROM (SELECT 1 FROM {table} WHERE site IS ? LIMIT ?)",  # sql: as above
                      [site, up_to]).fetchone()[0]


def _recent_bodies(db: Database, site: str | None, table: str) -> list[bytes]:
    rows = db.execute(  # sql: STORED_BODY is a constant, the table one of PAGE_TABLES
        # NOT INDEXED: read back from the newest page, where this site's latest pages are,
        # instead of sorting all of the site's pages by the (site, article_id) index
        f"SELECT {STORED_BODY} FROM {table} NOT INDEXED WHERE site IS ? ORDER BY id DESC LIMIT ?",
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
