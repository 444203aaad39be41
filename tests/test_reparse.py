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
    other = run_newscrawl("reparse", "--db", str(path), "--site", "other")
    assert other.returncode == 0, other.stderr
    assert other.stdout.splitlines() == ["0 unchanged, 0 updated, 0 new, 0 dropped"]
    result = run_newscrawl("reparse", "--db", str(path), "--site", "joongdo")
    assert result.returncode == 0, result.stderr
    assert result.stdout.splitlines() == ["0 unchanged, 1 updated, 0 new, 0 dropped",
                                          f"revision 2: joongdo {SEED_KEY} {TITLE} (title)"]
    missing = run_newscrawl("reparse", "--db", str(tmp_path / "none.db"))
    assert missing.returncode == 1 and "no archive there" in missing.stderr
