"""Re-extraction: run the current extractor over the raw pages kept in the archive.

Each article's latest stored page is read again with :func:`newscrawl.read_page` and saved
with :meth:`newscrawl.Archive.save`, as in a crawl, so an improved extractor updates the
archive without touching the network: an article whose content now reads differently gets
a new revision (the old one stays), the others are unchanged. The page is re-read as of its last fetch, so "last seen" times do not move.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from sqlite_utils import Database

from .archive.api import Archive
from .archive.store import revision_content
from .errors import NotAnArticle
from .reading import read_page


@dataclass(frozen=True)
class Change:
    """An article that got a new revision: which one, and which fields differ from the last."""

    article_rowid: int
    site: str
    article_id: str
    title: str
    revision: int
    fields: list[str]


@dataclass
class ReparseReport:
    """What a re-extraction did: counts by outcome, the changed articles, the dropped pages."""

    counts: dict[str, int] = field(default_factory=lambda: {"unchanged": 0, "updated": 0, "new": 0, "dropped": 0})
    changes: list[Change] = field(default_factory=list)
    dropped: list[tuple[str, str]] = field(default_factory=list)  # (url, reason)


def reparse(db_path: str | Path, site: str | None = None) -> ReparseReport:
    """Re-extract the latest page of every article (of ``site``) into the archive at ``db_path``."""
    report = ReparseReport()
    with Archive(db_path) as archive:
        for _rowid, page in archive.latest_pages(site):
            try:
                article = read_page(page)
            except NotAnArticle as exc:
                report.counts["dropped"] += 1
                report.dropped.append((page.url, str(exc)))
                continue
            archive.save(article)
            report.counts[article.archived] += 1
            if article.archived == "updated":
                report.changes.append(_change(archive.db, article.site, article.article_id))
    return report


def _change(db: Database, site: str, article_id: str) -> Change:
    """The article's new revision, compared field by field with the one before it."""
    rowid, title, revision, body = db.execute(
        "SELECT id, title, revision, body FROM articles WHERE site = ? AND article_id = ?", [site, article_id]).fetchone()
    before, after = (revision_content(data, body) for (data,) in db.execute(
        "SELECT data FROM revisions WHERE article = ? AND revision IN (?, ?) ORDER BY revision",
        [rowid, revision - 1, revision]).fetchall())
    fields = [name for name in after if before.get(name) != after[name]]
    return Change(rowid, site, article_id, title, revision, fields)
