"""The cluster: articles/s with 1, 2 and 4 workers on one frontier, and the writer's ceiling.

Several generated ND소프트 papers (``tests/mockpapers.py``), each on its own loopback address
(127.0.0.2, 127.0.0.3, … so each is a site of its own), answer every request after
``latency`` seconds, like a server far away. Each site is crawled politely: one request per
``delay`` seconds and ``concurrency`` at a time, shared by all workers through Redis. The same
sites (started afresh each time) are crawled into a fresh archive by one coordinator and 1,
2, 4 workers in turn; the
rate is measured between 10 % and 75 % of the articles stored (the archive is read while the
coordinator writes it), so discovery and the end of the run do not count. Beside it: the
sites' politeness ceiling (sites / delay), and the workers' CPU per article.

The writer's ceiling is measured on its own: the articles of the last run, as workers hand
them back (pickled results in a Redis stream), stored into a fresh archive by the
coordinator's own calls (read the stream, check the task, store through the archive
pipeline, acknowledge), as fast as it can. Scrapy's signal dispatch around each item is not
in it; the rows say so.
"""

from __future__ import annotations

import dataclasses
import subprocess
import time
from contextlib import ExitStack
from pathlib import Path

import sqlite_utils

from newscrawl.archive import open_archive
from newscrawl.archive.pages import load_page
from newscrawl.cluster.frontier import Result, SiteFrontier, Task, WorkerFrontier, connect, load_result
from newscrawl.pipelines import ArchivePipeline
from newscrawl.reading import read_page
from newscrawl.run import project_settings

from . import measure
from .generators import MOCKPAPERS, redisserver
from .report import Row
from .sizes import ClusterSize


#: The rate is measured between these shares of the articles stored (a tenth of the generated
#: articles misbehave: gone, broken, disallowed, so the top mark stays below 90 %).
LOW, HIGH = 0.1, 0.75


def run(workdir: Path, size: ClusterSize) -> list[Row]:
    workdir.mkdir(parents=True, exist_ok=True)
    with ExitStack() as stack:
        server = redisserver.RedisServer(workdir / "redis")
        stack.callback(server.stop)
        runs = [_crawl(workdir, server.url, workers, size) for workers in size.workers]
        writer = _writer_ceiling(workdir, server.url, workdir / f"cluster-{size.workers[-1]}.db", size.writer_articles)
    ceiling = size.sites / size.delay
    first = runs[0]
    rows = [Row("cluster", f"articles/s, {first['workers']} worker(s)", first["rate"], "politeness ceiling", ceiling,
                first["rate"] / ceiling, "", None, note=_note(first))]
    rows += [Row("cluster", f"articles/s, {result['workers']} worker(s)", result["rate"],
                 f"{first['workers']} worker(s)", first["rate"], result["rate"] / first["rate"], "", None,
                 note=_note(result)) for result in runs[1:]]
    rows.append(Row("cluster", "writer: articles/s stored", writer, "politeness ceiling", ceiling,
                    writer / ceiling, "", None,
                    note="the coordinator's store path alone (stream read, store, acknowledge), "
                         "without Scrapy's signal dispatch"))
    return rows


def _note(result: dict) -> str:
    return (f"{result['workers']} worker(s) of {result['concurrency']} requests in flight: {result['articles']} "
            f"articles stored, {result['cpu_ms']:.1f} ms of worker CPU per article, the coordinator "
            f"busy {result['writer_busy']:.0%} of a core")


def _paper(workdir: Path, number: int, size: ClusterSize) -> list[str]:
    root = workdir / f"paper-{number}"
    root.mkdir(exist_ok=True)
    return measure.python(str(MOCKPAPERS), "--kind", "ndsoft", "--root", str(root), "--generate",
                          str(size.articles), "--span-days", str(size.articles), "--host", f"127.0.0.{number + 2}",
                          "--latency", str(size.latency))


def _sites_file(path: Path, urls: list[str], size: ClusterSize) -> Path:
    path.write_text("".join(f'[[sites]]\nprofile = "ndsoft"\nbase_url = "{url}"\ndelay = {size.delay}\n'
                            f"concurrency = {size.concurrency}\n\n" for url in urls), encoding="utf-8")
    return path


def _crawl(workdir: Path, redis_url: str, workers: int, size: ClusterSize) -> dict:
    """One crawl of fresh sites (the mock papers remember which pages failed before) by ``workers``."""
    db = workdir / f"cluster-{workers}.db"
    for stale in workdir.glob(f"{db.name}*"):
        subprocess.run(["rm", "-rf", str(stale)], check=True)
    expected = size.sites * size.articles
    with ExitStack() as stack:
        urls = [stack.enter_context(measure.server(_paper(workdir, n, size)))[0] for n in range(size.sites)]
        sites_file = _sites_file(workdir / "sites.toml", urls, size)
        pids = [stack.enter_context(measure.background(
            measure.python("-m", "newscrawl", "worker", "--cluster", redis_url, "-q",
                           "-s", f"CONCURRENT_REQUESTS={size.worker_concurrency}"))) for _ in range(workers)]
        coordinator = subprocess.Popen(
            measure.python("-m", "newscrawl", "crawl", "--all", "--sites", str(sites_file), "--db", str(db),
                           "--since", f"{size.articles + 2}d", "--cluster", redis_url, "-q",
                           "-s", "AUTOTHROTTLE_ENABLED=False"),
            cwd=measure.ROOT, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
        marks = _watch(db, coordinator, [int(expected * LOW), int(expected * HIGH)], pids)
        _, err = coordinator.communicate()
    if coordinator.returncode != 0 or len(marks) < 2:
        raise RuntimeError(f"the cluster crawl with {workers} worker(s) failed: {err[-2000:]}")
    (start, start_cpu, start_writer, start_count), (end, end_cpu, end_writer, end_count) = marks
    return {"workers": workers, "concurrency": size.worker_concurrency, "articles": _count(db),
            "rate": (end_count - start_count) / (end - start),
            "cpu_ms": (end_cpu - start_cpu) * 1000 / (end_count - start_count),
            "writer_busy": (end_writer - start_writer) / (end - start)}


def _watch(db: Path, coordinator: subprocess.Popen, counts: list[int],
           pids: list[int]) -> list[tuple[float, float, float, int]]:
    """``(perf_counter, the workers' CPU seconds, the coordinator's, articles)`` when the archive
    reached each of ``counts`` articles, watched until the coordinator ends."""
    marks: list[tuple[float, float, float, int]] = []
    while coordinator.poll() is None and len(marks) < len(counts):
        count = _count(db) if db.exists() else 0
        if count >= counts[len(marks)]:
            marks.append((time.perf_counter(), sum(measure.cpu_seconds(pid) for pid in pids),
                          measure.cpu_seconds(coordinator.pid), count))
            continue
        time.sleep(0.05)
    return marks


def _count(db: Path) -> int:
    try:
        return sqlite_utils.Database(db).execute("select count(*) from articles").fetchone()[0]
    except Exception:  # the archive is being created
        return 0


def _writer_ceiling(workdir: Path, redis_url: str, source: Path, count: int) -> float:
    """Articles/s the coordinator's store path keeps up with: ``count`` results from ``source``'s pages."""
    results = _results(source, count)
    client = connect(redis_url)
    site = "writer-benchmark"
    frontier, worker = SiteFrontier(client, site), WorkerFrontier(client, "benchmark", 60)
    for result in results:
        task = Task(site=site, key=result.item.article_id, url=result.item.url, profile="ndsoft")
        frontier.push(task)
        worker.hand_back(task, result)
    db = workdir / "writer.db"
    db.unlink(missing_ok=True)
    pipeline = ArchivePipeline(project_settings({"NEWSCRAWL_DB": str(db)}))
    elapsed = measure.stopwatch()
    stored = 0
    while batch := frontier.results():
        for entry_id, key, payload in batch:
            if frontier.is_outstanding(key):
                pipeline.process_item(load_result(payload).item)
                stored += 1
            frontier.done(entry_id, key)
    seconds = elapsed()
    pipeline.close_spider()
    client.delete(f"newscrawl:{site}:queue")
    return stored / seconds


def _results(source: Path, count: int) -> list[Result]:
    """``count`` results as workers hand them back: the pages of ``source`` read again, each
    article under a new key as often as it takes."""
    archive = open_archive(source)
    pages = [load_page(archive, row["id"]) for row in archive.query("select page_id as id from articles")]
    archive.close()
    articles = [read_page(page) for page in pages]
    if not articles:
        raise RuntimeError(f"no article in {source} to measure the writer with")
    return [Result(dataclasses.replace(articles[i % len(articles)],
                                       article_id=f"{articles[i % len(articles)].article_id}-{i}"))
            for i in range(count)]


