"""`newscrawl crawl --generic` of real published article pages (six pages of the public
article-extraction-benchmark, ``tests/fixtures/article-body-bench``), served from 127.0.0.1
under their own paths with a home page and an RSS feed: every one is stored, none taken for a
page of another kind, each with the text the benchmark marked as its article.
"""

from __future__ import annotations

import gzip
import json
import subprocess
import sys
from datetime import datetime, timezone
from email.utils import format_datetime
from html import escape
from pathlib import Path
from urllib.parse import quote, urlsplit

import pytest
import sqlite_utils

from benchmarks.body_f1 import page_counts, scores
from conftest import FAST, FIXTURES, run_newscrawl

BENCH = FIXTURES / "article-body-bench"
ROOT = Path(__file__).resolve().parent.parent
#: Word 4-gram F1 (the benchmark's measure) every stored body reaches against the marked text.
MIN_F1 = 0.9


def write_site(directory: Path) -> dict[str, str]:
    """Files for ``benchmarks.staticserver``: each page under its own path, a home page naming
    the feed, the feed listing every page as published now. Returns {path: marked text}."""
    truth = json.loads((BENCH / "ground-truth.json").read_text(encoding="utf-8"))
    texts, items = {}, []
    published = format_datetime(datetime.now(timezone.utc))
    for key, entry in truth.items():
        path = urlsplit(entry["url"]).path
        texts[path] = entry["articleBody"]
        (directory / quote(path, safe="")).write_bytes(gzip.decompress((BENCH / "html" / f"{key}.html.gz").read_bytes()))
        items.append(f"<item><title>{key}</title><link>{escape(path)}</link><pubDate>{published}</pubDate></item>")
    (directory / quote("/", safe="")).write_text(
        '<!DOCTYPE html><html><head><title>bench</title><link rel="alternate" type="application/rss+xml" '
        'href="/feed/"></head><body><h1>bench</h1></body></html>', encoding="utf-8")
    (directory / quote("/feed/", safe="")).write_text(
        '<?xml version="1.0" encoding="UTF-8"?>\n<rss version="2.0"><channel><title>bench</title><link>/</link>'
        + "".join(items) + "</channel></rss>", encoding="utf-8")
    return texts


@pytest.fixture
def bench_site(tmp_path):
    root = tmp_path / "site"
    root.mkdir()
    texts = write_site(root)
    process = subprocess.Popen([sys.executable, "-m", "benchmarks.staticserver", str(root)], cwd=ROOT,
                               stdin=subprocess.DEVNULL, stdout=subprocess.PIPE, text=True)
    try:
        yield process.stdout.readline().strip(), texts
    finally:
        process.terminate()
        process.wait()
        process.stdout.close()


def test_generic_crawl_stores_every_benchmark_article(bench_site, tmp_path):
    base, texts = bench_site
    db_path = tmp_path / "bench.db"
    # the bench pages' photos are not served here: the articles are what this test is about
    result = run_newscrawl("crawl", "--generic", "--start", base + "/", "--db", str(db_path), "--since", "2d", *FAST,
                           "-s", "NEWSCRAWL_PHOTOS=False")
    assert result.returncode == 0, result.stdout + result.stderr
    db = sqlite_utils.Database(db_path)
    assert list(db["failures"].rows) == []
    stored = {urlsplit(row["url"]).path: row for row in db["articles"].rows}
    assert set(stored) == set(texts)
    for path, row in stored.items():
        f1 = scores([page_counts(texts[path], row["body"])])["f1"]
        assert f1 >= MIN_F1, (path, f1)
        assert row["title"] and row["published_at"], path
