"""Many sites in one run (``crawl --all``) and many workers on one frontier (``--cluster``).

Real parts: redis-server on a free port, the generated 중도일보 and an ND소프트 paper on
127.0.0.1, the coordinator and the workers as separate ``python -m newscrawl`` processes, and
the archives compared with a single-process crawl of the same sites. Waiting is on state
(the server's ``paused`` line, a lease in Redis, a process's exit), never on a sleep.
"""

from __future__ import annotations

import json
import os
import pickle
import signal
import subprocess
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
import sqlite_utils

from archive_checks import BROKEN_ARTICLES
from conftest import (ARTIFACTS, ARTICLES, FAST, PAUSE_AFTER, SPAN_DAYS, GeneratedPaper, GeneratedSite,
                      _site_copy, assert_one_line_error, now_kst, run_newscrawl, start_newscrawl)
from newscrawl.cluster.frontier import Result, SiteFrontier, Task, WorkerFrontier, connect, load_result
from newscrawl.policy.sitesfile import BadSitesFile, load_sites
from newscrawl.items import FetchFailure
from redisserver import RedisServer

#: The window of every crawl here: about 15 articles of each generated site.
SINCE = ("--since", "30d")
#: A lease this short makes a killed worker's page go to another worker within the test.
WORKER = ("-s", "NEWSCRAWL_CLUSTER_LEASE=2", "-s", "NEWSCRAWL_BACKOFF_BASE=0", "-s", "DOWNLOAD_TIMEOUT=60")


def sites_file(path: Path, *sites: tuple[str, str], extra: str = "", delays: tuple[float, ...] = ()) -> Path:
    """A sites file of ``(profile, base_url)`` entries, without politeness delays (a local
    server) unless ``delays`` gives them, in order."""
    delays = delays or (0,) * len(sites)
    tables = [f'[[sites]]\nprofile = "{profile}"\nbase_url = "{url}"\ndelay = {delay}\n'
              for (profile, url), delay in zip(sites, delays)]
    path.write_text("\n".join(tables) + extra, encoding="utf-8")
    return path


@pytest.fixture
def two_sites(tmp_path: Path) -> Iterator[tuple[GeneratedSite, GeneratedPaper]]:
    """The generated 중도일보 (holding article requests after PAUSE_AFTER until released) and
    an ND소프트 paper."""
    now = now_kst()
    joongdo = GeneratedSite(_site_copy(tmp_path / "joongdo"), now, ARTICLES, SPAN_DAYS,
                            "--pause-after", str(PAUSE_AFTER))
    paper = GeneratedPaper(tmp_path / "paper", now, "ndsoft")
    yield joongdo, paper
    joongdo.stop()
    paper.stop()


@pytest.fixture
def redis_server(tmp_path: Path) -> Iterator[RedisServer]:
    server = RedisServer(tmp_path / "redis")
    yield server
    server.stop()


class Workers:
    """``newscrawl worker`` processes, stopped at the end of the test however it ends."""

    def __init__(self, url: str):
        self.url = url
        self.processes: list[subprocess.Popen] = []

    def start(self, count: int, *settings: str) -> None:
        self.processes += [start_newscrawl("worker", "--cluster", self.url, "-q", *WORKER, *settings)
                           for _ in range(count)]

    def stop(self) -> None:
        for process in self.processes:
            if process.poll() is None:
                process.terminate()
            process.communicate(timeout=30)


@pytest.fixture
def workers(redis_server: RedisServer) -> Iterator[Workers]:
    started = Workers(redis_server.url)
    yield started
    started.stop()


def articles(db: Path) -> list[dict]:
    """What an archive holds, without the times and addresses that differ between two crawls."""
    return list(sqlite_utils.Database(db).query(
        "select site, article_id, title, published_at, content_hash, revision, complete from articles "
        "order by site, article_id"))


def failures(db: Path) -> list[tuple[str, str]]:
    rows = sqlite_utils.Database(db).query("select url, kind from failures")
    return sorted((row["url"], row["kind"]) for row in rows)


def stored_twice(db: Path) -> int:
    """Articles stored more than once (a second store of the same page moves last_fetched_at)."""
    return sqlite_utils.Database(db).execute(
        "select count(*) from articles where last_fetched_at != first_seen_at or revision != 1").fetchone()[0]


def gaps(site: GeneratedSite, path: str, first: int = 0) -> list[float]:
    """The times between the requests for ``path`` the site received after its ``first`` ones,
    in the order they came (seconds)."""
    times = sorted(r["at"] for r in site.requests()[first:] if r["path"].startswith(path))
    return [b - a for a, b in zip(times, times[1:])]


def mean(values: list[float]) -> float:
    return sum(values) / len(values)


def wait_until(condition, what: str, seconds: float = 30) -> object:
    """Poll ``condition`` until it returns something true; fail after ``seconds``."""
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        value = condition()
        if value:
            return value
        time.sleep(0.05)
    raise AssertionError(f"gave up waiting for {what}")


# -- the sites file ----------------------------------------------------------------------------

@pytest.mark.parametrize("text, message", [
    ('[[sites]]\nprofile = "joongdo"\nspeed = 3\n', "unknown key 'speed'"),
    ('[[sites]]\nprofile = "joongdo"\ndelay = "fast"\n', "delay must be a number of seconds"),
    ('[[sites]]\nbase_url = "http://x.example"\n', "no profile"),
    ('[[sites]]\nprofile = "ndsoft"\n', "give the site's address with --base-url"),
    ('[[sites]]\nprofile = "joongdo"\nsince = "yesterday-ish"\n', "site 1 (joongdo)"),
    ('[[sites]]\nprofile = "joongdo"\n[[sites]]\nprofile = "joongdo"\n', "joongdo is listed twice"),
    ('[[sites]\nprofile = "joongdo"\n', "is not a valid TOML file"),
    ('[settings]\nDOWNLOAD_DELAY = 1\n', "lists no sites"),
])
def test_a_mistake_in_the_sites_file_is_named(tmp_path: Path, text: str, message: str):
    path = tmp_path / "newscrawl.toml"
    path.write_text(text, encoding="utf-8")
    with pytest.raises(BadSitesFile, match=message.replace("(", r"\(").replace(")", r"\)")):
        load_sites(path)


def test_the_sites_file_sets_each_sites_politeness(tmp_path: Path):
    path = tmp_path / "newscrawl.toml"
    path.write_text('[[sites]]\nprofile = "joongdo"\ndelay = 1.5\nconcurrency = 1\n\n'
                    '[[sites]]\nprofile = "ndsoft"\nbase_url = "https://www.paper.example"\nenabled = false\n'
                    'sections = ["S1N2"]\nsettings = { RETRY_TIMES = 4 }\n', encoding="utf-8")
    joongdo, paper = load_sites(path)
    assert (joongdo.name, joongdo.enabled) == ("joongdo", True)
    assert joongdo.settings == {"DOWNLOAD_DELAY": 1.5, "CONCURRENT_REQUESTS_PER_DOMAIN": 1}
    assert (paper.name, paper.enabled, paper.sections, paper.settings) == (
        "paper.example", False, ("S1N2",), {"RETRY_TIMES": 4})


def test_crawl_all_without_a_sites_file_is_one_line(tmp_path: Path):
    result = run_newscrawl("crawl", "--all", "--sites", str(tmp_path / "missing.toml"), "--db", str(tmp_path / "n.db"))
    assert_one_line_error(result, "no sites file at")
    assert not (tmp_path / "n.db").exists()


def test_a_cluster_without_redis_is_one_line(tmp_path: Path, redis_server: RedisServer):
    redis_server.stop()  # its port, now with nothing listening
    result = run_newscrawl("crawl", "joongdo", "--db", str(tmp_path / "n.db"), "--cluster", redis_server.url)
    assert_one_line_error(result, f"cannot reach the cluster's Redis at {redis_server.url}")
    assert_one_line_error(run_newscrawl("worker", "--cluster", redis_server.url), "cannot reach the cluster's Redis")


# -- many sites, one process -----------------------------------------------------------------

def test_crawl_all_runs_every_site_and_a_dead_one_stops_none(tmp_path: Path, two_sites):
    joongdo, paper = two_sites
    joongdo.control("release")
    dead = "http://localhost:9"  # the discard port: nothing listens (localhost: another site name)
    path = sites_file(tmp_path / "newscrawl.toml", ("joongdo", joongdo.url), ("ndsoft", paper.url), delays=(0, 0.3),
                      extra=f'\n[[sites]]\nprofile = "generic"\nstart = "{dead}/"\n'
                            'settings = { NEWSCRAWL_GIVE_UP_AFTER = 2 }\n'
                            f'\n[[sites]]\nprofile = "ndsoft"\nbase_url = "http://127.0.0.2:9"\nenabled = false\n')
    db = tmp_path / "news.db"
    # the dead site gives up after 2 failures; the live ones keep the default (their 500s
    # and 404s on purpose must not stop them)
    result = run_newscrawl("crawl", "--all", "--sites", str(path), "--db", str(db), *SINCE, *FAST,
                           "-s", "RETRY_TIMES=0")
    assert result.returncode == 1, result.stderr[-3000:]
    lines = result.stdout.splitlines()
    assert lines[0] == "newscrawl crawl --all: 3 site(s), exit status 1"
    runs = {row["site"]: row for row in sqlite_utils.Database(db).query("select * from crawl_runs")}
    assert set(runs) == {"joongdo", "127.0.0.1", "localhost"}  # one run each, none for the disabled one
    assert runs["localhost"]["exit_status"] == 1
    assert runs["joongdo"]["exit_status"] == 0 and runs["joongdo"]["articles_new"] > 5
    assert runs["127.0.0.1"]["exit_status"] == 0 and runs["127.0.0.1"]["articles_new"] > 5
    assert any(line.split()[:1] == ["joongdo"] and line.split()[2] == "0" for line in lines), result.stdout
    assert "PROBLEMS:" in result.stdout
    stored = {row["site"] for row in articles(db)}
    assert stored == {"joongdo", "127.0.0.1"}
    # each site polite on its own: the paper's 0.3 s delay (Scrapy randomises it to 0.5-1.5
    # times) keeps its article requests apart; 중도일보's, without a delay, come closer
    assert mean(gaps(paper, "/news/articleView.html")) >= 0.3 * 0.75
    assert min(gaps(joongdo, "/web/view.php")) < 0.3 * 0.5


# -- many workers, one frontier, one archive ---------------------------------------------------

def test_three_workers_store_what_one_process_stores(tmp_path: Path, two_sites, redis_server: RedisServer,
                                                    workers: Workers):
    joongdo, paper = two_sites
    joongdo.control("release")
    path = sites_file(tmp_path / "newscrawl.toml", ("joongdo", joongdo.url), ("ndsoft", paper.url))
    single, cluster = tmp_path / "single.db", tmp_path / "cluster.db"
    assert run_newscrawl("crawl", "--all", "--sites", str(path), "--db", str(single), *SINCE, *FAST).returncode == 0
    workers.start(3)
    result = run_newscrawl("crawl", "--all", "--sites", str(path), "--db", str(cluster), *SINCE, *FAST,
                           "--cluster", redis_server.url)
    assert result.returncode == 0, result.stdout + result.stderr[-3000:]
    assert articles(cluster) == articles(single)
    assert len(articles(cluster)) > 20
    assert failures(cluster) == failures(single)
    assert stored_twice(cluster) == 0
    assert list(sqlite_utils.Database(cluster).query(BROKEN_ARTICLES)) == []
    runs = list(sqlite_utils.Database(cluster).query("select site, articles_new, pages_fetched from crawl_runs"))
    assert {run["site"]: run["articles_new"] for run in runs} == {
        run["site"]: run["articles_new"] for run in sqlite_utils.Database(single).query("select * from crawl_runs")}
    # nothing left behind in the frontier
    client = redis_server.client()
    assert [client.hlen(f"newscrawl:{site}:tasks") for site in ("joongdo", "127.0.0.1")] == [0, 0]


def test_one_sites_rate_is_shared_by_all_workers(tmp_path: Path, two_sites, redis_server: RedisServer,
                                                 workers: Workers):
    """Politeness across workers: with 3 workers, article requests to a site with a 0.4 s
    delay come at most one per 0.4 s over the run (and, control, faster without the delay)."""
    joongdo, _paper = two_sites
    joongdo.control("release")
    workers.start(3)
    between = {}
    for delay in ("0.4", "0"):
        db = tmp_path / f"news-{delay}.db"
        first = len(joongdo.requests())
        result = run_newscrawl("crawl", "joongdo", "--base-url", joongdo.url, "--db", str(db), *SINCE, *FAST,
                               "-s", f"DOWNLOAD_DELAY={delay}", "-s", "CONCURRENT_REQUESTS_PER_DOMAIN=4",
                               "--cluster", redis_server.url)
        assert result.returncode == 0, result.stderr[-3000:]
        between[delay] = gaps(joongdo, "/web/view.php", first)
        assert len(between[delay]) >= 10
    # Each request takes the site's turn before it is sent; a busy worker may send it a little
    # late, so two can arrive closer than the delay, but never at a higher rate over the run.
    assert mean(between["0.4"]) >= 0.4 * 0.95 and min(between["0.4"]) >= 0.4 * 0.6, between
    assert mean(between["0"]) < 0.2 and min(between["0"]) < 0.2, between  # control


def test_kills_and_restarts_lose_nothing_and_store_nothing_twice(tmp_path: Path, two_sites,
                                                                 redis_server: RedisServer, workers: Workers):
    """kill -9 a worker mid-page (it never comes back), kill -9 the coordinator, restart
    Redis, start the coordinator again: every article ends stored once, as one process stores it."""
    joongdo, paper = two_sites
    path = sites_file(tmp_path / "newscrawl.toml", ("joongdo", joongdo.url), ("ndsoft", paper.url))
    cluster, single = tmp_path / "cluster.db", tmp_path / "single.db"
    command = ("crawl", "--all", "--sites", str(path), "--db", str(cluster), *SINCE, *FAST, "-s",
               "DOWNLOAD_TIMEOUT=60", "--cluster", redis_server.url)
    workers.start(3)
    coordinator = start_newscrawl(*command)
    joongdo.wait_for("paused")  # article requests are held by the server: workers are mid-page
    client = redis_server.client()
    holder = wait_until(lambda: client.hvals("newscrawl:joongdo:holders"), "a leased joongdo page")[0]
    victim = int(holder.rsplit(":", 1)[1])
    assert victim in [process.pid for process in workers.processes]
    os.kill(victim, signal.SIGKILL)
    coordinator.kill()
    coordinator.communicate(timeout=30)
    redis_server.restart()
    assert redis_server.client().hlen("newscrawl:joongdo:tasks") > 0  # the frontier outlived the restart
    coordinator = start_newscrawl(*command)
    joongdo.control("release")
    out, err = coordinator.communicate(timeout=120)
    assert coordinator.returncode == 0, out + err[-3000:]
    assert run_newscrawl("crawl", "--all", "--sites", str(path), "--db", str(single), *SINCE, *FAST).returncode == 0
    expected, stored = articles(single), articles(cluster)
    report = {"articles expected": len(expected), "stored": len(stored),
              "stored twice": stored_twice(cluster),
              "missing": len({(a["site"], a["article_id"]) for a in expected}
                             - {(a["site"], a["article_id"]) for a in stored})}
    ARTIFACTS.mkdir(exist_ok=True)
    (ARTIFACTS / "cluster-kills.json").write_text(json.dumps(report, indent=2), encoding="utf-8")
    assert stored == expected, report
    assert report["stored twice"] == 0 and report["missing"] == 0
    assert failures(cluster) == failures(single)
    assert list(sqlite_utils.Database(cluster).query(BROKEN_ARTICLES)) == []


def test_a_frontier_that_lost_its_data_is_reconciled(tmp_path: Path, two_sites, redis_server: RedisServer,
                                                    workers: Workers):
    """Redis loses everything (FLUSHALL: a replaced disk, a Redis without its file) after the
    coordinator planned: before ending the run, it queues again what is neither stored nor queued."""
    _joongdo, paper = two_sites
    db, single = tmp_path / "cluster.db", tmp_path / "single.db"
    crawl = ("crawl", "ndsoft", "--base-url", paper.url, *SINCE, *FAST)
    coordinator = start_newscrawl(*crawl, "--db", str(db), "--cluster", redis_server.url)
    client = redis_server.client()
    wait_until(lambda: client.hlen("newscrawl:127.0.0.1:tasks") >= 10, "the coordinator's plan")
    client.flushall()
    workers.start(2)
    out, err = coordinator.communicate(timeout=90)
    assert coordinator.returncode == 0, out + err[-3000:]
    assert "Reconciling: " in err
    assert run_newscrawl(*crawl, "--db", str(single)).returncode == 0
    assert articles(db) == articles(single) and len(articles(db)) > 10
    assert failures(db) == failures(single)


def test_only_a_workers_result_is_read_back():
    """What the coordinator stores must be a worker's Result; anything else is refused (and
    recorded as a failure of the article by the coordinator, see ClusterCoordinator._load)."""
    article_failure = FetchFailure(url="http://x.example/a", error="HTTP 404", site="x.example")
    assert load_result(pickle.dumps(Result(article_failure))).item == article_failure
    with pytest.raises(TypeError, match="not a worker's result: dict"):
        load_result(pickle.dumps({"item": article_failure}))


def test_a_stopping_worker_gives_its_tasks_back_at_once(redis_server: RedisServer):
    """Leased tasks come back to the queue when a worker gives them up (SIGTERM, systemctl
    stop), not only when their leases run out: another worker takes them at once."""
    site = SiteFrontier(connect(redis_server.url), "paper.example")
    site.register(delay=0, concurrency=2)
    for number in (1, 2, 3):
        site.push(Task(site="paper.example", key=str(number), url=f"http://paper.example/{number}", profile="ndsoft"))
    stopping = WorkerFrontier(connect(redis_server.url), "stopping", lease_seconds=600)
    other = WorkerFrontier(connect(redis_server.url), "other", lease_seconds=600)
    taken = stopping.lease(1) + stopping.lease(1)
    assert [task.key for task in taken] == ["1", "2"]
    assert other.lease(1) == []  # the site's concurrency (2) is taken by the stopping worker
    stopping.release(taken)
    assert [other.lease(1)[0].key for _ in range(2)] == ["2", "1"]  # given back to the front of the queue
    assert site.outstanding() == {"1", "2", "3"}
