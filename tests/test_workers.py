"""Extraction and storing in worker processes (NEWSCRAWL_EXTRACT_WORKERS): the same articles
as in the crawl's own process, the same refusals, the same archive; an article a worker could
not store is stored by the crawl's process."""

from __future__ import annotations

import asyncio
import dataclasses
import pickle
import sqlite3

import pytest
import sqlite_utils
from scrapy.exceptions import DropItem, NotConfigured

from conftest import SEED_HTML, SEED_URL, crawl_args, run_newscrawl
from newscrawl.archive.api import Archive
from newscrawl.errors import MissingFields, NotAnArticle
from newscrawl.pipelines.workers import BATCH, PREFETCH, ExtractWorkersPipeline
from newscrawl.items import Article, RawPage
from newscrawl.pipelines import ArchivePipeline, ReadPipeline
from newscrawl.storing import Job, WorkerError, read_in_worker, store_all, work_on
from newscrawl.run import project_settings


def page(body: bytes) -> RawPage:
    return RawPage(url=SEED_URL, status=200, headers={"content-type": ["text/html; charset=utf-8"]},
                   body=body, encoding=None, fetched_at="2026-01-01T10:00:00+09:00", profile="joongdo")


@pytest.fixture(scope="module")
def workers():
    pipeline = ExtractWorkersPipeline(project_settings({"NEWSCRAWL_EXTRACT_WORKERS": 1}))
    yield pipeline
    asyncio.run(pipeline.close_spider())


def test_off_unless_asked_for():
    with pytest.raises(NotConfigured):
        ExtractWorkersPipeline(project_settings())


def test_batches_go_out_when_a_worker_is_free_or_worth_queueing():
    """A free worker takes whatever waits; a busy one gets a next batch queued only once
    PREFETCH pages wait (smaller batches would cost more than the round trip saves), at most
    one queued batch per worker, and a full batch always goes."""
    pipeline = ExtractWorkersPipeline(project_settings({"NEWSCRAWL_EXTRACT_WORKERS": 2}))
    try:
        def ready(out: int, waiting: int) -> bool:
            pipeline.batches_out, pipeline.waiting = out, [None] * waiting
            return pipeline._ready()

        assert not ready(0, 0)
        assert ready(0, 1) and ready(1, 1)  # a worker is free
        assert not ready(2, PREFETCH - 1) and ready(2, PREFETCH) and ready(3, PREFETCH)
        assert not ready(4, BATCH - 1) and ready(4, BATCH)
    finally:
        pipeline.waiting, pipeline.batches_out = [], 0
        asyncio.run(pipeline.close_spider())


def test_a_worker_extracts_what_the_crawl_process_extracts(workers):
    in_process = ReadPipeline(project_settings()).process_item(page(SEED_HTML.read_bytes()))
    original = page(SEED_HTML.read_bytes())
    in_worker = asyncio.run(workers.process_item(original))
    assert in_worker.page is original and original.encoding == "utf-8"
    assert dataclasses.replace(in_worker, page=None) == dataclasses.replace(in_process, page=None)
    assert in_worker.title and in_worker.body


def test_a_worker_refuses_what_the_crawl_process_refuses(workers):
    binary = page(bytes(range(256)) * 40)
    with pytest.raises(DropItem) as in_process:
        ReadPipeline(project_settings()).process_item(binary)
    with pytest.raises(DropItem) as in_worker:
        asyncio.run(workers.process_item(binary))
    assert str(in_worker.value) == str(in_process.value) != ""


def test_a_worker_reports_what_a_page_lacks(workers):
    """MissingFields travels back from a worker with its list (the run's health counts it)."""
    with pytest.raises(DropItem) as in_worker:
        asyncio.run(workers.process_item(page(b"<html><body></body></html>")))
    assert isinstance(in_worker.value.__cause__, MissingFields)
    assert in_worker.value.__cause__.missing == ["title", "body"]
    assert pickle.loads(pickle.dumps(MissingFields("m", ["body"]))).missing == ["body"]


def test_a_bug_in_a_worker_comes_back_as_one_line_with_its_traceback():
    error = pickle.loads(pickle.dumps(read_in_worker(dataclasses.replace(page(b""), body=None))))
    assert isinstance(error, WorkerError) and "\n" not in str(error) and str(error).split(":")[0].endswith("Error")
    assert error.worker_traceback.startswith("Traceback") and "read_page" in error.worker_traceback


def test_batches_out_when_a_worker_dies_are_read_by_new_workers(caplog):
    """A worker killed with a batch in hand (and one queued behind it) breaks the pool: both
    batches go to a new pool, and every page still comes back read."""
    pipeline = ExtractWorkersPipeline(project_settings({"NEWSCRAWL_EXTRACT_WORKERS": 1}))

    async def crawl_while_the_worker_dies() -> list[Article]:
        pages = [asyncio.ensure_future(pipeline.process_item(page(SEED_HTML.read_bytes())))
                 for _ in range(BATCH + PREFETCH)]
        for _ in range(100):  # the batches go out in the next turns of the loop
            await asyncio.sleep(0)
        assert pipeline.batches_out == 2  # one batch at the worker, one queued behind it
        for process in list(pipeline.pool._processes.values()):
            process.kill()
        return await asyncio.gather(*pages)

    try:
        with caplog.at_level("ERROR"):
            articles = asyncio.run(crawl_while_the_worker_dies())
    finally:
        asyncio.run(pipeline.close_spider())
    assert "An extraction worker died" in caplog.text
    assert len(articles) == BATCH + PREFETCH and all(a.title and a.body for a in articles)


def test_a_worker_stores_its_batch_and_the_list_pages(tmp_path):
    db = tmp_path / "news.db"
    Archive(db).close()
    listing = dataclasses.replace(page(b"<html>a list</html>"), url="http://www.joongdo.co.kr/web/list.php")
    done = work_on([Job(page(SEED_HTML.read_bytes())), Job(page(b"<html><body></body></html>")),
                    Job(listing, "joongdo")], str(db), True)
    assert [d.article.archived if d.article else None for d in done] == ["new", None, None]
    assert isinstance(done[1].error, NotAnArticle) and done[0].error is None and done[2].error is None
    assert done[0].article.page is None and done[0].encoding == "utf-8"  # the page's bytes stay in the worker
    archive = sqlite_utils.Database(db)
    assert [row["url"] for row in archive["articles"].rows] == [SEED_URL]
    assert [row["url"] for row in archive["list_pages"].rows] == [listing.url]


def test_an_article_a_worker_could_not_store_is_stored_by_the_crawl(tmp_path):
    db = tmp_path / "news.db"
    archive, other = Archive(db), sqlite3.connect(db)
    article = ReadPipeline(project_settings()).process_item(page(SEED_HTML.read_bytes()))
    other.execute("BEGIN IMMEDIATE")  # another writer holds the archive
    archive.db.execute("PRAGMA busy_timeout = 0")
    why = store_all(archive, [article], True)
    assert "locked" in why and article.archived is None
    other.rollback()
    pipeline = ArchivePipeline(project_settings({"NEWSCRAWL_DB": str(db)}))
    pipeline.process_item(article)
    pipeline.close_spider()
    assert article.archived == "new" and sqlite_utils.Database(db)["articles"].count == 1


ARTICLE_FIELDS = ("article_id", "title", "subtitle", "sections", "published_at", "modified_at", "print_date",
                  "print_page", "dateline", "byline", "body", "complete")


def stored(db_path) -> dict[str, tuple]:
    db = sqlite_utils.Database(db_path)
    return {row["article_id"]: tuple(row[f] for f in ARTICLE_FIELDS) for row in db["articles"].rows}


def list_pages(db_path) -> set[tuple]:
    db = sqlite_utils.Database(db_path)
    return {(row["url"], row["body_sha256"]) for row in db["list_pages"].rows}


def test_a_crawl_with_workers_stores_the_same_articles(generated_site, tmp_path):
    archives = {}
    for workers in (0, 2):
        db_path = tmp_path / f"workers-{workers}.db"
        result = run_newscrawl(*crawl_args(generated_site, db_path, "--since", "30d", "-s",
                                           f"NEWSCRAWL_EXTRACT_WORKERS={workers}", "-v"))  # -v: the pipelines
        assert result.returncode == 0, result.stderr
        enabled = result.stderr.split("Enabled item pipelines:", 1)[1].split("]", 1)[0]
        assert ("ExtractWorkersPipeline" in enabled) == (workers > 0)
        archives[workers] = stored(db_path), list_pages(db_path)
    assert len(archives[0][0]) > 5 and len(archives[0][1]) > 1
    assert archives[2] == archives[0]
