"""The archive as people use it: ``newscrawl serve`` running for real, a headless Chromium
typing a search into the articles page and reading in the reading room at a desktop's and a
phone's screen size. The screenshots are kept in test-artifacts/."""

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
from conftest import ARTIFACTS, SEED_KEY, MockSite, _site_copy, run_newscrawl
from newscrawl.archive import open_archive
from synthetic import build

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


#: Screens the reading room is checked on: a common laptop's and a phone's (CSS pixels).
SCREENS = {"desktop": (1366, 768, False), "phone": (390, 844, True)}
#: Every kind of page, by the name its screenshot gets.
PAGES = {"home": "/", "database": "/news", "table": "/news/articles", "search": "/news/-/search?q=세종",
         "article": "/news/-/article/{seed}", "dashboard": "/news/-/dashboard"}


@pytest.fixture(scope="module")
def reading_room(tmp_path_factory) -> Iterator[tuple[Served, int]]:
    """``newscrawl serve`` on 60 synthetic articles and the seed article, fetched for real from
    the mock site (its photo too); the seed's id."""
    root = tmp_path_factory.mktemp("room")
    path = root / "news.db"
    build(path, articles=60)
    site = MockSite(_site_copy(root))
    try:
        fetched = run_newscrawl("fetch", site.article_url(), "--site", "joongdo", "--db", str(path),
                                "-s", "DOWNLOAD_DELAY=0", "-s", "AUTOTHROTTLE_START_DELAY=0")
    finally:
        site.stop()  # the live site is gone: what the pages show comes from the archive
    assert fetched.returncode == 0, fetched.stderr
    (seed,) = open_archive(path).execute("select id from articles where article_id = ?", [SEED_KEY]).fetchone()
    server = Served(path)
    yield server, seed
    server.stop()


@pytest.fixture(scope="module")
def browser() -> Iterator[Browser]:
    chromium = Browser(CHROMIUM)
    yield chromium
    chromium.close()


@pytest.mark.parametrize("screen", SCREENS)
def test_every_page_kind_fits_the_screen(reading_room, browser, screen):
    served, seed = reading_room
    width, height, mobile = SCREENS[screen]
    browser.viewport(width, height, mobile)
    ARTIFACTS.mkdir(exist_ok=True)
    for name, path in PAGES.items():
        browser.navigate(served.url + path.format(seed=seed))
        assert browser.evaluate("document.querySelector('h1') !== null"), name
        shot = browser.screenshot(("body",), max_height=3000)
        (ARTIFACTS / f"reading-{name}-{screen}.png").write_bytes(shot)
        assert shot.startswith(b"\x89PNG") and len(shot) > 10_000, name
        if name != "table":  # a table may scroll sideways; the reading pages must not
            assert browser.evaluate("document.documentElement.scrollWidth") <= width, name


@pytest.mark.parametrize("screen", SCREENS)
def test_article_page_is_readable(reading_room, browser, screen):
    served, seed = reading_room
    width, height, mobile = SCREENS[screen]
    browser.viewport(width, height, mobile)
    browser.navigate(f"{served.url}/news/-/article/{seed}")
    title = browser.evaluate("(b => ({top: b.top, bottom: b.bottom}))(document.querySelector('.reading h1')"
                             ".getBoundingClientRect())")
    column = browser.evaluate("document.querySelector('.reading .body').getBoundingClientRect().width")
    font = browser.evaluate("parseFloat(getComputedStyle(document.querySelector('.reading .body p')).fontSize)")
    assert 0 <= title["top"] and title["bottom"] <= height  # the headline is in the first screenful
    assert column >= (500 if screen == "desktop" else width - 60)
    assert column <= 760 and font >= 15  # a readable line: about 40 characters, not the whole screen
    # the photo is the archived copy, served by our server, and it loaded
    image = browser.evaluate("(i => ({src: i.getAttribute('src'), width: i.naturalWidth}))"
                             "(document.querySelector('.reading figure img'))")
    assert image["src"].startswith("/news/-/photo/") and image["width"] == 320


def test_search_reaches_the_seed_article_in_two_clicks(reading_room, browser):
    served, seed = reading_room
    browser.viewport(*SCREENS["desktop"])
    browser.navigate(served.url + "/")
    browser.evaluate("document.getElementById('newscrawl-q').value = '세종'")
    browser.evaluate("document.querySelector('form.newscrawl-search button').click()")  # click 1
    browser.wait_for_load()
    assert browser.evaluate("location.pathname") == "/news/-/search"
    browser.evaluate(f"[...document.querySelectorAll('a.result-title')].find(a => a.textContent === {TITLE!r}).click()")
    browser.wait_for_load()  # click 2
    assert browser.evaluate("location.pathname") == f"/news/-/article/{seed}"
    assert browser.evaluate("document.querySelector('.reading h1').textContent") == TITLE
