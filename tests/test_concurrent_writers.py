"""Every writer waits its turn (issue 10): a crawl, ten fetches, a reparse, a rebuild of the
search index and an export run at once on one archive, and every article is stored.

Before, each write was a deferred transaction: one that read and then wrote after another
process had committed failed at once with "database is locked", and the crawl lost articles
while its summary said "0 failed".
"""

from __future__ import annotations

import pytest
import sqlite_utils
from scrapy import Spider
from scrapy.utils.test import get_crawler

from conftest import crawl_args, run_newscrawl, seed_article, start_newscrawl
from newscrawl.archive import open_archive, record_failure, save_article
from newscrawl.crawl.outcome import run_counts
from newscrawl.items import FetchFailure
from newscrawl.pipelines import ArchivePipeline, WriteFailed
from test_crawl import archived, landed

FETCH = ("--timeout", "10", "-s", "DOWNLOAD_DELAY=0", "-s", "AUTOTHROTTLE_START_DELAY=0")


def test_crawl_fetches_reparse_and_rebuild_at_once_store_every_article(generated_site, tmp_path):
    db = tmp_path / "news.db"
    # Articles 45..59 first, for reparse to rewrite meanwhile.
    first = run_newscrawl(*crawl_args(generated_site, db, "--since", "120d", "--until", "90d"))
    assert first.returncode == 0, first.stderr
    prefilled = landed(generated_site, range(45, 60))
    assert archived(db) == prefilled
    fetched = [a for a in generated_site.articles if 26 <= a.index < 45 and a.quirk is None][:10]
    assert len(fetched) == 10

    processes = [start_newscrawl(*crawl_args(generated_site, db, "--since", "50d"))]
    processes += [start_newscrawl("fetch", generated_site.article_url(a.key), "--site", "joongdo", "--db", str(db),
                                  *FETCH) for a in fetched]
    processes += [start_newscrawl("reparse", "--db", str(db)), start_newscrawl("rebuild-index", "--db", str(db)),
                  start_newscrawl("export", "--db", str(db), "--format", "jsonl", "-o", str(tmp_path / "a.jsonl"))]
    outputs = [(p.args, *p.communicate(timeout=300), p.returncode) for p in processes]
    for args, _out, err, status in outputs:
        assert status == 0, (args, err)

    # (a superset: the crawl also retries the failures of the first run, which may now land)
    assert archived(db) >= prefilled | {a.key for a in fetched} | landed(generated_site)
    archive = sqlite_utils.Database(db)
    assert list(archive["failures"].rows_where("kind = 'write'")) == []
    crawl_run = list(archive["crawl_runs"].rows_where(order_by="id"))[-1]
    # what it counts failed are the site's own 404 and 500 answers, each recorded
    failed = list(archive["failures"].rows_where("kind = 'fetch' and last_failed_at >= ?", [crawl_run["started_at"]]))
    assert {row["status"] for row in failed} <= {404, 500}
    assert crawl_run["articles_failed"] == len(failed)
    assert "database is locked" not in "".join(err for _args, _out, err, _status in outputs)


def test_a_write_that_still_fails_is_counted_as_a_failed_article(tmp_path):
    # Another connection holds the write lock past the busy timeout (cut to 0 here, instead
    # of waiting 30 s): the article is dropped as not stored, and the run counts it failed.
    crawler = get_crawler(Spider, {"NEWSCRAWL_DB": str(tmp_path / "news.db"), "NEWSCRAWL_STORE": True,
                                   "NEWSCRAWL_RECORD_FAILURES": True})
    pipeline = ArchivePipeline.from_crawler(crawler)
    pipeline.archive().db.execute("PRAGMA busy_timeout = 0")
    holder = sqlite_utils.Database(tmp_path / "news.db")
    holder.execute("BEGIN IMMEDIATE")
    with pytest.raises(WriteFailed, match="database is locked"):
        pipeline.process_item(seed_article())
    holder.execute("ROLLBACK")
    assert run_counts(crawler.stats.get_stats())["articles_failed"] == 1
    # Control: with the lock free the same article is stored.
    assert pipeline.process_item(seed_article()).archived == "new"
    pipeline.close_spider()


def test_another_writers_commit_between_a_read_and_a_write_does_not_fail_the_save(tmp_path):
    # The failure in its exact order: while save_article runs, another connection commits at
    # the moment the save first takes the write lock or writes. A deferred transaction has
    # read by then, and its write fails at once ("database is locked", whatever the busy
    # timeout); one that takes the lock first (BEGIN IMMEDIATE) just waits its turn.
    path = tmp_path / "news.db"
    writer, other = open_archive(path), open_archive(path)
    committed = []

    def commit_from_another_connection(sql: str) -> None:
        if not committed and sql.lstrip().upper().startswith(("BEGIN IMMEDIATE", "INSERT", "UPDATE", "DELETE")):
            committed.append(sql)
            record_failure(other, FetchFailure(url="http://www.joongdo.co.kr/x", error="meanwhile", kind="fetch"))

    writer.conn.set_trace_callback(commit_from_another_connection)
    assert save_article(writer, seed_article()).outcome == "new"
    assert committed  # the other connection did commit in the middle
    assert [row["error"] for row in writer["failures"].rows] == ["meanwhile"]
