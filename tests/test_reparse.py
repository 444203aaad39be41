"""`newscrawl reparse`: the current extractor over the stored raw pages, changes reported."""

from __future__ import annotations

import dataclasses

from conftest import JOONGDO, SEED_KEY, run_newscrawl, seed_article
from newscrawl.archive import open_archive, save_article
from newscrawl.archive.search import search
from newscrawl.reparse import reparse

TITLE = "세종시, 전자정부 정보보호 우수기관 선정"


def archive_with(tmp_path, article):
    path = tmp_path / "news.db"
    db = open_archive(path)
    save_article(db, article)
    db.close()
    return path


def test_unchanged_extraction_changes_nothing(seed_archive):
    db = open_archive(seed_archive)
    before = [list(db[t].rows) for t in ("articles", "revisions", "related_sightings", "related_lists", "pages")]
    report = reparse(seed_archive)
    assert report.counts == {"unchanged": 1, "updated": 0, "new": 0, "dropped": 0}
    assert report.changes == []
    assert [list(db[t].rows) for t in ("articles", "revisions", "related_sightings", "related_lists", "pages")] == before


def test_better_extraction_adds_a_revision(tmp_path):
    # as an older extractor stored it: a title cut short, the byline missing
    stored = dataclasses.replace(seed_article(), title="세종시, 전자정부", byline=None)
    path = archive_with(tmp_path, stored)
    report = reparse(path)
    assert report.counts == {"unchanged": 0, "updated": 1, "new": 0, "dropped": 0}
    (change,) = report.changes
    assert (change.article_id, change.revision, change.title) == (SEED_KEY, 2, TITLE)
    assert change.fields == ["title", "byline"]
    db = open_archive(path)
    assert [r["revision"] for r in db["revisions"].rows] == [1, 2]  # the old version stays
    assert db["articles"].get(change.article_rowid)["title"] == TITLE
    assert [r["title"] for r in search(db, "우수기관")] == [TITLE]  # the index follows


def test_a_page_no_longer_read_as_article_is_dropped_and_kept(tmp_path):
    article = seed_article()
    missing = (JOONGDO / "view-missing.html").read_bytes()
    article.page = dataclasses.replace(article.page, body=missing)
    path = archive_with(tmp_path, article)
    report = reparse(path)
    assert report.counts["dropped"] == 1 and report.dropped[0][0] == article.url
    assert open_archive(path)["articles"].count == 1


def test_site_filter_and_command_output(tmp_path):
    path = archive_with(tmp_path, dataclasses.replace(seed_article(), title="옛 제목"))
    other = run_newscrawl("reparse", "--db", str(path), "--site", "other")  # a site it does not hold: an error
    assert other.returncode == 1 and "holds no site 'other' (it holds: joongdo)" in other.stderr
    result = run_newscrawl("reparse", "--db", str(path), "--site", "joongdo")
    assert result.returncode == 0, result.stderr
    assert result.stdout.splitlines() == ["0 unchanged, 1 updated, 0 new, 0 dropped",
                                          f"revision 2: joongdo {SEED_KEY} {TITLE} (title)"]
    missing = run_newscrawl("reparse", "--db", str(tmp_path / "none.db"))
    assert missing.returncode == 1 and "no archive there" in missing.stderr


def other_article(key: str):
    """The seed page as the page of article ``key``, read as a crawl reads it."""
    from conftest import SEED_HTML, SEED_URL
    from newscrawl.items import RawPage
    from newscrawl.reading import read_page

    page = RawPage(url=SEED_URL.replace(SEED_KEY, key), status=200,
                   headers={"content-type": ["text/html; charset=utf-8"]},
                   body=SEED_HTML.read_bytes().replace(SEED_KEY.encode(), key.encode()), encoding=None,
                   fetched_at="2026-01-01T10:00:00+09:00", profile="joongdo")
    return read_page(page)


def test_worker_processes_store_what_changed_and_write_nothing_else(tmp_path, monkeypatch):
    monkeypatch.setattr("newscrawl.reparse.CHUNK", 1)  # one article per task: both workers get work
    keys = [f"2020070801000{n:04d}" for n in range(4)]
    stale = dataclasses.replace(other_article(keys[0]), title="세종시, 전자정부")
    path = archive_with(tmp_path, stale)
    db = open_archive(path)
    for key in keys[1:]:
        save_article(db, other_article(key))
    report = reparse(path, workers=2)
    assert report.counts == {"unchanged": 3, "updated": 1, "new": 0, "dropped": 0}
    assert [(c.article_id, c.fields) for c in report.changes] == [(keys[0], ["title"])]
    assert db.execute("SELECT title FROM articles WHERE article_id = ?", [keys[0]]).fetchone() == (TITLE,)
    # a second pass finds every article as stored: the archive file is not written to at all
    version = db.execute("PRAGMA data_version").fetchone()
    assert reparse(path, workers=2).counts == {"unchanged": 4, "updated": 0, "new": 0, "dropped": 0}
    assert db.execute("PRAGMA data_version").fetchone() == version
