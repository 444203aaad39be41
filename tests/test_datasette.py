"""datasette opens the archive: the stored article over its JSON API, and newscrawl's plugin
(descriptions, Korean search box, canned queries) on any archive file."""

from __future__ import annotations

import asyncio
import json
import re
import sqlite3
from html import unescape
from pathlib import Path

import pytest
import sqlite_utils
from datasette.app import Datasette

import newscrawl
from conftest import SEED_HTML, SEED_KEY, SEED_URL, seed_article
from newscrawl.archive import open_archive, save_article
from newscrawl.archive.search import (BREADTH_SQL, COMMON_MATCHES, FTS_TABLE, LOOKUP, PROBE, RANK_WINDOW, SCAN,
                                      match_condition, rebuild_index)
from newscrawl.datasette_plugin import rows_only
from newscrawl.archive.tokens import fts_query
from newscrawl.run import extract_file
from synthetic import build

METADATA = Path(newscrawl.__file__).parent / "metadata.json"


def test_datasette_reads_the_article_back(tmp_path):
    path = tmp_path / "news.db"
    article = extract_file(SEED_HTML, url=SEED_URL)
    article.fetched_at = "2026-01-01T10:00:00+09:00"
    db = open_archive(path)
    save_article(db, article)
    db.close()

    async def query():
        ds = Datasette([str(path)], metadata=json.loads(METADATA.read_text(encoding="utf-8")))
        rows = await ds.client.get(f"/news/articles.json?article_id={SEED_KEY}&_shape=array")
        table = await ds.client.get("/news/articles")
        return rows, table

    rows, table = asyncio.run(query())
    assert rows.status_code == 200
    (row,) = rows.json()
    assert row["title"] == "세종시, 전자정부 정보보호 우수기관 선정"
    assert row["print_page"] == 8
    assert row["body"] == article.body
    assert "One row per article" in table.text  # the shipped table description is shown


# -- the plugin: any archive file, Korean search box, canned queries, descriptions ------

def fetch_all(db_path: Path, *urls: str) -> list:
    """GET each URL from an in-process datasette serving ``db_path`` (plugin from the entry point)."""
    async def run():
        ds = Datasette([str(db_path)])
        return [await ds.client.get(url) for url in urls]
    return asyncio.run(run())


@pytest.fixture
def archive_file(seed_archive) -> Path:
    """The seed archive under a name other than news.db: the plugin must not care."""
    return seed_archive.rename(seed_archive.with_name("archive.db"))


def test_descriptions_apply_to_any_archive_file(archive_file):
    table, canned = fetch_all(archive_file, "/archive/articles", "/archive.json")
    assert "One row per article" in table.text
    assert "Approval / publication time" in table.text  # a column description
    names = {q["name"] for q in canned.json()["queries"]}
    assert names == {"search", "latest", "by_section", "by_reporter", "edited", "print_page", "ranking_by_day",
                     "run_health"}


def test_other_databases_are_left_alone(tmp_path):
    other = sqlite_utils.Database(tmp_path / "other.db")
    other["articles"].insert({"id": 1, "title": "x"}, pk="id")
    other.close()
    table, database = fetch_all(tmp_path / "other.db", "/other/articles", "/other.json")
    assert table.status_code == 200 and "One row per article" not in table.text
    assert 'id="_search"' not in table.text
    assert database.json()["queries"] == []


def test_search_box_uses_the_korean_index(archive_file):
    page, found, spaced, missing, hostile = fetch_all(
        archive_file, "/archive/articles?_search=세종", "/archive/articles.json?_search=세종&_shape=array",
        "/archive/articles.json?_search=정보보호의날&_shape=array", "/archive/articles.json?_search=부산&_shape=array",
        '/archive/articles.json?_search=%22NOT%20(&_shape=array')
    assert '<input id="_search" type="search" name="_search" value="세종">' in page.text
    assert "세종시, 전자정부 정보보호 우수기관 선정" in page.text
    assert [r["article_id"] for r in found.json()] == [SEED_KEY]
    assert [r["article_id"] for r in spaced.json()] == [SEED_KEY]  # the page writes 정보보호의 날
    assert missing.json() == []
    assert hostile.status_code == 200 and hostile.json() == []


def test_search_query_ranks_and_highlights(archive_file):
    as_json, as_html = fetch_all(archive_file, "/archive/search.json?q=정보보호의날&_shape=array",
                                 "/archive/search?q=세종")
    (row,) = as_json.json()
    assert row["title"] == "세종시, 전자정부 정보보호 우수기관 선정"
    assert "**정보보호의 날**" in row["snippet"]
    assert "<mark>세종</mark>시가 8일" in as_html.text


def test_snippets_are_escaped_then_marked(tmp_path):
    db = open_archive(tmp_path / "news.db")
    hostile = seed_article()
    hostile.body = "<script>alert(1)</script> 세종시 **<b>굵게</b>**"
    save_article(db, hostile)
    db.close()
    (page,) = fetch_all(tmp_path / "news.db", "/news/search?q=세종")
    assert "&lt;script&gt;alert(1)&lt;/script&gt; <mark>세종</mark>시" in page.text
    assert "<script>alert(1)" not in page.text and "<b>굵게</b>" not in page.text


def run_query(db_path: Path, name: str, **params: str) -> list[dict]:
    query = "&".join(f"{k}={v}" for k, v in params.items())
    (response,) = fetch_all(db_path, f"/{db_path.stem}/{name}.json?_shape=array&{query}")
    assert response.status_code == 200, response.text
    return response.json()


def test_canned_queries_answer_their_questions(seed_archive, seed_expected):
    title = seed_expected["title"]
    assert [r["title"] for r in run_query(seed_archive, "latest")] == [title]
    assert [r["section_path"] for r in run_query(seed_archive, "by_section", section="정치/행정")] == ["정치/행정 > 세종"]
    assert run_query(seed_archive, "by_section", section="경제") == []
    assert [r["reporters"] for r in run_query(seed_archive, "by_reporter", reporter="임병안")] == ["임병안"]
    assert [r["title"] for r in run_query(seed_archive, "print_page", date="2020-07-09", page="8")] == [title]
    assert run_query(seed_archive, "print_page", date="2020-07-09", page="7") == []
    ranking = run_query(seed_archive, "ranking_by_day", day="2026-01-01")
    expected = [(r["rank"], r["title"]) for r in seed_expected["related"] if r["list"] == "ranking"]
    assert [(r["rank"], r["title"]) for r in ranking] == expected
    assert run_query(seed_archive, "ranking_by_day", day="2026-01-02") == []
    assert run_query(seed_archive, "edited") == []


def test_edited_query_lists_every_revision(seed_archive):
    db = open_archive(seed_archive)
    edited = seed_article("2026-01-02T10:00:00+09:00")
    edited.title = "세종시, 정보보호 우수기관 선정 (수정)"
    save_article(db, edited)
    db.close()
    rows = run_query(seed_archive, "edited")
    assert [(r["revision"], r["title"]) for r in rows] == [
        (1, "세종시, 전자정부 정보보호 우수기관 선정"), (2, "세종시, 정보보호 우수기관 선정 (수정)")]
    assert {r["current_title"] for r in rows} == {"세종시, 정보보호 우수기관 선정 (수정)"}


def test_rare_common_and_everywhere_searches_find_the_same(tmp_path):
    """A rare word is looked up match by match, a common one by scanning an index, one in
    most articles by probing the index row by row when only the first rows are wanted: same rows."""
    path = tmp_path / "news.db"
    build(path, articles=60)
    db = open_archive(path)
    save_article(db, seed_article())
    rare, common, everywhere = fts_query("우수기관"), fts_query("세종"), fts_query("다")  # every sentence ends in 다
    assert db.execute(BREADTH_SQL, {"expression": everywhere}).fetchone()[1] == 1
    for expression in (rare, common, everywhere):
        expected = {r[0] for r in db.execute(f"SELECT rowid FROM {FTS_TABLE} WHERE {FTS_TABLE} MATCH ?", [expression])}
        for plan in (LOOKUP, SCAN, PROBE):
            found = db.execute(f"SELECT id FROM articles WHERE {match_condition('e', plan)}", {"e": expression})
            assert {r[0] for r in found} == expected
    newest = [r[0] for r in db.execute(f"SELECT id FROM articles WHERE {match_condition('e', LOOKUP)}"
                                       " ORDER BY published_at DESC, id DESC LIMIT 5", {"e": everywhere})]
    in_most = db.execute(f"SELECT count(*) FROM {FTS_TABLE} WHERE {FTS_TABLE} MATCH ?", [everywhere]).fetchone()[0]
    db.close()
    api, table = fetch_all(path, "/news/articles.json?_search=다&_shape=array&_size=5",
                           "/news/articles.json?_search=다&_size=5")
    assert [r["id"] for r in api.json()] == newest == [r[0] for r in table.json()["rows"]]
    assert table.json()["filtered_table_rows_count"] == in_most  # counted, not probed row by row
    rows, summary = fetch_all(path, "/news/articles.json?_search=우수기관&_shape=array",
                              "/news/article_summary.json?_search=우수기관&_shape=array")
    assert [r["article_id"] for r in rows.json()] == [SEED_KEY]
    assert [r["section_path"] for r in summary.json()] == ["정치/행정 > 세종"]  # the readable view searches too


def test_only_bare_requests_in_an_indexed_order_probe_row_by_row():
    assert rows_only({"_shape": "array"}, "articles") and rows_only({"_nocount": "1", "_nofacet": "1"}, "articles")
    assert rows_only({"_shape": "object", "_sort_desc": "published_at"}, "articles")
    assert not rows_only({"_shape": "array", "_sort": "published_at"}, "articles")  # oldest first: not checked
    assert not rows_only({"_nofacet": "1"}, "articles")  # it counts every match
    assert not rows_only({"_shape": "array", "_sort_desc": "title"}, "articles")  # no index: it would probe every row
    assert not rows_only({"_shape": "array"}, "article_summary")
    assert not rows_only({"_shape": "array", "title__contains": "x"}, "articles")  # a rare filter: a long walk
    assert not rows_only({"_shape": "array", "_where": "print_page = 1"}, "articles")


@pytest.fixture(scope="module")
def common_archive(tmp_path_factory) -> Path:
    """60 synthetic articles, each stored 30 times under other keys: more than COMMON_MATCHES
    articles, every one with 다 (every sentence ends in it), a tenth with 세종."""
    path = tmp_path_factory.mktemp("common") / "news.db"
    build(path, articles=60)
    db = open_archive(path)
    db.execute("""INSERT INTO articles (site, article_id, url, title, body, content_hash, published_at, section)
        SELECT site, article_id || '-' || copy.value, url || '#' || copy.value, title, body, content_hash,
               published_at, section FROM articles, json_each('[1,2,3,4,5,6,7,8,9,10,11,12,13,14,15,16,17,18,19,20,
               21,22,23,24,25,26,27,28,29]') AS copy""")
    rebuild_index(db)
    db.close()
    return path


def test_a_persons_table_page_of_a_common_word_shows_its_newest_matches_and_says_so(common_archive):
    db = sqlite3.connect(common_archive)
    everywhere = fts_query("다")
    total = db.execute(f"SELECT count(*) FROM {FTS_TABLE} WHERE {FTS_TABLE} MATCH ?", [everywhere]).fetchone()[0]
    window = [r[0] for r in db.execute(f"SELECT rowid FROM {FTS_TABLE} WHERE {FTS_TABLE} MATCH ?"
                                       f" ORDER BY rowid DESC LIMIT {RANK_WINDOW}", [everywhere])]
    published = dict(db.execute(f"SELECT id, published_at FROM articles WHERE id IN ({','.join(map(str, window))})"))
    fifth_newest = sorted(published.values(), reverse=True)[4]
    db.close()
    assert total > COMMON_MATCHES > RANK_WINDOW
    page, as_json, rare = fetch_all(common_archive, "/news/articles?_search=다&_size=5",
                                    "/news/articles.json?_search=다&_size=5", "/news/articles?_search=우수기관")
    assert f'{RANK_WINDOW:,} rows where search matches "다": its {RANK_WINDOW:,} most recently archived matches, ' \
           f"of {total:,}" in unescape(re.sub(r"\s+", " ", page.text))
    shown = [int(i) for i in re.findall(r'<td class="col-title type-str"><a href="/news/-/article/(\d+)">', page.text)]
    assert len(shown) == 5 and all(published.get(i, "") >= fifth_newest for i in shown)  # the window's newest
    assert as_json.json()["filtered_table_rows_count"] == total  # a program gets every match counted
    assert "most recently archived" not in rare.text  # a rare word's page is exact
