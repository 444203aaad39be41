"""`newscrawl crawl --generic --start URL`: a site no profile knows, crawled through its feeds
and sitemaps (tests/mockpapers.py --kind generic), with the machinery of profiled crawls.

What each test expects is computed from the generated articles: article i is published 2i+1
days before the site's "now"; :func:`mocksite.quirk` names the misbehaving ones.
"""

from __future__ import annotations

import json
import signal
import subprocess
import sys
from collections import Counter
from datetime import timedelta
from pathlib import Path
from urllib.parse import urlsplit

import pytest
import sqlite_utils

from conftest import ENV, FAST, assert_one_line_error, run_newscrawl, start_newscrawl
from mockpapers import NOT_ARTICLES, UNDATED_PATH, GenericNewsSite, generic_path, idxno
from mocksite import RSS_SIZE
from test_crawl import SINCE, runs
from test_crawl_resume import wait_for_log

ROOT = Path(__file__).parent.parent
#: The window of SINCE (50 days): articles 0..24.
IN_WINDOW = range(25)


def generic_crawl(site, db_path: Path, *args: str, start: str = "/") -> subprocess.CompletedProcess:
    return run_newscrawl(*generic_args(site, db_path, *args, start=start))


def generic_args(site, db_path: Path, *args: str, start: str = "/") -> list[str]:
    return ["crawl", "--generic", "--start", site.url + start, "--db", str(db_path), *FAST, *args]


def landed(site) -> set[str]:
    """Paths of the window's articles a first crawl stores (404, 500 x3 and disallowed left out)."""
    return {generic_path(a) for a in site.articles
            if a.index in IN_WINDOW and a.quirk not in ("gone", "broken", "disallowed")}


def archived(db_path: Path) -> set[str]:
    return {row["article_id"] for row in sqlite_utils.Database(db_path)["articles"].rows}


def paths(site, start: int = 0) -> list[str]:
    return [r["path"] for r in site.requests()[start:]]


def article_paths(site, start: int = 0) -> list[str]:
    return [p for p in paths(site, start) if urlsplit(p).path in {generic_path(a) for a in site.articles}]


def test_feeds_and_sitemaps_lead_to_exactly_the_window_articles(generic_news_site, tmp_path):
    site, db_path = generic_news_site, tmp_path / "news.db"
    result = generic_crawl(site, db_path, "--since", SINCE)
    assert result.returncode == 0, result.stderr
    assert archived(db_path) == landed(site)
    db = sqlite_utils.Database(db_path)
    assert {row["site"] for row in db["articles"].rows} == {"127.0.0.1"}
    assert {(row["kind"], urlsplit(row["url"]).path, row["site"]) for row in db["failures"].rows} == {
        *(("not-article", path, "127.0.0.1") for path in NOT_ARTICLES),
        *(("fetch", generic_path(a), "127.0.0.1") for a in site.articles
          if a.index in IN_WINDOW and a.quirk in ("gone", "broken")),
        *(("robots", generic_path(a), "127.0.0.1") for a in site.articles if a.quirk == "disallowed")}
    (run,) = runs(db_path)
    assert (run["site"], run["exit_status"], run["not_articles"]) == ("127.0.0.1", 0, len(NOT_ARTICLES))
    assert '"start": "' + site.url + '/"' in run["arguments"]


def test_what_the_crawl_reads_and_never_requests(generic_news_site, tmp_path):
    site = generic_news_site
    assert generic_crawl(site, tmp_path / "news.db", "--since", SINCE).returncode == 0
    requested = set(paths(site))
    months = GenericNewsSite(site.articles, site.now).months()
    # a month whose newest article is older than the window (no article sits near its edge)
    old_months = {f"/sitemap-posts-{month}.xml.gz" for month, listed in months.items()
                  if site.now - listed[0].published > timedelta(days=50)}
    assert old_months, "the generated site should have months entirely before the window"
    assert {"/", "/robots.txt", "/feed/", "/atom.xml", "/sitemap_index.xml", "/sitemap-news.xml",
            "/sitemap-pages.xml"} <= requested
    assert {f"/sitemap-posts-{month}.xml.gz" for month in months} - old_months <= requested
    assert not old_months & requested  # unchanged since before the window: never read
    assert UNDATED_PATH not in requested  # a sitemap URL with no date cannot be placed in the window
    outside = {generic_path(a) for a in site.articles if a.index not in IN_WINDOW}
    assert not outside & requested
    # each article once, on its own URL: the feed's utm_ parameters are dropped
    tries = Counter(article_paths(site))
    assert all("?" not in path for path in tries)
    assert {path for path, n in tries.items() if n > 1} == {generic_path(a) for a in site.articles
                                                            if a.index in IN_WINDOW and a.quirk in ("flaky", "broken")}
    failures = sqlite_utils.Database(tmp_path / "news.db")["failures"].rows
    assert not any("elsewhere" in row["url"] or row["kind"] == "discovery" for row in failures)


def test_a_second_run_fetches_only_what_failed(generic_news_site, tmp_path):
    site, db_path = generic_news_site, tmp_path / "news.db"
    assert generic_crawl(site, db_path, "--since", SINCE).returncode == 0
    start = len(site.requests())
    # the same window again: every archived article is known by its key (the feeds' links
    # carry utm_ parameters, the sitemaps' do not), so only the failures are fetched again
    result = generic_crawl(site, db_path, "--since", SINCE)
    assert result.returncode == 0, result.stderr
    retried = {generic_path(a) for a in site.articles if a.index in IN_WINDOW and a.quirk in ("gone", "broken")}
    assert set(article_paths(site, start)) == retried
    broken = {generic_path(a) for a in site.articles if a.index in IN_WINDOW and a.quirk == "broken"}
    assert archived(db_path) == landed(site) | broken  # the broken one answers its fourth request
    assert runs(db_path)[1]["articles_new"] == len(broken)


def test_a_start_page_naming_no_feed_gets_the_usual_feed_paths_tried(generic_news_site, tmp_path):
    site, db_path = generic_news_site, tmp_path / "news.db"
    result = generic_crawl(site, db_path, "--since", SINCE, start="/plain/")
    assert result.returncode == 0, result.stderr
    requested = paths(site)
    assert {"/feed", "/feed/", "/rss", "/rss.xml", "/atom.xml"} <= set(requested)  # /feed redirects to /feed/
    assert archived(db_path) == landed(site)
    # a feed path that is not there is no failure
    assert not [row for row in sqlite_utils.Database(db_path)["failures"].rows if row["kind"] == "discovery"]


def test_scrapy_crawl_generic_with_a_start_argument_is_the_same_crawl(generic_news_site, tmp_path):
    db_path = tmp_path / "news.db"
    result = subprocess.run(
        [sys.executable, "-m", "scrapy", "crawl", "generic", "-a", f"start={generic_news_site.url}/",
         "-a", f"since={SINCE}", "-s", f"NEWSCRAWL_DB={db_path}", *FAST],
        cwd=ROOT, env=ENV, capture_output=True, text=True, timeout=120)
    assert result.returncode == 0, result.stderr
    assert archived(db_path) == landed(generic_news_site)
    (run,) = runs(db_path)
    assert (run["site"], run["exit_status"]) == ("127.0.0.1", 0)


def test_ctrl_c_and_resume_complete_a_generic_crawl_without_refetching(paused_generic_site, tmp_path):
    site, db_path = paused_generic_site, tmp_path / "news.db"
    crawl = start_newscrawl(*generic_args(site, db_path, "--since", SINCE))
    site.wait_for("paused")
    crawl.send_signal(signal.SIGINT)
    wait_for_log(crawl, "shutting down gracefully")
    site.control("release")
    out, _ = crawl.communicate(timeout=60)
    assert crawl.returncode == 1 and "shutdown" in out
    assert len(archived(db_path)) < len(landed(site))

    result = run_newscrawl(*generic_args(site, db_path, "--resume"))
    assert result.returncode == 0, result.stderr
    assert archived(db_path) == landed(site)
    articles = {generic_path(a) for a in site.articles}
    served = Counter(r["path"] for r in site.requests() if r["path"] in articles and r["status"] == 200)
    assert set(served) == landed(site) and set(served.values()) == {1}
    first, second = runs(db_path)
    assert second["job"] == first["id"] and second["window_since"] == first["window_since"]


def test_a_site_with_no_feed_or_sitemap_says_so_and_exits_1(fixtures_site, tmp_path):
    start = f"{fixtures_site.url}/files/generic/chungnam-today-1234.html"  # no feed link; no sitemap anywhere
    result = run_newscrawl("crawl", "--generic", "--start", start, "--db", str(tmp_path / "news.db"), *FAST,
                           "--since", "7d")
    assert result.returncode == 1
    assert "found no RSS/Atom feed or sitemap for" in result.stdout
    (run,) = runs(tmp_path / "news.db")
    assert run["problems"].startswith("found no RSS/Atom feed or sitemap")


@pytest.mark.parametrize("args, message", [
    (["--generic"], "a generic crawl starts from a page of the site: give it with --start URL"),
    (["--generic", "--start", "ftp://news.example.org/"], "--start must be an http(s) URL"),
    (["--generic", "--start", "http://www.joongdo.co.kr/"], "www.joongdo.co.kr has a site profile: crawl it with "
                                                            "`newscrawl crawl joongdo`"),
    (["--generic", "--start", "https://news.example.org/", "--base-url", "http://127.0.0.1:9"],
     "a generic crawl takes its address from --start"),
    (["joongdo", "--generic", "--start", "https://news.example.org/"], "--generic crawls a site no profile knows"),
    (["joongdo", "--start", "https://news.example.org/"], "--start is for generic crawls (--generic)"),
    (["--generic", "--start", "https://news.example.org/", "--section", "S1N1"], "generic has no section lists"),
    ([], "name the site to crawl"),
])
def test_generic_crawl_arguments_are_checked(tmp_path, args, message):
    db_path = tmp_path / "news.db"
    assert_one_line_error(run_newscrawl("crawl", *args, "--db", str(db_path)), message)
    assert not db_path.exists()


def test_an_ndsoft_paper_crawled_generically_from_its_feed_gets_the_cms_keys(ndsoft_paper, tmp_path):
    """The start URL may be a feed; article URLs of the ND소프트 shape are keyed as that profile
    keys them, so the archive recognises them on the next run."""
    db_path = tmp_path / "news.db"
    result = generic_crawl(ndsoft_paper, db_path, "--since", SINCE, start="/rss/allArticle.xml")
    assert result.returncode == 0, result.stderr
    in_feed = [a for a in ndsoft_paper.articles[:RSS_SIZE] if a.index in IN_WINDOW]
    assert archived(db_path) == {str(idxno(a)) for a in in_feed if a.quirk not in ("gone", "broken")}
    db = sqlite_utils.Database(db_path)
    assert {json.loads(row["sources"])["title"] for row in db["articles"].rows} == {"profile"}  # read as ND소프트
    start = len(ndsoft_paper.requests())
    # the same window again: what is archived is known by its key and skipped
    assert generic_crawl(ndsoft_paper, db_path, "--since", SINCE, start="/rss/allArticle.xml").returncode == 0
    again = {r["path"] for r in ndsoft_paper.requests()[start:] if "articleView" in r["path"]}
    assert again == {f"/news/articleView.html?idxno={idxno(a)}" for a in in_feed if a.quirk in ("gone", "broken")}
