"""Around a crawl: the archive lock, the layout-drift alarm, `scrapy crawl` doing the same as
`newscrawl crawl`, and arguments that are refused with one line."""

from __future__ import annotations

import asyncio
import json
import re
import subprocess
import sys
from pathlib import Path

import pytest
import sqlite_utils
from datasette.app import Datasette

from newscrawl.archive.migrations import migrate
from conftest import ENV, FAST, assert_one_line_error, crawl_args, run_newscrawl, start_newscrawl
from test_crawl import SINCE, archived, landed, runs
from test_crawl_resume import wait_for_log

PROGRESS = re.compile(r"progress: \d+(/\d+ articles \(\d+%\)| of ~?\d+ articles (found so far )?\(discovering[^)]*\)) · "
                      r"[\d.]+/min( · ETA ~?[\d.]+ (s|min|h))? · \d+ new · \d+ updated · \d+ unchanged · \d+ failed")

ROOT = Path(__file__).parent.parent


def scrapy_crawl(site, db_path, *args: str) -> subprocess.CompletedProcess:
    """``scrapy crawl joongdo`` from the project directory, as cron or scrapyd would run it."""
    return subprocess.run(
        [sys.executable, "-m", "scrapy", "crawl", "joongdo", "-a", f"base_url={site.url}",
         "-s", f"NEWSCRAWL_DB={db_path}", *FAST, *args],
        cwd=ROOT, env=ENV, capture_output=True, text=True, timeout=120)


def test_scrapy_crawl_with_spider_arguments_is_the_same_crawl(generated_site, tmp_path):
    db_path = tmp_path / "news.db"
    result = scrapy_crawl(generated_site, db_path, "-a", f"since={SINCE}")
    assert result.returncode == 0, result.stderr
    assert archived(db_path) == landed(generated_site)
    (run,) = runs(db_path)
    assert (run["exit_status"], run["articles_new"]) == (0, len(landed(generated_site)))
    assert json.loads(run["arguments"])["base_url"] == generated_site.url


def test_a_second_crawl_of_the_same_archive_is_refused(paused_site, tmp_path):
    db_path = tmp_path / "news.db"
    first = start_newscrawl(*crawl_args(paused_site, db_path, "--since", SINCE))
    paused_site.wait_for("paused")  # the first crawl is under way and holds the lock
    second = run_newscrawl(*crawl_args(paused_site, db_path, "--since", SINCE))
    assert second.returncode == 1
    (line,) = second.stderr.strip().splitlines()
    assert line.startswith(f"newscrawl: error: {db_path} is in use by another newscrawl crawl (pid {first.pid}, started")
    assert line.endswith("not starting a second one")
    via_scrapy = scrapy_crawl(paused_site, db_path, "-a", f"since={SINCE}")
    assert via_scrapy.returncode == 1
    assert "is in use by another newscrawl crawl" in via_scrapy.stderr
    paused_site.control("release")
    first.communicate(timeout=60)
    assert first.returncode == 0
    assert len(runs(db_path)) == 1  # the refused crawls recorded nothing
    assert scrapy_crawl(paused_site, db_path).returncode == 0  # the lock went with the first crawl


def test_progress_lines_while_crawling_and_a_summary_at_the_end(paused_site, tmp_path):
    crawl = start_newscrawl(*crawl_args(paused_site, tmp_path / "news.db", "--since", SINCE,
                                        "-s", "NEWSCRAWL_PROGRESS_INTERVAL=0.2"))
    paused_site.wait_for("paused")
    line = wait_for_log(crawl, "progress: ")  # the server holds the crawl until this line shows
    assert PROGRESS.search(line), line
    paused_site.control("release")
    out, err = crawl.communicate(timeout=60)
    assert crawl.returncode == 0, err
    assert out.splitlines()[0].startswith("newscrawl crawl joongdo: run 1 (job 1) finished, exit status 0")
    labels = [line.split()[0] for line in out.splitlines()[1:7]]
    assert labels == ["window", "time", "pages", "articles", "rate", "missing"]


def test_layout_drift_ends_the_run_with_a_loud_warning_and_exit_1(generated_site, tmp_path):
    control = run_newscrawl(*crawl_args(generated_site, tmp_path / "before.db", "--since", SINCE))
    assert control.returncode == 0, control.stderr
    assert "layout drift" not in control.stdout + control.stderr
    generated_site.control("drift", on="1")  # article pages lose their 승인/수정 lines
    result = run_newscrawl(*crawl_args(generated_site, tmp_path / "after.db", "--since", SINCE))
    assert result.returncode == 1
    assert "layout drift" in result.stdout and "have no published_at" in result.stdout
    assert "!!! newscrawl run 1: layout drift" in result.stderr
    (run,) = runs(tmp_path / "after.db")
    health = json.loads(run["health"])
    # the articles are still stored: a drifted page loses its date, not its text (the
    # "broken" article works on its fourth request, in this second crawl of the server)
    stored = archived(tmp_path / "after.db")
    assert stored >= landed(generated_site)
    assert health["missing"]["published_at"] == health["articles"] == len(stored)
    assert run["exit_status"] == 1 and run["problems"].startswith("layout drift")


def test_a_failing_server_gets_backoff_then_the_run_gives_up(generated_site, tmp_path):
    generated_site.control("fail", status="503")
    db_path = tmp_path / "news.db"
    # AutoThrottle off: it would move the delay by the measured latency, and the doubling is
    # what this test checks.
    result = run_newscrawl(*crawl_args(generated_site, db_path, "--since", SINCE, "-s", "NEWSCRAWL_GIVE_UP_AFTER=6",
                                       "-s", "NEWSCRAWL_BACKOFF_BASE=0.05", "-s", "CONCURRENT_REQUESTS=1",
                                       "-s", "AUTOTHROTTLE_ENABLED=False"))
    assert result.returncode == 1
    assert "Backing off 127.0.0.1: a request every 0.05 s" in result.stderr
    assert "Backing off 127.0.0.1: a request every 0.10 s" in result.stderr  # doubled by the next retry
    (run,) = runs(db_path)
    assert (run["stop_reason"], run["exit_status"]) == ("site_unreachable", 1)
    failed = [r for r in generated_site.requests() if r["status"] == 503]
    assert len(failed) == 6  # one request at a time: the sixth failure in a row ends the run


def test_with_autothrottle_off_the_delay_comes_back_after_a_failure(generated_site, tmp_path):
    """AutoThrottle off, nothing else brings a backed-off delay down: healthy answers must."""
    result = run_newscrawl(*crawl_args(generated_site, tmp_path / "news.db", "--since", SINCE,
                                       "-s", "NEWSCRAWL_BACKOFF_BASE=0.05", "-s", "CONCURRENT_REQUESTS=1",
                                       "-s", "AUTOTHROTTLE_ENABLED=False"))
    delays = re.findall(r"(Backing off|Back to normal at) 127.0.0.1: a request every ([\d.]+) s", result.stderr)
    assert result.returncode == 0, result.stderr[-2000:]
    backoffs = [float(delay) for what, delay in delays if what == "Backing off"]
    # Several 5xx answers over the crawl (the site's flaky and broken articles), each one's
    # backoff starting again from the base instead of doubling what the last one left.
    assert len(backoffs) >= 3 and max(backoffs) <= 0.10, delays
    assert delays[-1] == ("Back to normal at", "0.00"), delays


@pytest.mark.parametrize("args, message", [
    (["--since", "yesterday"], "not a date or an age: 'yesterday'"),
    (["--since", "2d", "--until", "3d"], "is not after --since"),
    (["--section", "X99"], "not a joongdo section code: X99"),
    (["--resume", "--since", "2d"], "--resume continues the stopped run with its own window"),
    (["--resume"], "no stopped crawl of joongdo to resume"),
])
def test_bad_arguments_are_one_line_errors(tmp_path, args, message):
    db_path = tmp_path / "news.db"
    assert_one_line_error(run_newscrawl("crawl", "joongdo", "--db", str(db_path), *args), message)
    assert not db_path.exists()


def test_unknown_site_is_named(tmp_path):
    result = run_newscrawl("crawl", "nosuchpaper", "--db", str(tmp_path / "news.db"))
    assert_one_line_error(result, "no site profile named 'nosuchpaper' (known: generic, joongdo, ndsoft)")


def test_datasette_shows_runs_and_failures(generated_site, tmp_path):
    db_path = tmp_path / "news.db"
    assert run_newscrawl(*crawl_args(generated_site, db_path, "--since", SINCE)).returncode == 0
    metadata = json.loads((ROOT / "newscrawl" / "metadata.json").read_text(encoding="utf-8"))

    async def query():
        datasette = Datasette([str(db_path)], metadata=metadata)
        run = await datasette.client.get("/news/crawl_runs.json?_shape=array")
        failures = await datasette.client.get("/news/failures.json?_shape=array&kind=fetch")
        page = await datasette.client.get("/news/crawl_runs")
        return run.json(), failures.json(), page.text

    (run,), failures, page = asyncio.run(query())
    assert (run["stop_reason"], run["exit_status"]) == ("finished", 0)
    assert {f["status"] for f in failures} == {404, 500}
    assert "One row per crawl process" in page


def test_failures_and_runs_are_described_for_datasette():
    metadata = json.loads((ROOT / "newscrawl" / "metadata.json").read_text(encoding="utf-8"))
    tables = metadata["databases"]["news"]["tables"]
    db = sqlite_utils.Database(memory=True)
    migrate(db)
    for table in ("crawl_runs", "failures"):
        described = set(tables[table]["columns"])
        assert {c.name for c in db[table].columns} - {"id"} <= described, table


#: A crawl in a fresh interpreter that counts how often the archive is opened (each open
#: checks the migrations): by the runner (``newscrawl crawl``) or by Scrapy alone (``scrapy crawl``).
COUNT_OPENS = """
import sys
import newscrawl.archive
from newscrawl.crawl.runner import CrawlOptions, crawl_site
from newscrawl.run import project_settings
from scrapy.crawler import CrawlerProcess

checks = []
migrate = newscrawl.archive.migrate
newscrawl.archive.migrate = lambda db: checks.append(db) or migrate(db)
how, db, url, since = sys.argv[1:]
settings = {"DOWNLOAD_DELAY": 0, "AUTOTHROTTLE_START_DELAY": 0, "NEWSCRAWL_BACKOFF_BASE": 0, "LOG_LEVEL": "WARNING"}
if how == "runner":
    crawl_site("joongdo", db, CrawlOptions(since=since, base_url=url), settings)
else:
    process = CrawlerProcess(project_settings({**settings, "NEWSCRAWL_DB": db}))
    process.crawl("joongdo", base_url=url, since=since)
    process.start()
print(len(checks))
"""


@pytest.mark.parametrize("how", ["runner", "scrapy"])
def test_a_crawl_opens_the_archive_once(generated_site, tmp_path, how):
    db_path = tmp_path / "news.db"
    result = subprocess.run([sys.executable, "-c", COUNT_OPENS, how, str(db_path), generated_site.url, SINCE],
                            cwd=ROOT, env=ENV, capture_output=True, text=True, timeout=120)
    assert result.returncode == 0, result.stderr
    assert archived(db_path) == landed(generated_site)  # the recorder, spider and pipelines all used it
    (run,) = runs(db_path)
    assert run["exit_status"] == 0
    assert result.stdout.split()[-1] == "1"


def test_scrapy_crawl_of_a_site_that_cannot_be_reached_logs_no_traceback(tmp_path):
    """`scrapy crawl` (cron, scrapyd) reads like `newscrawl crawl` when the site is down:
    Scrapy's failed robots.txt download is one line, not a traceback above the run's problems."""
    result = subprocess.run(
        [sys.executable, "-m", "scrapy", "crawl", "joongdo", "-a", "base_url=http://127.0.0.1:9",
         "-s", f"NEWSCRAWL_DB={tmp_path / 'news.db'}", "-s", "RETRY_TIMES=0", *FAST],
        cwd=ROOT, env=ENV, capture_output=True, text=True, timeout=120)
    assert "robots.txt" in result.stderr  # the failed download is still logged
    assert "Traceback" not in result.stderr
    assert "no feed or list page could be fetched" in result.stderr
    (run,) = runs(tmp_path / "news.db")
    assert run["exit_status"] == 1
