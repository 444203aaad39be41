"""Disk benchmark: the archive's bytes per article against the HTML it was made from.

Measured on the archive of the memory benchmark's crawl: everything newscrawl keeps for an
article (its raw page, the article and its revision, reporters, photos, the news lists
beside it, the search index, and every index on those tables), the write-ahead log folded
into the file first, against the bytes of the article pages the server sent.
"""

from __future__ import annotations

import json
import sqlite3
import time
from pathlib import Path

from sqlite_utils import Database

from newscrawl.archive.pages import COMPRESSION, TEXT_COMPRESSION, compress, decompress, load_page
from newscrawl.archive.revisions import revision_body

from .report import Row

#: KB per article (photos' files apart: the archive keeps their addresses, not the images).
GOAL_KB = 8.0
#: Article pages compared with and without their text in the dictionary.
SAMPLE_PAGES = 1000


def _table_bytes(conn: sqlite3.Connection) -> list[tuple[str, int]]:
    """Bytes of each table and index (SQLite's dbstat), largest first."""
    try:
        return conn.execute("SELECT name, sum(pgsize) FROM dbstat GROUP BY name ORDER BY 2 DESC").fetchall()
    except sqlite3.OperationalError:  # an SQLite built without dbstat
        return []


def _text_pages(db: Path) -> list[Row]:
    """Article pages compressed with their text (as stored) against the same pages compressed
    with their site's dictionary alone (recompressed here): bytes, time to compress one, and
    time to read one back (the stored one by ``load_page``; the other by the same reads of
    its row and dictionary, less the text's, then decompressed)."""
    archive = Database(sqlite3.connect(db))
    ids = [page_id for (page_id,) in archive.execute(
        "SELECT id FROM pages WHERE compression = ? ORDER BY id", [TEXT_COMPRESSION])]
    ids = ids[::max(1, len(ids) // SAMPLE_PAGES)][:SAMPLE_PAGES]
    if not ids:
        return []
    dictionaries = dict(archive.execute("SELECT id, data FROM page_dictionaries"))
    plain, stored, writing = {}, 0, [0.0, 0.0]
    for page_id in ids:
        blob, dictionary, site, article_id, revision = archive.execute(
            "SELECT body, dictionary, site, article_id, text_revision FROM pages WHERE id = ?", [page_id]).fetchone()
        body, text = load_page(archive, page_id).body, revision_body(archive, site, article_id, revision)
        for n, given in enumerate((text, None)):
            started = time.perf_counter()
            compressed = compress(body, dictionaries.get(dictionary), given)
            writing[n] += time.perf_counter() - started
        plain[page_id] = compressed
        stored += len(blob)
    with_text, alone = 0.0, 0.0
    for page_id in ids:
        started = time.perf_counter()
        load_page(archive, page_id)
        with_text += time.perf_counter() - started
        started = time.perf_counter()
        row = archive.execute("SELECT url, status, headers, dictionary FROM pages WHERE id = ?", [page_id]).fetchone()
        json.loads(row[2])
        dictionary = archive.execute("SELECT data FROM page_dictionaries WHERE id = ?", [row[3]]).fetchone()
        decompress(plain[page_id], COMPRESSION, dictionary[0] if dictionary else None)
        alone += time.perf_counter() - started
    archive.close()
    count, plain_bytes = len(ids), sum(map(len, plain.values()))
    return [
        Row("disk", f"article page stored (with its text), KB, {count} pages", stored / count / 1024,
            "with the site's dictionary alone", plain_bytes / count / 1024, stored / plain_bytes, "(comparison)",
            None, "{:.2f}"),
        Row("disk", "article page compressed, ms", writing[0] / count * 1000, "with the site's dictionary alone",
            writing[1] / count * 1000, writing[0] / writing[1], "(comparison)", None, "{:.3f}"),
        Row("disk", "article page read back, ms", with_text / count * 1000, "with the site's dictionary alone",
            alone / count * 1000, with_text / alone, "(comparison)", None, "{:.3f}"),
    ]


def run(db: Path) -> list[Row]:
    conn = sqlite3.connect(db)
    try:
        conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
        articles, html = conn.execute(
            "SELECT count(*), sum(p.body_size) FROM articles a JOIN pages p ON p.id = a.page_id").fetchone()
        pages = conn.execute("SELECT sum(length(body)) FROM pages").fetchone()[0]
        tables = _table_bytes(conn)
    finally:
        conn.close()
    size = db.stat().st_size
    per_article, raw = size / articles, html / articles
    breakdown = ", ".join(f"{name} {nbytes / articles / 1024:.2f}" for name, nbytes in tables[:8])
    return [
        Row("disk", f"archive KB per article, {articles:,} articles", per_article / 1024, "raw HTML, KB per article",
            raw / 1024, per_article / raw, f"≤ {GOAL_KB:.0f} KB", per_article / 1024 <= GOAL_KB, "{:.2f}",
            note=f"KB per article by table and index: {breakdown}"),
        Row("disk", "raw pages stored, KB per article", pages / articles / 1024, "raw HTML, KB per article",
            raw / 1024, pages / html, "(comparison)", None, "{:.2f}",
            note="page bodies only, zstd with the site's dictionary and the article's text"),
        *_text_pages(db),
    ]
