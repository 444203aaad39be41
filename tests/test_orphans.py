"""No orphans (issue 10): a `kill -9` of a crawl with extraction workers takes its workers and
multiprocessing's resource tracker with it (they used to run on for minutes)."""

from __future__ import annotations

import os
import select
import signal
from pathlib import Path

from conftest import crawl_args, start_newscrawl
from test_crawl import SINCE
from test_crawl_resume import wait_for_log


def children(pid: int) -> set[int]:
    """The processes whose parent is ``pid`` (from /proc)."""
    found = set()
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            fields = stat.read_text().rsplit(")", 1)[1].split()
        except OSError:  # gone meanwhile
            continue
        if int(fields[1]) == pid:
            found.add(int(stat.parent.name))
    return found


def wait_gone(pid: int, timeout: float) -> bool:
    """True once process ``pid`` has ended (a pidfd becomes readable), False if it still runs
    after ``timeout`` seconds: an event to wait for, not a sleep."""
    try:
        pidfd = os.pidfd_open(pid)
    except ProcessLookupError:
        return True
    try:
        return bool(select.select([pidfd], [], [], timeout)[0])
    finally:
        os.close(pidfd)


def test_kill_9_of_the_crawl_leaves_no_worker_behind(paused_site, tmp_path):
    crawl = start_newscrawl(*crawl_args(paused_site, tmp_path / "news.db", "--since", SINCE,
                                        "-s", "NEWSCRAWL_EXTRACT_WORKERS=2", "-s", "LOG_LEVEL=DEBUG"))
    try:
        paused_site.wait_for("paused")
        wait_for_log(crawl, "Scraped from")  # an article went through a worker: the pool runs
        spawned = children(crawl.pid)
        assert len(spawned) >= 3  # two workers and the resource tracker
        crawl.send_signal(signal.SIGKILL)
        crawl.wait(timeout=30)
        survivors = [pid for pid in spawned if not wait_gone(pid, timeout=30)]
        assert survivors == []
    finally:
        if crawl.poll() is None:
            crawl.kill()
        crawl.stderr.close()
        crawl.stdout.close()
