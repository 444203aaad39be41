"""The seed article of 중도일보, field by field, read with the project's own extraction."""

from __future__ import annotations

import json
import subprocess
import sys

import pytest

from conftest import SEED_HTML, SEED_URL, TESTS, run_newscrawl
from newscrawl.run import extract_file

SCALARS = ("url", "site", "article_id", "title", "subtitle", "published_at", "modified_at",
           "print_date", "print_page", "dateline", "byline")


@pytest.fixture(scope="module")
def seed():
    return extract_file(SEED_HTML, url=SEED_URL).to_json()


@pytest.mark.parametrize("field", SCALARS)
def test_scalar_field(seed, seed_expected, field):
    assert seed[field] == seed_expected[field]


def test_sections(seed, seed_expected):
    assert seed["sections"] == seed_expected["sections"]


def test_reporter_shown_twice_is_one_reporter(seed, seed_expected):
    assert [{k: r[k] for k in ("name", "url")} for r in seed["reporters"]] == seed_expected["reporters"]
    assert seed["reporters"][0]["email"] is None  # the page shows only "victorylba@": no guessing


def test_body_paragraphs(seed, seed_expected):
    assert seed["body"].split("\n\n") == seed_expected["body_paragraphs"]


@pytest.mark.parametrize("boilerplate", ["무단전재", "기자의 다른기사 보기", "Resized_20200708_115002",
                                         "document.write", "랭킹뉴스", "victorylba", "사진=", "\xa0"])
def test_body_has_no_boilerplate(seed, boilerplate):
    assert boilerplate not in seed["body"]


def test_photo_caption_and_credit(seed, seed_expected):
    (photo,) = seed["photos"]
    assert {k: photo[k] for k in ("url", "caption", "credit")} == seed_expected["photos"][0]
    assert photo["alt"] == "Resized_20200708_115002"


@pytest.mark.parametrize("name", ["ranking", "headline", "photo"])
def test_related_list(seed, seed_expected, name):
    want = [r for r in seed_expected["related"] if r["list"] == name]
    have = [r for r in seed["related"] if r["list"] == name]
    assert [(r["rank"], r["title"], r["url"]) for r in have] == [(r["rank"], r["title"], r["url"]) for r in want]
    for w, h in zip(want, have):
        assert (h["summary"] or "").startswith(w.get("summary_starts_with", ""))


def test_empty_realtime_box_is_no_list(seed):
    assert {r["list"] for r in seed["related"]} == {"ranking", "headline", "photo"}


def test_fields_come_from_the_profile(seed):
    assert seed["sources"]["title"] == "profile"
    assert seed["sources"]["published_at"] == "profile"
    assert seed["sources"]["body"] == "profile"


def test_raw_values_kept_beside_parsed_ones(seed):
    assert seed["raw"] == {"published_at": "2020-07-08 08:05", "modified_at": "2021-05-16 22:05",
                           "print_edition": "2020-07-09 8면"}


def test_json_has_every_contract_key(seed):
    from newscrawl.items import ARTICLE_FIELDS
    assert set(ARTICLE_FIELDS) <= set(seed)
    assert seed["complete"] is True


def test_extract_command_passes_check_article(tmp_path):
    result = run_newscrawl("extract", str(SEED_HTML), "--url", SEED_URL)
    assert result.returncode == 0, result.stderr
    out = tmp_path / "actual.json"
    out.write_text(result.stdout, encoding="utf-8")
    check = subprocess.run([sys.executable, str(TESTS / "check_article.py"),
                            str(SEED_HTML.with_suffix(".expected.json")), str(out)],
                           capture_output=True, text=True)
    assert check.returncode == 0, check.stdout
    assert check.stdout.strip().endswith("19 passed, 0 failed")
    assert json.loads(result.stdout)["fetched_at"] is None  # read from a file: never fetched
