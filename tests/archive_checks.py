"""Checks that an archive is whole: what the fault-tolerance tests assert after every fault.

:data:`BROKEN_ARTICLES` is one SQL statement, so it reads one snapshot of the archive: run
by datasette while a crawl writes, it finds a torn read (an article row without the
revisions, photos, reporters, raw page or search entry written with it) as surely as it
finds a half-written article after a ``kill -9``.
"""

from __future__ import annotations

from pathlib import Path

import sqlite_utils

from conftest import GeneratedSite
from mocksite import Renderer
from newscrawl.archive.store import content_hash, content_of
from newscrawl.items import RawPage
from newscrawl.reading import read_page

#: ``(article id, what is wrong)`` for every article whose rows disagree; no rows when whole.
BROKEN_ARTICLES = """
select a.id, 'revisions 1..revision' from articles a
  where (select count(*) from revisions r where r.article = a.id) != a.revision
     or (select max(r.revision) from revisions r where r.article = a.id) != a.revision
union all
select a.id, 'current revision' from articles a
  where not exists (select 1 from revisions r
                    where r.article = a.id and r.revision = a.revision and r.content_hash = a.content_hash)
union all
select a.id, 'photos' from articles a join revisions r on r.article = a.id and r.revision = a.revision
  where json_array_length(r.data, '$.photos') != (select count(*) from photos p where p.article = a.id)
union all
select a.id, 'reporters' from articles a join revisions r on r.article = a.id and r.revision = a.revision
  where json_array_length(r.data, '$.reporters') != (select count(*) from article_reporters x where x.article = a.id)
union all
select a.id, 'raw page' from articles a
  where not exists (select 1 from pages p where p.id = a.page_id)
union all
select a.id, 'search index' from articles a
  where a.id not in (select rowid from articles_fts)
union all
select rowid, 'search entry without article' from articles_fts
  where rowid not in (select id from articles)
"""


def assert_archive_consistent(db_path: Path) -> None:
    """SQLite's own checks pass and every article has all its rows (see BROKEN_ARTICLES)."""
    db = sqlite_utils.Database(db_path)
    try:
        assert db.execute("PRAGMA integrity_check").fetchall() == [("ok",)]
        assert db.execute("PRAGMA foreign_key_check").fetchall() == []
        assert db.execute(BROKEN_ARTICLES).fetchall() == []
    finally:
        db.close()


def index_terms(db: sqlite_utils.Database) -> list[tuple]:
    """Every (term, article, column, offset) of the search index: two equal lists, two
    indexes holding the same."""
    db.execute("CREATE VIRTUAL TABLE IF NOT EXISTS temp.vocab USING fts5vocab(main, articles_fts, instance)")
    return db.execute("SELECT * FROM temp.vocab ORDER BY 1, 2, 3, 4").fetchall()


def article_contents(db_path: Path) -> dict[tuple[str, str], str]:
    """``(site, article_id) -> content hash`` of every archived article."""
    db = sqlite_utils.Database(db_path)
    try:
        return {(site, article_id): digest for site, article_id, digest in
                db.execute("SELECT site, article_id, content_hash FROM articles")}
    finally:
        db.close()


def clean_contents(site: GeneratedSite) -> dict[str, str]:
    """article key -> content hash of the article as its clean page reads (nothing stored)."""
    renderer = Renderer(site.articles)
    contents = {}
    for article in site.articles:
        page = RawPage(url=site.article_url(article.key), status=200,
                       headers={"content-type": ["text/html; charset=utf-8"]}, body=renderer.article(article),
                       encoding=None, fetched_at="2026-01-01T00:00:00+09:00", profile="joongdo")
        contents[article.key] = content_hash(content_of(read_page(page)))
    return contents
