"""`newscrawl fetch` against a real local web server: a real Scrapy download, the archive on disk."""

from __future__ import annotations

import json
import socket

import pytest
import sqlite_utils

from conftest import SEED_KEY, run_newscrawl
from newscrawl.archive.revisions import current_content, revision_content


def fetch(*args, db=None):
    extra = ["--db", str(db)] if db else ["--no-store"]
    return run_newscrawl("fetch", *args, "--site", "joongdo", "--timeout", "2", "-s", "DOWNLOAD_DELAY=0",
                         "-s", "AUTOTHROTTLE_START_DELAY=0", "-s", "RETRY_TIMES=1", *extra)


def test_fetch_stores_the_article(mock_site, tmp_path):
    db_path = tmp_path / "news.db"
    result = fetch(mock_site.article_url(), db=db_path)
    assert result.returncode == 0, result.stderr
    assert result.stdout.startswith("new: 세종시, 전자정부 정보보호 우수기관 선정")
    db = sqlite_utils.Database(db_path)
    (article,) = db["articles"].rows
    assert (article["site"], article["article_id"], article["revision"]) == ("joongdo", SEED_KEY, 1)
    assert article["published_at"] == "2020-07-08T08:05:00+09:00"
    assert db["photos"].count == 1
    assert [r["name"] for r in db["reporters"].rows] == ["임병안"]
    assert db["list_snapshots"].count == 17
    page = db.execute("SELECT status, headers, body_size FROM pages").fetchone()
    assert page[0] == 200 and page[2] > 10_000
    assert "text/html; charset=utf-8" in json.loads(page[1])["content-type"]


def test_fetch_json_is_the_article(mock_site):
    result = fetch(mock_site.article_url(), "--json")
    assert result.returncode == 0, result.stderr
    article = json.loads(result.stdout)
    assert article["url"] == mock_site.article_url()
    assert article["canonical_url"] == f"http://www.joongdo.co.kr/web/view.php?key={SEED_KEY}"
    assert article["print_page"] == 8
    assert article["fetched_at"].endswith("+09:00")


def test_refetch_creates_no_duplicate(mock_site, tmp_path):
    db_path = tmp_path / "news.db"
    assert fetch(mock_site.article_url(), db=db_path).returncode == 0
    again = fetch(mock_site.article_url(), db=db_path)
    assert again.returncode == 0, again.stderr
    assert again.stdout.startswith("unchanged:")
    db = sqlite_utils.Database(db_path)
    counts = {t: db[t].count for t in ("articles", "revisions", "pages", "photos", "reporters", "list_snapshots")}
    assert counts == {"articles": 1, "revisions": 1, "pages": 1, "photos": 1, "reporters": 1, "list_snapshots": 17}


def test_changed_article_keeps_the_old_revision(mock_site, tmp_path):
    db_path = tmp_path / "news.db"
    assert fetch(mock_site.article_url(), db=db_path).returncode == 0
    page = mock_site.root / f"view-{SEED_KEY}.html"
    page.write_text(page.read_text(encoding="utf-8").replace("수정 2021-05-16 22:05", "수정 2021-06-01 09:30")
                    .replace("국무총리표창(단체)을", "국무총리표창을"), encoding="utf-8")
    result = fetch(mock_site.article_url(), db=db_path)
    assert result.returncode == 0, result.stderr
    assert result.stdout.startswith("updated:")
    db = sqlite_utils.Database(db_path)
    (article,) = db["articles"].rows
    assert article["revision"] == 2
    assert article["modified_at"] == "2021-06-01T09:30:00+09:00"
    old, new = (r["data"] for r in db["revisions"].rows_where(order_by="revision"))
    old, new = revision_content(old), revision_content(new, current_content(db, article["id"]))
    assert "국무총리표창(단체)을" in old["body"] and old["modified_at"] == "2021-05-16T22:05:00+09:00"
    assert "국무총리표창을" in new["body"]
    assert db["pages"].count == 2  # both raw pages kept


def test_euc_kr_page_decodes_to_the_same_article(mock_site):
    utf8 = json.loads(fetch(mock_site.article_url(), "--json").stdout)
    result = fetch(f"{mock_site.url}/euc-kr?key={SEED_KEY}", "--json")
    assert result.returncode == 0, result.stderr
    euckr = json.loads(result.stdout)
    for field in ("title", "subtitle", "body", "byline", "photos", "sections", "reporters"):
        assert euckr[field] == utf8[field], field


def test_truncated_page_is_stored_as_incomplete(mock_site, tmp_path):
    db_path = tmp_path / "news.db"
    result = fetch(f"{mock_site.url}/truncated?key={SEED_KEY}", db=db_path)
    assert result.returncode == 0, result.stderr
    assert "INCOMPLETE" in result.stdout
    (article,) = sqlite_utils.Database(db_path)["articles"].rows
    assert article["complete"] == 0
    assert article["incomplete_reason"]
    assert article["body"].startswith("세종시가 8일")
    assert "중심축" not in article["body"]


@pytest.mark.parametrize("path, message", [
    ("/status/404", "HTTP 404"),
    ("/status/500", "HTTP 500"),
    ("/hang", "timed out"),
    ("/redirect-loop", "redirect loop"),
    ("/binary", "not HTML"),
    ("/web/view.php?key=20990101010000001", "no such article"),
])
def test_bad_pages_fail_cleanly_and_write_nothing(mock_site, tmp_path, path, message):
    db_path = tmp_path / "news.db"
    result = fetch(mock_site.url + path, db=db_path)
    assert result.returncode == 1
    assert result.stdout == ""
    assert len(result.stderr.strip().splitlines()) == 1, result.stderr
    assert message in result.stderr
    assert not db_path.exists()


def closed_port() -> int:
    """A port that was free a moment ago: nothing listens there."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@pytest.mark.parametrize("url, message", [
    (f"http://127.0.0.1:{closed_port()}/web/view.php?key=1", "connection refused"),
    ("file:///etc/passwd", "not an http(s) URL"),
    ("ftp://www.joongdo.co.kr/web/view.php?key=1", "not an http(s) URL"),
])
def test_unfetchable_urls(tmp_path, url, message):
    db_path = tmp_path / "news.db"
    result = fetch(url, db=db_path)
    assert result.returncode == 1
    assert len(result.stderr.strip().splitlines()) == 1, result.stderr
    assert message in result.stderr
    assert not db_path.exists()


def test_site_without_a_profile_is_read_generically_and_says_so(fixtures_site, tmp_path):
    db_path = tmp_path / "news.db"
    url = f"{fixtures_site.url}/files/generic/chungnam-today-1234.html"
    result = run_newscrawl("fetch", url, "--db", str(db_path), "--timeout", "5", "-s", "DOWNLOAD_DELAY=0",
                           "-s", "AUTOTHROTTLE_START_DELAY=0")
    assert result.returncode == 0, result.stderr
    assert result.stderr.strip() == ("newscrawl: no site profile for host 127.0.0.1: "
                                     "read with generic extraction (see `newscrawl sites`)")
    assert "profile generic" in result.stdout
    (article,) = sqlite_utils.Database(db_path)["articles"].rows
    # Named after the host that served it: a canonical link on another host names no key.
    assert (article["site"], article["article_id"]) == ("127.0.0.1", "/files/generic/chungnam-today-1234.html")
    assert article["title"] == "천안시, 시내버스 노선 전면 개편… 6월부터 시행"
    assert json.loads(article["sources"])["body"] == "generic"


def test_a_profiled_site_gets_no_generic_notice(mock_site):
    result = fetch(mock_site.article_url())
    assert result.returncode == 0, result.stderr
    assert result.stderr == ""
    assert "profile joongdo" in result.stdout
