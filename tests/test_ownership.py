"""An article belongs to the site that served it (issue 10, archive poisoning).

A page on a second, hostile host whose canonical link names a 중도일보 key must not replace
that article: the canonical link chooses how the page is read, never whose article it is.
"""

from __future__ import annotations

import json
import shutil

import pytest
import sqlite_utils

from conftest import NDSOFT_DIR, SEED_HTML, SEED_KEY, MockSite, run_newscrawl
from newscrawl.extract import extract_page
from newscrawl.items import RawPage
from newscrawl.sites import PROFILES

TITLE = "세종시, 전자정부 정보보호 우수기관 선정"
POISONED = "POISONED 가짜 기사"
NDSOFT_HTML = NDSOFT_DIR / "articleView-21457.html"

FAST = ("--timeout", "10", "-s", "DOWNLOAD_DELAY=0", "-s", "AUTOTHROTTLE_START_DELAY=0")


@pytest.fixture
def hostile_site(tmp_path):
    """A second server whose page copies the seed article, canonical link and all, with a fake title."""
    root = tmp_path / "hostile"
    (root / "evil").mkdir(parents=True)
    (root / "evil" / "page.html").write_text(SEED_HTML.read_text(encoding="utf-8").replace(TITLE, POISONED),
                                             encoding="utf-8")
    shutil.copy(SEED_HTML, root / "view-missing.html")
    site = MockSite(root)
    yield site
    site.stop()


def articles(db_path):
    return {(row["site"], row["article_id"]): row for row in sqlite_utils.Database(db_path)["articles"].rows}


def test_a_hostile_host_cannot_rewrite_another_sites_article(mock_site, hostile_site, tmp_path):
    db = tmp_path / "news.db"
    real = run_newscrawl("fetch", mock_site.article_url(), "--site", "joongdo", "--db", str(db), *FAST)
    assert real.returncode == 0, real.stderr
    # by the host's name (localhost), so the two servers are two sites
    hostile_url = hostile_site.url.replace("127.0.0.1", "localhost") + "/files/evil/page.html"
    attack = run_newscrawl("fetch", hostile_url, "--db", str(db), *FAST)
    assert attack.returncode == 0, attack.stderr
    stored = articles(db)
    assert (stored[("joongdo", SEED_KEY)]["title"], stored[("joongdo", SEED_KEY)]["revision"]) == (TITLE, 1)
    fake = stored[("localhost", "/files/evil/page.html")]
    assert fake["title"].startswith("POISONED")
    assert len(stored) == 2
    found = run_newscrawl("search", "POISONED", "--db", str(db), "--json")
    assert [json.loads(line)["url"] for line in found.stdout.splitlines()] == [hostile_url]


@pytest.mark.parametrize(("fetched_with", "html", "claimed"), [
    ("generic", SEED_HTML, ("joongdo", SEED_KEY)),  # a generic crawl of any site, a page naming 중도일보
    ("ndsoft", NDSOFT_HTML, ("hanbat-news.example", "21457")),  # one paper's page naming another paper
])
def test_a_page_claiming_another_sites_article_is_stored_under_its_own_host(fetched_with, html, claimed):
    page = RawPage(url="http://evil.example/news/articleView.html?idxno=7", status=200,
                   headers={"content-type": ["text/html; charset=utf-8"]}, body=html.read_bytes(),
                   encoding=None, fetched_at=None, profile=fetched_with)
    article = extract_page(page, PROFILES[fetched_with])
    assert (article.site, article.article_id) != claimed
    assert article.site == "evil.example"


def test_a_mirror_named_with_site_keeps_the_sites_key(mock_site, tmp_path):
    # Control: the user says the server is 중도일보 (--site), so its canonical key holds.
    db = tmp_path / "news.db"
    result = run_newscrawl("fetch", mock_site.article_url(), "--site", "joongdo", "--db", str(db), *FAST)
    assert result.returncode == 0, result.stderr
    assert set(articles(db)) == {("joongdo", SEED_KEY)}
