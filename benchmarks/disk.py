"""Disk benchmark: the archive's bytes per article against the HTML it was made from.

Measured on the archive of the memory benchmark's crawl: everything newscrawl keeps for an
article (its raw page, the article and its revision, reporters, photos, the news lists
beside it, the search index, and every index on those tables), the write-ahead log folded
into the file first, against the bytes of the article pages the server sent.
"""

from __future__ import annotations

import sqlite3
from pathlib import Path

from .report import Row

#: KB per article (photos' files apart: the archive keeps their addresses, not the images).
GOAL_KB = 8.0


def _table_bytes(conn: sqlite3.Connection) -> list[tuple[str, int]]:
    """Bytes of each table and index (SQLite's dbstat), largest first."""
    try:
        return conn.execute("SELECT name, sum(pgsize) FROM dbstat GROUP BY name ORDER BY 2 DESC").fetchall()
    except sqlite3.OperationalError:  # an SQLite built without dbstat
        return []


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
    breakdown = ", ".join(f"{name} {nbytes / articles / 1024:.1f}" for name, nbytes in tables[:8])
    return [
        Row("disk", f"archive KB per article, {articles:,} articles", per_article / 1024, "raw HTML, KB per article",
            raw / 1024, per_article / raw, f"≤ {GOAL_KB:.0f} KB", per_article / 1024 <= GOAL_KB, "{:.1f}",
            note=f"KB per article by table and index: {breakdown}"),
        Row("disk", "raw pages stored, KB per article", pages / articles / 1024, "raw HTML, KB per article",
            raw / 1024, pages / html, "(comparison)", None, "{:.2f}",
            note="page bodies only, zstd with the site's dictionary"),
    ]
