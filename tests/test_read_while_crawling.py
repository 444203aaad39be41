"""datasette reads the archive while a crawl writes it (WAL mode): no "database is locked",
no torn reads.

The reader is datasette itself (in-process, newscrawl's plugin loaded), asking over and over
what a user's browser and API clients ask: a table page, a row page, the Korean search, a
canned query, and :data:`archive_checks.BROKEN_ARTICLES` as an arbitrary SQL query. That one
statement is one snapshot: an article whose revisions, photos, reporters, raw page or search
entry it cannot see would be a read torn in the middle of the crawl's transaction.

The site holds article requests after the 30th until the reader has read the archive half
written, so at least one read is certain to see the crawl mid-way, whatever the machine's
speed; all the others land wherever they land while the crawl writes.
"""

from __future__ import annotations

import asyncio
import threading
from urllib.parse import quote

from datasette.app import Datasette

from archive_checks import BROKEN_ARTICLES, assert_archive_consistent
from newscrawl.archive import open_archive
from test_crawl import runs
from test_kill_resume import start_crawl

ARTICLES, PAUSE_AFTER = 90, 30
SQL = "/news.json?_shape=array&sql="


async def read_once(ds: Datasette) -> int:
    """One round of reads; every answer whole and consistent. Returns the article count seen."""
    broken = await ds.client.get(SQL + quote(BROKEN_ARTICLES))
    count = await ds.client.get(SQL + quote("select count(*) as n from articles"))
    newest = await ds.client.get("/news/articles.json?_shape=array&_sort_desc=id&_size=20")
    pages = [await ds.client.get(path) for path in (
        "/news/articles", "/news/articles?_search=추진", "/news/search?q=추진", "/news/latest.json?_shape=array")]
    for response in (broken, count, newest, *pages):
        assert response.status_code == 200, response.text[:500]
        assert "locked" not in response.text
    assert broken.json() == []
    rows = newest.json()
    assert all(row["title"] and row["body"] and row["revision"] == 1 for row in rows)
    if rows:
        row_page = await ds.client.get(f"/news/articles/{rows[0]['id']}")
        assert row_page.status_code == 200 and rows[0]["article_id"] in row_page.text
    return count.json()[0]["n"]


def test_datasette_reads_consistent_snapshots_while_a_crawl_writes(faulty_site_factory, tmp_path):
    site = faulty_site_factory("site", ARTICLES, ARTICLES, (), "--pause-after", str(PAUSE_AFTER))
    db_path = tmp_path / "news.db"
    open_archive(db_path).close()  # datasette needs the file before the crawl writes into it
    paused = threading.Thread(target=site.wait_for, args=("paused",), daemon=True)
    paused.start()
    # without AutoThrottle, which would slow the crawl down for long after the held requests
    crawl = start_crawl(site, db_path, tmp_path / "crawl.log", "--since", f"{ARTICLES + 5}d",
                        "-s", "AUTOTHROTTLE_ENABLED=False")

    mid_crawl: list[int] = []  # the article count read while the site held the crawl

    async def read_while_crawling() -> list[int]:
        ds = Datasette([str(db_path)])
        seen = []
        while crawl.poll() is None:
            seen.append(await read_once(ds))
            if not paused.is_alive() and not mid_crawl:
                # the site holds the crawl until released: this round read it unfinished
                mid_crawl.append(seen[-1])
                site.control("release")
        seen.append(await read_once(ds))
        return seen

    seen = asyncio.run(read_while_crawling())
    assert crawl.wait(timeout=120) == 0, (tmp_path / "crawl.log").read_text()[-3000:]
    assert_archive_consistent(db_path)
    final = seen[-1]
    assert 0 < mid_crawl[0] < final  # a read of the crawl mid-way, before it was let go on
    assert seen == sorted(seen)  # counts never go back: no read saw an older state than the one before
    assert runs(db_path)[0]["articles_new"] == final
