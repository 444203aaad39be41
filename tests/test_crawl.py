"""`newscrawl crawl` against a generated 중도일보 on 127.0.0.1: real Scrapy crawls, a real archive.

What each test expects is computed from the generated site (:mod:`mocksite`): article i is
published 2i+1 days ago, and the misbehaving ones are named by :func:`mocksite.quirk`.
"""

from __future__ import annotations

import json
from collections import Counter
from urllib.parse import parse_qs, urlsplit

import sqlite_utils

from conftest import crawl_args, run_newscrawl
from mocksite import OFFSITE_HOST
from newscrawl.archive.revisions import current_content, revision_content

#: The window of most tests: articles 0..24 (1 to 49 days old); article 25 is 51 days old.
SINCE = "50d"
IN_WINDOW = range(25)
#: Quirks that keep an article out of the archive on the first crawl.
FAILING = {"gone": 404, "broken": 500}


def landed(site, indices=IN_WINDOW) -> set[str]:
    """Keys of the articles in ``indices`` a first crawl stores (the failing ones excluded)."""
    return {a.key for a in site.articles if a.index in indices and a.quirk not in (*FAILING, "disallowed")}


def keys_with(site, quirk: str, indices=IN_WINDOW) -> set[str]:
    return {a.key for a in site.articles if a.index in indices and a.quirk == quirk}


def article_requests(site, start: int = 0) -> list[dict]:
    """Article requests the server answered since request number ``start``."""
    return [r for r in site.requests()[start:] if urlsplit(r["path"]).path.endswith("/view.php")]


def key_of(request: dict) -> str:
    return parse_qs(urlsplit(request["path"]).query)["key"][0]


def archived(db_path) -> set[str]:
    return {row["article_id"] for row in sqlite_utils.Database(db_path)["articles"].rows}


def runs(db_path) -> list[dict]:
    return list(sqlite_utils.Database(db_path)["crawl_runs"].rows_where(order_by="id"))


def crawl(site, db_path, *args):
    return run_newscrawl(*crawl_args(site, db_path, *args))


def test_window_crawl_stores_exactly_the_articles_in_the_window(generated_site, tmp_path):
    db_path = tmp_path / "news.db"
    result = crawl(generated_site, db_path, "--since", SINCE, "-s", "NEWSCRAWL_CONTACT=archive@example.org")
    assert result.returncode == 0, result.stderr
    expected = landed(generated_site)
    assert archived(db_path) == expected
    db = sqlite_utils.Database(db_path)
    failures = {row["url"].split("key=")[1]: (row["kind"], row["status"]) for row in db["failures"].rows}
    assert failures == {**{k: ("fetch", 404) for k in keys_with(generated_site, "gone")},
                        **{k: ("fetch", 500) for k in keys_with(generated_site, "broken")},
                        **{k: ("robots", None) for k in keys_with(generated_site, "disallowed")}}
    assert db["revisions"].count == db["pages"].count == len(expected)
    (run,) = runs(db_path)
    assert (run["exit_status"], run["stop_reason"], run["routine"]) == (0, "finished", 1)
    assert run["articles_new"] == len(expected)
    assert run["articles_failed"] == len(keys_with(generated_site, "gone") | keys_with(generated_site, "broken"))
    health = json.loads(run["health"])
    assert health["articles"] == len(expected)
    assert health["missing"] == {"title": 0, "published_at": 0, "body": 0}
    assert health["sources"]["title"] == {"profile": len(expected)}
    assert "window" in result.stdout and f"{len(expected)} new" in result.stdout


def test_each_article_is_fetched_once_on_its_canonical_url(generated_site, tmp_path):
    result = crawl(generated_site, tmp_path / "news.db", "--since", SINCE,
                   "-s", "NEWSCRAWL_CONTACT=archive@example.org")
    assert result.returncode == 0, result.stderr
    requests = article_requests(generated_site)
    # lists link articles as /main/view.php, https, no www, with ncid= before or after the key
    assert {r["path"] for r in requests} == {f"/web/view.php?key={k}" for k in map(key_of, requests)}
    tries = Counter(key_of(r) for r in requests)
    flaky, broken = keys_with(generated_site, "flaky"), keys_with(generated_site, "broken")
    assert {k for k, n in tries.items() if n > 1} == flaky | broken
    assert all(tries[k] == 2 for k in flaky) and all(tries[k] == 3 for k in broken)  # RETRY_TIMES = 2
    assert OFFSITE_HOST not in "".join(r["path"] for r in generated_site.requests())
    assert all("19999999" not in r["path"] for r in requests)  # the off-site item's key
    assert all("newscrawl/" in r["ua"] and "contact: archive@example.org" in r["ua"] for r in requests)


def test_lists_are_paged_until_they_reach_before_the_window(generated_site, tmp_path):
    assert crawl(generated_site, tmp_path / "news.db", "--since", SINCE).returncode == 0
    lists = {r["path"] for r in generated_site.requests() if r["path"].startswith("/web/list_news.php")}
    # 10 articles a page: page 3 lists articles 20-29, the first page reaching past 50 days
    assert lists == {f"/web/list_news.php?page={n}" for n in (1, 2, 3)}


def test_second_run_fetches_only_the_failures_to_retry(generated_site, tmp_path):
    db_path = tmp_path / "news.db"
    assert crawl(generated_site, db_path, "--since", SINCE).returncode == 0
    start = len(generated_site.requests())
    result = crawl(generated_site, db_path)  # the routine run: since the last one
    assert result.returncode == 0, result.stderr
    retried = keys_with(generated_site, "gone") | keys_with(generated_site, "broken")
    assert {key_of(r) for r in article_requests(generated_site, start)} == retried
    assert len(article_requests(generated_site, start)) == len(retried)
    broken = keys_with(generated_site, "broken")
    assert archived(db_path) == landed(generated_site) | broken  # the broken ones work by now
    first, second = runs(db_path)
    assert second["window_since"] < first["started_at"] <= second["started_at"]
    db = sqlite_utils.Database(db_path)
    assert {row["url"].split("key=")[1]: row["attempts"] for row in db["failures"].rows if row["kind"] == "fetch"} \
        == {k: 2 for k in keys_with(generated_site, "gone")}


def test_revisits_are_conditional_and_an_edit_makes_a_revision(generated_site, tmp_path):
    db_path = tmp_path / "news.db"
    assert crawl(generated_site, db_path, "--since", SINCE).returncode == 0
    revisit = ("-s", "NEWSCRAWL_REVISIT=6d:0s")  # articles up to 6 days old (0, 1, 2): every run
    due = {a.key for a in generated_site.articles if a.index <= 2}
    start = len(generated_site.requests())
    assert crawl(generated_site, db_path, *revisit).returncode == 0
    revisits = [r for r in article_requests(generated_site, start) if key_of(r) in due]
    assert {key_of(r) for r in revisits} == due and len(revisits) == 3
    assert all(r["conditional"] and r["status"] == 304 for r in revisits)
    assert runs(db_path)[-1]["articles_unchanged"] == 3
    seen = sqlite_utils.Database(db_path).execute(
        "SELECT a.first_seen_at, a.last_fetched_at, r.last_seen_at FROM articles a JOIN revisions r"
        " ON r.article = a.id AND r.revision = a.revision WHERE a.article_id IN (?, ?, ?)", sorted(due)).fetchall()
    assert all(first < last == revision_seen for first, last, revision_seen in seen)  # a 304 is a sighting

    edited = generated_site.articles[1]
    generated_site.control("edit", key=edited.key)
    start = len(generated_site.requests())
    result = crawl(generated_site, db_path, *revisit)
    assert result.returncode == 0, result.stderr
    statuses = {key_of(r): r["status"] for r in article_requests(generated_site, start) if key_of(r) in due}
    assert statuses == {a.key: 200 if a is edited else 304 for a in generated_site.articles[:3]}
    assert runs(db_path)[-1]["articles_updated"] == 1
    db = sqlite_utils.Database(db_path)
    article = next(db["articles"].rows_where("article_id = ?", [edited.key]))
    assert article["revision"] == 2 and article["body"].startswith("[수정] ")
    old, new = db["revisions"].rows_where("article = ?", [article["id"]], order_by="revision")
    old, new = revision_content(old["data"]), revision_content(new["data"], current_content(db, article["id"]))
    assert not old["body"].startswith("[수정]") and new["modified_at"] > old["modified_at"]


def test_robots_txt_disallow_is_obeyed_and_the_control_run_fetches_the_page(generated_site, tmp_path):
    disallowed = keys_with(generated_site, "disallowed")
    assert crawl(generated_site, tmp_path / "obeyed.db", "--since", SINCE).returncode == 0
    assert not disallowed & archived(tmp_path / "obeyed.db")
    assert not disallowed & {key_of(r) for r in article_requests(generated_site)}
    start = len(generated_site.requests())
    assert crawl(generated_site, tmp_path / "ignored.db", "--since", SINCE, "-s", "ROBOTSTXT_OBEY=False").returncode == 0
    assert disallowed <= archived(tmp_path / "ignored.db")
    assert disallowed <= {key_of(r) for r in article_requests(generated_site, start)}


def test_max_articles_stops_after_that_many(generated_site, tmp_path):
    db_path = tmp_path / "news.db"
    result = crawl(generated_site, db_path, "--since", SINCE, "--max-articles", "4")
    assert result.returncode == 0, result.stderr
    # the feed and the first list page both start with the four newest articles
    newest = {a.key for a in generated_site.articles[:4]}
    assert {key_of(r) for r in article_requests(generated_site)} == newest
    assert len(article_requests(generated_site)) == 4
    assert archived(db_path) == newest
    assert runs(db_path)[0]["stop_reason"] == "max_articles"


def test_section_crawl_reads_only_that_sections_list(generated_site, tmp_path):
    db_path = tmp_path / "news.db"
    result = crawl(generated_site, db_path, "--since", SINCE, "--section", "N01_06")
    assert result.returncode == 0, result.stderr
    assert archived(db_path) == {a.key for a in generated_site.articles if a.key in landed(generated_site)
                                 and a.section == "N01_06"}
    discovery = {r["path"] for r in generated_site.requests() if not urlsplit(r["path"]).path.endswith("view.php")}
    # one article in four is in N01_06: its first page already lists one older than 50 days
    assert discovery == {"/robots.txt", "/web/list_news.php?ncid=N01_06&page=1"}
    assert runs(db_path)[0]["routine"] == 0


def test_a_site_that_cannot_be_reached_ends_with_a_summary_of_failures(tmp_path):
    result = run_newscrawl("crawl", "joongdo", "--db", str(tmp_path / "news.db"), "--base-url",
                           "http://127.0.0.1:9", "-s", "RETRY_TIMES=0", "-s", "DOWNLOAD_DELAY=0")
    assert result.returncode == 1
    assert "Traceback" not in result.stderr + result.stdout
    assert "connection refused" in result.stdout
    assert "no feed or list page could be fetched" in result.stdout
    (run,) = runs(tmp_path / "news.db")
    assert (run["exit_status"], run["discovery_failed"], run["discovery_pages"]) == (1, 2, 0)


def test_discovery_is_profile_data_an_ndsoft_paper_is_crawled_from_its_feed(fixtures_site, tmp_path):
    """The same crawl reads an ND소프트 paper's feed, whose dates name no zone (Asia/Seoul)."""
    db_path = tmp_path / "news.db"
    result = run_newscrawl("crawl", "ndsoft", "--base-url", fixtures_site.url, "--db", str(db_path),
                           "--since", "2024-11-05T14:00", "--until", "2024-11-05T15:00", "-s", "DOWNLOAD_DELAY=0",
                           "-s", "AUTOTHROTTLE_START_DELAY=0")
    assert result.returncode == 0, result.stderr
    db = sqlite_utils.Database(db_path)
    (article,) = db["articles"].rows  # 14:20 in Seoul is inside the hour; as UTC it would not be
    assert (article["article_id"], article["published_at"]) == ("21457", "2024-11-05T14:20:00+09:00")
    failures = {(row["kind"], row["url"].removeprefix(fixtures_site.url)) for row in db["failures"].rows}
    assert failures == {("not-article", "/news/articleView.html?idxno=21459"),  # deleted; on its canonical URL
                        ("discovery", "/news/articleList.html?view_type=sm&page=1")}  # no lists here
    assert runs(db_path)[0]["site"] == "127.0.0.1"  # a CMS profile's site goes by its host
