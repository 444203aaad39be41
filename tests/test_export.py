"""`newscrawl export`: JSON Lines and CSV of the articles, WARC of the raw responses that
`warcio check` accepts."""

from __future__ import annotations

import csv
import io
import json
import subprocess
import sys
from pathlib import Path

import pytest
from warcio.archiveiterator import ArchiveIterator

from conftest import SEED_KEY, crawl_args, run_newscrawl
from newscrawl.archive import open_archive
from newscrawl.archive.export import CSV_FIELDS, response_headers
from newscrawl.archive.pages import load_page
from test_fetch import fetch

WARCIO = Path(sys.executable).with_name("warcio")


@pytest.fixture
def crawled(mock_site, tmp_path) -> Path:
    """An archive filled by two real fetches of the seed article, edited in between: two pages."""
    path = tmp_path / "news.db"
    assert fetch(mock_site.article_url(), db=path).returncode == 0
    page = mock_site.root / f"view-{SEED_KEY}.html"
    page.write_text(page.read_text(encoding="utf-8").replace("국무총리표창(단체)을", "국무총리표창을"), encoding="utf-8")
    assert fetch(mock_site.article_url(), db=path).returncode == 0
    return path


def export(db: Path, *args: str) -> subprocess.CompletedProcess:
    result = run_newscrawl("export", "--db", str(db), *args)
    assert result.returncode == 0, result.stderr
    return result


def test_warc_holds_every_response_with_its_request(crawled, tmp_path):
    out = tmp_path / "pages.warc.gz"
    assert export(crawled, "--format", "warc", "-o", str(out)).stderr.startswith("exported 3 responses")
    check = subprocess.run([str(WARCIO), "check", "-v", str(out)], capture_output=True, text=True)
    assert check.returncode == 0, check.stdout + check.stderr
    assert check.stdout.count("digest pass") == 7
    with out.open("rb") as stream:
        records = [(r.rec_type, r.rec_headers, r.http_headers, r.content_stream().read())
                   for r in ArchiveIterator(stream)]
    assert [r[0] for r in records] == ["warcinfo", *["response", "request"] * 3]
    # the seed article's photo, downloaded once by the two fetches, as the archive holds it
    photo = records[5]
    db_photo = open_archive(crawled).execute("SELECT u.url, b.data FROM photo_urls u JOIN photo_blobs b USING (sha256)").fetchall()
    assert [(photo[1].get_header("WARC-Target-URI"), photo[3])] == db_photo
    assert photo[2].get_header("Content-Type") == "image/png" and photo[3].startswith(b"\x89PNG")
    db = open_archive(crawled)
    stored = db.execute("SELECT url, fetched_at, body_size FROM pages ORDER BY id").fetchall()
    for (kind, warc, http, payload), (url, fetched_at, size) in zip(records[1::2], stored):
        assert warc.get_header("WARC-Target-URI") == url
        assert warc.get_header("WARC-Date").endswith("Z")
        assert http.get_statuscode() == "200"
        assert http.get_header("Content-Type") == "text/html; charset=utf-8"  # as the server sent it
        assert len(payload) == size
    bodies = [r[3] for r in records[1::2]]
    assert "국무총리표창(단체)을".encode() in bodies[0] and "국무총리표창을".encode() in bodies[1]
    for response, request in zip(records[1::2], records[2::2]):
        assert request[1].get_header("WARC-Concurrent-To") == response[1].get_header("WARC-Record-ID")
        assert request[2].protocol == "GET" and request[2].get_header("Host").startswith("127.0.0.1:")


def test_transfer_headers_are_kept_renamed():
    headers = response_headers(200, {"content-type": ["text/html"], "content-encoding": ["gzip"],
                                     "content-length": ["123"], "set-cookie": ["a=1", "b=2"]}, 456)
    assert headers.statusline == "200 OK"
    assert headers.get_header("Content-Length") == "456"
    assert headers.get_header("X-Archive-Orig-Content-Encoding") == "gzip"
    assert headers.get_header("X-Archive-Orig-Content-Length") == "123"
    assert headers.get_header("Content-Encoding") is None
    assert [v for k, v in headers.headers if k == "Set-Cookie"] == ["a=1", "b=2"]


def test_jsonl_is_the_current_version_of_each_article(crawled, seed_expected):
    (line,) = export(crawled, "--format", "jsonl").stdout.splitlines()
    record = json.loads(line)
    assert list(record)[:4] == ["site", "article_id", "url", "canonical_url"]
    assert record["revision"] == 2 and "국무총리표창을" in record["body"]
    for field in ("title", "subtitle", "sections", "published_at", "print_date", "print_page"):
        assert record[field] == seed_expected[field], field
    assert record["reporters"] == [{**r, "email": None} for r in seed_expected["reporters"]]


def test_csv_has_a_header_and_json_lists(crawled, tmp_path):
    out = tmp_path / "articles.csv"
    export(crawled, "--format", "csv", "-o", str(out))
    assert not Path(f"{out}.part").exists()
    rows = list(csv.DictReader(io.StringIO(out.read_text(encoding="utf-8"))))
    assert list(rows[0]) == list(CSV_FIELDS) and len(rows) == 1
    assert json.loads(rows[0]["sections"]) == ["정치/행정", "세종"]
    assert rows[0]["print_page"] == "8" and rows[0]["article_id"] == SEED_KEY


def test_bad_export_requests_fail_cleanly(seed_archive, tmp_path):
    unknown = run_newscrawl("export", "--db", str(seed_archive), "--format", "xml")
    assert unknown.returncode == 2 and "xml" in unknown.stderr
    unwritable = run_newscrawl("export", "--db", str(seed_archive), "--format", "jsonl",
                               "-o", str(tmp_path / "no" / "such" / "dir.jsonl"))
    assert unwritable.returncode == 1 and unwritable.stderr.startswith("newscrawl: error: cannot write")


def test_warc_of_a_crawl_holds_its_feed_and_list_pages(generated_site, tmp_path):
    db_path, out = tmp_path / "news.db", tmp_path / "crawl.warc.gz"
    crawl = run_newscrawl(*crawl_args(generated_site, db_path, "--since", "20d"))
    assert crawl.returncode in (0, 1), crawl.stderr[-2000:]  # the site fails a few articles on purpose
    listing = {f"{generated_site.url}{r['path']}" for r in generated_site.requests()
               if r["status"] == 200 and r["path"].startswith(("/web/rss.php", "/web/list_news.php"))}
    db = open_archive(db_path)
    assert {url for (url,) in db.execute("SELECT url FROM list_pages")} == listing and listing
    export(db_path, "--format", "warc", "-o", str(out))
    with out.open("rb") as stream:
        responses = {r.rec_headers.get_header("WARC-Target-URI"): r.content_stream().read()
                     for r in ArchiveIterator(stream) if r.rec_type == "response"}
    for page_id, url in db.execute("SELECT id, url FROM list_pages"):
        assert responses[url] == load_page(db, page_id, "list_pages").body
    articles = {url for (url,) in db.execute("SELECT url FROM pages")}
    assert articles and articles <= set(responses)
