"""The schema people query: migrations that upgrade old archives in place, views, indexes
the common questions use, and documentation that covers every table, view and command."""

from __future__ import annotations

import dataclasses
import hashlib
import json
import re
import zlib
from pathlib import Path

import pytest
import sqlite_utils

import newscrawl
from archive_checks import index_terms
from conftest import SEED_KEY, SEED_URL, seed_article
from newscrawl.archive import load_page, open_archive, save_article
from newscrawl.archive.migrations import MIGRATIONS
from newscrawl.archive.search import FTS_TABLE, create_index, rebuild_index, search
from newscrawl.archive.revisions import current_content
from newscrawl.archive.store import _article_row, _replace_reporters, content_hash, content_of, revision_content
from newscrawl.cli import cli

README = Path(__file__).parent.parent / "README.md"
METADATA = json.loads((Path(newscrawl.__file__).parent / "metadata.json").read_text(encoding="utf-8"))
#: The archive as the first release (three migrations) wrote it.
FIRST_RELEASE = 3


def first_release_archive(path: Path) -> None:
    """An archive made by the first release's schema and writes: one article, its page,
    revision and reporter; no sections, no search index, no views."""
    old = sqlite_utils.Database(path)
    for migration in MIGRATIONS[:FIRST_RELEASE]:
        migration(old)
    old.execute(f"PRAGMA user_version = {FIRST_RELEASE}")
    article = seed_article()
    content = content_of(article)
    page = article.page
    page_id = old["pages"].insert({
        "site": page.profile, "article_id": article.article_id, "url": page.url, "requested_url": page.requested_url,
        "status": page.status, "headers": json.dumps(page.headers, ensure_ascii=False),
        "body": zlib.compress(page.body, 9), "compression": "zlib", "body_size": len(page.body),
        "body_sha256": hashlib.sha256(page.body).hexdigest(), "encoding": page.encoding, "truncated": 0,
        "fetched_at": article.fetched_at, "last_fetched_at": article.fetched_at}).last_pk
    rowid = old["articles"].insert(_article_row(article, content_hash(content), 1, page_id, article.fetched_at)
                                   | {"first_seen_at": article.fetched_at}).last_pk
    old["revisions"].insert({"article": rowid, "revision": 1, "content_hash": content_hash(content),
                             "data": json.dumps(content, ensure_ascii=False), "page_id": page_id,
                             "first_seen_at": article.fetched_at, "last_seen_at": article.fetched_at})
    _replace_reporters(old, rowid, article)
    old.close()


#: The archive's version before the news lists were stored once per content.
BEFORE_LISTS = next(number for number, migration in enumerate(MIGRATIONS) if migration.__name__ == "_lists_stored_once")


def archive_at(path: Path, version: int) -> sqlite_utils.Database:
    """A new archive at schema ``version``, with the search index an archive of that time had."""
    old = sqlite_utils.Database(path)
    for migration in MIGRATIONS[:version]:
        migration(old)
    old.execute(f"PRAGMA user_version = {version}")
    create_index(old)
    return old


def shown_at_each_fetch(db) -> dict[str, set[tuple]]:
    """What the list_snapshots view says each fetch showed: at every time it knows, the
    (article, list, rank, title, url) seen then."""
    rows = db.execute("SELECT seen_beside, list, rank, title, url, first_seen_at, last_seen_at"
                      " FROM list_snapshots").fetchall()
    times = {time for row in rows for time in row[5:]}
    return {at: {row[:5] for row in rows if row[5] <= at <= row[6]} for at in times}


def test_lists_stored_beside_every_article_are_converted_to_lists_stored_once(tmp_path):
    old = archive_at(tmp_path / "old.db", BEFORE_LISTS)
    article = seed_article()
    # saved by today's code, without what it writes differently (the lists; pages, zstd)
    save_article(old, dataclasses.replace(article, related=[], page=None))
    other = dataclasses.replace(article, article_id="2", url=SEED_URL + "&n=2", related=[], page=None)
    save_article(old, other)
    items = {}
    for entry in article.related:
        key = (entry.url, entry.title, entry.summary)
        items[key] = old["related_items"].insert({"item_hash": hashlib.sha1(json.dumps(list(key), ensure_ascii=False)
                                                  .encode()).hexdigest(), "url": key[0], "title": key[1],
                                                  "summary": key[2]}).last_pk
    changed = old["related_items"].insert({"item_hash": "x", "url": "http://a/x", "title": "새 기사"}).last_pk
    t1, t2, t3 = (f"2026-01-0{day}T10:00:00+09:00" for day in (1, 2, 3))
    # as the old code wrote it: both articles showed the lists at t1 and t2; at t3 the first
    # showed a new headline at ranking's rank 6, its other rows extended to t3
    for rowid in (1, 2):
        for entry in article.related:
            moved = rowid == 1 and (entry.list, entry.rank) == ("ranking", 6)
            last = t2 if moved or rowid == 2 else t3
            item = items[(entry.url, entry.title, entry.summary)]
            old["related_links"].insert({"article": rowid, "list": entry.list, "rank": entry.rank,
                                         "item": item, "first_seen_at": t1, "last_seen_at": last})
    old["related_links"].insert({"article": 1, "list": "ranking", "rank": 6, "item": changed,
                                 "first_seen_at": t3, "last_seen_at": t3})
    before = shown_at_each_fetch(old)
    old.close()
    db = open_archive(tmp_path / "old.db")
    assert shown_at_each_fetch(db) == before and (1, "ranking", 6, "새 기사", "http://a/x") in before[t3]
    assert "related_links" not in db.table_names()
    lists = {entry.list for entry in article.related}
    # one row per distinct list: the ranking twice (before and after rank 6 changed)
    assert db["related_lists"].count == len(lists) + 1
    assert db["related_sightings"].count == 2 * len(lists) + 1


def test_current_revisions_of_older_archives_keep_only_what_the_row_lacks(tmp_path):
    path = tmp_path / "old.db"
    old = archive_at(path, BEFORE_LISTS + 1)
    article = dataclasses.replace(seed_article(), page=None)
    save_article(old, article)
    edited = dataclasses.replace(seed_article("2026-01-02T10:00:00+09:00"), subtitle="고친 부제", page=None)
    save_article(old, edited)
    # as migration 9 left current revisions: every content field but the body
    whole = {k: v for k, v in content_of(edited).items() if k != "body"}
    old.execute("UPDATE revisions SET data = ? WHERE revision = 2", [json.dumps(whole, ensure_ascii=False)])
    old.close()
    db = open_archive(path)
    first, current = (r["data"] for r in db["revisions"].rows_where(order_by="revision"))
    assert set(json.loads(current)) == {"reporters"}
    assert revision_content(current, current_content(db, 1)) == content_of(edited)
    assert revision_content(first) == content_of(article)
    assert [r["subtitle"] for r in db["revision_history"].rows_where(order_by="revision")] == [
        article.subtitle, "고친 부제"]


def test_list_hashes_written_as_hex_digits_become_bytes(tmp_path):
    """Archives from before the hashes were bytes: the migration turns each hex SHA-1 into its
    bytes, so the same lists seen again are found, not stored a second time."""
    path = tmp_path / "old.db"
    version = next(n for n, migration in enumerate(MIGRATIONS) if migration.__name__ == "_hashes_as_bytes")
    old = archive_at(path, version)
    save_article(old, dataclasses.replace(seed_article(), page=None))
    for table, column in (("related_items", "item_hash"), ("related_lists", "list_hash")):
        # sql: this test's own table and column names; as the code before wrote them, hex
        old.execute(f"UPDATE {table} SET {column} = lower(hex({column}))")
    counts = [old[table].count for table in ("related_items", "related_lists", "related_sightings")]
    old.conn.commit()
    old.close()
    db = open_archive(path)
    assert {len(value) for (value,) in db.execute("SELECT list_hash FROM related_lists")} == {20}
    assert {type(value) for (value,) in db.execute("SELECT item_hash FROM related_items")} == {bytes}
    save_article(db, dataclasses.replace(seed_article("2026-01-02T10:00:00+09:00"), page=None))
    assert [db[table].count for table in ("related_items", "related_lists", "related_sightings")] == counts


def test_first_release_archive_is_upgraded_in_place(tmp_path):
    path = tmp_path / "old.db"
    first_release_archive(path)
    db = open_archive(path)
    assert db.execute("PRAGMA user_version").fetchone()[0] == len(MIGRATIONS) > FIRST_RELEASE
    (article,) = db["articles"].rows
    assert (article["article_id"], article["title"]) == (SEED_KEY, "세종시, 전자정부 정보보호 우수기관 선정")
    assert db["sections"].get(article["section_id"])["path"] == "정치/행정 > 세종"
    assert [r["title"] for r in search(db, "정보보호의날")] == [article["title"]]
    (summary,) = db["article_summary"].rows
    assert (summary["section_path"], summary["reporters"]) == ("정치/행정 > 세종", "임병안")
    # the backfilled index is exactly what saving builds, so later edits keep it consistent
    backfilled = index_terms(db)
    rebuild_index(db)
    assert index_terms(db) == backfilled
    # its page, compressed without a dictionary, reads back as it was received
    assert load_page(db, article["page_id"]).body == seed_article().page.body
    # its body is now kept once, in articles (its photos, never written to the photos table
    # by the first release, stay in its data); the revision's content is still whole
    (data,) = db.execute("SELECT data FROM revisions").fetchone()
    assert "body" not in json.loads(data) and json.loads(data)["photos"]
    assert revision_content(data, current_content(db, article["id"])) == content_of(seed_article())
    (history,) = db["revision_history"].rows
    assert (history["title"], history["modified_at"]) == (article["title"], article["modified_at"])
    assert save_article(db, seed_article("2026-02-01T10:00:00+09:00")).outcome == "unchanged"


def test_sections_form_a_tree(seed_archive):
    db = open_archive(seed_archive)
    rows = {r["name"]: r for r in db["sections"].rows}
    assert rows["정치/행정"]["parent"] is None and rows["정치/행정"]["depth"] == 1
    assert rows["세종"]["parent"] == rows["정치/행정"]["id"] and rows["세종"]["path"] == "정치/행정 > 세종"
    other = seed_article("2026-02-01T10:00:00+09:00")
    other.article_id, other.sections = "1", ["정치/행정", "대전"]
    save_article(db, other)
    assert db["sections"].count == 3  # the shared parent is not repeated
    assert {fk.other_table for fk in db["articles"].foreign_keys} >= {"sections", "pages"}


COMMON_QUERIES = {
    "latest": ("SELECT id FROM articles ORDER BY published_at DESC LIMIT 20", "idx_articles_published_at"),
    "by section": ("SELECT id FROM articles WHERE section_id = 2 ORDER BY published_at DESC",
                   "idx_articles_section_id_published_at"),
    "by reporter": ("SELECT article FROM article_reporters WHERE reporter = 1", "idx_article_reporters_reporter"),
    "reporter by name": ("SELECT id FROM reporters WHERE name = '임병안'", "idx_reporters_name"),
    "print page": ("SELECT id FROM articles WHERE print_date = '2020-07-09' AND print_page = 8",
                   "idx_articles_print_date_print_page"),
    "edited": ("SELECT id FROM articles WHERE revision > 1 ORDER BY last_changed_at DESC", "idx_articles_edited"),
    "ranking on a day": ("SELECT id FROM related_lists WHERE list = 'ranking' AND first_seen_at <= '2026-01-02'",
                         "idx_related_lists_list_first_seen_at"),
    "lists beside an article": ("SELECT related_list FROM related_sightings WHERE article = 1",
                                "idx_related_sightings_article"),
    "revisions of an article": ("SELECT * FROM revisions WHERE article = 1", "idx_revisions_article_revision"),
}


@pytest.mark.parametrize("question", COMMON_QUERIES)
def test_common_questions_use_an_index(seed_archive, question):
    sql, index = COMMON_QUERIES[question]
    plan = " ".join(row[3] for row in open_archive(seed_archive).execute(f"EXPLAIN QUERY PLAN {sql}"))
    assert index in plan, plan


def user_tables_and_views(db) -> list[str]:
    names = db.table_names() + db.view_names()
    return [n for n in names if not n.startswith((f"{FTS_TABLE}_", "sqlite_")) and n != FTS_TABLE]


def test_metadata_describes_every_table_view_and_article_column(seed_archive):
    db = open_archive(seed_archive)
    tables = METADATA["databases"]["news"]["tables"]
    assert sorted(tables) == sorted(user_tables_and_views(db))
    assert all(tables[name].get("description") for name in tables)
    assert set(tables["articles"]["columns"]) == set(db["articles"].columns_dict) - {"id"}


def test_readme_documents_every_table_view_and_command(seed_archive):
    readme = README.read_text(encoding="utf-8")
    missing = [n for n in user_tables_and_views(open_archive(seed_archive)) if f"`{n}`" not in readme]
    assert not missing, f"README's schema reference lacks {missing}"
    commands = [name for name in cli.commands if not re.search(rf"newscrawl {name}\b", readme)]
    assert not commands, f"README does not show {commands}"
