"""Bounded search (issue 10): a long query is refused with a clear message, every search has
a time limit, and only the start of a huge body is indexed and scanned for snippets, so that
no query can stall the archive (a 200-word query ran 19 s against one 5 MB article)."""

from __future__ import annotations

import dataclasses

import pytest

from conftest import assert_one_line_error, run_newscrawl, seed_article
from newscrawl.archive import open_archive, save_article
from newscrawl.archive.search import (MAX_INDEXED_CHARS, MAX_QUERY_WORDS, BadQuery, bounded_query, index_values,
                                      search)
from synthetic import build
from test_datasette import fetch_all

LONG_QUERY = " ".join(["세종"] * 200)
#: A word found only past the indexed start of the huge body.
FAR_WORD = "멀리있는낱말"


@pytest.fixture
def huge_archive(tmp_path):
    """The seed article plus one whose body is 2.4 MB of text with FAR_WORD at its end."""
    path = tmp_path / "news.db"
    db = open_archive(path)
    save_article(db, seed_article())
    filler = "세종시 정보보호 우수기관 선정 행정안전부 평가 결과 발표. " * (2_400_000 // 30)
    huge = dataclasses.replace(seed_article(), article_id="huge", url="http://www.joongdo.co.kr/web/view.php?key=huge",
                               body=filler + FAR_WORD, page=None)
    save_article(db, huge)
    db.close()
    return path


def test_a_long_query_is_one_clear_line(huge_archive):
    result = run_newscrawl("search", LONG_QUERY, "--db", str(huge_archive))
    assert_one_line_error(result, f"the search is too long (200 words, 599 characters): search for at most "
                                  f"{MAX_QUERY_WORDS} words")


def test_a_query_within_the_limits_is_searched(huge_archive):
    result = run_newscrawl("search", " ".join(["세종"] * MAX_QUERY_WORDS), "--db", str(huge_archive), "--json")
    assert result.returncode == 0, result.stderr
    assert len(result.stdout.splitlines()) == 2


def test_a_search_past_its_time_limit_is_stopped_with_a_clear_message(tmp_path):
    build(tmp_path / "corpus.db", 300)
    db = open_archive(tmp_path / "corpus.db")
    with pytest.raises(BadQuery, match="the search took longer than 0 s and was stopped"):
        search(db, "세종", time_limit=0)
    # Control: the same search with time to run finds articles, and the handler is gone after.
    assert len(search(db, "세종")) == 20
    assert db.conn.execute("SELECT count(*) FROM articles").fetchone() == (300,)


def test_only_the_start_of_a_huge_body_is_indexed_but_all_of_it_is_stored(huge_archive):
    db = open_archive(huge_archive)
    assert search(db, FAR_WORD) == []
    (body,) = db.execute("SELECT body FROM articles WHERE article_id = 'huge'").fetchone()
    assert body.endswith(FAR_WORD) and len(body) > 2_000_000
    assert index_values("t", None, body) == index_values("t", None, body[:MAX_INDEXED_CHARS])
    assert index_values("t", None, body) != index_values("t", None, body[:MAX_INDEXED_CHARS - 100])


def test_the_sql_functions_cut_a_long_query_to_the_limits():
    assert bounded_query(LONG_QUERY) == " ".join(["세종"] * MAX_QUERY_WORDS)


def test_datasette_answers_a_long_search_with_a_400_saying_why(huge_archive):
    box, canned, short = fetch_all(huge_archive, f"/news/articles.json?_search={LONG_QUERY}",
                                   f"/news/search.json?_shape=array&q={LONG_QUERY}",
                                   "/news/articles.json?_search=세종&_shape=array")
    assert box.status_code == 400
    assert "the search is too long (200 words" in box.text
    # the canned query's functions search the first words only, quickly
    assert canned.status_code == 200 and len(canned.json()) == 2
    assert short.status_code == 200 and len(short.json()) == 2
