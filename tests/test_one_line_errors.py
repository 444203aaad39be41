"""Every argument and file error of issue 10 is one line on stderr and exit status 1, never a
traceback (and never a crawl of nothing that "finished, exit status 0"). The `--db` cases are
in test_paths.py."""

from __future__ import annotations

import json
import os

import pytest

from conftest import assert_one_line_error, run_newscrawl

LONG_URL = "http://" + "a" * 10_000 + ".kr"


@pytest.mark.parametrize(("args", "message"), [
    (("fetch", "http://[::1/x"), "not a valid URL: 'http://[::1/x'"),
    (("fetch", "http://127.0.0.1:9/x", "--timeout", "-5"), "--timeout must be a positive number of seconds, not -5"),
    (("fetch", "http://127.0.0.1:9/x", "--timeout", "0"), "--timeout must be a positive number of seconds, not 0"),
    (("fetch", "http://127.0.0.1:9/x", "-s", "DOWNLOAD_DELAY=abc"), "DOWNLOAD_DELAY must be a number (default: 0.5)"),
    (("crawl", "joongdo", "--since", "99999999999d"), "'99999999999d' reaches back before the year 1"),
    (("crawl", "joongdo", "-s", "DOWNLOAD_DELAY=abc"), "-s DOWNLOAD_DELAY=abc: DOWNLOAD_DELAY must be a number"),
    (("crawl", "joongdo", "-s", "CONCURRENT_REQUESTS=many"), "CONCURRENT_REQUESTS must be a number (default: 8)"),
    (("crawl", "joongdo", "-s", "ROBOTSTXT_OBEY=perhaps"), "ROBOTSTXT_OBEY must be true or false"),
    (("crawl", "ndsoft", "--base-url", "file:///etc"), "--base-url must be an http(s) URL, not 'file:///etc'"),
    (("crawl", "joongdo", "--base-url", "http://[::1/x"), "--base-url must be an http(s) URL"),
    (("crawl", "ndsoft", "--base-url", LONG_URL), "--base-url is too long"),
    (("crawl", "--generic", "--start", LONG_URL), "--start is too long"),
])
def test_bad_arguments_are_one_line(args, message, tmp_path):
    result = run_newscrawl(*args, "--db", str(tmp_path / "news.db"))
    assert_one_line_error(result, message)
    assert list(tmp_path.iterdir()) == []  # nothing created, nothing crawled


def test_extract_of_a_fifo_is_refused_instead_of_blocking(tmp_path):
    fifo = tmp_path / "page.html"
    os.mkfifo(fifo)
    assert_one_line_error(run_newscrawl("extract", str(fifo), "--url", "http://a.example/x", timeout=60),
                          "page.html: not a regular file")


def test_a_latin1_page_without_a_charset_is_read_as_windows_1252(tmp_path):
    title = "Élection à Montréal : les électeurs déçus"
    paragraph = ("<p>Les électeurs québécois ont été très déçus après l'élection, à cause des problèmes "
                 "récurrents. Où étaient les députés élus ? Ça a été évoqué à maintes reprises.</p>")
    page = tmp_path / "page.html"
    page.write_bytes((f'<html><head><title>{title}</title><meta property="article:published_time" '
                      f'content="2024-05-01T10:00:00+09:00"></head><body><h1>{title}</h1>{paragraph * 8}'
                      "</body></html>").encode("latin-1"))
    result = run_newscrawl("extract", str(page), "--url", "http://news.example.org/a.html",
                           "--content-type", "text/html")
    assert result.returncode == 0, result.stderr
    assert json.loads(result.stdout)["title"] == title


def test_fetch_timeout_bounds_the_whole_fetch(mock_site, tmp_path):
    # /hang never answers: the fetch ends when its --timeout budget does (retries and their
    # back-off used to run on past it: 52.8 s for --timeout 5), with a line saying so.
    result = run_newscrawl("fetch", f"{mock_site.url}/hang", "--timeout", "2", "--no-store")
    assert_one_line_error(result, "timed out: no article within 2 s (--timeout)")
