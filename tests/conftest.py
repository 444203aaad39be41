"""Shared fixtures: the fixture pages, a real local web server, the CLI as a subprocess."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import urllib.request
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import hypothesis
import pytest

from faultserver import Fault
from mocksite import GenArticle, generate

TESTS = Path(__file__).parent
FIXTURES = TESTS / "fixtures"
JOONGDO = FIXTURES / "joongdo"
SEED_KEY = "20200708010002304"
SEED_URL = f"http://www.joongdo.co.kr/web/view.php?key={SEED_KEY}"
SEED_HTML = JOONGDO / f"view-{SEED_KEY}.html"
VARIANTS_DIR = FIXTURES / "variants"
NDSOFT_DIR = FIXTURES / "ndsoft"
GENERIC_DIR = FIXTURES / "generic"


# Hypothesis (tests/test_fuzz_extract.py): CI runs a fixed set of examples (derandomized, the
# same every run, nothing saved between runs); `pytest --hypothesis-profile=long` runs many
# more, new ones each time, remembered in .hypothesis/ so a failure found is tried again first.
hypothesis.settings.register_profile("ci", max_examples=200, derandomize=True, database=None, deadline=None,
                                     print_blob=True)
hypothesis.settings.register_profile("long", max_examples=2000, deadline=None, print_blob=True)
hypothesis.settings.load_profile("ci")


@dataclass(frozen=True)
class Size:
    """How big the slow fault-tolerance tests (``-m slow``) run: CI's size, or with
    ``--full-size`` the size the README promises."""

    kills: int  #: kill -9 points in one crawl
    articles: int  #: articles of the site crawled and killed
    page_bytes: int  #: the huge article page that must be archived whole


CI_SIZE = Size(kills=4, articles=60, page_bytes=2 * 1024 * 1024)
FULL_SIZE = Size(kills=20, articles=300, page_bytes=50 * 1024 * 1024)


def pytest_addoption(parser: pytest.Parser) -> None:
    parser.addoption("--full-size", action="store_true",
                     help="run the slow fault-tolerance tests at full size (10 kills, a 15 MB page)")


@pytest.fixture(scope="session")
def size(request: pytest.FixtureRequest) -> Size:
    return FULL_SIZE if request.config.getoption("--full-size") else CI_SIZE


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

    #: The server script (``mockpapers.py`` serves the generated papers of other kinds,
    #: ``faultserver.py`` the generated site with faults).
    script = "mockserver.py"

    def __init__(self, root: Path, *options: str):
        self.root = root
        self.process = subprocess.Popen(
            [sys.executable, str(TESTS / self.script), "--root", str(root), *options],
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


ENV = {**os.environ, "PYTHONWARNINGS": "ignore"}


def run_newscrawl(*args: str, cwd: Path | None = None, timeout: float = 120) -> subprocess.CompletedProcess:
    """``python -m newscrawl ARGS`` in a subprocess, as a user would run it."""
    return subprocess.run([sys.executable, "-m", "newscrawl", *args], cwd=cwd, env=ENV,
                          capture_output=True, text=True, timeout=timeout)


#: Files tests keep for people to look at (screenshots, measured tables); git-ignored.
ARTIFACTS = TESTS.parent / "test-artifacts"


def seed_article(fetched_at: str = "2026-01-01T10:00:00+09:00", html: bytes | None = None):
    """The seed article as read from its page (nothing stored), as fetched at ``fetched_at``."""
    from newscrawl.items import RawPage
    from newscrawl.reading import read_page

    page = RawPage(url=SEED_URL, status=200, headers={"content-type": ["text/html; charset=utf-8"]},
                   body=html if html is not None else SEED_HTML.read_bytes(), encoding=None,
                   fetched_at=fetched_at, profile="joongdo")
    return read_page(page)


@pytest.fixture
def seed_archive(tmp_path: Path) -> Path:
    """An archive file holding the seed article."""
    from newscrawl.archive import open_archive, save_article

    path = tmp_path / "news.db"
    db = open_archive(path)
    save_article(db, seed_article())
    db.close()
    return path


def assert_one_line_error(result: subprocess.CompletedProcess, message: str) -> None:
    """The command failed with exit status 1 and exactly one line on stderr, naming ``message``."""
    assert result.returncode == 1
    assert len(result.stderr.strip().splitlines()) == 1, result.stderr
    assert message in result.stderr


def start_newscrawl(*args: str) -> subprocess.Popen:
    """``python -m newscrawl ARGS`` started in the background (stdout and stderr piped)."""
    return subprocess.Popen([sys.executable, "-m", "newscrawl", *args], env=ENV, stdout=subprocess.PIPE,
                            stderr=subprocess.PIPE, text=True)


KST = ZoneInfo("Asia/Seoul")
#: Articles of the generated site used by the crawl tests, spread over SPAN_DAYS days:
#: article i is published (2i + 1) days before the site's "now".
ARTICLES = 60
SPAN_DAYS = 120


class GeneratedSite(MockSite):
    """``mockserver.py --generate``: a whole mock 중도일보 plus the list of what it holds."""

    def __init__(self, root: Path, now: datetime, n: int = ARTICLES, span_days: float = SPAN_DAYS,
                 *options: str):
        self.log = root.parent / "requests.jsonl"
        self.log.touch()
        super().__init__(root, "--generate", str(n), "--now", now.isoformat(), "--span-days", str(span_days),
                         "--log", str(self.log), *options)
        self.now = now
        self.articles: list[GenArticle] = generate(n, now, span_days)

    def requests(self) -> list[dict]:
        """Every request the server has answered so far, in order."""
        return [json.loads(line) for line in self.log.read_text(encoding="utf-8").splitlines()]

    def control(self, action: str, **params: str) -> None:
        query = "&".join(f"{k}={v}" for k, v in params.items())
        with urllib.request.urlopen(f"{self.url}/_control/{action}?{query}", timeout=10) as answer:
            assert answer.status == 200

    def wait_for(self, line: str) -> None:
        """Block until the server prints ``line`` (e.g. ``paused``) on its stdout."""
        assert self.process.stdout.readline().strip() == line


def now_kst() -> datetime:
    return datetime.now(KST).replace(second=0, microsecond=0)


@pytest.fixture
def generated_site(tmp_path: Path) -> Iterator[GeneratedSite]:
    site = GeneratedSite(_site_copy(tmp_path), now_kst())
    yield site
    site.stop()


class GeneratedPaper(GeneratedSite):
    """``mockpapers.py --kind KIND``: the same generated articles as a whole ND소프트 paper
    (``ndsoft``) or as a site no profile knows (``generic``)."""

    script = "mockpapers.py"

    def __init__(self, root: Path, now: datetime, kind: str, *options: str):
        root.mkdir(exist_ok=True)
        super().__init__(root, now, ARTICLES, SPAN_DAYS, "--kind", kind, *options)


@pytest.fixture
def ndsoft_paper(tmp_path: Path) -> Iterator[GeneratedPaper]:
    site = GeneratedPaper(tmp_path / "site", now_kst(), "ndsoft")
    yield site
    site.stop()


@pytest.fixture
def generic_news_site(tmp_path: Path) -> Iterator[GeneratedPaper]:
    site = GeneratedPaper(tmp_path / "site", now_kst(), "generic")
    yield site
    site.stop()


#: A paused site lets this many article requests through before it holds the rest.
PAUSE_AFTER = 8


@pytest.fixture
def paused_generic_site(tmp_path: Path) -> Iterator[GeneratedPaper]:
    """The generic site, holding article requests after the first PAUSE_AFTER until released."""
    site = GeneratedPaper(tmp_path / "site", now_kst(), "generic", "--pause-after", str(PAUSE_AFTER))
    yield site
    site.stop()


@pytest.fixture
def paused_site(tmp_path: Path) -> Iterator[GeneratedSite]:
    """A generated site that holds article requests after the first PAUSE_AFTER until released,
    so a test can stop a crawl half-way at a known point without sleeping."""
    site = GeneratedSite(_site_copy(tmp_path), now_kst(), ARTICLES, SPAN_DAYS, "--pause-after", str(PAUSE_AFTER))
    yield site
    site.stop()


class FaultySite(GeneratedSite):
    """``tests/faultserver.py``: a generated site whose articles misbehave as ``faults`` say."""

    script = "faultserver.py"

    def __init__(self, directory: Path, n: int, span_days: float, faults: Iterable[Fault] = (), *options: str,
                 now: datetime | None = None):
        """Serves from (and logs into) ``directory``, which is created: one per site of a test.
        Two sites given the same ``now`` serve the same articles."""
        directory.mkdir(parents=True, exist_ok=True)
        self.faults = {fault.index: fault for fault in faults}
        specs = [arg for fault in self.faults.values() for arg in ("--fault", fault.spec())]
        super().__init__(_site_copy(directory), now or now_kst(), n, span_days, *specs, *options)

    def wait_served(self, count: int) -> int:
        """Block until the server (run with ``--announce``) has sent ``count`` article pages
        whole; returns how many it had sent by then."""
        for line in self.process.stdout:
            if line.startswith("served ") and int(line.split()[1]) >= count:
                return int(line.split()[1])
        raise AssertionError(f"the server stopped before serving {count} article pages")


@pytest.fixture
def faulty_site_factory(tmp_path: Path) -> Iterator[Callable[..., FaultySite]]:
    """``start(name, n, span_days, faults, *options, now=None)``: a FaultySite in
    ``tmp_path / name``, stopped when the test ends however it ends."""
    started: list[FaultySite] = []

    def start(name: str, *args: Any, **kwargs: Any) -> FaultySite:
        started.append(FaultySite(tmp_path / name, *args, **kwargs))
        return started[-1]

    yield start
    for site in started:
        site.stop()


def _site_copy(tmp_path: Path) -> Path:
    root = tmp_path / "site"
    shutil.copytree(JOONGDO, root)
    return root


#: Test-only speed-ups: no politeness delays against the local server, no backoff pauses.
FAST = ("-s", "DOWNLOAD_DELAY=0", "-s", "AUTOTHROTTLE_START_DELAY=0", "-s", "NEWSCRAWL_BACKOFF_BASE=0",
        "-s", "DOWNLOAD_TIMEOUT=10")


def crawl_args(site: MockSite, db: Path, *args: str) -> list[str]:
    """The arguments of ``newscrawl crawl joongdo`` against ``site`` into ``db``."""
    return ["crawl", "joongdo", "--db", str(db), "--base-url", site.url, *FAST, *args]


def job_dir_of(db: Path, site: str = "joongdo") -> Path:
    """Where ``newscrawl crawl`` keeps the resumable job of ``site`` for archive ``db``."""
    return Path(f"{db}.jobs") / site
