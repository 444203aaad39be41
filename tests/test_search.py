"""Korean full-text search: measured on the hand-labelled corpus, safe on any input, and
kept in step with the articles."""

from __future__ import annotations

import dataclasses
import json
import re
import sqlite3
from dataclasses import dataclass
from datetime import date, timedelta

import pytest
from sqlite_utils import Database

from conftest import ARTIFACTS, FIXTURES, run_newscrawl, seed_article
from newscrawl.archive import open_archive, save_article
from newscrawl.archive.search import (BREADTH_SQL, COMMON_MATCHES, EVERYWHERE_ONE_IN, FTS_TABLE, PROBE_SAMPLE,
                                      create_index, index_article, rebuild_index, search)
from newscrawl.archive.tokens import fts_query, heads, tokens
from newscrawl.items import Article, Photo

CORPUS = FIXTURES / "search" / "korean-search-corpus.json"
HOSTILE_QUERIES = ['"', '""', "'", "NOT", "AND OR NOT", "세종 OR", "*", "세종*", "^세종", "(", ")", "{title}: x",
                   "heads : 날", "title:세종", "NEAR(세종 정보)", "-세종", "+", "\\", "%", "_", ":", "🙂",
                   "a\"b", "x AND", "\x00", "   ", ""]


def corpus_article(doc: dict) -> Article:
    return Article(url=f"http://corpus.invalid/{doc['id']}", canonical_url=None, site="corpus",
                   article_id=str(doc["id"]), title="", subtitle=None, sections=[], published_at=None,
                   modified_at=None, print_date=None, print_page=None, reporters=[], dateline=None,
                   byline=None, body=doc["text"], photos=[], related=[], fetched_at="2026-01-01T00:00:00+09:00")


@dataclass(frozen=True)
class Judged:
    query: str
    relevant: frozenset[int]
    found: frozenset[int]

    @property
    def hits(self) -> int:
        return len(self.found & self.relevant)


def pooled(results: list[Judged]) -> tuple[float, float]:
    """Recall and precision over all the queries' results pooled (micro-averaged)."""
    hits = sum(r.hits for r in results)
    return hits / sum(len(r.relevant) for r in results), hits / max(1, sum(len(r.found) for r in results))


def averaged(results: list[Judged]) -> tuple[float, float]:
    """Mean of the per-query recall and precision (macro-averaged)."""
    return (sum(r.hits / len(r.relevant) for r in results) / len(results),
            sum(r.hits / len(r.found) if r.found else 0.0 for r in results) / len(results))


def report(results: list[Judged]) -> str:
    """The per-query table and the totals, as Markdown."""
    lines = ["| query | relevant | found | recall | precision | false hits |", "|---|---|---|---|---|---|"]
    for r in results:
        lines.append(f"| {r.query} | {len(r.relevant)} | {len(r.found)} | {r.hits / len(r.relevant):.2f} | "
                     f"{r.hits / len(r.found) if r.found else 0:.2f} | {sorted(r.found - r.relevant) or ''} |")
    long = [r for r in results if len(r.query) > 1]
    for name, subset in (("all queries", results), ("2+ characters", long)):
        lines.append(f"| **{name}, pooled** | | | {pooled(subset)[0]:.3f} | {pooled(subset)[1]:.3f} | |")
        lines.append(f"| **{name}, mean per query** | | | {averaged(subset)[0]:.3f} | {averaged(subset)[1]:.3f} | |")
    return "\n".join(lines) + "\n"


@pytest.fixture(scope="module")
def judged(tmp_path_factory) -> list[Judged]:
    corpus = json.loads(CORPUS.read_text(encoding="utf-8"))
    db = open_archive(tmp_path_factory.mktemp("corpus") / "corpus.db")
    for doc in corpus["documents"]:
        save_article(db, corpus_article(doc))
    results = [Judged(q["q"], frozenset(q["relevant"]),
                      frozenset(int(r["id"]) for r in search(db, q["q"], limit=1000)))
               for q in corpus["queries"]]
    ARTIFACTS.mkdir(exist_ok=True)
    (ARTIFACTS / "search-quality.md").write_text(report(results), encoding="utf-8")
    return results


def test_corpus_recall_and_precision(judged):
    long = [r for r in judged if len(r.query) > 1]
    assert len(judged) == 26 and len(long) == 22
    for measure in (pooled, averaged):
        recall, precision = measure(judged)
        assert recall >= 0.99, report(judged)
        assert precision >= 0.85, report(judged)
        assert measure(long)[1] >= 0.90, report(judged)


def test_compounds_spacing_and_traps(judged):
    by_query = {r.query: r for r in judged}
    assert 3 in by_query["세종"].found  # 정부세종청사
    assert 1 in by_query["정보보호의날"].found  # written 정보보호의 날
    assert 22 in by_query["날"].found and 21 not in by_query["날"].found  # 어린이날을, not 날개
    assert 18 not in by_query["섬"].found  # 섬유


def test_tokens_are_bigrams_words_and_heads():
    assert tokens("세종시가") == ["세종", "종시", "시가"]
    assert tokens("정보보호의 날") == tokens("정보보호의날")
    assert tokens("AI반도체, 제9회") == ["ai", "반도", "도체", "제", "9", "회"]
    assert tokens("ＫＡＩＳＴ") == ["kaist"] and "ai" not in tokens("RAID 스토리지")
    assert "날" in heads("어린이날을 맞아") and "개" in heads("날개")


@pytest.mark.parametrize("query", HOSTILE_QUERIES)
def test_no_input_is_fts_syntax(seed_archive, query):
    expression = fts_query(query)
    # only quoted phrases of tokens, AND-ed: nothing the user typed is read as syntax
    assert re.fullmatch(r'(heads : )?"[^"]*"\*?( AND (heads : )?"[^"]*"\*?)*', expression), expression
    db = open_archive(seed_archive)
    assert isinstance(search(db, query), list)


def test_quoted_or_operator_words_still_search(seed_archive):
    db = open_archive(seed_archive)
    assert [r["title"] for r in search(db, '"세종"')] == ["세종시, 전자정부 정보보호 우수기관 선정"]
    assert search(db, "세종 OR 부산") == []  # OR is a word here, and the article lacks it


def test_words_are_anded(seed_archive):
    db = open_archive(seed_archive)
    assert len(search(db, "세종 정보보호의날")) == 1
    assert search(db, "세종 부산") == []


def index_snapshot(db) -> list[tuple]:
    """Every (term, article, column, position) in the index."""
    db.execute(f"CREATE VIRTUAL TABLE IF NOT EXISTS temp.vocab USING fts5vocab(main, {FTS_TABLE}, instance)")
    return db.execute("SELECT term, doc, col, offset FROM temp.vocab ORDER BY 1, 2, 3, 4").fetchall()


def test_index_follows_edits_exactly(tmp_path):
    db = open_archive(tmp_path / "news.db")
    first = seed_article("2026-01-01T10:00:00+09:00")
    save_article(db, first)
    second = dataclasses.replace(first, subtitle="부산 국제영화제", fetched_at="2026-01-02T10:00:00+09:00")
    save_article(db, second)
    save_article(db, dataclasses.replace(second, subtitle=None, title="새 제목", fetched_at="2026-01-03T10:00:00+09:00"))
    assert db["revisions"].count == 3
    assert search(db, "국무총리상") == [] and search(db, "부산") == []  # old subtitles are gone
    assert [r["title"] for r in search(db, "제목")] == ["새 제목"]
    incremental = index_snapshot(db)
    assert rebuild_index(db) == 1
    assert index_snapshot(db) == incremental
    db.execute(f"INSERT INTO {FTS_TABLE} ({FTS_TABLE}, rank) VALUES ('integrity-check', 0)")


def test_failed_save_leaves_the_index_alone(seed_archive):
    db = open_archive(seed_archive)
    before = index_snapshot(db)
    broken = dataclasses.replace(seed_article("2026-01-05T10:00:00+09:00"), title="바뀐 제목",
                                 photos=[Photo(url=None, caption="x")])
    with pytest.raises(sqlite3.IntegrityError):
        save_article(db, broken)
    assert index_snapshot(db) == before and search(db, "바뀐") == []


def test_rebuild_index_command(seed_archive):
    db = open_archive(seed_archive)
    db.execute(f"INSERT INTO {FTS_TABLE} ({FTS_TABLE}) VALUES ('delete-all')")
    db.close()
    assert search(open_archive(seed_archive), "세종") == []
    result = run_newscrawl("rebuild-index", "--db", str(seed_archive))
    assert result.returncode == 0, result.stderr
    assert result.stdout.startswith("indexed 1 articles")
    assert len(search(open_archive(seed_archive), "세종")) == 1


def test_search_command(seed_archive, tmp_path):
    result = run_newscrawl("search", "정보보호의날", "--db", str(seed_archive))
    assert result.returncode == 0, result.stderr
    assert "세종시, 전자정부 정보보호 우수기관 선정" in result.stdout
    assert "**정보보호의 날**" in result.stdout
    as_json = run_newscrawl("search", "세종", "--json", "--db", str(seed_archive))
    assert json.loads(as_json.stdout.splitlines()[0])["snippet"].startswith("**세종**")
    missing = run_newscrawl("search", "세종", "--db", str(tmp_path / "none.db"))
    assert missing.returncode == 1 and missing.stderr.count("\n") == 1 and "no archive" in missing.stderr
    assert not (tmp_path / "none.db").exists()


def test_a_title_match_ranks_first(tmp_path):
    db = open_archive(tmp_path / "news.db")
    in_body = dataclasses.replace(corpus_article({"id": 1, "text": "대전시는 오늘 반도체 협약을 맺었다. 반도체 기업 20곳이 참여했다."}),
                                  title="대전시 투자 협약")
    in_title = dataclasses.replace(corpus_article({"id": 2, "text": "연구진은 새 소재를 개발했다고 밝혔다."}),
                                   title="반도체 소재 개발")
    for article in (in_body, in_title):
        save_article(db, article)
    assert [r["title"] for r in search(db, "반도체")] == ["반도체 소재 개발", "대전시 투자 협약"]


def test_search_of_one_site_leaves_out_the_others(tmp_path):
    db = open_archive(tmp_path / "news.db")
    article = seed_article()
    save_article(db, article)
    save_article(db, dataclasses.replace(article, site="other.example", article_id="/a/1.html",
                                         url="http://other.example/a/1.html"))
    assert len(search(db, "세종")) == 2
    assert [hit["url"] for hit in search(db, "세종", site="other.example")] == ["http://other.example/a/1.html"]


def test_breadth_tells_rare_common_and_everywhere_words_apart():
    """BREADTH_SQL's (common, everywhere): more than COMMON_MATCHES matches in all, more than
    one in EVERYWHERE_ONE_IN of the PROBE_SAMPLE newest articles by id and of the
    PROBE_CHECK newest by publication."""
    db = Database(memory=True)
    db.execute("CREATE TABLE articles (id INTEGER PRIMARY KEY, title TEXT, subtitle TEXT, body TEXT, published_at TEXT)")
    create_index(db)
    newest = COMMON_MATCHES + 2 * PROBE_SAMPLE
    recent = PROBE_SAMPLE // EVERYWHERE_ONE_IN + 1  # just enough of the newest to count as everywhere
    for rowid in range(1, newest + 1):
        words = ["기사", "희귀어" if rowid % 1000 == 0 else "",
                 "흔한말" if rowid <= COMMON_MATCHES + 1 else "",  # common, but not lately
                 "요즘말" if rowid > newest - recent else "", "최근어" if rowid > newest - recent + 1 else "",
                 "옛날말" if rowid % 2 == 0 else ""]  # archived lately, published long ago: a backfill
        published = (date(1990 if words[-1] else 2020, 1, 1) + timedelta(days=rowid)).isoformat()  # archive order
        db.execute("INSERT INTO articles (id, body, published_at) VALUES (?, ?, ?)", [rowid, " ".join(words), published])
        index_article(db, rowid)
    breadth = {word: db.execute(BREADTH_SQL, {"expression": fts_query(word)}).fetchone()
               for word in ("희귀어", "흔한말", "요즘말", "최근어", "옛날말", "기사")}
    # 최근어: one article fewer than 요즘말, no longer more than a tenth of the newest;
    # 옛날말: in half of the newest archived, in none of the newest published
    assert breadth == {"희귀어": (0, 0), "흔한말": (1, 0), "요즘말": (0, 1), "최근어": (0, 0), "옛날말": (1, 0),
                       "기사": (1, 1)}
