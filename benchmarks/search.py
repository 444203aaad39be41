"""Search benchmark: Korean search through datasette's JSON API, on a large synthetic archive.

The archive is ``tests/synthetic.py``'s (long-tailed Korean vocabulary; real words such as
세종 in about 15 % of the articles), served by a real ``newscrawl serve`` over HTTP. The
queries are the hand-labelled search corpus's 26 (one- and many-syllable words, rare and
common) and words drawn from the synthetic vocabulary by frequency rank, from the most
common to the rarest. Each request is timed from sending it to the last byte of the answer,
on one kept-alive connection, after one warm-up pass. The references are the same searches
in SQLite alone, in the benchmark's process: what the table requests ask of it (the newest
matching articles, through newscrawl's match condition) and the canned query's SQL.

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
import sqlite3
import statistics
import time
from pathlib import Path
from urllib.parse import quote

from newscrawl.archive.search import COMMON_MATCH_SQL, match_condition, register_functions, search_sql
from newscrawl.archive.tokens import fts_query

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
    words = synthetic.vocabulary(random.Random(4), synthetic.corpus_sentences())
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


#: What the table requests ask of SQLite, as datasette asks it: the matching articles,
#: newest first, a page of rows (the plugin's match condition; see newscrawl.archive.search).
NEWEST = "select * from articles where {condition} order by published_at desc, id desc limit 101"


def _newest(db: sqlite3.Connection, word: str) -> None:
    expression = fts_query(word)
    common = db.execute(COMMON_MATCH_SQL, {"expression": expression}).fetchone()[0]
    # sql: newscrawl's own match condition; the query is a parameter
    db.execute(NEWEST.format(condition=match_condition("q", bool(common))), {"q": expression}).fetchall()


def _ranked(db: sqlite3.Connection, word: str) -> None:
    db.execute(search_sql(100), {"q": word}).fetchall()


def direct(db: Path, words: list[str]) -> dict[str, list[float]]:
    """Seconds per query in SQLite alone, in this process (no HTTP, no datasette): the
    newest matching articles (what the table requests need) and the canned query's SQL."""
    conn = sqlite3.connect(f"file:{db}?mode=ro", uri=True)
    register_functions(conn)
    timed: dict[str, list[float]] = {"newest": [], "ranked": []}
    for round_ in range(2):  # the first round is the warm-up
        for word in words:
            for kind, query in (("newest", _newest), ("ranked", _ranked)):
                started = time.perf_counter()
                query(conn, word)
                if round_:
                    timed[kind].append(time.perf_counter() - started)
    conn.close()
    return timed


def percentile(values: list[float], share: float) -> float:
    return statistics.quantiles(values, n=100, method="inclusive")[round(share * 100) - 1]


def run(workdir: Path, articles: int, query_count: int, rounds: int) -> list[Row]:
    db = archive(workdir, articles)
    words = queries(query_count)
    timed = latencies(db, words, rounds)
    alone = {kind: percentile(seconds, 0.95) * 1000 for kind, seconds in direct(db, words).items()}
    rows = []
    for kind, seconds in timed.items():
        p50, p95 = percentile(seconds, 0.5) * 1000, percentile(seconds, 0.95) * 1000
        reference = "ranked" if kind == "canned" else "newest"
        is_goal = kind == "api"
        rows.append(Row("search", f"p95 ms, {kind}, {articles:,} articles", p95, f"SQLite alone ({reference}), p95 ms",
                        alone[reference], p95 / alone[reference],
                        f"p95 < {GOAL_MS} ms" if is_goal else "(comparison)",
                        p95 < GOAL_MS if is_goal else None, "{:.1f}",
                        note=f"p50 {p50:.1f} ms over {len(seconds)} requests; {REQUESTS[kind].format(q='Q')}"))
    return rows
