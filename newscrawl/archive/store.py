"""Writing articles and failures into the archive, one transaction per article.

An article is keyed by (site, article_id). Saving it again with the same content changes
nothing but the "last seen" times; saving it with changed content adds a revision and
updates the ``articles`` row, so every version ever seen stays in ``revisions``.

``revisions.data`` holds a superseded version's content as JSON; the current version's is
the article's row and photos, its data only what they lack (:mod:`.revisions`).
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass
from typing import Any, Literal

from sqlite_utils import Database

from ..clock import now_kst
from ..items import Article, FetchFailure, plain
from .lists import record_lists
from .pages import store_page
from .revisions import CONTENT_FIELDS, current_content, current_data, revision_content
from .rows import insert_row, insert_rows, json_text, update_row
from .search import index_article, unindex_article
from .sections import link_section
from .transaction import write_transaction

Outcome = Literal["new", "updated", "unchanged"]


@dataclass(frozen=True)
class SaveResult:
    outcome: Outcome
    article_rowid: int
    revision: int


def content_of(article: Article) -> dict[str, Any]:
    """The fields of ``article`` that make a revision, as JSON values."""
    return {name: plain(getattr(article, name)) for name in CONTENT_FIELDS}


def content_hash(content: dict[str, Any]) -> str:
    canonical = json.dumps(content, ensure_ascii=False, sort_keys=True, separators=(",", ":"))
    return hashlib.sha256(canonical.encode()).hexdigest()



def save_article(db: Database, article: Article) -> SaveResult:
    """Store ``article`` (and its raw page) in one transaction; returns what happened."""
    seen_at = article.fetched_at or now_kst()
    content = content_of(article)
    digest = content_hash(content)
    with write_transaction(db):
        row = db.execute(
            "SELECT id, revision, content_hash, last_fetched_at FROM articles WHERE site = ? AND article_id = ?",
            [article.site, article.article_id],
        ).fetchone()
        page_id = None
        if article.page:  # compressed with the body of the revision it gives (new, same or next)
            text = (1 if row is None else row[1] + (row[2] != digest), article.body)
            page_id = store_page(db, article.page, article.site, article.article_id, seen_at, text=text)
        if row is None:
            rowid = insert_row(db, "articles", _article_row(article, digest, 1, page_id, seen_at)
                               | {"first_seen_at": seen_at})
            result = SaveResult("new", rowid, 1)
        else:
            rowid, revision, old_digest, last_fetched_at = row
            if old_digest == digest:
                _touch(db, rowid, revision, page_id, seen_at)
                result = SaveResult("unchanged", rowid, revision)
            else:
                _supersede(db, rowid, revision)
                revision += 1
                unindex_article(db, rowid)
                update_row(db, "articles", rowid, _article_row(article, digest, revision, page_id, seen_at))
                result = SaveResult("updated", rowid, revision)
        if result.outcome != "unchanged":
            insert_row(db, "revisions", {
                "article": rowid, "revision": result.revision, "content_hash": digest,
                "data": current_data(content),
                "page_id": page_id, "first_seen_at": seen_at, "last_seen_at": seen_at,
            })
            _replace_reporters(db, rowid, article)
            _replace_photos(db, rowid, article)
            link_section(db, rowid, article.site, article.sections)
            index_article(db, rowid)
        record_lists(db, rowid, article.related, seen_at, None if row is None else row[3])
        if article.complete:  # an article cut short stays a failure to retry (see ArchivePipeline)
            db.execute("DELETE FROM failures WHERE url = ?", [article.url])
    return result


def _supersede(db: Database, rowid: int, revision: int) -> None:
    """Complete the data of article ``rowid``'s current ``revision`` from the article's row
    and photos, before a newer version replaces them."""
    (data,) = db.execute("SELECT data FROM revisions WHERE article = ? AND revision = ?", [rowid, revision]).fetchone()
    content = revision_content(data, current_content(db, rowid))
    db.execute("UPDATE revisions SET data = ? WHERE article = ? AND revision = ?",
               [json_text(content), rowid, revision])


def mark_unchanged(db: Database, site: str, article_id: str, url: str, seen_at: str) -> SaveResult | None:
    """Record that the server answered 304 Not Modified for a stored article.

    Only its "last seen" times change (article, current revision, raw page), as when a
    fetched page turns out identical. Returns None when the article is not in the archive.
    """
    with write_transaction(db):
        row = db.execute("SELECT id, revision, page_id FROM articles WHERE site = ? AND article_id = ?",
                         [site, article_id]).fetchone()
        if row is None:
            return None
        rowid, revision, page_id = row
        _touch(db, rowid, revision, None, seen_at)
        db.execute("UPDATE pages SET last_fetched_at = ? WHERE id = ?", [seen_at, page_id])
        db.execute("DELETE FROM failures WHERE url = ?", [url])
    return SaveResult("unchanged", rowid, revision)


#: Content fields stored in tables of their own, not as columns of ``articles``.
_OWN_TABLES = ("reporters", "photos")


def _article_row(article: Article, digest: str, revision: int, page_id: int | None, seen_at: str) -> dict[str, Any]:
    """The ``articles`` row: every content field is a column of the same name (lists as JSON),
    but those with tables of their own; then identity, provenance and times."""
    content = {name: getattr(article, name) for name in CONTENT_FIELDS if name not in _OWN_TABLES}
    return content | {
        "sections": json_text(article.sections),
        "section": article.sections[-1] if article.sections else None,
        "complete": int(article.complete), "incomplete_reason": article.incomplete_reason,
        "site": article.site, "article_id": article.article_id, "url": article.url,
        "canonical_url": article.canonical_url, "revision": revision, "content_hash": digest,
        "sources": json_text(article.sources), "raw": json_text(article.raw), "page_id": page_id,
        "last_fetched_at": seen_at, "last_changed_at": seen_at,
    }


def _touch(db: Database, rowid: int, revision: int, page_id: int | None, seen_at: str) -> None:
    db.execute("UPDATE articles SET last_fetched_at = ?, page_id = coalesce(?, page_id) WHERE id = ?",
               [seen_at, page_id, rowid])
    db.execute("UPDATE revisions SET last_seen_at = ? WHERE article = ? AND revision = ?",
               [seen_at, rowid, revision])


def _replace_reporters(db: Database, rowid: int, article: Article) -> None:
    db.execute("DELETE FROM article_reporters WHERE article = ?", [rowid])
    for position, reporter in enumerate(article.reporters, start=1):
        found = db.execute(
            "SELECT id FROM reporters WHERE site = ? AND name = ? AND coalesce(url, '') = coalesce(?, '')",
            [article.site, reporter.name, reporter.url],
        ).fetchone()
        if found:
            reporter_id = found[0]
            if reporter.email:
                db.execute("UPDATE reporters SET email = ? WHERE id = ?", [reporter.email, reporter_id])
        else:
            reporter_id = insert_row(db, "reporters", {
                "site": article.site, "name": reporter.name, "url": reporter.url, "email": reporter.email,
            })
        insert_row(db, "article_reporters", {"article": rowid, "reporter": reporter_id, "position": position},
                   ignore=True)


def _replace_photos(db: Database, rowid: int, article: Article) -> None:
    db.execute("DELETE FROM photos WHERE article = ?", [rowid])
    insert_rows(db, "photos", ("article", "position", "url", "alt", "caption", "credit"), (
        (rowid, position, photo.url, photo.alt, photo.caption, photo.credit)
        for position, photo in enumerate(article.photos, start=1)))


def record_failure(db: Database, failure: FetchFailure) -> None:
    """Count one more failed attempt at ``failure.url`` (kept until the URL succeeds)."""
    failed_at = failure.failed_at or now_kst()
    with write_transaction(db):
        updated = db.execute(
            "UPDATE failures SET attempts = attempts + 1, kind = ?, status = ?, error = ?,"
            " last_failed_at = ?, site = coalesce(?, site) WHERE url = ?",
            [failure.kind, failure.status, failure.error, failed_at, failure.site, failure.url],
        ).rowcount
        if not updated:
            insert_row(db, "failures", {
                "url": failure.url, "site": failure.site, "kind": failure.kind,
                "status": failure.status, "error": failure.error, "attempts": 1,
                "first_failed_at": failed_at, "last_failed_at": failed_at,
            })
