"""The reading room: the plugin's article, search and dashboard pages on real archive files
(datasette in process, its plugin from the entry point), and the ranked search they and the
CLI share."""

from __future__ import annotations

import json
from contextlib import closing
import re
import sqlite3
from pathlib import Path
from urllib.parse import quote

import pytest
from markupsafe import escape

from conftest import SEED_KEY, run_newscrawl, seed_article
from newscrawl.archive import open_archive, save_article
from newscrawl.archive.search import FACET_SQL, _matches, register_functions, search_page, search_sql
from newscrawl.datasette_plugin.reading import paragraphs, word_diff
from synthetic import build
from test_datasette import fetch_all

TITLE = "세종시, 전자정부 정보보호 우수기관 선정"


def text_of(html: str) -> str:
    """The visible text of ``html``: tags dropped, whitespace collapsed."""
    return " ".join(re.sub(r"<[^>]+>", " ", html).split())


def stored_body(path: Path) -> str:
    with sqlite3.connect(path) as conn:
        return conn.execute("select body from articles where id = 1").fetchone()[0]


def test_article_page_reads_like_the_paper(seed_archive, seed_expected):
    (page,) = fetch_all(seed_archive, "/news/-/article/1")
    assert page.status_code == 200
    html = page.text
    assert f"<h1>{TITLE}</h1>" in html
    assert "정치/행정 &gt; 세종" in html  # the section path
    # 승인 with the page's own text on hover, 신문게재 with its page number
    assert re.search(r'<dt>승인</dt><dd title="원문 표기: 2020-07-08 [^"]*">2020\.07\.08 ', html)
    assert "<dt>신문게재</dt>" in html and "2020-07-09 8면" in html
    assert "임병안 기자" in html
    photo = seed_expected["photos"][0]
    # no archived copy (nothing was downloaded): the reader is told, and can open the original
    assert f'보관된 사진이 없습니다 · <a href="{photo["url"]}"' in html and photo["caption"] in html
    assert "<img" not in html.split('class="reading"')[1].split("</article>")[0]
    body = paragraphs(stored_body(seed_archive))
    assert len(body) > 1 and all(f"<p>{escape(p)}</p>" in html for p in body)
    assert 'href="/news/-/page/1"' in html and f'key={SEED_KEY}" rel="noreferrer">원문' in html
    ranking = [r["title"] for r in seed_expected["related"] if r["list"] == "ranking"]
    assert "<h2>랭킹뉴스</h2>" in html and all(escape(t) in html for t in ranking)
    assert "수정 이력 (1개 판)" in html and "<del>" not in html


def test_article_page_diffs_two_revisions_word_by_word(seed_archive):
    edited = seed_article("2026-01-02T10:00:00+09:00")
    edited.title = "세종시, 정보보호 최우수기관 선정"
    with closing(open_archive(seed_archive)) as db:
        save_article(db, edited)
    latest, chosen, same = fetch_all(seed_archive, "/news/-/article/1", "/news/-/article/1?old=2&new=1",
                                     "/news/-/article/1?old=2&new=2")
    assert "수정 이력 (2개 판)" in latest.text
    assert "<del> 전자정부</del>" in latest.text
    assert "<del>우수기관</del><ins>최우수기관</ins>" in latest.text
    assert "<h3>본문 (변경 없음)</h3>" in latest.text
    assert "<del>최우수기관</del><ins>우수기관</ins>" in chosen.text  # the other way round
    assert "<del>" not in same.text


def test_word_diff_rebuilds_both_texts():
    old, new = "세종시가 8일 정보보호 우수기관에 선정됐다.", "세종시가 9일 정보보호 최우수기관에 선정됐다고 밝혔다."
    pieces = word_diff(old, new)
    assert "".join(t for kind, t in pieces if kind != "ins") == old
    assert "".join(t for kind, t in pieces if kind != "del") == new
    assert ("del", "8일") in pieces and ("ins", "9일") in pieces


def test_related_items_link_to_our_copy_when_we_hold_it(tmp_path, seed_expected):
    path = tmp_path / "news.db"
    db = open_archive(path)
    held = next(r for r in seed_expected["related"] if r["list"] == "ranking")
    other = seed_article()
    other.article_id, other.url, other.canonical_url, other.title = "1", held["url"], held["url"], held["title"]
    other.related = []
    save_article(db, other)
    save_article(db, seed_article())
    db.close()
    (page,) = fetch_all(path, "/news/-/article/2")
    assert f'<a href="/news/-/article/1">{held["title"]}</a> <span class="held">보관됨</span>' in page.text
    assert page.text.count('class="held"') == 1  # the rest link to the live site


def test_missing_article_and_page_are_404(seed_archive):
    article, page, raw = fetch_all(seed_archive, "/news/-/article/99", "/news/-/page/99", "/news/-/page/1")
    assert article.status_code == 404 and page.status_code == 404
    assert raw.status_code == 200 and raw.headers["content-type"].startswith("text/plain")
    assert raw.headers["content-security-policy"] == "sandbox"
    assert TITLE in raw.text and "<html" in raw.text.lower()


def test_tables_link_articles_and_preview_the_body(seed_archive):
    table, summary, canned = fetch_all(seed_archive, "/news/articles", "/news/article_summary",
                                       "/news/search?q=세종")
    cell = re.search(r'<td class="col-body[^"]*">(.*?)</td>', table.text, re.S).group(1)
    assert cell.endswith("…") and len(cell) < 200 < len(stored_body(seed_archive))
    for page in (table, summary, canned):
        assert f'<a href="/news/-/article/1">{TITLE}</a>' in page.text


def test_home_and_database_pages_have_a_korean_search_box(seed_archive):
    home, database = fetch_all(seed_archive, "/", "/news")
    for page in (home, database):
        assert '<form class="newscrawl-search" action="/news/-/search"' in page.text
        assert "기사 검색" in page.text
    assert text_of(home.text).index("news 기사 읽기") < text_of(home.text).index("related_lists")


@pytest.fixture(scope="module")
def corpus(tmp_path_factory) -> Path:
    """A synthetic archive of 300 articles plus the seed article."""
    path = tmp_path_factory.mktemp("corpus") / "news.db"
    build(path, articles=300)
    db = open_archive(path)
    save_article(db, seed_article())
    db.close()
    return path


def common_word(conn: sqlite3.Connection) -> tuple[str, int]:
    """A word of the corpus found in many articles, and how many."""
    words = {w for (title,) in conn.execute("select title from articles limit 20") for w in title.split()}
    return max(((w, search_page(conn, w, 1).total) for w in words), key=lambda pair: pair[1])


def test_ranking_has_real_relevance_and_counts_all_matches(corpus):
    conn = sqlite3.connect(corpus)
    word, total = common_word(conn)
    assert total > 40
    page = search_page(conn, word, 20)
    assert page.total == total and not page.more and len(page.rows) == 20
    relevance = [r["relevance"] for r in page.rows]
    assert relevance == sorted(relevance, reverse=True) and relevance[0] > relevance[-1] > 0
    second = search_page(conn, word, 20, offset=20)
    assert not {r["id"] for r in page.rows} & {r["id"] for r in second.rows}
    newest = search_page(conn, word, 20, order="newest").rows
    assert [r["published_at"] for r in newest] == sorted((r["published_at"] for r in newest), reverse=True)
    # a title match outranks the body-only matches
    (first, *_) = search_page(conn, "우수기관", 5).rows
    assert first["title"] == TITLE


def test_a_common_word_is_ranked_among_the_newest_matches_only(corpus):
    conn = sqlite3.connect(corpus)
    word, total = common_word(conn)
    page = search_page(conn, word, 100, window=30, facets=True)
    assert page.windowed and page.total == total and len(page.rows) == 30
    newest_ids = [r[0] for r in conn.execute(
        "select rowid from articles_fts where articles_fts match newscrawl_fts_query(?) order by rowid desc limit 30",
        [word])]
    assert {r["id"] for r in page.rows} == set(newest_ids)
    assert sum(count for _, count in page.facets["section"]) == 30
    assert page.summary() == f"showing 30 of {total} (ranked among the 30 most recently archived)"


def test_the_window_read_once_gives_what_sql_alone_gives(corpus):
    """search_page reads the window once and hands it back to SQLite: the same rows and
    facets as searching the index in SQL alone (the canned query's way), narrowed too."""
    conn = sqlite3.connect(corpus)
    register_functions(conn)
    word, _ = common_word(conn)
    section = search_page(conn, word, 1, facets=True).facets["section"][0][0]
    for where, filters in (("1", {}), ("articles.section = :section", {"section": section})):
        for order in ("relevance", "newest"):
            page = search_page(conn, word, 7, offset=3, order=order, filters=filters, facets=True, window=40)
            params = {"q": word, **filters}
            alone = conn.execute(search_sql(7, 3, order, where, window=40), params).fetchall()
            assert [tuple(row.values()) for row in page.rows] == [(*row[:5], float(f"{row[5]:.3g}"), row[6])
                                                                   for row in alone]
            assert page.facets == {name: conn.execute(_matches(40) + sql.format(where=where), params).fetchall()
                                   for name, sql in FACET_SQL.items()}
            assert page.rows and page.facets["section"]  # nothing compared empty


def test_search_page_has_count_facets_paging_and_links(corpus):
    conn = sqlite3.connect(corpus)
    word, total = common_word(conn)
    section, in_section = search_page(conn, word, 1, facets=True).facets["section"][0]
    first, narrowed, second = fetch_all(corpus, f"/news/-/search?q={word}", f"/news/-/search?q={word}&section={section}",
                                        f"/news/-/search?q={word}&page=2")
    assert f"{total}건 중 1–20" in text_of(first.text)
    assert first.text.count('class="result-title"') == 20
    assert re.search(r'<a class="result-title" href="/news/-/article/\d+">', first.text)
    assert "<mark>" in first.text and "관련도 " in first.text
    assert f'href="/news/-/search?q={quote(word)}&amp;order=relevance&amp;section={quote(section)}"' in first.text
    assert f'page=2">다음 →</a>' in first.text
    assert f"{in_section}건 중" in text_of(narrowed.text) and f"섹션: {section} ✕" in text_of(narrowed.text)
    assert f"{total}건 중 21–" in text_of(second.text) and "← 이전" in second.text


def test_cli_says_how_many_it_did_not_show(corpus):
    conn = sqlite3.connect(corpus)
    word, total = common_word(conn)
    shown = run_newscrawl("search", word, "--db", str(corpus), "--limit", "5", "--json")
    assert shown.returncode == 0, shown.stderr
    rows = [json.loads(line) for line in shown.stdout.splitlines()]
    assert len(rows) == 5 and all(r["relevance"] > 0 for r in rows)
    assert shown.stderr.strip() == f"showing 5 of {total}"
    later = run_newscrawl("search", word, "--db", str(corpus), "--limit", "5", "--offset", "5")
    assert later.stderr.strip() == f"showing 6-10 of {total}"


def test_dashboard_charts_every_article_of_the_window(corpus):
    (page,) = fetch_all(corpus, "/news/-/dashboard")
    assert page.status_code == 200 and page.text.count("<svg") == 3
    conn = sqlite3.connect(corpus)
    last = conn.execute("select substr(max(published_at), 1, 10) from articles").fetchone()[0]
    in_window = conn.execute("select count(*) from articles where published_at >= date(?, '-59 days')",
                             [last]).fetchone()[0]
    chart = page.text[page.text.index("<svg"):page.text.index("</svg>")]
    drawn = sum(int(n) for n in re.findall(r"<title>[^<]*: (\d+)</title>", chart))
    assert drawn == in_window > 0
