"""`newscrawl sites`: every profile, how a URL finds it, and the generic fallback."""

from __future__ import annotations

import subprocess
import sys

import pytest

from conftest import TESTS, run_newscrawl
from newscrawl.sites import GENERIC, JOONGDO, NDSOFT, PROFILES, get_profile, resolve_profile


def test_sites_lists_every_profile_and_how_it_matches():
    result = run_newscrawl("sites")
    assert result.returncode == 0, result.stderr
    names = [line.split()[0] for line in result.stdout.splitlines() if not line.startswith(" ")]
    assert names == list(PROFILES) == ["joongdo", "ndsoft", "generic"]
    assert "hosts joongdo.co.kr" in result.stdout and "/web/view.php?key=KEY" in result.stdout
    assert "any host with article URLs /news/articleView.html?idxno=KEY" in result.stdout
    assert "#article-view-content-div" in result.stdout
    assert "any other http(s) URL" in result.stdout


@pytest.mark.parametrize("url, name", [
    ("http://www.joongdo.co.kr/web/view.php?key=20200708010002304", "joongdo"),
    ("https://m.joongdo.co.kr/view.php?key=1", "joongdo"),
    ("https://www.ggilbo.example/news/articleView.html?idxno=1066391", "ndsoft"),
    ("https://news.example.org/2024/05/01/a.html", "generic"),
])
def test_sites_names_the_profile_for_a_url(url, name):
    result = run_newscrawl("sites", url)
    assert result.returncode == 0, result.stderr
    assert result.stdout.splitlines()[0] == name


def test_resolution_order():
    assert resolve_profile("http://www.joongdo.co.kr/news/articleView.html?idxno=1") is JOONGDO  # domain first
    assert resolve_profile("http://paper.example/news/articleView.html?idxno=1") is NDSOFT
    assert resolve_profile("http://paper.example/") is GENERIC
    assert GENERIC.article_id("http://paper.example/") is None  # a home page is no article
    assert GENERIC.article_id("http://paper.example/a/1.html?") == "/a/1.html"
    assert GENERIC.article_id("http://paper.example/?p=12") == "/?p=12"


def test_an_unknown_profile_name_lists_the_known_ones():
    result = run_newscrawl("extract", str(TESTS / "fixtures" / "joongdo" / "view-missing.html"), "--site", "nope",
                           "--url", "http://x.example/a")
    assert result.returncode == 1
    assert "no site profile named 'nope' (known: generic, joongdo, ndsoft)" in result.stderr
    assert get_profile("ndsoft") is NDSOFT


def test_every_profile_has_a_spider():
    result = subprocess.run([sys.executable, "-m", "scrapy", "list"], cwd=TESTS.parent, capture_output=True,
                            text=True)
    assert result.returncode == 0, result.stderr
    # one spider per profile, and the cluster's worker (which serves them all)
    assert result.stdout.split() == sorted([*PROFILES, "cluster-worker"])
