"""Scrapy's feed exports: `scrapy crawl joongdo -O articles.<format>` writes the crawl's
articles in every format Scrapy ships, and a feed that cannot be written fails the command."""

from __future__ import annotations

import csv
import json
import xml.etree.ElementTree as ElementTree
from pathlib import Path

import pytest

from test_crawl import SINCE, landed
from test_crawl_runs import scrapy_crawl


def read_jsonl(path: Path) -> list[dict]:
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines()]


def read_json(path: Path) -> list[dict]:
    return json.loads(path.read_text(encoding="utf-8"))


def read_csv(path: Path) -> list[dict]:
    with path.open(encoding="utf-8", newline="") as lines:
        return list(csv.DictReader(lines))


def read_xml(path: Path) -> list[dict]:
    items = ElementTree.parse(path).getroot()
    return [{field.tag: field.text for field in item} for item in items]


READERS = {"jsonl": read_jsonl, "json": read_json, "csv": read_csv, "xml": read_xml}


@pytest.mark.parametrize("fmt", sorted(READERS))
def test_a_feed_export_holds_the_crawls_articles(generated_site, tmp_path, fmt):
    feed = tmp_path / f"articles.{fmt}"
    result = scrapy_crawl(generated_site, tmp_path / "news.db", "-a", f"since={SINCE}", "-O", str(feed))
    assert result.returncode == 0, result.stderr
    items = READERS[fmt](feed)
    assert {item["article_id"] for item in items} == landed(generated_site)
    # articles only: the failures the crawl recorded are in the archive, not in the feed
    assert all(item["title"] for item in items)


def test_the_page_in_a_json_feed_is_what_the_server_answered_without_the_body(generated_site, tmp_path):
    feed = tmp_path / "articles.jsonl"
    result = scrapy_crawl(generated_site, tmp_path / "news.db", "-a", f"since={SINCE}", "-O", str(feed))
    assert result.returncode == 0, result.stderr
    page = read_jsonl(feed)[0]["page"]
    assert page["status"] == 200 and page["bytes"] > 0 and "body" not in page


def test_a_feed_that_cannot_be_written_fails_the_crawl(generated_site, tmp_path):
    unwritable = tmp_path / "articles.jsonl"
    unwritable.mkdir()  # a directory where the file should go
    result = scrapy_crawl(generated_site, tmp_path / "news.db", "-a", f"since={SINCE}", "-O", str(unwritable))
    assert result.returncode == 1
    assert "scrapy crawl: error: 1 of 1 feed(s) were not written" in result.stderr


def test_a_feed_in_the_feeds_setting_may_choose_other_items(generated_site, tmp_path):
    feed = tmp_path / "failures.jsonl"
    feeds = {str(feed): {"format": "jsonl", "item_classes": ["newscrawl.items.FetchFailure"]}}
    result = scrapy_crawl(generated_site, tmp_path / "news.db", "-a", f"since={SINCE}",
                          "-s", f"FEEDS={json.dumps(feeds)}")
    assert result.returncode == 0, result.stderr
    failures = read_jsonl(feed)
    assert failures and all(item["kind"] and "article_id" not in item for item in failures)
