"""Where a redirect may lead (issue 10): never inside (private, loopback, link-local) from a
public site, never off the site or to another port; each refusal is a failure naming the
target, decided before any request is made there.

To have a *public* start URL without the network, ``fetch`` runs with the mock server as its
HTTP proxy: ``http://news.example.org/redirect-to?url=…`` reaches the mock server, which
answers with the redirect. A refused target is never requested, through the proxy or not.
"""

from __future__ import annotations

import subprocess
import sys
from urllib.parse import quote

import pytest
import sqlite_utils

from conftest import ENV, assert_one_line_error, crawl_args, run_newscrawl
from faultserver import Fault
from newscrawl.middlewares.redirect import refusal

ARTICLE = "/files/generic/chungnam-today-1234.html"
PUBLIC = "http://news.example.org"


def fetch_through(proxy: str, url: str, *args: str) -> subprocess.CompletedProcess:
    """``newscrawl fetch URL`` with every request sent through the HTTP proxy ``proxy``."""
    env = {**ENV, "http_proxy": proxy, "no_proxy": ""}
    return subprocess.run([sys.executable, "-m", "newscrawl", "fetch", url, "--no-store", "--timeout", "10",
                           "-s", "DOWNLOAD_DELAY=0", "-s", "AUTOTHROTTLE_START_DELAY=0", *args],
                          env=env, capture_output=True, text=True, timeout=120)


def redirect(base: str, target: str) -> str:
    return f"{base}/redirect-to?url={quote(target, safe='')}"


@pytest.mark.parametrize("target", ["http://169.254.169.254/latest/meta-data/", "http://10.0.0.1/admin",
                                    "http://127.0.0.2/x", "http://localhost:8080/x"])
def test_a_public_site_cannot_redirect_fetch_inside(fixtures_site, target):
    result = fetch_through(fixtures_site.url, redirect(PUBLIC, target))
    assert_one_line_error(result, f"redirect to a private, loopback or link-local address refused: {target}")


def test_control_a_public_site_may_redirect_within_itself(fixtures_site):
    result = fetch_through(fixtures_site.url, redirect(PUBLIC, f"{PUBLIC}{ARTICLE}"), "--json")
    assert result.returncode == 0, result.stderr
    assert '"site": "news.example.org"' in result.stdout


def test_a_loopback_start_url_may_redirect_on_its_own_host(fixtures_site):
    # How the tests' 127.0.0.1 servers work: the start URL is itself loopback.
    result = run_newscrawl("fetch", redirect(fixtures_site.url, f"{fixtures_site.url}{ARTICLE}"), "--no-store",
                           "--timeout", "10", "-s", "DOWNLOAD_DELAY=0")
    assert result.returncode == 0, result.stderr


def test_a_redirect_to_another_port_is_refused(fixtures_site):
    result = run_newscrawl("fetch", redirect(fixtures_site.url, f"http://127.0.0.1:9{ARTICLE}"), "--no-store",
                           "--timeout", "10", "-s", "DOWNLOAD_DELAY=0")
    assert_one_line_error(result, f"redirect to another port refused: http://127.0.0.1:9{ARTICLE}")


@pytest.mark.parametrize(("origin", "target", "allowed"), [
    ("http://paper.kr/a", "https://www.paper.kr/a", ["paper.kr"]),  # http -> https, www: the same site
    ("http://127.0.0.1:8000/a", "http://127.0.0.1:8000/b", ["127.0.0.1"]),
])
def test_redirects_that_stay_on_the_site_are_followed(origin, target, allowed):
    assert refusal(origin, target, allowed) is None


def test_a_crawl_records_each_refused_redirect_with_its_target(faulty_site_factory, tmp_path):
    site = faulty_site_factory("site", 10, 10, [Fault(0, "redirect-offsite"), Fault(1, "redirect-port"),
                                                 Fault(2, "redirect-internal")])
    db = tmp_path / "news.db"
    result = run_newscrawl(*crawl_args(site, db, "--since", "10d"))
    failures = {row["url"].split("key=")[1]: row["error"] for row in sqlite_utils.Database(db)["failures"].rows}
    keys = [a.key for a in site.articles]
    assert failures[keys[0]] == f"off-site redirect refused: http://offsite.invalid/web/view.php?key={keys[0]}"
    assert failures[keys[1]] == f"redirect to another port refused: http://127.0.0.1:9/web/view.php?key={keys[1]}"
    assert failures[keys[2]] == "off-site redirect refused: http://169.254.169.254/latest/meta-data/"
    (run,) = sqlite_utils.Database(db)["crawl_runs"].rows
    assert run["articles_failed"] >= 3
    assert "off-site redirect refused" in result.stdout  # in the summary's list of failures
