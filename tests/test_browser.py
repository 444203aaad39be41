"""The archive as people use it: ``newscrawl serve`` running for real, a headless Chromium
typing a search into the articles page. The screenshot is kept in test-artifacts/."""

from __future__ import annotations

import json
import os
import queue
import re
import shutil
import subprocess
import sys
import threading
import urllib.request
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from cdp import Browser
from conftest import ARTIFACTS, SEED_KEY

CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"  # installed by `make test`
TITLE = "세종시, 전자정부 정보보호 우수기관 선정"


class Served:
    """``newscrawl serve --port 0`` in a subprocess; ``url`` is where it listens."""

    def __init__(self, db: Path, *args: str, timeout: float = 60, preexec_fn: Callable[[], None] | None = None):
        self.process = subprocess.Popen(
            [sys.executable, "-m", "newscrawl", "serve", "--db", str(db), "--port", "0", *args],
            stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True,
            env={**os.environ, "PYTHONWARNINGS": "ignore"}, preexec_fn=preexec_fn)
        self.log: queue.Queue[str] = queue.Queue()
        self.reader = threading.Thread(target=self._drain, daemon=True)  # uvicorn logs every request
        self.reader.start()
        while not (found := re.search(r"Uvicorn running on (http://\S+)", self.log.get(timeout=timeout))):
            continue
        self.url = found.group(1)

    def _drain(self) -> None:
        for line in self.process.stderr:
            self.log.put(line)

    def stop(self) -> None:
        self.process.terminate()
        self.process.wait(timeout=30)
        self.reader.join(timeout=30)
        self.process.stderr.close()


@pytest.fixture
def served(seed_archive) -> Iterator[Served]:
    server = Served(seed_archive)
    yield server
    server.stop()


def test_serve_answers_the_json_api(served):
    with urllib.request.urlopen(f"{served.url}/news/articles.json?_search=%EC%84%B8%EC%A2%85&_shape=array") as reply:
        rows = json.load(reply)
    assert [(r["article_id"], r["title"]) for r in rows] == [(SEED_KEY, TITLE)]


def test_serve_refuses_a_missing_archive(tmp_path):
    result = subprocess.run([sys.executable, "-m", "newscrawl", "serve", "--db", str(tmp_path / "none.db")],
                            capture_output=True, text=True, timeout=60)
    assert result.returncode == 1 and "no archive there" in result.stderr
    assert not (tmp_path / "none.db").exists()


def test_searching_in_the_browser_finds_the_seed_article(served):
    browser = Browser(CHROMIUM)
    try:
        browser.navigate(f"{served.url}/news/articles")
        assert browser.evaluate("document.querySelector('.metadata-description').textContent").strip().startswith(
            "One row per article")
        browser.evaluate("document.getElementById('_search').value = '세종'")
        browser.evaluate("document.getElementById('_search').form.querySelector('input[type=submit]').click()")
        browser.wait_for_load()
        query = browser.evaluate("decodeURIComponent(location.search)")
        titles = browser.evaluate("[...document.querySelectorAll('td.col-title')].map(td => td.textContent.trim())")
        heading = browser.evaluate("document.querySelector('h3').textContent")
        screenshot = browser.screenshot(("h3", "form.filters", "table.rows-and-columns"), max_height=900)
    finally:
        browser.close()
    assert "_search=세종" in query
    assert titles == [TITLE]
    assert "1 row" in heading and 'search matches "세종"' in heading
    ARTIFACTS.mkdir(exist_ok=True)
    path = ARTIFACTS / "datasette-search-세종.png"
    path.write_bytes(screenshot)
    assert screenshot.startswith(b"\x89PNG") and len(screenshot) > 20_000
    print(f"screenshot: {path}")
