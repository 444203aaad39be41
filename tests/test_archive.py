"""The archive library on real SQLite files: keys, revisions, transactions, migrations."""

from __future__ import annotations

import dataclasses
import json
import sqlite3
import zlib

import pytest
import sqlite_utils

from conftest import SEED_HTML, SEED_URL
from newscrawl.archive import load_page, open_archive, record_failure, save_article
from newscrawl.archive.migrations import MIGRATIONS
from newscrawl.archive.pages import COMPRESSION, DICTIONARY_AFTER, TEXT_COMPRESSION, compress, store_page
from newscrawl.archive.revisions import current_content
from newscrawl.archive.store import content_of, revision_content
from newscrawl.items import FetchFailure, Photo, RawPage
from newscrawl.reading import read_page


def article_from(body: bytes, fetched_at: str):
    page = RawPage(url=SEED_URL, status=200, headers={"content-type": ["text/html; charset=utf-8"]},
                   body=body, encoding=None, fetched_at=fetched_at, profile="joongdo")
    return read_page(page)


@pytest.fixture
def db(tmp_path):
    return open_archive(tmp_path / "news.db")


def test_new_then_unchanged(db):
    body = SEED_HTML.read_bytes()
    assert save_article(db, article_from(body, "2026-01-01T10:00:00+09:00")).outcome == "new"
    assert save_article(db, article_from(body, "2026-01-02T10:00:00+09:00")).outcome == "unchanged"
    assert db["articles"].count == 1 and db["revisions"].count == 1 and db["pages"].count == 1
    (article,) = db["articles"].rows
    assert article["last_fetched_at"] == "2026-01-02T10:00:00+09:00"
    assert article["first_seen_at"] == "2026-01-01T10:00:00+09:00"
    # the lists were the same both times: one row per item, seen over the whole period
    assert {(r["first_seen_at"], r["last_seen_at"]) for r in db["list_snapshots"].rows} == {
        ("2026-01-01T10:00:00+09:00", "2026-01-02T10:00:00+09:00")}


def test_change_adds_revision_and_keeps_old(db):
    body = SEED_HTML.read_bytes()
    save_article(db, article_from(body, "2026-01-01T10:00:00+09:00"))
    edited = body.replace("국무총리상 수상".encode(), "국무총리 표창".encode())
    result = save_article(db, article_from(edited, "2026-01-03T10:00:00+09:00"))
    assert (result.outcome, result.revision) == ("updated", 2)
    subtitles = [r["subtitle"] for r in db["revision_history"].rows_where(order_by="revision")]
    assert subtitles == ["정보보호의날 맞아 국무총리상 수상", "정보보호의날 맞아 국무총리 표창"]
    assert db["articles"].get(result.article_rowid)["subtitle"] == "정보보호의날 맞아 국무총리 표창"


def test_ranking_change_is_a_new_snapshot_not_a_revision(db):
    body = SEED_HTML.read_bytes()
    save_article(db, article_from(body, "2026-01-01T10:00:00+09:00"))
    moved = body.replace("[문화人칼럼] 쵸코".encode(), "새 기사".encode())
    assert save_article(db, article_from(moved, "2026-01-02T10:00:00+09:00")).outcome == "unchanged"
    rank6 = db.execute("SELECT title, first_seen_at, last_seen_at FROM list_snapshots "
                       "WHERE list = 'ranking' AND rank = 6 ORDER BY first_seen_at").fetchall()
    assert rank6 == [("[문화人칼럼] 쵸코", "2026-01-01T10:00:00+09:00", "2026-01-01T10:00:00+09:00"),
                     ("새 기사", "2026-01-02T10:00:00+09:00", "2026-01-02T10:00:00+09:00")]


def test_a_list_shown_beside_many_articles_is_stored_once(db):
    body = SEED_HTML.read_bytes()
    for key in range(3):  # three articles fetched the same hour, the same lists beside each
        article = article_from(body, f"2026-01-01T10:0{key}:00+09:00")
        save_article(db, dataclasses.replace(article, article_id=f"{key}", url=f"{SEED_URL}&n={key}"))
    lists = db.execute("SELECT list, items FROM related_lists ORDER BY list").fetchall()
    shown = sorted({(entry.list, entry.rank) for entry in article.related})
    assert sum(items for _list, items in lists) == len(shown) == db["related_list_items"].count
    assert db["related_sightings"].count == 3 * len(lists)
    # read back beside every article as each showed it
    assert db["list_snapshots"].count == 3 * len(shown)
    assert db.execute("SELECT first_seen_at, last_seen_at FROM related_lists WHERE list = 'ranking'").fetchone() == (
        "2026-01-01T10:00:00+09:00", "2026-01-01T10:02:00+09:00")


def test_a_failed_write_leaves_nothing_behind(db):
    article = article_from(SEED_HTML.read_bytes(), "2026-01-01T10:00:00+09:00")
    broken = dataclasses.replace(article, photos=[Photo(url=None, caption="x")])
    with pytest.raises(sqlite3.IntegrityError):
        save_article(db, broken)
    assert [db[t].count for t in ("articles", "revisions", "pages", "photos", "related_sightings")] == [0, 0, 0, 0, 0]


def test_raw_page_round_trips(db):
    body = SEED_HTML.read_bytes()
    save_article(db, article_from(body, "2026-01-01T10:00:00+09:00"))
    (page_id,) = db.execute("SELECT page_id FROM articles").fetchone()
    page = load_page(db, page_id)
    assert page.body == body
    assert page.headers["content-type"] == ["text/html; charset=utf-8"]
    assert db["pages"].get(page_id)["body_size"] == len(body) > len(db["pages"].get(page_id)["body"])


def test_pages_of_a_site_are_compressed_with_its_dictionary_and_read_back_exactly(db):
    body = SEED_HTML.read_bytes()
    versions = [body.replace("국무총리상 수상".encode(), f"국무총리상 수상 ({n}판)".encode())
                for n in range(DICTIONARY_AFTER + 4)]
    for n, version in enumerate(versions):
        save_article(db, article_from(version, f"2026-01-{n + 1:02d}T10:00:00+09:00"))
    pages = list(db["pages"].rows_where(order_by="id"))
    assert len(pages) == len(versions)
    assert [p["dictionary"] is not None for p in pages] == [n >= DICTIONARY_AFTER for n in range(len(versions))]
    assert [load_page(db, p["id"]).body for p in pages] == versions
    # the shared markup costs almost nothing: far smaller than the page compressed alone
    assert all(len(p["body"]) * 3 < len(zlib.compress(body, 9)) for p in pages[DICTIONARY_AFTER:])


def test_a_site_with_enough_pages_gets_a_trained_dictionary(db, monkeypatch):
    monkeypatch.setattr("newscrawl.archive.pages.DICTIONARY_SAMPLE", DICTIONARY_AFTER + 4)
    body = SEED_HTML.read_bytes()
    versions = [body.replace("국무총리상 수상".encode(), f"국무총리상 수상 ({n}판)".encode())
                for n in range(DICTIONARY_AFTER + 6)]
    for n, version in enumerate(versions):
        save_article(db, article_from(version, f"2026-01-{n + 1:02d}T10:00:00+09:00"))
    raw, trained = (data for (data,) in db.execute("SELECT data FROM page_dictionaries ORDER BY id"))
    assert trained.startswith(b"\x37\xa4\x30\xec") and not raw.startswith(b"\x37\xa4\x30\xec")
    dictionaries = [p["dictionary"] for p in db["pages"].rows_where(order_by="id")]
    assert dictionaries == [None] * DICTIONARY_AFTER + [1] * 4 + [2] * 2
    assert [load_page(db, page_id).body for page_id in range(1, len(versions) + 1)] == versions


def test_an_article_page_is_compressed_with_its_text_and_read_back_exactly(db):
    body = SEED_HTML.read_bytes()
    first = article_from(body, "2026-01-01T10:00:00+09:00")
    save_article(db, first)
    (page,) = db["pages"].rows
    assert (page["compression"], page["text_revision"]) == (TEXT_COMPRESSION, 1)
    assert load_page(db, page["id"]).body == body
    # the article's text, kept in its row anyway, costs the page less than half what it did
    text_cost = len(compress(body)) - len(page["body"])
    assert text_cost * 2 > len(compress(first.body.encode()))
    assert len(compress(body, None, first.body)) == len(page["body"])


def test_pages_of_every_revision_read_back_with_the_text_they_were_compressed_with(db):
    """The first page was compressed with the first body, which moves from the article's row
    into the revision's data when the edit supersedes it; a page fetched again without a
    change of content names the current revision."""
    body = SEED_HTML.read_bytes()
    edited = body.replace("국무총리표창(단체)을".encode(), "국무총리표창을".encode())
    sidebar = edited.replace("[문화人칼럼] 쵸코".encode(), "새 기사".encode())
    for n, version in enumerate((body, edited, sidebar)):
        save_article(db, article_from(version, f"2026-01-0{n + 1}T10:00:00+09:00"))
    pages = list(db["pages"].rows_where(order_by="id"))
    assert [(p["compression"], p["text_revision"]) for p in pages] == [(TEXT_COMPRESSION, 1), (TEXT_COMPRESSION, 2),
                                                                        (TEXT_COMPRESSION, 2)]
    assert [load_page(db, p["id"]).body for p in pages] == [body, edited, sidebar]


def test_a_page_without_text_is_compressed_without(db):
    article = dataclasses.replace(article_from(SEED_HTML.read_bytes(), "2026-01-01T10:00:00+09:00"), body="")
    save_article(db, article)
    (page,) = db["pages"].rows
    assert (page["compression"], page["text_revision"]) == (COMPRESSION, None)
    assert load_page(db, page["id"]).body == SEED_HTML.read_bytes()


def test_list_pages_are_compressed_with_a_dictionary_of_list_pages(db):
    """A crawl's list pages share their markup with each other, not with the article pages:
    once the site has enough of them, they get a dictionary of their own."""
    body = SEED_HTML.read_bytes()
    for n in range(DICTIONARY_AFTER + 1):
        save_article(db, dataclasses.replace(article_from(body, f"2026-01-01T10:0{n}:00+09:00"), article_id=f"{n}",
                                             url=f"{SEED_URL}&n={n}"))
    listing = (SEED_HTML.parent / "list_news-N01_06-page1.html").read_bytes()
    bodies = [listing.replace(b"</body>", f"<!-- {n} --></body>".encode()) for n in range(DICTIONARY_AFTER + 2)]
    ids = [store_page(db, RawPage(url=f"http://www.joongdo.co.kr/web/list_news.php?page={n}", status=200, headers={},
                                  body=page, encoding=None, fetched_at=None, profile="joongdo"),
                      "joongdo", None, "2026-01-02T10:00:00+09:00", "list_pages") for n, page in enumerate(bodies)]
    tables = dict(db.execute("SELECT id, pages_table FROM page_dictionaries"))
    dictionaries = [db["list_pages"].get(page_id)["dictionary"] for page_id in ids]
    assert [tables.get(dictionary) for dictionary in dictionaries] == [None] * DICTIONARY_AFTER + ["list_pages"] * 2
    assert {tables[p["dictionary"]] for p in db["pages"].rows_where("dictionary IS NOT NULL")} == {"pages"}
    assert [load_page(db, page_id, "list_pages").body for page_id in ids] == bodies


def test_pages_compressed_with_zlib_before_zstd_still_read_back(db):
    body = SEED_HTML.read_bytes()
    dictionary = body[-32768:]
    compressor = zlib.compressobj(9, zdict=dictionary)
    db["page_dictionaries"].insert({"site": "joongdo", "created_at": "2026-01-01T10:00:00+09:00",
                                    "made_after_page": 8, "data": dictionary, "compression": "zlib"})
    page_id = db["pages"].insert({"url": SEED_URL, "body": compressor.compress(body) + compressor.flush(),
                                  "compression": "zlib", "dictionary": 1, "body_sha256": "s", "headers": "{}",
                                  "fetched_at": "2026-01-01T10:00:00+09:00", "truncated": 0}).last_pk
    assert load_page(db, page_id).body == body


def test_the_current_revision_is_not_a_second_copy_of_the_article(db):
    body = SEED_HTML.read_bytes()
    first = article_from(body, "2026-01-01T10:00:00+09:00")
    save_article(db, first)
    second = article_from(body.replace("국무총리표창(단체)을".encode(), "국무총리표창을".encode()),
                          "2026-01-02T10:00:00+09:00")
    save_article(db, second)
    (article,) = db["articles"].rows
    old, new = (r["data"] for r in db["revisions"].rows_where(order_by="revision"))
    # the superseded version is whole; the current one keeps only what the row and photos lack
    assert revision_content(old) == content_of(first)
    assert set(json.loads(new)) == {"reporters"}
    assert revision_content(new, current_content(db, article["id"])) == content_of(second)


def test_failures_count_attempts_and_clear_on_success(db):
    for _ in range(2):
        record_failure(db, FetchFailure(url=SEED_URL, error="HTTP 500", status=500, site="joongdo"))
    assert db["failures"].get(1)["attempts"] == 2
    save_article(db, article_from(SEED_HTML.read_bytes(), "2026-01-01T10:00:00+09:00"))
    assert db["failures"].count == 0


def test_schema_has_foreign_keys_and_indexes(db):
    fks = {(fk.column, fk.other_table) for fk in db["related_sightings"].foreign_keys}
    assert fks == {("article", "articles"), ("related_list", "related_lists")}
    assert any(i.columns == ["site", "article_id"] and i.unique for i in db["articles"].indexes)
    assert db.execute("PRAGMA foreign_keys").fetchone()[0] == 1
    assert db.execute("PRAGMA journal_mode").fetchone()[0] == "wal"


def test_reopening_migrates_once(tmp_path):
    path = tmp_path / "news.db"
    open_archive(path).close()
    db = open_archive(path)
    assert db.execute("PRAGMA user_version").fetchone()[0] == len(MIGRATIONS)


def test_an_older_archive_is_upgraded_in_place(tmp_path):
    path = tmp_path / "old.db"
    old = sqlite_utils.Database(path)
    MIGRATIONS[0](old)
    old.execute("PRAGMA user_version = 1")
    old["pages"].insert({"url": "u", "body": b"x", "compression": "zlib", "body_sha256": "s",
                         "fetched_at": "2020-01-01T00:00:00+09:00"})
    old.close()
    db = open_archive(path)
    assert db.execute("PRAGMA user_version").fetchone()[0] == len(MIGRATIONS)
    assert db["pages"].count == 1 and db["failures"].exists()


def test_each_paper_of_a_cms_gets_its_own_compression_dictionary(tmp_path):
    """Pages name the site they belong to (a paper's host), not the profile that read them
    (``ndsoft`` for hundreds of papers): each paper's pages are compressed with a dictionary
    of its own markup."""
    from conftest import NDSOFT_DIR
    from newscrawl import Archive, read_article

    html = (NDSOFT_DIR / "articleView-21457.html").read_bytes()
    with Archive(tmp_path / "news.db") as archive:
        for host in ("www.first-paper.kr", "second-paper.kr"):
            for idxno in range(DICTIONARY_AFTER + 2):
                page = html.replace(b"21457", str(21457 + idxno).encode()).replace(b"www.hanbat-news.example",
                                                                                  host.encode())
                archive.save(read_article(page, f"https://{host}/news/articleView.html?idxno={21457 + idxno}"))
        pages = archive.db.execute("SELECT DISTINCT site, profile FROM pages ORDER BY site").fetchall()
        dictionaries = [row[0] for row in archive.db.execute("SELECT site FROM page_dictionaries ORDER BY site")]
    assert pages == [("first-paper.kr", "ndsoft"), ("second-paper.kr", "ndsoft")]
    assert dictionaries == ["first-paper.kr", "second-paper.kr"]


def test_pages_stored_under_their_profile_name_move_to_their_site(tmp_path):
    """An archive written before pages knew their site (schema 9): the migration names each
    page's site after its article, and keeps the profile apart."""
    from conftest import NDSOFT_DIR
    from newscrawl import read_article

    path = tmp_path / "old.db"
    old = sqlite_utils.Database(path)
    version = next(i for i, m in enumerate(MIGRATIONS) if m.__name__ == "_pages_profile_and_site")
    for migration in MIGRATIONS[:version]:
        migration(old)
    old.execute(f"PRAGMA user_version = {version}")
    article = read_article((NDSOFT_DIR / "articleView-21457.html").read_bytes(),
                           "https://www.first-paper.kr/news/articleView.html?idxno=21457")
    page_id = old["pages"].insert({"site": "ndsoft", "article_id": "21457", "url": article.url, "status": 200,
                                   "headers": "{}", "body": b"x", "compression": "none", "body_sha256": "0",
                                   "fetched_at": "2026-01-01T00:00:00+09:00"}).last_pk
    old["pages"].insert({"site": "ndsoft", "article_id": "7", "url": "https://www.other.kr/news/articleView.html?idxno=7",
                         "status": 200, "headers": "{}", "body": b"y", "compression": "none", "body_sha256": "1",
                         "fetched_at": "2026-01-01T00:00:00+09:00"})
    old["articles"].insert({"site": "first-paper.kr", "article_id": "21457", "url": article.url, "title": "t",
                            "body": "b", "content_hash": "h", "page_id": page_id})
    old.close()
    db = open_archive(path)
    assert db.execute("SELECT site, profile FROM pages ORDER BY id").fetchall() == [
        ("first-paper.kr", "ndsoft"), ("other.kr", "ndsoft")]


def test_a_list_that_repeats_a_rank_is_stored_whole(tmp_path):
    """Found by the fuzzing: a page showing a news box twice gave one list two entries of the
    same rank, which the stored-once lists refused (the whole article was lost)."""
    from newscrawl import Archive

    article = article_from(SEED_HTML.read_bytes(), "2026-01-01T10:00:00+09:00")
    twice = dataclasses.replace(article, related=article.related + article.related[:3])
    with Archive(tmp_path / "news.db") as archive:
        assert archive.save(twice).outcome == "new"
        assert archive.get(SEED_URL).related == twice.related
