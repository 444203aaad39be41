"""The ND소프트 profile: one profile for every paper on that CMS, matched by URL shape or markers."""

from __future__ import annotations

import json
import subprocess
import sys

import pytest
import sqlite_utils

from conftest import NDSOFT_DIR, TESTS, run_newscrawl
from newscrawl.extract.page import ArticlePage
from newscrawl.run import extract_file
from newscrawl.extract.layout import profile_for_page
from newscrawl.sites import GENERIC, NDSOFT, profile_for_url

PAGE = NDSOFT_DIR / "articleView-21457.html"
EXPECTED = NDSOFT_DIR / "articleView-21457.expected.json"
URL = "https://www.hanbat-news.example/news/articleView.html?idxno=21457"


@pytest.fixture(scope="module")
def article() -> dict:
    return extract_file(PAGE, url=URL).to_json()


@pytest.fixture(scope="module")
def expected() -> dict:
    return json.loads(EXPECTED.read_text(encoding="utf-8"))


@pytest.mark.parametrize("field", ["site", "article_id", "title", "subtitle", "sections", "published_at",
                                   "modified_at", "byline"])
def test_field(article, expected, field):
    assert article[field] == expected[field]


@pytest.mark.parametrize("field", ["title", "subtitle", "sections", "published_at", "modified_at", "reporters",
                                   "body", "photos"])
def test_field_comes_from_the_profile(article, field):
    assert article["profile"] == "ndsoft"
    assert article["sources"][field] == "profile"


def test_reporter_with_whole_email(article):
    assert article["reporters"] == [{"name": "김하늘", "email": "sky@hanbat-news.example", "url": None}]


def test_body_paragraphs_without_the_related_box(article, expected):
    assert article["body"].split("\n\n") == expected["body_paragraphs"]
    for text in expected["must_not_contain_in_body"]:
        assert text not in article["body"]


def test_photos_with_caption_and_credit(article, expected):
    assert [{k: p[k] for k in ("url", "caption", "credit")} for p in article["photos"]] == expected["photos"]


@pytest.mark.parametrize("name", ["related", "ranking", "photo"])
def test_related_list(article, expected, name):
    want = [(r["rank"], r["title"], r["url"]) for r in expected["related"] if r["list"] == name]
    assert [(r["rank"], r["title"], r["url"]) for r in article["related"] if r["list"] == name] == want
    assert want


def test_extract_command_passes_check_article(tmp_path):
    result = run_newscrawl("extract", str(PAGE))
    assert result.returncode == 0, result.stderr
    out = tmp_path / "actual.json"
    out.write_text(result.stdout, encoding="utf-8")
    check = subprocess.run([sys.executable, str(TESTS / "check_article.py"), str(EXPECTED), str(out)],
                           capture_output=True, text=True)
    assert check.returncode == 0, check.stdout
    assert check.stdout.strip().endswith("19 passed, 0 failed")


@pytest.mark.parametrize("url", [
    "https://www.hanbat-news.example/news/articleView.html?idxno=21457",
    "http://www.another-paper.example/news/articleView.html?idxno=7&replyAll=&reply_sc_order_by=C",
    "http://127.0.0.1:8080/news/articleView.html?idxno=21457",
])
def test_any_host_with_the_article_url_shape_is_ndsoft(url):
    assert profile_for_url(url) is NDSOFT


@pytest.mark.parametrize("url", ["https://www.hanbat-news.example/news/articleList.html?sc_section_code=S1N2",
                                 "https://www.hanbat-news.example/"])
def test_other_pages_of_an_ndsoft_site_are_not_articles(url):
    assert profile_for_url(url) is None
    assert NDSOFT.article_id(url) is None


def test_a_page_without_the_url_shape_is_recognised_by_its_markers():
    html = PAGE.read_text(encoding="utf-8")
    html = html.replace('<link rel="canonical"', '<link rel="alternate"').replace('property="og:url"', 'property="x"')
    page = ArticlePage(html, "http://mirror.example/amp/21457", GENERIC)
    assert profile_for_page(GENERIC, page.root, page.url) is NDSOFT
    # Control: without its body container the page is nobody's.
    plain = html.replace('id="article-view-content-div"', 'id="story"').replace("article-view-header", "head")
    assert profile_for_page(GENERIC, ArticlePage(plain, page.url, GENERIC).root, page.url) is GENERIC


def test_papers_on_the_cms_are_archived_under_their_own_hosts():
    assert NDSOFT.site_name("https://www.hanbat-news.example/news/articleView.html?idxno=1") == "hanbat-news.example"
    assert NDSOFT.site_name("https://news.other.example/news/articleView.html?idxno=1") == "news.other.example"


def fetch(*args: str) -> subprocess.CompletedProcess:
    return run_newscrawl("fetch", *args, "--timeout", "5", "-s", "DOWNLOAD_DELAY=0", "-s", "AUTOTHROTTLE_START_DELAY=0")


def test_fetch_from_a_local_ndsoft_site_without_naming_the_profile(fixtures_site, tmp_path):
    db_path = tmp_path / "news.db"
    result = fetch(f"{fixtures_site.url}/news/articleView.html?idxno=21457", "--db", str(db_path))
    assert result.returncode == 0, result.stderr
    assert result.stderr == ""
    assert "profile ndsoft" in result.stdout
    db = sqlite_utils.Database(db_path)
    (row,) = db["articles"].rows
    # the paper that served it (not the host its canonical link names)
    assert (row["site"], row["article_id"]) == ("127.0.0.1", "21457")
    assert db["photos"].count == 2
    related = db.execute("SELECT title FROM list_snapshots WHERE list = 'related' ORDER BY rank").fetchall()
    assert [t for (t,) in related] == ["대전 원도심 공실률 20% 넘어… 상권 회복 더뎌", "청년 창업 지원 예산 내년 30% 늘린다"]


def test_missing_ndsoft_article_fails_cleanly(fixtures_site, tmp_path):
    db_path = tmp_path / "news.db"
    result = fetch(f"{fixtures_site.url}/news/articleView.html?idxno=99999", "--db", str(db_path))
    assert result.returncode == 1
    assert "no such article: 존재하지 않는 기사" in result.stderr
    assert not db_path.exists()
