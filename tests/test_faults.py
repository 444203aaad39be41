"""A crawl against a server that fails in every way a news site can (tests/faultserver.py).

Bursts of 5xx, hanging answers, connection resets, bodies cut short, lying charset headers,
a 50 MB page, a redirect loop, an image and a PDF where an article should be. The crawl must
finish; every fault must be in ``failures`` with its reason; every article it stores must
be the article whole (its content equal to what the clean page gives) or marked incomplete
with its reason; and the next run must retry what failed, succeeding where the fault has
passed.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import datetime, timedelta

import pytest
import sqlite_utils
from twisted.python.failure import Failure

from archive_checks import article_contents, assert_archive_consistent, clean_contents
from conftest import FAST, SEED_HTML, SEED_KEY, SEED_URL, FaultySite, crawl_args, run_newscrawl
from faultserver import Fault
from mocksite import quirk
from newscrawl.archive import open_archive
from newscrawl.clock import KST, now_kst
from newscrawl.policy.incremental import ArchiveIndex, Fetch
from newscrawl.policy.window import RevisitSchedule
from newscrawl.items import RawPage
from newscrawl.pipelines import ArchivePipeline
from newscrawl.reading import read_page
from newscrawl.run import project_settings
from test_crawl import runs

#: One article a day for 40 days, all inside the first crawl's window.
ARTICLES, SPAN_DAYS, SINCE = 40, 40, "45d"
#: Hung requests give up after 2 s, and backoff is capped, so the test does not wait minutes.
QUICK = ("-s", "DOWNLOAD_TIMEOUT=2", "-s", "AUTOTHROTTLE_MAX_DELAY=0.2")


@dataclass(frozen=True)
class Stored:
    """In ``articles``, whole: its content is the clean page's."""


@dataclass(frozen=True)
class Incomplete:
    """In ``articles`` marked incomplete with this reason, and in ``failures`` (kind incomplete)."""

    reason: str


@dataclass(frozen=True)
class Failed:
    """Not in ``articles``; in ``failures`` with this kind, status and reason."""

    kind: str
    status: int | None
    reason: str


#: index -> (fault, after the first run, after the second run). Indices avoid mocksite's own
#: quirks (3 slow, 5 disallowed, 7 and 27 gone, 11 and 31 flaky, 15 and 35 broken).
CASES = {
    0: (Fault(0, "5xx", 1), Stored(), Stored()),  # a burst of 503s, each retried at once
    1: (Fault(1, "5xx", 1), Stored(), Stored()),
    2: (Fault(2, "5xx", 1), Stored(), Stored()),
    4: (Fault(4, "5xx", 3), Failed("fetch", 503, "HTTP 503"), Stored()),
    6: (Fault(6, "5xx"), Failed("fetch", 503, "HTTP 503"), Failed("fetch", 503, "HTTP 503")),
    8: (Fault(8, "hang", 1), Stored(), Stored()),
    9: (Fault(9, "hang", 3), Failed("fetch", None, "timed out"), Stored()),
    10: (Fault(10, "reset", 3), Failed("fetch", None, "connection"), Stored()),
    12: (Fault(12, "reset-mid-body", 1), Incomplete("connection closed before the whole page"), Stored()),
    13: (Fault(13, "truncate", 1), Incomplete("connection closed before the whole page"), Stored()),
    14: (Fault(14, "cut", 1), Incomplete("closing </body> or </html>"), Stored()),
    16: (Fault(16, "charset-utf8"), Stored(), Stored()),
    17: (Fault(17, "charset-euckr"), Stored(), Stored()),
    18: (Fault(18, "huge"), Failed("fetch", None, "DOWNLOAD_MAXSIZE"), Failed("fetch", None, "DOWNLOAD_MAXSIZE")),
    19: (Fault(19, "redirect-loop"), Failed("fetch", None, "redirect loop"), Failed("fetch", None, "redirect loop")),
    20: (Fault(20, "image", 1), Failed("not-article", 200, "image/png"), Stored()),
    21: (Fault(21, "pdf"), Failed("not-article", 200, "application/pdf"), Failed("not-article", 200, "application/pdf")),
}
#: mocksite's quirks: what each does in the first and in the second run.
QUIRKS = {
    "slow": (Stored(), Stored()),
    "flaky": (Stored(), Stored()),  # 500 once, retried at once
    "gone": (Failed("fetch", 404, "HTTP 404"), Failed("fetch", 404, "HTTP 404")),
    "broken": (Failed("fetch", 500, "HTTP 500"), Stored()),  # 500 three times: the next run gets it
    "disallowed": (Failed("robots", None, "robots.txt"), Failed("robots", None, "robots.txt")),
}


def expected(run: int) -> dict[int, Stored | Incomplete | Failed]:
    """What each article's state is after run 0 (the first) or 1 (the next)."""
    states = {}
    for index in range(ARTICLES):
        if index in CASES:
            states[index] = CASES[index][1 + run]
        else:
            states[index] = QUIRKS[quirk(index)][run] if quirk(index) else Stored()
    return states


def assert_states(site: FaultySite, db_path, states: dict[int, Stored | Incomplete | Failed]) -> None:
    db = sqlite_utils.Database(db_path)
    articles = {row["article_id"]: row for row in db["articles"].rows}
    failures = {row["url"].split("key=")[1]: row for row in db["failures"].rows}
    clean = clean_contents(site)
    for index, state in states.items():
        key = site.articles[index].key
        where = f"article {index} ({state})"
        if isinstance(state, Failed):
            assert key not in articles, where
            failure = failures[key]
            assert (failure["kind"], failure["status"]) == (state.kind, state.status), where
            assert state.reason in failure["error"], (where, failure["error"])
        elif isinstance(state, Incomplete):
            assert (articles[key]["complete"], failures[key]["kind"]) == (0, "incomplete"), where
            assert state.reason in articles[key]["incomplete_reason"], where
            assert failures[key]["error"] == articles[key]["incomplete_reason"], where
        else:
            assert articles[key]["complete"] == 1, where
            assert articles[key]["content_hash"] == clean[key], where  # the whole article, nothing else
            assert key not in failures, where
    assert len(articles) == sum(not isinstance(s, Failed) for s in states.values())


def test_an_article_cut_short_is_a_failure_fetched_again_whole(tmp_path):
    """Stored for what it holds, in ``failures`` as incomplete, and due again (unconditionally,
    since a 304 would keep the cut copy) until it arrives whole or has failed too often."""
    settings = project_settings({"NEWSCRAWL_DB": str(tmp_path / "news.db")})
    whole = SEED_HTML.read_bytes()
    cut = whole[: len(whole) // 2]
    steps = [  # the page received, then: complete, failures, the next run's decision and retries
        (cut, False, [("incomplete", 1)], Fetch("retry"), [SEED_URL]),
        (cut, False, [("incomplete", 2)], "given-up", []),  # max_attempts=2
        (whole, True, [], "fresh", []),
    ]
    for body, complete, failures, decision, retries in steps:
        page = RawPage(url=SEED_URL, status=200, headers={"etag": ['"v1"']}, body=body, encoding=None,
                       fetched_at=now_kst(), profile="joongdo")
        archived = ArchivePipeline(settings)  # stores it, and records it as a failure when cut short
        assert archived.process_item(read_page(page)).complete is complete
        archived.close_spider()
        db = open_archive(tmp_path / "news.db")
        index = ArchiveIndex(db, "joongdo", RevisitSchedule.parse(""), datetime.now(KST) + timedelta(seconds=1),
                             max_attempts=2)
        assert [(r["kind"], r["attempts"]) for r in db["failures"].rows] == failures
        assert (index.decide(SEED_KEY, SEED_URL), index.retries()) == (decision, retries)
        db.close()


@pytest.fixture
def faulty_site(faulty_site_factory) -> FaultySite:
    return faulty_site_factory("site", ARTICLES, SPAN_DAYS, [fault for fault, _, _ in CASES.values()])


def test_every_fault_is_recorded_and_the_next_run_retries_it(faulty_site, tmp_path):
    db_path = tmp_path / "news.db"
    first = run_newscrawl(*crawl_args(faulty_site, db_path, "--since", SINCE, *QUICK), timeout=300)
    assert first.returncode == 0, first.stdout + first.stderr[-3000:]
    assert "Traceback" not in first.stderr
    assert_archive_consistent(db_path)
    assert_states(faulty_site, db_path, expected(0))
    before = article_contents(db_path)
    (run,) = runs(db_path)
    assert (run["stop_reason"], run["exit_status"]) == ("finished", 0)
    # an image or a PDF is not an article missing its title: faults are not layout drift
    assert json.loads(run["health"])["missing"] == {"title": 0, "published_at": 0, "body": 0}

    second = run_newscrawl(*crawl_args(faulty_site, db_path, *QUICK), timeout=300)  # the routine run after it
    assert second.returncode == 0, second.stdout + second.stderr[-3000:]
    assert_archive_consistent(db_path)
    assert_states(faulty_site, db_path, expected(1))
    db = sqlite_utils.Database(db_path)
    # every failure of the first run was tried again (robots.txt is obeyed, not retried)
    assert {row["attempts"] for row in db["failures"].rows if row["kind"] != "robots"} == {2}
    # what was whole stays as it was; what was cut short got a second, whole revision
    revisions = {row["article_id"]: row["revision"] for row in db["articles"].rows}
    cut = {faulty_site.articles[i].key for i, (_, state, _) in CASES.items() if isinstance(state, Incomplete)}
    assert {key for key, revision in revisions.items() if revision == 2} == cut
    assert all(article_contents(db_path)[k] == digest for k, digest in before.items() if k[1] not in cut)


def test_a_page_dropped_on_a_cms_site_is_that_sites_failure_and_is_retried(fixtures_site, tmp_path):
    """An ND소프트 paper is archived under its host name; so must its dropped pages be, or the
    run's summary does not list them and no later run of the site retries them."""
    db_path = tmp_path / "news.db"
    window = ("--since", "2024-11-05T14:00", "--until", "2024-11-05T15:00")
    for args in (window, ()):  # the window's crawl, then the routine run after it
        result = run_newscrawl("crawl", "ndsoft", "--base-url", fixtures_site.url, "--db", str(db_path), *args, *FAST)
        assert result.returncode == 0, result.stderr[-3000:]
        assert "not-article the site says there is no such article" in result.stdout
    (dropped,) = sqlite_utils.Database(db_path)["failures"].rows_where("kind = 'not-article'")
    assert (dropped["site"], dropped["attempts"]) == ("127.0.0.1", 2)


def test_a_page_newscrawl_fails_on_is_a_failure_to_retry_not_a_page_lost(tmp_path):
    """Scrapy only logs an exception raised in a pipeline; the archive records the page."""
    pipeline = ArchivePipeline(project_settings({"NEWSCRAWL_DB": str(tmp_path / "news.db")}))
    page = RawPage(url=SEED_URL, status=200, headers={}, body=b"<html></html>", encoding=None,
                   fetched_at=now_kst(), profile="joongdo")
    try:
        raise ValueError("a bug")
    except ValueError:
        pipeline.item_error(page, None, Failure())
    pipeline.close_spider()
    db = open_archive(tmp_path / "news.db")
    (row,) = db["failures"].rows
    assert (row["kind"], row["site"], row["status"]) == ("error", "joongdo", 200)
    assert row["error"].startswith("newscrawl failed on the page (ValueError: a bug)")
    index = ArchiveIndex(db, "joongdo", RevisitSchedule.parse(""), datetime.now(KST) + timedelta(seconds=1), 5)
    assert index.retries() == [SEED_URL]


@pytest.mark.slow
def test_a_huge_article_page_within_the_size_limit_is_archived_whole(faulty_site_factory, tmp_path, size):
    """CI: a 2 MB page; --full-size: 50 MB (DOWNLOAD_MAXSIZE raised above it for this test)."""
    site = faulty_site_factory("site", 3, 3, [Fault(0, "huge")], "--huge-bytes", str(size.page_bytes))
    db_path = tmp_path / "news.db"
    result = run_newscrawl(*crawl_args(site, db_path, "--since", "5d", "-s", f"DOWNLOAD_MAXSIZE={2 * size.page_bytes}"),
                           timeout=600)
    assert result.returncode == 0, result.stderr[-3000:]
    assert_archive_consistent(db_path)
    db = sqlite_utils.Database(db_path)
    huge = site.articles[0]
    (row,) = db["articles"].rows_where("article_id = ?", [huge.key])
    assert row["complete"] == 1
    assert row["body"].startswith(huge.paragraphs[0]) and huge.paragraphs[-1] in row["body"]
    assert len(row["body"].encode()) > size.page_bytes // 2  # the filler, every bit of it
    assert db.execute("SELECT body_size FROM pages WHERE id = ?", [row["page_id"]]).fetchone()[0] >= size.page_bytes
    assert db["articles"].count == 3
