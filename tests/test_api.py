"""The Python API as its users call it: ``newscrawl.read_article``, ``newscrawl.Archive``,
``newscrawl.fetch`` — no Scrapy settings, no pipeline chain, no crawler."""

from __future__ import annotations

import json
import subprocess
import sys
import urllib.request
from concurrent.futures import ProcessPoolExecutor, ThreadPoolExecutor
from multiprocessing import get_context

import pytest

import newscrawl
from check_article import check
from conftest import ENV, JOONGDO, NDSOFT_DIR, SEED_HTML, SEED_URL, VARIANTS_DIR

NDSOFT_URL = "https://www.example-paper.kr/news/articleView.html?idxno=21457"
PAGES = [(SEED_HTML, SEED_URL), (NDSOFT_DIR / "articleView-21457.html", NDSOFT_URL),
         *((path, SEED_URL) for path in sorted(VARIANTS_DIR.glob("*.html")))]


def read(path, url):
    return newscrawl.read_article(path.read_bytes(), url).to_json()


def test_read_article_gives_every_field_of_the_seed_article(seed_expected):
    article = newscrawl.read_article(SEED_HTML.read_bytes(), SEED_URL)
    failed = [(field, detail) for field, ok, detail in check(seed_expected, article.to_json()) if not ok]
    assert failed == []
    assert isinstance(article, newscrawl.Article) and article.profile == "joongdo"


def test_text_and_bytes_read_alike_whatever_the_page_declares():
    euc_kr = VARIANTS_DIR / "joongdo-old-euckr-meta.html"  # <meta charset=euc-kr>: the text is no longer that
    for path in (SEED_HTML, euc_kr):
        as_bytes = newscrawl.read_article(path.read_bytes(), SEED_URL)
        as_text = newscrawl.read_article(path.read_bytes().decode(as_bytes.page.encoding), SEED_URL)
        assert as_text.to_json() == as_bytes.to_json()
        assert "세종" in as_text.title


def test_the_content_type_names_the_encoding_of_an_undeclared_page():
    page = (VARIANTS_DIR / "joongdo-old-euckr-nodecl.html").read_bytes()
    article = newscrawl.read_article(page, SEED_URL, content_type="text/html; charset=euc-kr")
    assert article.page.encoding == "cp949" and "세종" in article.title


def test_a_site_profile_can_be_named():
    mirror = "http://127.0.0.1:8000/web/view.php?key=20200708010002304"
    assert newscrawl.read_article(SEED_HTML.read_bytes(), mirror, site="joongdo").profile == "joongdo"
    with pytest.raises(newscrawl.NewscrawlError, match="no site profile named 'nosuch'"):
        newscrawl.read_article(SEED_HTML.read_bytes(), mirror, site="nosuch")


@pytest.mark.parametrize(("body", "reason"), [
    ((JOONGDO / "view-missing.html").read_bytes(), "no such article"),
    (bytes(range(256)) * 40, "not HTML"),
    (b"<html><body><p>menu</p></body></html>", "missing title"),
])
def test_what_is_not_an_article_raises_with_its_reason(body, reason):
    with pytest.raises(newscrawl.NotAnArticle, match=reason):
        newscrawl.read_article(body, SEED_URL)


@pytest.mark.parametrize("url", ["ftp://example.org/a", "http://[::1/x", "/web/view.php", ""])
def test_a_url_that_is_no_web_address_is_refused(url):
    with pytest.raises(newscrawl.BadURL):
        newscrawl.read_article(SEED_HTML.read_bytes(), url)


def test_threads_read_what_one_thread_reads():
    alone = [read(path, url) for path, url in PAGES]
    with ThreadPoolExecutor(8) as pool:
        together = list(pool.map(lambda page: read(*page), PAGES * 4))
    assert together == alone * 4


def test_processes_read_what_this_process_reads():
    with ProcessPoolExecutor(2, mp_context=get_context("spawn")) as pool:
        elsewhere = list(pool.map(read, *zip(*PAGES)))
    assert elsewhere == [read(path, url) for path, url in PAGES]


def test_reading_needs_neither_scrapy_nor_the_archive():
    script = ("import sys, pathlib, newscrawl\n"
              f"newscrawl.read_article(pathlib.Path({str(SEED_HTML)!r}).read_bytes(), {SEED_URL!r})\n"
              "print(sorted({m.split('.')[0] for m in sys.modules} & {'scrapy', 'twisted', 'sqlite_utils'}))")
    result = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, check=True)
    assert result.stdout.strip() == "[]"


# -- the archive ---------------------------------------------------------------------------

def edited(html: bytes) -> bytes:
    return html.replace("정보보호 우수기관".encode(), "정보보호 최우수기관".encode())


def test_an_archive_gives_back_what_was_saved(tmp_path):
    article = newscrawl.read_article(SEED_HTML.read_bytes(), SEED_URL)
    with newscrawl.Archive(tmp_path / "news.db") as archive:
        assert archive.save(article).outcome == "new" and article.archived == "new"
        stored = archive.get(SEED_URL)
        by_id = archive.get(article.article_id, site="joongdo")
    assert stored == by_id
    saved, back = article.to_json(), stored.to_json()
    assert back.pop("fetched_at") and saved.pop("fetched_at") is None  # stamped when stored
    assert back == saved


def test_an_archive_keeps_every_revision_and_searches_the_current_one(tmp_path):
    first = newscrawl.read_article(SEED_HTML.read_bytes(), SEED_URL)
    second = newscrawl.read_article(edited(SEED_HTML.read_bytes()), SEED_URL)
    with newscrawl.Archive(tmp_path / "news.db") as archive:
        outcomes = [archive.save(a).outcome for a in (first, first, second)]
        revisions = archive.revisions(SEED_URL)
        hits = archive.search("최우수기관")
        articles = list(archive)
        pages = list(archive.latest_pages())
    assert outcomes == ["new", "unchanged", "updated"]
    assert [r.revision for r in revisions] == [1, 2]
    assert [r.content["title"] for r in revisions] == [first.title, second.title] != [first.title] * 2
    assert [hit["title"] for hit in hits] == [second.title]
    assert [a.title for a in articles] == [second.title]
    assert [page.body for _rowid, page in pages] == [second.page.body]


def test_an_archive_answers_none_for_what_it_does_not_hold(tmp_path):
    with newscrawl.Archive(tmp_path / "news.db") as archive:
        assert archive.get("http://www.joongdo.co.kr/web/view.php?key=1") is None
        assert archive.get(12345) is None and archive.revisions(12345) == []


def test_reparse_and_a_crawl_store_what_read_article_reads(tmp_path, mock_site):
    """One way to read: the crawl (pipelines) stores the same content read_article gives."""
    db = tmp_path / "news.db"
    result = subprocess.run([sys.executable, "-m", "newscrawl", "fetch", mock_site.article_url(), "--site",
                             "joongdo", "--db", str(db)], env=ENV, capture_output=True, text=True, timeout=120)
    assert result.returncode == 0, result.stderr
    served = urllib.request.urlopen(mock_site.article_url()).read()  # the bytes the crawl got
    read = newscrawl.read_article(served, mock_site.article_url(), site="joongdo").to_json()
    with newscrawl.Archive(db) as archive:
        crawled = archive.get(mock_site.article_url()).to_json()
    assert {k: v for k, v in crawled.items() if k != "fetched_at"} == {k: v for k, v in read.items()
                                                                     if k != "fetched_at"}


# -- fetch -------------------------------------------------------------------------------

def test_fetch_can_be_called_again_in_the_same_process(tmp_path, mock_site):
    script = f"""
import json, newscrawl
first = newscrawl.fetch({mock_site.article_url()!r}, site="joongdo", db={str(tmp_path / "news.db")!r})
again = newscrawl.fetch({mock_site.article_url()!r}, site="joongdo", db={str(tmp_path / "news.db")!r})
try:
    newscrawl.fetch({mock_site.article_url("1")!r}, site="joongdo", store=False)
except newscrawl.NotAnArticle as exc:
    missing = str(exc)
print(json.dumps([first.archived, again.archived, first.title == again.title, missing]))
"""
    result = subprocess.run([sys.executable, "-c", script], env=ENV, capture_output=True, text=True, timeout=180)
    assert result.returncode == 0, result.stderr[-2000:]
    first, again, same_title, missing = json.loads(result.stdout.splitlines()[-1])
    assert (first, again, same_title) == ("new", "unchanged", True)
    assert "no such article" in missing
