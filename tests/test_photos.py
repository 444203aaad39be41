"""Photos kept: real crawls of the generated site, whose server serves real PNG photos (some
URLs share bytes, every K-th is missing), downloaded by Scrapy's media pipeline into the
archive, one copy per content, and served back by the reading room."""

from __future__ import annotations

import sqlite3
from collections.abc import Iterator
from pathlib import Path

import pytest

from conftest import GeneratedSite, _site_copy, crawl_args, now_kst, run_newscrawl
from mocksite import PHOTO_VARIANTS, photo_number, photo_png
from test_datasette import fetch_all

ARTICLES = 20
BROKEN_EVERY = 5


@pytest.fixture
def photo_site(tmp_path: Path) -> Iterator[GeneratedSite]:
    site = GeneratedSite(_site_copy(tmp_path), now_kst(), ARTICLES, 40, "--local-photos",
                         "--broken-photos", str(BROKEN_EVERY))
    yield site
    site.stop()


def crawl(site: GeneratedSite, db: Path, *settings: str) -> None:
    result = run_newscrawl(*crawl_args(site, db, "--since", "40d", *settings), timeout=180)
    assert result.returncode in (0, 1), result.stderr[-3000:]  # the site fails a few articles on purpose
    assert "Traceback" not in result.stderr  # a failed photo is a recorded failure, not a traceback


def rows(db: Path, sql: str) -> list[tuple]:
    with sqlite3.connect(db) as conn:
        return conn.execute(sql).fetchall()


def broken(url: str) -> bool:
    return photo_number(url) % BROKEN_EVERY == 0


def test_crawl_keeps_each_photo_once_and_records_the_missing(photo_site, tmp_path):
    db = tmp_path / "news.db"
    crawl(photo_site, db)
    urls = [u for (u,) in rows(db, "select distinct url from photos")]
    assert len(urls) > 10 and all(u.startswith(photo_site.url) for u in urls)  # served locally
    kept = dict(rows(db, "select url, sha256 from photo_urls"))
    assert sorted(kept) == sorted(u for u in urls if not broken(u))
    # content-addressed: URLs whose bytes are the same share one blob, and the blob is those bytes
    blobs = dict(rows(db, "select sha256, data from photo_blobs"))
    assert len(blobs) == len(set(kept.values())) <= PHOTO_VARIANTS < len(kept)
    for url, digest in kept.items():
        assert blobs[digest] == photo_png(url.split("/", 3)[3])
    failed = dict(rows(db, "select url, error from failures where kind = 'photo'"))
    assert sorted(failed) == sorted(u for u in urls if broken(u))
    assert set(failed.values()) == {"photo download failed: HTTP 404"}
    # the run's count of pages fetched (robots.txt included) leaves the photo downloads out;
    # the server logs every response but the photos'
    (pages,) = rows(db, "select pages_fetched from crawl_runs")[0]
    assert pages == len(photo_site.requests())


def test_reading_room_serves_the_archived_copy(photo_site, tmp_path):
    db = tmp_path / "news.db"
    crawl(photo_site, db)
    article, url, digest = rows(db, "select p.article, p.url, u.sha256 from photos p join photo_urls u using (url)")[0]
    photo_site.stop()  # the live site is gone: the archive still shows the photo
    page, image = fetch_all(db, f"/news/-/article/{article}", f"/news/-/photo/{digest}")
    assert f'<img src="/news/-/photo/{digest}"' in page.text and url not in page.text.split("<article")[1].split("</figure>")[0]
    assert image.status_code == 200 and image.headers["content-type"] == "image/png"
    assert image.content == photo_png(url.split("/", 3)[3])


def test_size_cap_and_off_switch(photo_site, tmp_path):
    capped, off = tmp_path / "capped.db", tmp_path / "off.db"
    crawl(photo_site, capped, "-s", "NEWSCRAWL_PHOTO_MAX_BYTES=200")
    crawl(photo_site, off, "-s", "NEWSCRAWL_PHOTOS=False")
    assert rows(capped, "select count(*) from photo_blobs") == [(0,)]
    reasons = [e for (e,) in rows(capped, "select error from failures where kind = 'photo'")]
    assert reasons and all("max size" in e or "HTTP 404" in e for e in reasons)
    assert rows(off, "select count(*) from photo_blobs") == [(0,)]
    assert rows(off, "select count(*) from failures where kind = 'photo'") == [(0,)]
    assert rows(off, "select count(*) from photos")[0][0] > 10  # the URLs and captions are kept all the same


def test_a_failed_photo_is_tried_again_by_the_next_run(photo_site, tmp_path):
    db = tmp_path / "news.db"
    every_run = ("-s", "NEWSCRAWL_REVISIT=60d:0s")  # every archived article is due a revisit
    crawl(photo_site, db, *every_run)
    first = dict(rows(db, "select url, attempts from failures where kind = 'photo'"))
    served_before = len(photo_site.requests())
    crawl(photo_site, db, *every_run)
    assert first and set(first.values()) == {1}
    after = dict(rows(db, "select url, attempts from failures where kind = 'photo'"))
    assert {u: after[u] for u in first} == {u: 2 for u in first}  # (a "broken" article stored now adds its own)
    # the articles of those photos were fetched whole (a 304 carries no photos); the rest conditionally
    article_of = dict(rows(db, "select p.url, a.article_id from photos p join articles a on a.id = p.article"))
    revisits = {r["path"].split("key=")[1]: r["conditional"] for r in photo_site.requests()[served_before:]
                if "key=" in r["path"] and r["status"] in (200, 304)}
    unconditional = {key for key, conditional in revisits.items() if not conditional}
    assert unconditional - {article_of[u] for u in after} == set() and {article_of[u] for u in first} <= unconditional
