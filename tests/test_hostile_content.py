"""Hostile content: markup and SQL in what sites write are stored as text, shown escaped, and
never reach SQL except as parameters.

A generated article (faultserver.py's ``hostile`` fault) carries ``<script>``, an element
with an event handler and ``'; DROP TABLE articles; --`` in its title, subtitle, section
name and body, written as text the way a site escapes it, plus a real ``<script>`` element in
its body. A real crawl stores it; datasette serves it on every page a user reaches it by.
"""

from __future__ import annotations

import asyncio
from pathlib import Path
from urllib.parse import quote

import pytest
import sqlite_utils
from datasette.app import Datasette

from conftest import FaultySite, crawl_args, run_newscrawl
from faultserver import HOSTILE, Fault
from mocksite import SECTIONS
from sqlscan import scan

PACKAGE = Path(__file__).parent.parent / "newscrawl"
#: What must never appear in a served page: the markup, live.
LIVE = ("<script>alert(", "<b onmouseover")
#: How it must appear instead: as text.
ESCAPED = "&lt;script&gt;alert("


@pytest.fixture(scope="module")
def hostile_archive(tmp_path_factory) -> tuple[Path, dict]:
    """An archive crawled from a site whose newest article is hostile; (path, that article's row)."""
    tmp_path = tmp_path_factory.mktemp("hostile")
    site = FaultySite(tmp_path / "site", 6, 6, [Fault(0, "hostile")])
    try:
        result = run_newscrawl(*crawl_args(site, tmp_path / "news.db", "--since", "10d"))
    finally:
        site.stop()
    assert result.returncode == 0, result.stderr[-3000:]
    db = sqlite_utils.Database(tmp_path / "news.db")
    (row,) = db["articles"].rows_where("article_id = ?", [site.articles[0].key])
    return tmp_path / "news.db", {**row, "generated": site.articles[0]}


def test_markup_and_sql_in_a_page_are_stored_as_text(hostile_archive):
    db_path, row = hostile_archive
    article = row["generated"]
    assert row["title"] == f"{article.title} {HOSTILE}"
    assert row["subtitle"] == f"{article.subtitle} {HOSTILE}"
    assert row["body"].startswith(f"{article.paragraphs[0]} {HOSTILE}")
    assert row["section"] == f"{SECTIONS[article.section][1]} {HOSTILE}"
    assert "document.write" not in row["body"] and "스크립트 본문" not in row["body"]  # a script is not text
    db = sqlite_utils.Database(db_path)
    assert db["articles"].count == 5  # the DROP TABLE in the text dropped nothing
    assert db.execute("SELECT count(*) FROM sections WHERE name LIKE '%<script>%'").fetchone()[0] == 1


def served(db_path: Path, *paths: str) -> list:
    async def get() -> list:
        ds = Datasette([str(db_path)])
        return [await ds.client.get(path) for path in paths]
    return asyncio.run(get())


def test_datasette_shows_it_escaped_on_every_page(hostile_archive):
    db_path, row = hostile_archive
    section = quote(row["section"])
    pages = {
        "table": "/news/articles",
        "row": f"/news/articles/{row['id']}",
        "view": "/news/article_summary",
        "search box": "/news/articles?_search=" + quote("굵게"),
        "facet": f"/news/articles?section={section}",
        "sections": "/news/sections",
        "latest": "/news/latest",
        "search": "/news/search?q=" + quote("굵게"),
        "by_section": f"/news/by_section?section={section}",
        "revision_history": "/news/revision_history",
    }
    for (name, path), page in zip(pages.items(), served(db_path, *pages.values())):
        assert page.status_code == 200, (name, page.text[:300])
        assert not any(live in page.text for live in LIVE), name
        assert ESCAPED in page.text, name
    search = served(db_path, pages["search"])[0].text
    # the snippet marks the match and escapes everything around it
    assert "&lt;b onmouseover=alert(1)&gt;<mark>굵게</mark>&lt;/b&gt;" in search


def test_hostile_searches_are_answered_not_executed(hostile_archive):
    db_path, _ = hostile_archive
    words = ["'; DROP TABLE articles; --", "<script>alert(1)</script>", '" OR 1=1 --', "NEAR(", "*", "^"]
    paths = [f"/news/articles.json?_shape=array&_search={quote(w)}" for w in words]
    paths += [f"/news/search.json?_shape=array&q={quote(w)}" for w in words]
    paths += ["/news/articles?_search=" + quote("<script>alert(1)</script>")]
    for path, page in zip(paths, served(db_path, *paths)):
        assert page.status_code == 200, (path, page.text[:300])
        assert "<script>alert(1)" not in page.text
    assert sqlite_utils.Database(db_path)["articles"].count == 5


# -- no SQL built by string formatting -----------------------------------------------------

def test_no_sql_in_newscrawl_is_built_by_formatting_values():
    """Every place that assembles SQL text says why it is safe (``# sql: …``); see tests/sqlscan.py."""
    findings = [str(f) for path in sorted(PACKAGE.rglob("*.py")) for f in scan(path)]
    assert findings == [], "SQL built by string formatting:\n" + "\n".join(findings)


BAD = {
    "f-string value": "db.execute(f\"SELECT * FROM articles WHERE title = '{title}'\")",
    "% value": "db.execute(\"SELECT * FROM t WHERE a = '%s'\" % value)",
    "+ value": "db.execute(\"SELECT * FROM t WHERE a = \" + value)",
    "format, executed later": "sql = \"DELETE FROM t WHERE id = {}\".format(x)\ndb.execute(sql)",
    "lowercase, executed later": "sql = f\"select body from articles where id = {x}\"\ndb.execute(sql)",
    "query()": "rows = db.query(f\"{table}\")",
}
GOOD = {
    "parameters": "db.execute(\"SELECT * FROM t WHERE a = ?\", [value])",
    "said why": "# sql: the table name is a constant\ndb.execute(f\"SELECT * FROM {TABLE} WHERE a = ?\", [v])",
    "prose": "logger.info(f\"{n} articles from {site}, where the list ends: {url}\")",
}


@pytest.mark.parametrize("name, code", [*BAD.items(), *GOOD.items()], ids=[*BAD, *GOOD])
def test_the_scan_finds_formatted_sql_and_lets_parameters_pass(tmp_path, name, code):
    source = tmp_path / "module.py"
    source.write_text(code + "\n", encoding="utf-8")
    assert bool(scan(source)) is (name in BAD)
