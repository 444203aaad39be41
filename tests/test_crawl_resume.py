"""Stopping a crawl half-way (Ctrl-C, kill -9) and `newscrawl crawl --resume`.

The generated site holds article requests after the eighth (``paused_site``): the test waits
for the server to say so, stops the crawl, and resumes it. Afterwards the archive must hold
exactly the articles of an uninterrupted crawl, each once.
"""

from __future__ import annotations

import signal
from collections import Counter

import sqlite_utils

from conftest import PAUSE_AFTER, assert_one_line_error, crawl_args, job_dir_of, run_newscrawl, start_newscrawl
from test_crawl import SINCE, archived, article_requests, key_of, keys_with, landed, runs


def wait_for_log(process, text: str) -> str:
    """Read the crawl's log (stderr) until a line contains ``text``; returns that line."""
    for line in process.stderr:
        if text in line:
            return line
    raise AssertionError(f"the crawl ended without logging {text!r}")


def served_ok(site) -> set[str]:
    return {key_of(r) for r in article_requests(site) if r["status"] == 200}


def assert_archive_is_whole(site, db_path) -> None:
    """The archive holds the articles of an uninterrupted crawl, each once.

    A "broken" article answers 500 to its first three requests whichever run makes them,
    so it is in the archive exactly when the server ended up serving it.
    """
    db = sqlite_utils.Database(db_path)
    assert db.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
    expected = landed(site) | (keys_with(site, "broken") & served_ok(site))
    assert archived(db_path) == expected
    # one article row, one revision and one raw page per article: nothing stored twice
    assert db["articles"].count == db["revisions"].count == db["pages"].count == len(expected)


def test_ctrl_c_stops_cleanly_and_resume_completes_without_refetching(paused_site, tmp_path):
    db_path = tmp_path / "news.db"
    crawl = start_newscrawl(*crawl_args(paused_site, db_path, "--since", SINCE))
    paused_site.wait_for("paused")
    crawl.send_signal(signal.SIGINT)
    wait_for_log(crawl, "shutting down gracefully")
    paused_site.control("release")  # the requests in flight finish; no new ones start
    out, _ = crawl.communicate(timeout=60)
    assert crawl.returncode == 1
    assert "shutdown" in out and "--resume" in out
    (first,) = runs(db_path)
    assert first["stop_reason"] == "shutdown"
    assert PAUSE_AFTER <= len(archived(db_path)) < len(landed(paused_site))
    assert job_dir_of(db_path).exists()

    result = run_newscrawl(*crawl_args(paused_site, db_path, "--resume"))
    assert result.returncode == 0, result.stderr
    assert_archive_is_whole(paused_site, db_path)
    served = Counter(key_of(r) for r in article_requests(paused_site) if r["status"] == 200)
    assert set(served) == landed(paused_site) and set(served.values()) == {1}  # each page fetched once
    first, second = runs(db_path)
    assert second["job"] == first["id"] and second["window_since"] == first["window_since"]
    assert second["articles_new"] == len(landed(paused_site)) - first["articles_new"]
    assert not job_dir_of(db_path).exists()  # a finished job leaves nothing to resume


def test_kill_9_leaves_a_consistent_archive_and_resume_completes(paused_site, tmp_path):
    db_path = tmp_path / "news.db"
    crawl = start_newscrawl(*crawl_args(paused_site, db_path, "--since", SINCE))
    paused_site.wait_for("paused")
    crawl.kill()
    crawl.communicate(timeout=60)
    assert crawl.returncode == -signal.SIGKILL
    db = sqlite_utils.Database(db_path)
    assert db.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
    stored = archived(db_path)
    assert PAUSE_AFTER - 2 <= len(stored) <= PAUSE_AFTER  # at most two were being stored when killed
    paused_site.control("release")

    result = run_newscrawl(*crawl_args(paused_site, db_path, "--resume"))
    assert result.returncode == 0, result.stderr
    assert "was killed" in result.stderr
    assert_archive_is_whole(paused_site, db_path)
    assert served_ok(paused_site) - keys_with(paused_site, "broken") == landed(paused_site)
    first, second = runs(db_path)
    assert (first["stop_reason"], first["exit_status"]) == ("killed", 1)
    assert (second["job"], second["exit_status"]) == (first["id"], 0)


def test_resume_with_nothing_stopped_says_so(generated_site, tmp_path):
    db_path = tmp_path / "news.db"
    assert run_newscrawl(*crawl_args(generated_site, db_path, "--since", SINCE)).returncode == 0
    result = run_newscrawl(*crawl_args(generated_site, db_path, "--resume"))
    assert_one_line_error(result, "newscrawl: error: no stopped crawl of joongdo to resume")
