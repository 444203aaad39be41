"""datasette opens the archive and serves the stored article over its JSON API."""

from __future__ import annotations

import asyncio
import json
from pathlib import Path

from datasette.app import Datasette

import newscrawl
from conftest import SEED_HTML, SEED_KEY, SEED_URL
from newscrawl.archive import open_archive, save_article
from newscrawl.run import extract_file

METADATA = Path(newscrawl.__file__).parent / "metadata.json"


def test_datasette_reads_the_article_back(tmp_path):
    path = tmp_path / "news.db"
    article = extract_file(SEED_HTML, url=SEED_URL)
    article.fetched_at = "2026-01-01T10:00:00+09:00"
    db = open_archive(path)
    save_article(db, article)
    db.close()

    async def query():
        ds = Datasette([str(path)], metadata=json.loads(METADATA.read_text(encoding="utf-8")))
        rows = await ds.client.get(f"/news/articles.json?article_id={SEED_KEY}&_shape=array")
        table = await ds.client.get("/news/articles")
        return rows, table

    rows, table = asyncio.run(query())
    assert rows.status_code == 200
    (row,) = rows.json()
    assert row["title"] == "세종시, 전자정부 정보보호 우수기관 선정"
    assert row["print_page"] == 8
    assert row["body"] == article.body
    assert "One row per article" in table.text  # the shipped table description is shown
