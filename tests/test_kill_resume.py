"""``kill -9`` of a crawl at random points, again and again, then ``--resume``: the archive
must be the one an uninterrupted crawl of the same site makes.

Each kill comes when the server has sent the K-th article page (``faultserver.py
--announce``), K drawn with a seeded random generator, so the crawl dies while it is
extracting and storing, at a different point each leg and the same points every run. After
each kill the archive must pass SQLite's integrity check and hold no half-written article.

CI kills three times on a site of 60 articles; ``pytest -m slow --full-size`` ten times on
200. ``NEWSCRAWL_KILL_SEED=N`` draws other kill points.
"""

from __future__ import annotations

import os
import random
import signal
import subprocess
import sys
from pathlib import Path

import pytest
import sqlite_utils

from archive_checks import article_contents, assert_archive_consistent, clean_contents
from conftest import ENV, FaultySite, crawl_args, run_newscrawl
from test_crawl import article_requests, key_of, runs

SEED = int(os.environ.get("NEWSCRAWL_KILL_SEED", "6"))
#: One article a day, every one inside the window.
SPAN_PER_ARTICLE, SINCE_MARGIN_DAYS = 1, 5


def kill_points(rng: random.Random, pages: int, kills: int) -> list[int]:
    """``kills`` page counts between 2 and ``pages`` - 6, increasing, at least 3 apart.

    One in each of ``kills`` equal stretches, so every kill falls in a later leg than the one
    before (at most two pages were in flight when the last leg died)."""
    stretch = (pages - 5) // kills
    assert stretch >= 3, "too few articles for that many kills"
    return [2 + leg * stretch + rng.randrange(stretch - 2) for leg in range(kills)]


def start_crawl(site: FaultySite, db: Path, log: Path, *args: str) -> subprocess.Popen:
    """``newscrawl crawl`` in the background, its output to ``log`` (a pipe nobody read would fill up)."""
    with log.open("w") as out:
        return subprocess.Popen([sys.executable, "-m", "newscrawl", *crawl_args(site, db, *args)],
                                env=ENV, stdout=out, stderr=subprocess.STDOUT)


def failures_of(db_path: Path, ignore: set[str]) -> set[tuple[str, str, int | None]]:
    db = sqlite_utils.Database(db_path)
    return {(row["url"].split("key=")[1], row["kind"], row["status"]) for row in db["failures"].rows
            if row["url"].split("key=")[1] not in ignore}


@pytest.mark.slow
def test_kill_9_at_random_points_then_resume_makes_the_uninterrupted_archive(faulty_site_factory, tmp_path, size):
    n = size.articles
    since = f"{n * SPAN_PER_ARTICLE + SINCE_MARGIN_DAYS}d"
    reference = faulty_site_factory("reference", n, n * SPAN_PER_ARTICLE)
    site = faulty_site_factory("killed", n, n * SPAN_PER_ARTICLE, (), "--announce", now=reference.now)
    result = run_newscrawl(*crawl_args(reference, tmp_path / "reference.db", "--since", since), timeout=600)
    assert result.returncode == 0, result.stderr[-3000:]
    uninterrupted = article_contents(tmp_path / "reference.db")

    db_path = tmp_path / "news.db"
    points = kill_points(random.Random(SEED), len(uninterrupted), size.kills)
    for leg, point in enumerate(points):
        crawl = start_crawl(site, db_path, tmp_path / f"leg{leg}.log", *(("--since", since) if leg == 0 else ("--resume",)))
        site.wait_served(point)
        crawl.send_signal(signal.SIGKILL)
        assert crawl.wait(timeout=60) == -signal.SIGKILL, f"leg {leg} ended before its kill (seed {SEED}, {points})"
        assert_archive_consistent(db_path)
    result = run_newscrawl(*crawl_args(site, db_path, "--resume"), timeout=600)
    assert result.returncode == 0, result.stderr[-3000:]
    assert_archive_consistent(db_path)

    # A "broken" article answers 500 to its first three requests, whichever legs make them:
    # killed legs may ask once more than an uninterrupted run, so it is archived exactly
    # when the server ended up serving it.
    broken = {a.key for a in site.articles if a.quirk == "broken"}
    served = {key_of(r) for r in article_requests(site) if r["status"] == 200}
    archived = article_contents(db_path)
    expected = {k for k in uninterrupted if k[1] not in broken} | {("joongdo", key) for key in broken & served}
    assert set(archived) == expected, f"seed {SEED}, kills after pages {points}"
    clean = clean_contents(site)
    assert all(digest == clean[key] for (_, key), digest in archived.items())  # each one whole
    assert all(digest == clean[key] for (_, key), digest in uninterrupted.items())
    db = sqlite_utils.Database(db_path)
    assert db["articles"].count == db["revisions"].count == db["pages"].count  # nothing stored twice
    assert failures_of(db_path, broken) == failures_of(tmp_path / "reference.db", broken)
    legs = runs(db_path)
    assert [leg["job"] for leg in legs] == [legs[0]["id"]] * (size.kills + 1)
    assert [leg["stop_reason"] for leg in legs] == ["killed"] * size.kills + ["finished"]
    assert legs[-1]["exit_status"] == 0
