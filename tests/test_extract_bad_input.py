"""`newscrawl extract` on pages that are not articles: one line on stderr, exit 1, no output."""

from __future__ import annotations

import json
import re

import pytest

from conftest import JOONGDO, SEED_HTML, SEED_KEY, run_newscrawl

URL = "http://www.joongdo.co.kr/web/view.php?key=20990101010000001"


def binary_junk(path):
    path.write_bytes(bytes((i * 7919 + 13) % 256 for i in range(4096)))


@pytest.mark.parametrize("make_page, message", [
    (lambda p: p.write_bytes((JOONGDO / "view-missing.html").read_bytes()), "삭제되었거나 존재하지 않는 기사입니다"),
    (lambda p: p.write_bytes(b""), "empty"),
    (binary_junk, "not HTML"),
    (lambda p: p.write_text("<html><body><p>hello</p></body></html>"), "no article"),
], ids=["site-says-missing", "empty-file", "binary-junk", "not-an-article-page"])
def test_not_an_article(tmp_path, make_page, message):
    page = tmp_path / "page.html"
    make_page(page)
    result = run_newscrawl("extract", str(page), "--url", URL)
    assert result.returncode == 1
    assert result.stdout == ""
    assert len(result.stderr.strip().splitlines()) == 1
    assert message in result.stderr


def test_page_on_another_host_is_read_with_the_profile_of_its_canonical_url():
    # The URL's host is unknown, but the page names its 중도일보 address: that chooses how the
    # page is read, not whose article it is (issue 10: it stays the serving host's).
    result = run_newscrawl("extract", str(SEED_HTML), "--url", "http://example.com/a.html")
    assert result.returncode == 0, result.stderr
    article = json.loads(result.stdout)
    assert (article["profile"], article["site"], article["article_id"]) == ("joongdo", "example.com", "/a.html")
    assert result.stderr == ""


def test_page_of_an_unknown_site_is_read_generically_and_says_so(tmp_path):
    page = tmp_path / "page.html"
    page.write_text(re.sub(r'<(?:link rel="canonical"|meta property="og:url")[^>]*>', "",
                           SEED_HTML.read_text(encoding="utf-8")), encoding="utf-8")
    result = run_newscrawl("extract", str(page), "--url", "http://news.example.org/a/1.html")
    assert result.returncode == 0, result.stderr
    assert "no site profile for host news.example.org: read with generic extraction" in result.stderr
    article = json.loads(result.stdout)
    assert (article["profile"], article["site"], article["article_id"]) == ("generic", "news.example.org", "/a/1.html")
    assert article["title"] == "세종시, 전자정부 정보보호 우수기관 선정"


def test_url_defaults_to_the_pages_canonical_link():
    result = run_newscrawl("extract", str(SEED_HTML))
    assert result.returncode == 0, result.stderr
    assert '"article_id": "20200708010002304"' in result.stdout


def test_truncated_page_is_extracted_and_marked_incomplete(tmp_path):
    html = SEED_HTML.read_bytes()
    page = tmp_path / "cut.html"
    page.write_bytes(html[: html.index("정부업무의 생산성".encode())])
    result = run_newscrawl("extract", str(page), "--url", URL)
    assert result.returncode == 0, result.stderr
    article = json.loads(result.stdout)
    assert article["complete"] is False
    assert "closing" in article["incomplete_reason"]
    assert article["body"].startswith("세종시가 8일")
    assert article["related"] == []  # the lists were in the part that never arrived
