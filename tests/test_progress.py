"""Progress a person can read, and a log made for people: a live bar on a terminal, the
progress line elsewhere, `-q` for cron (only what needs action, and the summary), no Scrapy
dump unless `-v`, and every time in Asia/Seoul."""

from __future__ import annotations

import fcntl
import os
import re
import struct
import subprocess
import sys
import termios

from conftest import ENV, crawl_args, run_newscrawl
from test_crawl import SINCE, runs

#: A log line's time: ISO 8601 in Asia/Seoul, as the summary writes them.
SEOUL_TIME = re.compile(r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\+09:00 \[")
BAR = re.compile(r"joongdo: (\d+)/(\d+|\?) articles \|")


def run_on_a_terminal(args: list[str]) -> tuple[int, str]:
    """``python -m newscrawl ARGS`` with its stderr on a pseudo-terminal 120 columns wide, as
    a person at a terminal runs it; returns the exit status and what the terminal showed."""
    controller, terminal = os.openpty()
    fcntl.ioctl(terminal, termios.TIOCSWINSZ, struct.pack("HHHH", 40, 120, 0, 0))
    process = subprocess.Popen([sys.executable, "-m", "newscrawl", *args], env=ENV, stdout=subprocess.DEVNULL,
                               stderr=terminal)
    os.close(terminal)
    shown = bytearray()
    while chunk := _read(controller):
        shown += chunk
    os.close(controller)
    return process.wait(timeout=60), shown.decode("utf-8", errors="replace")


def _read(fd: int) -> bytes:
    try:
        return os.read(fd, 65536)
    except OSError:  # the terminal closed with the process
        return b""


def test_a_terminal_shows_a_live_bar_that_ends_with_every_article_done(generated_site, tmp_path):
    db_path = tmp_path / "news.db"
    status, shown = run_on_a_terminal(crawl_args(generated_site, db_path, "--since", SINCE))
    assert status == 0, shown
    bars = BAR.findall(shown)
    assert bars, shown
    done, total = bars[-1]
    (run,) = runs(db_path)
    assert done == total and int(total) >= run["articles_new"] + run["articles_failed"] > 0
    assert "100%" in shown
    # the log is printed above the bar, each line whole
    assert re.search(r"(^|[\r\n])\S*\d{4}-\d\d-\d\dT[\d:]+\+09:00 \[joongdo\] INFO: Crawling ", shown)
    assert "progress: " not in shown  # the bar, not the lines


def test_the_default_log_has_no_scrapy_dump_and_seoul_times(generated_site, tmp_path):
    result = run_newscrawl(*crawl_args(generated_site, tmp_path / "news.db", "--since", SINCE))
    assert result.returncode == 0, result.stderr
    for dump in ("Overridden settings", "Enabled extensions", "Enabled item pipelines", "Dumping Scrapy stats",
                 "Disabled ", "Versions:"):
        assert dump not in result.stderr
    lines = [line for line in result.stderr.splitlines() if re.match(r"^\d{4}-", line)]
    assert lines and all(SEOUL_TIME.match(line) for line in lines), result.stderr
    verbose = run_newscrawl(*crawl_args(generated_site, tmp_path / "verbose.db", "--since", SINCE, "-v"))
    assert verbose.returncode == 0, verbose.stderr
    assert "Overridden settings" in verbose.stderr and "Dumping Scrapy stats" in verbose.stderr


def test_a_quiet_run_prints_only_the_summary_when_nothing_needs_action(generated_site, tmp_path):
    result = run_newscrawl(*crawl_args(generated_site, tmp_path / "news.db", "--since", SINCE, "-q"))
    assert result.returncode == 0, result.stderr
    assert result.stderr == ""
    # the pages that failed are in the summary, not one log line each
    assert "failures recorded by this run" in result.stdout and "HTTP 404 from" in result.stdout
    noisy = run_newscrawl(*crawl_args(generated_site, tmp_path / "noisy.db", "--since", SINCE))
    assert "WARNING: Failed " in noisy.stderr and "HTTP 404 from" in noisy.stderr


def test_a_quiet_run_still_warns_of_what_needs_action(generated_site, tmp_path):
    generated_site.control("drift", on="1")  # article pages lose their dates: the layout changed
    result = run_newscrawl(*crawl_args(generated_site, tmp_path / "news.db", "--since", SINCE, "-q"))
    assert result.returncode == 1
    assert "!!! newscrawl run 1: layout drift" in result.stderr
    assert "WARNING: Failed " not in result.stderr
