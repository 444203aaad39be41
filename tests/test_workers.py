"""Extraction in worker processes (NEWSCRAWL_EXTRACT_WORKERS): the same articles as in the
crawl's own process, and the same refusals."""

from __future__ import annotations

import asyncio
import dataclasses

import pytest
import sqlite_utils
from scrapy.exceptions import DropItem, NotConfigured

from conftest import SEED_HTML, SEED_URL, crawl_args, run_newscrawl
from newscrawl.pipelines.workers import ExtractWorkersPipeline
from newscrawl.items import RawPage
from newscrawl.pipelines import ReadPipeline
from newscrawl.run import project_settings


def page(body: bytes) -> RawPage:
    return RawPage(url=SEED_URL, status=200, headers={"content-type": ["text/html; charset=utf-8"]},
                   body=body, encoding=None, fetched_at="2026-01-01T10:00:00+09:00", profile="joongdo")


@pytest.fixture(scope="module")
def workers():
    pipeline = ExtractWorkersPipeline(project_settings({"NEWSCRAWL_EXTRACT_WORKERS": 1}))
    yield pipeline
    pipeline.close_spider()


def test_off_unless_asked_for():
    with pytest.raises(NotConfigured):
        ExtractWorkersPipeline(project_settings())


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


ARTICLE_FIELDS = ("article_id", "title", "subtitle", "sections", "published_at", "modified_at", "print_date",
                  "print_page", "dateline", "byline", "body", "complete")


def stored(db_path) -> dict[str, tuple]:
    db = sqlite_utils.Database(db_path)
    return {row["article_id"]: tuple(row[f] for f in ARTICLE_FIELDS) for row in db["articles"].rows}


def test_a_crawl_with_workers_stores_the_same_articles(generated_site, tmp_path):
    archives = {}
    for workers in (0, 2):
        db_path = tmp_path / f"workers-{workers}.db"
        result = run_newscrawl(*crawl_args(generated_site, db_path, "--since", "30d", "-s",
                                           f"NEWSCRAWL_EXTRACT_WORKERS={workers}", "-v"))  # -v: the pipelines
        assert result.returncode == 0, result.stderr
        enabled = result.stderr.split("Enabled item pipelines:", 1)[1].split("]", 1)[0]
        assert ("ExtractWorkersPipeline" in enabled) == (workers > 0)
        archives[workers] = stored(db_path)
    assert len(archives[0]) > 5
    assert archives[2] == archives[0]
