"""`newscrawl crawl ndsoft --base-url URL` against a generated ND소프트 paper (its feed and its
summary lists, tests/mockpapers.py --kind ndsoft): real Scrapy crawls, a real archive."""

from __future__ import annotations

import json
from urllib.parse import parse_qs, urlsplit

import sqlite_utils

from conftest import FAST, run_newscrawl
from mockpapers import OTHER_PAPER, idxno, section_code
from mocksite import RSS_SIZE
from test_crawl import SINCE, runs

#: The window of SINCE (50 days): articles 0..24.
IN_WINDOW = range(25)


def ndsoft_crawl(site, db_path, *args: str):
    return run_newscrawl("crawl", "ndsoft", "--base-url", site.url, "--db", str(db_path), *FAST, *args)


def landed(site, section: str | None = None) -> set[str]:
    return {str(idxno(a)) for a in site.articles if a.index in IN_WINDOW and a.quirk not in ("gone", "broken")
            and section in (None, section_code(a))}


def archived(db_path) -> set[str]:
    return {row["article_id"] for row in sqlite_utils.Database(db_path)["articles"].rows}


def list_requests(site) -> list[dict[str, str]]:
    """The query of every list page the server answered, in order."""
    return [{k: v[0] for k, v in parse_qs(urlsplit(r["path"]).query).items()} for r in site.requests()
            if urlsplit(r["path"]).path == "/news/articleList.html"]


def test_feed_and_lists_lead_to_exactly_the_window_articles(ndsoft_paper, tmp_path):
    db_path = tmp_path / "news.db"
    result = ndsoft_crawl(ndsoft_paper, db_path, "--since", SINCE)
    assert result.returncode == 0, result.stderr
    # the feed holds the 20 newest: the rest of the window is only in the lists
    assert RSS_SIZE < len(IN_WINDOW)
    assert archived(db_path) == landed(ndsoft_paper)
    db = sqlite_utils.Database(db_path)
    assert {row["site"] for row in db["articles"].rows} == {"127.0.0.1"}
    layers = {json.loads(row["sources"])[name] for row in db["articles"].rows
              for name in ("title", "published_at", "body")}
    assert layers == {"profile"}  # the profile's article selectors match the generated paper
    (run,) = runs(db_path)
    assert (run["site"], run["exit_status"], run["discovery_failed"]) == ("127.0.0.1", 0, 0)
    assert not [row for row in db["failures"].rows if OTHER_PAPER in row["url"]]


def test_lists_are_paged_through_ndsoft_pagination_until_before_the_window(ndsoft_paper, tmp_path):
    assert ndsoft_crawl(ndsoft_paper, tmp_path / "news.db", "--since", SINCE).returncode == 0
    pages = [(query.get("sc_section_code", ""), query["page"]) for query in list_requests(ndsoft_paper)]
    # 10 a page, newest first: page 3 (articles 20-29) is the first to reach past 50 days
    assert pages == [("", "1"), ("", "2"), ("", "3")]
    fetched = [r for r in ndsoft_paper.requests() if urlsplit(r["path"]).path == "/news/articleView.html"]
    outside = {str(idxno(a)) for a in ndsoft_paper.articles if a.index not in IN_WINDOW}
    assert not outside & {parse_qs(urlsplit(r["path"]).query)["idxno"][0] for r in fetched}


def test_a_section_crawl_reads_only_that_sections_list(ndsoft_paper, tmp_path):
    db_path = tmp_path / "news.db"
    result = ndsoft_crawl(ndsoft_paper, db_path, "--since", SINCE, "--section", "S1N2")
    assert result.returncode == 0, result.stderr
    assert archived(db_path) == landed(ndsoft_paper, "S1N2")
    assert {query["sc_section_code"] for query in list_requests(ndsoft_paper)} == {"S1N2"}
    assert "/rss/allArticle.xml" not in {r["path"] for r in ndsoft_paper.requests()}


def test_a_second_run_fetches_only_retries(ndsoft_paper, tmp_path):
    db_path = tmp_path / "news.db"
    assert ndsoft_crawl(ndsoft_paper, db_path, "--since", SINCE).returncode == 0
    start = len(ndsoft_paper.requests())
    assert ndsoft_crawl(ndsoft_paper, db_path).returncode == 0
    again = {parse_qs(urlsplit(r["path"]).query)["idxno"][0] for r in ndsoft_paper.requests()[start:]
             if urlsplit(r["path"]).path == "/news/articleView.html"}
    assert again == {str(idxno(a)) for a in ndsoft_paper.articles if a.index in IN_WINDOW
                     and a.quirk in ("gone", "broken")}
