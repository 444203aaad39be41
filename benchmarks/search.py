"""Search benchmark: Korean search through datasette's JSON API, on a large synthetic archive.

The archive is ``tests/synthetic.py``'s (long-tailed Korean vocabulary; real words such as
세종 in about 15 % of the articles), served by a real ``newscrawl serve`` over HTTP. The
queries are the hand-labelled search corpus's 26 (one- and many-syllable words, rare and
common) and words drawn from the synthetic vocabulary by frequency rank, from the most
common to the rarest. Each request is timed from sending it to the last byte of the answer,
on one kept-alive connection, after one warm-up pass.

Four requests are timed, from what the table page gives to what a program needs:

``table``       ``/news/articles.json?_search=Q``: the table's JSON with its facets (site,
                section), the row count and the first page of rows
``nofacet``     the same with ``&_nofacet=1``
``api``         ``&_nofacet=1&_nocount=1&_shape=array``: just the newest matching rows
``canned``      ``/news/search.json?q=Q&_shape=array``: the canned ``search`` query (most
                relevant first, with a snippet)

``api`` is the one the goal is measured on (the README tells API users to call it).
"""

from __future__ import annotations

import http.client
import itertools
import json
import random
import socket
import statistics
import time
from pathlib import Path
from urllib.parse import quote

from newscrawl.archive import open_archive
from newscrawl.archive.search import search

from . import measure
from .report import Row
from .generators import synthetic

REQUESTS = {
    "table": "/news/articles.json?_search={q}",
    "nofacet": "/news/articles.json?_search={q}&_nofacet=1",
    "api": "/news/articles.json?_search={q}&_nofacet=1&_nocount=1&_shape=array",
    "canned": "/news/search.json?q={q}&_shape=array",
}
GOAL_MS = 50


def archive(workdir: Path, articles: int) -> Path:
    """The synthetic archive of ``articles`` articles (built once, kept in ``workdir``)."""
    directory = workdir / f"search-{articles}"
    path = directory / "news.db"  # served as /news, the README's name
    done = directory / "COMPLETE"
    if not done.exists():
        directory.mkdir(parents=True, exist_ok=True)
        for stale in directory.glob("news.db*"):
            stale.unlink()
        synthetic.build(path, articles)
        done.touch()
    return path


def queries(count: int) -> list[str]:
    """The corpus's queries, then synthetic words of every frequency, ``count`` in all."""
    corpus = json.loads((synthetic.FIXTURES / "search" / "korean-search-corpus.json").read_text(encoding="utf-8"))
    words = synthetic.vocabulary(random.Random(4), synthetic._sentences())
    chosen = [q["q"] for q in corpus["queries"]]
    ranks = [int(1.2 ** i) for i in range(60) if int(1.2 ** i) < len(words)]
    chosen += [words[rank] for rank in dict.fromkeys(ranks)]
    return list(itertools.islice(itertools.cycle(chosen), count)) if count > len(chosen) else chosen[:count]


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _get(conn: http.client.HTTPConnection, path: str) -> float:
    started = time.perf_counter()
    conn.request("GET", path)
    response = conn.getresponse()
    body = response.read()
    elapsed = time.perf_counter() - started
    if response.status != 200:
        raise RuntimeError(f"{path}: HTTP {response.status}: {body[:300]!r}")
    return elapsed


def _wait_until_up(port: int, timeout: float = 60) -> None:
    deadline = time.monotonic() + timeout
    while True:
        try:
            conn = http.client.HTTPConnection("127.0.0.1", port, timeout=5)
            _get(conn, "/-/versions.json")
            conn.close()
            return
        except OSError:
            if time.monotonic() > deadline:
                raise
            time.sleep(0.2)


def latencies(db: Path, words: list[str], rounds: int) -> dict[str, list[float]]:
    """Seconds per request of each kind in REQUESTS, ``rounds`` per query word, after a
    warm-up pass. The kinds take turns query by query, so that a machine busy for a while
    slows all of them alike."""
    port = _free_port()
    command = measure.python("-m", "newscrawl", "serve", "--db", str(db), "--port", str(port))
    timed: dict[str, list[float]] = {kind: [] for kind in REQUESTS}
    with measure.background(command):
        _wait_until_up(port)
        conn = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
        for round_ in range(rounds + 1):
            for word in words:
                for kind, template in REQUESTS.items():
                    seconds = _get(conn, template.format(q=quote(word)))
                    if round_:  # round 0 is the warm-up: it reads the index from disk
                        timed[kind].append(seconds)
        conn.close()
    return timed


def direct(db: Path, words: list[str]) -> list[float]:
    """Seconds per query of newscrawl's own search (``newscrawl search``: the canned query's
    SQL, 20 results) in this process: the same archive without HTTP and datasette."""
    archive_db = open_archive(db)
    for word in words:
        search(archive_db, word)
    timed = []
    for word in words:
        started = time.perf_counter()
        search(archive_db, word)
        timed.append(time.perf_counter() - started)
    archive_db.close()
    return timed


def percentile(values: list[float], share: float) -> float:
    return statistics.quantiles(values, n=100, method="inclusive")[round(share * 100) - 1]


def run(workdir: Path, articles: int, query_count: int, rounds: int) -> list[Row]:
    db = archive(workdir, articles)
    words = queries(query_count)
    timed = latencies(db, words, rounds)
    reference = percentile(direct(db, words), 0.95) * 1000
    rows = []
    for kind, seconds in timed.items():
        p50, p95 = percentile(seconds, 0.5) * 1000, percentile(seconds, 0.95) * 1000
        is_goal = kind == "api"
        rows.append(Row("search", f"p95 ms, {kind}, {articles:,} articles", p95, "SQLite alone, p95 ms",
                        reference, p95 / reference, f"p95 < {GOAL_MS} ms" if is_goal else "(comparison)",
                        p95 < GOAL_MS if is_goal else None, "{:.1f}",
                        note=f"p50 {p50:.1f} ms over {len(seconds)} requests; {REQUESTS[kind].format(q='Q')}"))
    return rows
