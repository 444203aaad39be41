"""`newscrawl health`: a site whose profile stopped matching is flagged, a healthy one is not.

The crawls run against the generated 중도일보 (tests/mockserver.py --generate), which serves
its articles in the seed markup or, after ``/_control/layout?name=redesign``, in the markup of
``tests/fixtures/variants/joongdo-redesign.html``: every field is still found (by labels,
metadata and the generic layer), so the crawl's own missing-field alarm stays quiet; only
where the fields came from shows the change. The judgement itself is tested on counts.
"""

from __future__ import annotations

import asyncio
import json
from pathlib import Path

import pytest
from datasette.app import Datasette

from conftest import ARTIFACTS, assert_one_line_error, crawl_args, run_newscrawl
from newscrawl.policy.drift import RunHealth, Thresholds, judge
from newscrawl.policy.health import Health
from test_crawl import SINCE

THRESHOLDS = Thresholds(missing=0.2, min_articles=10, floor=0.5, drop=0.3, fields=("title", "published_at", "body"))


def health(db_path: Path, *args: str):
    return run_newscrawl("health", "--db", str(db_path), *args)


def keep(name: str, text: str) -> None:
    """Keep an output for people to look at (test-artifacts/, git-ignored)."""
    ARTIFACTS.mkdir(exist_ok=True)
    (ARTIFACTS / name).write_text(text, encoding="utf-8")


def test_a_crawl_of_redesigned_pages_is_flagged(generated_site, tmp_path):
    db_path = tmp_path / "news.db"
    generated_site.control("layout", name="redesign")
    crawl = run_newscrawl(*crawl_args(generated_site, db_path, "--since", SINCE))
    assert crawl.returncode == 0, crawl.stderr  # every field still found: the crawl's own alarm is quiet
    assert "layout drift" not in crawl.stdout
    result = health(db_path)
    keep("health-redesign.txt", result.stdout)
    assert result.returncode == 1
    assert result.stdout.startswith("joongdo: FLAGGED: its site profile stopped matching")
    for name in ("title", "published_at", "body"):
        assert f"!! {name}: from the site profile on 0% of the latest article pages (floor 50%" in result.stdout


def test_a_crawl_of_normal_pages_passes(generated_site, tmp_path):
    db_path = tmp_path / "news.db"
    assert run_newscrawl(*crawl_args(generated_site, db_path, "--since", SINCE)).returncode == 0
    result = health(db_path)
    keep("health-normal.txt", result.stdout)
    assert result.returncode == 0, result.stdout
    assert result.stdout.startswith("joongdo: ok\n")
    assert "!!" not in result.stdout and result.stdout.rstrip().endswith("1 site(s) checked, 0 flagged")


def test_a_profile_that_stops_matching_is_judged_against_earlier_runs(generated_site, tmp_path):
    db_path = tmp_path / "news.db"
    assert run_newscrawl(*crawl_args(generated_site, db_path, "--since", SINCE, "--until", "24d")).returncode == 0
    generated_site.control("layout", name="redesign")
    assert run_newscrawl(*crawl_args(generated_site, db_path, "--since", "24d")).returncode == 0
    result = health(db_path)
    keep("health-redesign-after-normal.txt", result.stdout)
    assert result.returncode == 1
    assert "!! title: from the site profile on 0% of the latest article pages (earlier runs 100%" in result.stdout
    # the fall alone flags it (no floor) ...
    assert health(db_path, "-s", "NEWSCRAWL_HEALTH_PROFILE_FLOOR=0").returncode == 1
    # ... and with neither floor nor a fall allowed to matter, nothing does (control)
    lenient = health(db_path, "-s", "NEWSCRAWL_HEALTH_PROFILE_FLOOR=0", "-s", "NEWSCRAWL_HEALTH_PROFILE_DROP=1")
    assert lenient.returncode == 0, lenient.stdout
    # the latest run alone has no earlier runs to fall from: the floor still flags it
    alone = health(db_path, "--runs", "1")
    assert alone.returncode == 1 and "earlier runs" not in alone.stdout


def test_datasette_shows_each_runs_shares(generated_site, tmp_path):
    db_path = tmp_path / "news.db"
    assert run_newscrawl(*crawl_args(generated_site, db_path, "--since", SINCE, "--until", "24d")).returncode == 0
    generated_site.control("layout", name="redesign")
    assert run_newscrawl(*crawl_args(generated_site, db_path, "--since", "24d")).returncode == 0

    async def query():
        datasette = Datasette([str(db_path)])
        answer = await datasette.client.get("/news/run_health.json?_shape=array&site=joongdo")
        column = await datasette.client.get("/news/crawl_runs")
        return answer.json(), column.text

    (latest, earlier), page = asyncio.run(query())
    assert (latest["title_from_profile_pct"], latest["body_from_profile_pct"]) == (0, 0)
    assert (earlier["title_from_profile_pct"], earlier["body_from_profile_pct"]) == (100, 100)
    assert latest["title_missing_pct"] == earlier["title_missing_pct"] == 0
    assert json.loads(latest["read_with"]) == {"joongdo": latest["article_pages"]}
    assert "how many got each field from the site profile" in page


def test_unknown_site_and_missing_archive_are_one_line_errors(seed_archive, tmp_path):
    assert_one_line_error(health(tmp_path / "nothing.db"), "no archive there")
    assert_one_line_error(health(seed_archive, "--site", "joongdo"), "no finished crawl of joongdo in the archive")


def test_an_archive_without_runs_has_nothing_to_judge(seed_archive):
    result = health(seed_archive)
    assert (result.returncode, result.stdout.strip()) == (0, "no finished crawl runs in the archive yet")


# -- the rule, on counts --------------------------------------------------------------------

def run(run_id: int, articles: int, profile: int, missing_body: int = 0, read_with: str = "joongdo") -> RunHealth:
    """A run whose ``articles`` pages got title, date and body from the profile ``profile`` times."""
    sources = {name: {"profile": profile, "metadata": articles - profile} for name in ("title", "published_at", "body")}
    return RunHealth(run_id, f"2026-01-{run_id:02d}T10:00:00+09:00", Health.from_json({
        "articles": articles, "missing": {"title": 0, "published_at": 0, "body": missing_body},
        "sources": sources, "profiles": {read_with: articles}}))


def test_small_latest_runs_are_taken_together():
    verdict = judge("joongdo", [run(5, 4, 0), run(4, 4, 0), run(3, 4, 4), run(2, 20, 20)], THRESHOLDS)
    assert [r.id for r in verdict.latest] == [5, 4, 3] and [r.id for r in verdict.earlier] == [2]
    assert verdict.now.share("title", "profile") == pytest.approx(4 / 12)
    assert verdict.flagged  # 33 % from the profile, down from 100 %


@pytest.mark.parametrize("runs, flagged", [
    ([run(2, 20, 15), run(1, 20, 20)], False),  # 75 %: above the floor, 25 points down
    ([run(2, 20, 11), run(1, 20, 20)], True),   # 55 %: above the floor, but 45 points down
    ([run(2, 20, 9)], True),                     # 45 %: below the floor, nothing earlier
])
def test_floor_and_fall(runs, flagged):
    assert judge("joongdo", runs, THRESHOLDS).flagged is flagged


def test_a_site_read_without_a_profile_is_judged_by_missing_fields_only():
    fine = judge("news.example.org", [run(1, 20, 0, read_with="generic")], THRESHOLDS)
    assert (fine.profiled, fine.flagged) == (False, False)
    bad = judge("news.example.org", [run(1, 20, 0, missing_body=5, read_with="generic")], THRESHOLDS)
    assert bad.problems == ["body: missing on 25% of the latest article pages (more than 20%)"]


def test_too_few_article_pages_are_not_judged():
    verdict = judge("joongdo", [run(2, 3, 0), run(1, 2, 0)], THRESHOLDS)
    assert (verdict.judged, verdict.flagged) == (False, False)


def test_runs_recorded_before_profiles_were_counted_are_judged_by_their_layers():
    old = RunHealth(1, "2026-01-01T10:00:00+09:00", Health.from_json({
        "articles": 20, "missing": {"title": 0, "published_at": 0, "body": 0},
        "sources": {"title": {"profile": 20}, "published_at": {"profile": 20}, "body": {"profile": 20}}}))
    assert judge("joongdo", [run(2, 20, 0, read_with="joongdo"), old], THRESHOLDS).profiled
    assert Health.from_json(json.loads(json.dumps(old.health.to_json()))).to_json() == old.health.to_json()
