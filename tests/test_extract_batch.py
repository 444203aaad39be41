"""`newscrawl extract` over many saved pages: files, `-` (standard input), `--input-dir`, the
formats json, jsonl, txt and markdown, `--parallel`; exit 0 only when every page was read."""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from conftest import ENV, GENERIC_DIR, JOONGDO, NDSOFT_DIR, SEED_HTML, SEED_URL

#: Saved article pages that name their own URL, and the title each holds.
PAGES = {
    "a-joongdo.html": SEED_HTML,
    "b-ndsoft.htm": NDSOFT_DIR / "articleView-21457.html",
    "c-generic.html": GENERIC_DIR / "chungnam-today-1234.html",
}


def titles() -> list[str]:
    seed = json.loads((JOONGDO / "view-20200708010002304.expected.json").read_text(encoding="utf-8"))
    ndsoft = json.loads((NDSOFT_DIR / "articleView-21457.expected.json").read_text(encoding="utf-8"))
    return [seed["title"], ndsoft["title"]]


def extract(*args: str, stdin: bytes | None = None) -> subprocess.CompletedProcess:
    result = subprocess.run([sys.executable, "-m", "newscrawl", "extract", *args], env=ENV, input=stdin,
                            capture_output=True, timeout=120)
    return subprocess.CompletedProcess(result.args, result.returncode, result.stdout.decode("utf-8"),
                                       result.stderr.decode("utf-8"))


@pytest.fixture
def saved(tmp_path: Path) -> Path:
    """A folder of saved pages, with the styles and images a saved site holds beside them."""
    folder = tmp_path / "saved"
    (folder / "sub").mkdir(parents=True)
    for name, source in PAGES.items():
        shutil.copy(source, folder / ("sub" if name.startswith("c") else "") / name)
    (folder / "style.css").write_text("body {}")
    (folder / "logo.png").write_bytes(b"\x89PNG\r\n")
    return folder


def test_a_folder_as_json_is_an_array_of_its_articles_in_order(saved):
    result = extract("--input-dir", str(saved))
    assert result.returncode == 0, result.stderr
    articles = json.loads(result.stdout)
    assert [a["title"] for a in articles][:2] == titles()
    assert [a["profile"] for a in articles] == ["joongdo", "ndsoft", "generic"]
    assert articles[2]["title"] and articles[2]["body"]


def test_a_folder_as_jsonl_is_one_article_a_line(saved):
    result = extract("--input-dir", str(saved), "--format", "jsonl")
    assert result.returncode == 0, result.stderr
    assert [json.loads(line)["title"] for line in result.stdout.splitlines()][:2] == titles()
    assert len(result.stdout.splitlines()) == 3


def test_a_folder_as_text_is_title_and_body_of_each(saved):
    result = extract("--input-dir", str(saved), "--format", "txt")
    assert result.returncode == 0, result.stderr
    documents = result.stdout.split("\f\n")
    assert len(documents) == 3
    assert [document.split("\n")[0] for document in documents][:2] == titles()
    assert "세종시가 8일 서울 더케이호텔에서" in documents[0] and "{" not in documents[0]


def test_a_folder_as_markdown_is_a_document_per_article(saved):
    result = extract("--input-dir", str(saved), "--format", "markdown")
    assert result.returncode == 0, result.stderr
    headings = [line[2:] for line in result.stdout.splitlines() if line.startswith("# ")]
    assert headings[:2] == titles() and len(headings) == 3
    assert f"<{SEED_URL}>" in result.stdout
    assert "![" in result.stdout  # the photos, with their captions


def test_parallel_workers_keep_the_input_order(saved):
    one = extract("--input-dir", str(saved), "--format", "jsonl")
    two = extract("--input-dir", str(saved), "--format", "jsonl", "--parallel", "2")
    assert two.returncode == 0, two.stderr
    assert two.stdout == one.stdout


def test_standard_input_is_read_with_a_dash():
    result = extract("-", "--url", SEED_URL, stdin=SEED_HTML.read_bytes())
    assert result.returncode == 0, result.stderr
    assert json.loads(result.stdout)["title"] == titles()[0]


def test_a_refused_page_is_a_line_naming_it_and_the_status_is_1(saved):
    refused = saved / "zz-missing.html"
    shutil.copy(JOONGDO / "view-missing.html", refused)
    result = extract(str(SEED_HTML), "--input-dir", str(saved), "--format", "jsonl")
    assert result.returncode == 1
    assert len(result.stdout.splitlines()) == 4  # the pages that are articles are still printed
    assert f"newscrawl: error: {refused}: the page names no URL of its own" in result.stderr
    assert "1 of 5 pages were not read as articles" in result.stderr


def test_url_is_for_one_page_only(saved):
    result = extract("--input-dir", str(saved), "--url", SEED_URL)
    assert result.returncode == 2 and "--url names one page's address" in result.stderr


def test_no_pages_is_a_usage_error_and_an_empty_folder_an_error(tmp_path):
    assert extract().returncode == 2
    assert extract("-", "-").returncode == 2
    result = extract("--input-dir", str(tmp_path))
    assert result.returncode == 1 and f"{tmp_path}: no saved pages there" in result.stderr
