"""What the reading room's article page shows, read from the archive.

Plain functions on a ``sqlite3`` connection (the plugin runs them with datasette's
``execute_fn``): the article with its section path, raw date text, reporters, photos,
related lists (linked to our copy where we hold the article), its revisions, and a
word-level diff between any two of them.
"""

from __future__ import annotations

import difflib
import json
import re
import sqlite3
from typing import Any

from sqlite_utils import Database

from ..archive.revisions import Revision, article_revisions

ARTICLE_SQL = """select a.*, s.path as section_path from articles a
left join sections s on s.id = a.section_id where a.id = :id"""
REPORTERS_SQL = """select r.name, r.email, r.url from article_reporters ar
join reporters r on r.id = ar.reporter where ar.article = :id order by ar.position"""
# with the archived copy of each photo (photo_urls: archives from before it have none)
PHOTOS_SQL = """select p.position, p.url, p.alt, p.caption, p.credit, u.sha256 as file from photos p
left join photo_urls u on u.url = p.url where p.article = :id order by p.position"""
PHOTOS_SQL_BEFORE_COPIES = """select position, url, alt, caption, credit, null as file from photos
where article = :id order by position"""
# Each list as last seen beside the article: the newest snapshot of every rank.
RELATED_SQL = """select r.list, li.rank, i.url, i.title, s.last_seen_at,
  (select a.id from articles a where a.canonical_url = i.url or a.url = i.url limit 1) as held
from related_sightings s join related_lists r on r.id = s.related_list
  join related_list_items li on li.related_list = r.id join related_items i on i.id = li.item
where s.article = :id
  and s.last_seen_at = (select max(x.last_seen_at) from related_sightings x
                        join related_lists y on y.id = x.related_list where x.article = s.article and y.list = r.list)
order by r.list, li.rank"""
#: Korean names of the related lists the profiles extract.
LIST_NAMES = {"headline": "주요뉴스", "photo": "포토뉴스", "ranking": "랭킹뉴스"}
#: The fields a revision diff compares, with their Korean labels.
DIFF_FIELDS = {"title": "제목", "subtitle": "부제", "body": "본문"}
_WORD = re.compile(r"\S+|\s+")


def _rows(conn: sqlite3.Connection, sql: str, params: dict[str, Any]) -> list[dict[str, Any]]:
    cursor = conn.execute(sql, params)
    columns = [c[0] for c in cursor.description]
    return [dict(zip(columns, row)) for row in cursor.fetchall()]


def _has_table(conn: sqlite3.Connection, name: str) -> bool:
    return conn.execute("select 1 from sqlite_master where type = 'table' and name = ?", [name]).fetchone() is not None


def paragraphs(body: str | None) -> list[str]:
    """The body's paragraphs (the archive separates them by a blank line)."""
    return [p.strip() for p in re.split(r"\n\s*\n", body or "") if p.strip()]


def revisions(conn: sqlite3.Connection, article: dict[str, Any]) -> list[Revision]:
    """Every version of the article, oldest first, its content complete."""
    return article_revisions(Database(conn), article["id"])


def word_diff(old: str | None, new: str | None) -> list[tuple[str, str]]:
    """(kind, text) pieces turning ``old`` into ``new`` word by word: kind is ``same``,
    ``del`` or ``ins``."""
    before, after = _WORD.findall(old or ""), _WORD.findall(new or "")
    pieces: list[tuple[str, str]] = []
    for op, i1, i2, j1, j2 in difflib.SequenceMatcher(None, before, after, autojunk=False).get_opcodes():
        if op == "equal":
            pieces.append(("same", "".join(before[i1:i2])))
            continue
        if i2 > i1:
            pieces.append(("del", "".join(before[i1:i2])))
        if j2 > j1:
            pieces.append(("ins", "".join(after[j1:j2])))
    return pieces


def revision_diff(versions: list[Revision], old: int, new: int) -> list[dict[str, Any]]:
    """The word-level diff of each compared field between revisions ``old`` and ``new``."""
    by_number = {v.revision: v.content for v in versions}
    if old not in by_number or new not in by_number:
        return []
    return [{"label": label, "pieces": word_diff(by_number[old].get(name), by_number[new].get(name)),
             "changed": by_number[old].get(name) != by_number[new].get(name)}
            for name, label in DIFF_FIELDS.items()]


def related_lists(conn: sqlite3.Connection, rowid: int) -> dict[str, list[dict[str, Any]]]:
    """The related lists beside the article, by Korean list name, as last seen."""
    lists: dict[str, list[dict[str, Any]]] = {}
    for row in _rows(conn, RELATED_SQL, {"id": rowid}):
        lists.setdefault(LIST_NAMES.get(row["list"], row["list"]), []).append(row)
    return lists


def article_page(conn: sqlite3.Connection, rowid: int, old: int | None = None,
                 new: int | None = None) -> dict[str, Any] | None:
    """Everything the article page shows, or None when there is no such article."""
    found = _rows(conn, ARTICLE_SQL, {"id": rowid})
    if not found:
        return None
    article = found[0]
    versions = revisions(conn, article)
    new = new or article["revision"]
    old = old or max(1, new - 1)
    return {
        "article": article,
        "raw": json.loads(article["raw"] or "{}"),
        "paragraphs": paragraphs(article["body"]),
        "reporters": _rows(conn, REPORTERS_SQL, {"id": rowid}),
        "photos": _rows(conn, PHOTOS_SQL if _has_table(conn, "photo_urls") else PHOTOS_SQL_BEFORE_COPIES,
                        {"id": rowid}),
        "related": related_lists(conn, rowid),
        "revisions": versions,
        "old": old, "new": new,
        "diff": revision_diff(versions, old, new) if old != new else [],
    }
