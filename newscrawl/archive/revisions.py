"""What a revision's content is, from its stored data.

``revisions.data`` holds a superseded version's whole content as JSON. The current
version's content is in the article's own row (title, dates, body, …) and its ``photos``
rows, so its data holds only what they do not: the reporters as the page showed them (the
``reporters`` table keeps one e-mail per reporter, the latest seen). When a newer version
supersedes it, its data is completed from the row before the row changes
(:func:`newscrawl.archive.store.save_article`).
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from sqlite_utils import Database

from .rows import json_text

#: Every content field: a change to any of them makes a new revision.
CONTENT_FIELDS = (
    "title", "subtitle", "sections", "published_at", "modified_at", "print_date", "print_page",
    "reporters", "dateline", "byline", "body", "photos", "complete",
)
#: The content fields kept in the current revision's data; the others are the article's row's.
CURRENT_DATA_FIELDS = ("reporters",)
PHOTO_FIELDS = ("url", "alt", "caption", "credit")
_ROW_FIELDS = [name for name in CONTENT_FIELDS if name not in (*CURRENT_DATA_FIELDS, "photos")]


def current_data(content: Mapping[str, Any]) -> str:
    """The ``revisions.data`` of the current version of ``content``."""
    return json_text({name: content[name] for name in CURRENT_DATA_FIELDS})


def current_content(db: Database, rowid: int) -> dict[str, Any]:
    """The content fields of article ``rowid``'s current version that its row and photos hold."""
    # sql: the code's own column names
    row = db.execute(f"SELECT {', '.join(_ROW_FIELDS)} FROM articles WHERE id = ?", [rowid]).fetchone()
    content = dict(zip(_ROW_FIELDS, row))
    content["sections"] = json.loads(content["sections"] or "[]")
    content["complete"] = bool(content["complete"])
    # sql: the code's own column names
    content["photos"] = [dict(zip(PHOTO_FIELDS, photo)) for photo in db.execute(
        f"SELECT {', '.join(PHOTO_FIELDS)} FROM photos WHERE article = ? ORDER BY position", [rowid])]
    return content


def revision_body(db: Database, site: str | None, article_id: str | None, revision: int | None) -> str:
    """The body of ``revision`` of article (``site``, ``article_id``): the row's for the
    current one, its data's for a superseded one."""
    row = db.execute(
        "SELECT CASE WHEN v.revision = a.revision THEN a.body ELSE json_extract(v.data, '$.body') END"
        " FROM articles a JOIN revisions v ON v.article = a.id AND v.revision = ?"
        " WHERE a.site = ? AND a.article_id = ?", [revision, site, article_id]).fetchone()
    if row is None or row[0] is None:
        raise LookupError(f"no body of revision {revision} of {site} article {article_id}")
    return row[0]


def revision_content(data: str, current: Mapping[str, Any] | None = None) -> dict[str, Any]:
    """The content of a revision from its stored ``data``; for the current revision,
    ``current`` (:func:`current_content`) gives the fields its data leaves out."""
    stored = {**(current or {}), **json.loads(data)}
    return {name: stored[name] for name in CONTENT_FIELDS if name in stored}


@dataclass(frozen=True)
class Revision:
    """One version of an article as the archive first and last saw it."""

    revision: int
    content: dict[str, Any]
    first_seen_at: str
    last_seen_at: str
    page_id: int | None


def article_revisions(db: Database, rowid: int) -> list[Revision]:
    """Every version ever seen of article ``rowid``, oldest first, each with its whole content
    (the current one's completed from the article's row and photos)."""
    (current,) = db.execute("SELECT revision FROM articles WHERE id = ?", [rowid]).fetchone()
    rows = db.execute("SELECT revision, data, first_seen_at, last_seen_at, page_id FROM revisions"
                      " WHERE article = ? ORDER BY revision", [rowid]).fetchall()
    return [Revision(number, revision_content(data, current_content(db, rowid) if number == current else None),
                     first, last, page_id)
            for number, data, first, last, page_id in rows]
