"""Shared fixtures: the fixture pages, a real local web server, the CLI as a subprocess."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

TESTS = Path(__file__).parent
FIXTURES = TESTS / "fixtures"
JOONGDO = FIXTURES / "joongdo"
SEED_KEY = "20200708010002304"
SEED_URL = f"http://www.joongdo.co.kr/web/view.php?key={SEED_KEY}"
SEED_HTML = JOONGDO / f"view-{SEED_KEY}.html"
VARIANTS_DIR = FIXTURES / "variants"
NDSOFT_DIR = FIXTURES / "ndsoft"
GENERIC_DIR = FIXTURES / "generic"


@pytest.fixture(scope="session")
def seed_expected() -> dict:
    return json.loads((JOONGDO / f"view-{SEED_KEY}.expected.json").read_text(encoding="utf-8"))


@pytest.fixture
def site_root(tmp_path: Path) -> Path:
    """A copy of the 중도일보 fixture pages that a test may edit while the server runs."""
    root = tmp_path / "site"
    shutil.copytree(JOONGDO, root)
    return root


class MockSite:
    """A running ``tests/mockserver.py``: its base URL and the directory it serves."""

    def __init__(self, root: Path):
        self.root = root
        self.process = subprocess.Popen(
            [sys.executable, str(TESTS / "mockserver.py"), "--root", str(root)],
            stdout=subprocess.PIPE, text=True,
        )
        self.url = self.process.stdout.readline().strip()
        assert self.url.startswith("http://127.0.0.1:"), "mock server did not start"

    def article_url(self, key: str = SEED_KEY) -> str:
        return f"{self.url}/web/view.php?key={key}"

    def stop(self) -> None:
        self.process.terminate()
        self.process.wait(timeout=10)
        self.process.stdout.close()


@pytest.fixture
def mock_site(site_root: Path) -> Iterator[MockSite]:
    site = MockSite(site_root)
    yield site
    site.stop()


@pytest.fixture
def fixtures_site(tmp_path: Path) -> Iterator[MockSite]:
    """The mock server over a copy of the page fixtures of every layout and site.

    It serves ND소프트 articles at ``/news/articleView.html?idxno=N`` and any fixture file at
    ``/files/<dir>/<name>`` or, re-encoded, at ``/encoded/<dir>/<name>`` (tests/mockserver.py).
    """
    root = tmp_path / "fixtures"
    for directory in (VARIANTS_DIR, NDSOFT_DIR, GENERIC_DIR, JOONGDO):
        shutil.copytree(directory, root / directory.name)
    site = MockSite(root)
    yield site
    site.stop()


def run_newscrawl(*args: str, cwd: Path | None = None, timeout: float = 120) -> subprocess.CompletedProcess:
    """``python -m newscrawl ARGS`` in a subprocess, as a user would run it."""
    env = {**os.environ, "PYTHONWARNINGS": "ignore"}
    return subprocess.run([sys.executable, "-m", "newscrawl", *args], cwd=cwd, env=env,
                          capture_output=True, text=True, timeout=timeout)


#: Files tests keep for people to look at (screenshots, measured tables); git-ignored.
ARTIFACTS = TESTS.parent / "test-artifacts"


def seed_article(fetched_at: str = "2026-01-01T10:00:00+09:00", html: bytes | None = None):
    """The seed article read through the pipelines (nothing stored), as fetched at ``fetched_at``."""
    from newscrawl.items import RawPage
    from newscrawl.pipelines import run_offline
    from newscrawl.run import project_settings

    page = RawPage(url=SEED_URL, status=200, headers={"content-type": ["text/html; charset=utf-8"]},
                   body=html if html is not None else SEED_HTML.read_bytes(), encoding=None,
                   fetched_at=fetched_at, site="joongdo")
    return run_offline(page, project_settings({"NEWSCRAWL_STORE": False}))


@pytest.fixture
def seed_archive(tmp_path: Path) -> Path:
    """An archive file holding the seed article."""
    from newscrawl.archive import open_archive, save_article

    path = tmp_path / "news.db"
    db = open_archive(path)
    save_article(db, seed_article())
    db.close()
    return path
