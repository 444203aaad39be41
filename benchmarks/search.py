"""Search benchmark: Korean search as a person and as a program use it, on a large synthetic archive.

The archive is ``tests/synthetic.py``'s (long-tailed Korean vocabulary; real words such as
세종 in about 15 % of the articles), built once and kept, served by a real ``newscrawl
serve`` over HTTP. The queries are the hand-labelled search corpus's 26 (single syllables,
words, rare and common), words drawn from the synthetic vocabulary by frequency rank, from
the most common to the rarest, and queries of 2, 3 and 10 words. Each request is timed from
sending it to the last byte of the answer, on one kept-alive connection, after one warm-up
pass. The references are the same searches in SQLite alone, in the benchmark's process:
what the table requests ask of it (the newest matching articles, through newscrawl's match
condition) and the canned query's SQL.

The requests, from what a person sees to what a program needs:

``search``      ``/news/-/search?q=Q``: the reading room's search page (HTML: the most relevant
                rows with snippets, count, facets), where the search boxes lead
``page``        ``/news/articles?_search=Q``: the table's search page (HTML: rows, count, facets;
                of a common word's 1,000 most recently archived matches, as it says)
``table``       ``/news/articles.json?_search=Q``: the same as JSON
``nofacet``     the same with ``&_nofacet=1``
``api``         ``&_nofacet=1&_nocount=1&_shape=array``: just the newest matching rows
``canned``      ``/news/search.json?q=Q&_shape=array``: the canned ``search`` query (most
                relevant first, with a snippet)
``search_page`` ``/news/search?q=Q``: the canned query's page (HTML)
``reading``     ``/news/-/article/ID``: the reading room's article page
``article``     ``/news/articles/ID``: an article's row page

Goals: ``api`` p95 ≤ 50 ms (the README tells API users to call it), ``search`` and ``page`` p95 ≤ 250 ms,
no request over 1 s, and the server's memory under 300 MB.
"""

from __future__ import annotations

import collections
import http.client
import itertools
import json
import random
import socket
import sqlite3
import statistics
import sys
import time
import zlib
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import quote

from newscrawl.archive import open_archive
from newscrawl.archive.search import COMMON_MATCH_SQL, LOOKUP, SCAN, match_condition, register_functions, search_sql
from newscrawl.archive.tokens import fts_query

from . import measure
from .report import Row
from .generators import synthetic

REQUESTS = {
    "search": "/news/-/search?q={q}",
    "page": "/news/articles?_search={q}",
    "table": "/news/articles.json?_search={q}",
    "nofacet": "/news/articles.json?_search={q}&_nofacet=1",
    "api": "/news/articles.json?_search={q}&_nofacet=1&_nocount=1&_shape=array",
    "canned": "/news/search.json?q={q}&_shape=array",
    "search_page": "/news/search?q={q}",
    "reading": "/news/-/article/{id}",
    "article": "/news/articles/{id}",
}
#: The requests with a goal of their own: p95 in ms.
GOALS_MS = {"api": 50, "search": 250, "page": 250}
#: No request of any kind should take longer (ms).
MAX_MS = 1000
MEMORY_GOAL_MB = 300


def archive(workdir: Path, articles: int) -> tuple[Path, dict[str, float]]:
    """The synthetic archive of ``articles`` articles and the record of its build (seconds,
    peak and sampled resident memory): built once, at low priority, and kept in ``workdir``."""
    directory = workdir / f"search-{articles}"
    path = directory / "news.db"  # served as /news, the README's name
    done = directory / "COMPLETE"
    if not done.exists():
        directory.mkdir(parents=True, exist_ok=True)
        for stale in directory.glob("news.db*"):
            stale.unlink()
        done.write_text(json.dumps(_build(path, articles)))
    return path, json.loads(done.read_text() or "{}")  # an archive built before records were kept: {}


def _build(path: Path, articles: int) -> dict[str, float]:
    """Build the archive in a child process (``nice``: the machine is shared), sampling its memory."""
    elapsed = measure.stopwatch()
    command = ["nice", "-n", "10", *measure.python(str(synthetic.__file__), str(path), "--articles", str(articles))]
    finished = measure.run(command, sample=lambda pid: (elapsed(), measure.tree_rss(pid)), interval=1)
    if finished.returncode:
        raise RuntimeError(f"{' '.join(command)} failed: {finished.stderr[-2000:]}")
    peak = finished.max_rss / 2**20  # the builder has no children: its own peak is the build's
    rss = [sample[1] / 2**20 for sample in finished.samples] or [peak]  # a build shorter than a sample
    quarters = [rss[min(len(rss) - 1, len(rss) * q // 4)] for q in (1, 2, 3, 4)]
    return {"articles": articles, "seconds": elapsed(), "cpu_seconds": finished.cpu_seconds,
            "peak_rss_mb": max(peak, *rss), "rss_mb_quarters": quarters}


def queries(count: int) -> list[tuple[str, str]]:
    """``count`` queries, each with its kind: the corpus's (one syllable, words, a phrase),
    synthetic words from the most common to the rarest, and queries of 2, 3 and 10 words."""
    corpus = json.loads((synthetic.FIXTURES / "search" / "korean-search-corpus.json").read_text(encoding="utf-8"))
    words = synthetic.vocabulary(random.Random(4), synthetic.corpus_sentences())
    chosen = [("syllable" if len(q["q"]) == 1 else "corpus", q["q"]) for q in corpus["queries"]]
    ranks = list(dict.fromkeys(int(1.2 ** i) for i in range(60) if int(1.2 ** i) < len(words)))
    chosen += [("common" if rank < 100 else "rare", words[rank]) for rank in ranks]
    sentence = synthetic.corpus_sentences()[0].split()
    multi = [f"{words[0]} {words[1]}", f"{words[3]} {words[2000]}", f"세종 {words[5]} {words[20]}",
             " ".join(sentence[:10]), f"대전 세종 {words[40]}", " ".join(words[:10])]
    chosen += [("words", q) for q in multi]
    rng = random.Random(15)  # every kind in a short run too
    rng.shuffle(chosen)
    return list(itertools.islice(itertools.cycle(chosen), count)) if count > len(chosen) else chosen[:count]


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _get(conn: http.client.HTTPConnection, path: str) -> tuple[float, int, bytes]:
    """Seconds to the last byte of ``path``'s answer, its status and its body."""
    started = time.perf_counter()
    conn.request("GET", path)
    response = conn.getresponse()
    body = response.read()
    return time.perf_counter() - started, response.status, body


def _wait_until_up(port: int, timeout: float = 60) -> None:
    deadline = time.monotonic() + timeout
    while True:
        try:
            conn = http.client.HTTPConnection("127.0.0.1", port, timeout=5)
            if _get(conn, "/-/versions.json")[1] != 200:
                raise RuntimeError("newscrawl serve answered /-/versions.json with an error")
            conn.close()
            return
        except OSError:
            if time.monotonic() > deadline:
                raise
            time.sleep(0.2)


@dataclass
class Timed:
    """What the HTTP requests measured: seconds by request kind and query kind, failed
    requests (an error status: datasette's time limit) and the server's peak memory."""

    seconds: dict[str, dict[str, list[float]]] = field(
        default_factory=lambda: {kind: collections.defaultdict(list) for kind in REQUESTS})
    failed: collections.Counter = field(default_factory=collections.Counter)
    #: table answers whose count or facets datasette gave up on (its time limits), by query kind
    incomplete: collections.Counter = field(default_factory=collections.Counter)
    peak_rss: int = 0

    def all(self, kind: str) -> list[float]:
        return [s for values in self.seconds[kind].values() for s in values]


def latencies(db: Path, words: list[tuple[str, str]], rounds: int, articles: int) -> Timed:
    """Seconds per request of each kind in REQUESTS, ``rounds`` per query, after a warm-up
    pass. The kinds take turns query by query, so that a machine busy for a while slows all
    of them alike; the article page is a different article for each query."""
    port = _free_port()
    command = measure.python("-m", "newscrawl", "serve", "--db", str(db), "--port", str(port))
    timed = Timed()
    with measure.background(command) as pid:
        _wait_until_up(port)
        conn = http.client.HTTPConnection("127.0.0.1", port, timeout=120)
        for round_ in range(rounds + 1):
            for query_kind, word in words:
                for kind, template in REQUESTS.items():
                    seconds, status, body = _get(conn, template.format(q=quote(word), id=_article_id(word, articles)))
                    if round_:  # round 0 is the warm-up: it reads the index from disk
                        timed.seconds[kind][query_kind].append(seconds)
                        timed.failed[kind] += status != 200
                        if kind == "table" and status == 200:
                            timed.incomplete[query_kind] += _cut_short(json.loads(body))
                timed.peak_rss = max(timed.peak_rss, measure.tree_rss(pid))
        conn.close()
    return timed


def _cut_short(answer: dict) -> bool:
    """Whether datasette gave up on the count or a facet of a table answer (its time limits)."""
    facets = answer.get("facet_results") or {}
    return (answer.get("filtered_table_rows_count") is None or bool(answer.get("facets_timed_out"))
            or any(facet.get("timed_out") for facet in facets.values()))


def _article_id(word: str, articles: int) -> int:
    return zlib.crc32(word.encode()) % articles + 1


#: What the table requests ask of SQLite, as datasette asks it: the matching articles,
#: newest first, a page of rows (the plugin's match condition as it was planned before the
#: API's PROBE plan, so that the reference stays the same SQL; see newscrawl.archive.search).
NEWEST = "select * from articles where {condition} order by published_at desc, id desc limit 101"


def _newest(db: sqlite3.Connection, word: str) -> None:
    expression = fts_query(word)
    common = db.execute(COMMON_MATCH_SQL, {"expression": expression}).fetchone()[0]
    # sql: newscrawl's own match condition; the query is a parameter
    db.execute(NEWEST.format(condition=match_condition("q", SCAN if common else LOOKUP)), {"q": expression}).fetchall()


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
    db, build = archive(workdir, articles)
    elapsed = measure.stopwatch()
    open_archive(db).close()  # upgraded to the current schema before serve starts: it may take minutes
    print(f"search archive opened in {elapsed():.1f} s (schema upgrades included)", file=sys.stderr, flush=True)
    labelled = queries(query_count)
    timed = latencies(db, labelled, rounds, articles)
    alone = {kind: percentile(seconds, 0.95) * 1000 for kind, seconds in direct(db, [q for _, q in labelled]).items()}
    rows = [_latency_row(timed, kind, alone, articles) for kind in REQUESTS]
    slowest_kind = max(REQUESTS, key=lambda kind: max(timed.all(kind)))
    slowest = max(timed.all(slowest_kind)) * 1000
    rows.append(Row("search", f"slowest request, ms, {articles:,} articles", slowest, "SQLite alone (ranked), p95 ms",
                    alone["ranked"], slowest / alone["ranked"], f"≤ {MAX_MS} ms", slowest <= MAX_MS, "{:.1f}",
                    note=f"{slowest_kind}; failed requests (datasette's time limit): "
                         + (", ".join(f"{k} {n}" for k, n in timed.failed.items() if n) or "none")))
    rows.append(Row("memory", f"peak RSS, MB, serving searches, {articles:,} articles", timed.peak_rss / 2**20,
                    "goal", MEMORY_GOAL_MB, timed.peak_rss / 2**20 / MEMORY_GOAL_MB, f"< {MEMORY_GOAL_MB} MB",
                    timed.peak_rss / 2**20 < MEMORY_GOAL_MB, "{:.0f}", note="newscrawl serve, after each query"))
    if build:
        quarters = ", ".join(f"{mb:.0f}" for mb in build["rss_mb_quarters"])
        rows.append(Row("memory", f"peak RSS, MB, building {articles:,} articles", build["peak_rss_mb"], "goal",
                        MEMORY_GOAL_MB, build["peak_rss_mb"] / MEMORY_GOAL_MB, f"< {MEMORY_GOAL_MB} MB",
                        build["peak_rss_mb"] < MEMORY_GOAL_MB, "{:.0f}",
                        note=f"built once in {build['seconds'] / 60:.1f} min ({articles / build['seconds']:.0f} "
                             f"articles/s, nice 10, CPU {build['cpu_seconds'] / 60:.1f} min); RSS at each quarter "
                             f"of the build: {quarters} MB"))
    return rows


def _latency_row(timed: Timed, kind: str, alone: dict[str, float], articles: int) -> Row:
    seconds = timed.all(kind)
    p50, p95 = percentile(seconds, 0.5) * 1000, percentile(seconds, 0.95) * 1000
    reference = "ranked" if kind in ("search", "canned", "search_page") else "newest"
    goal = GOALS_MS.get(kind)
    by_query = ", ".join(f"{query_kind} {max(values) * 1000:.0f}"
                         for query_kind, values in sorted(timed.seconds[kind].items()))
    incomplete = ", ".join(f"{k} {n}" for k, n in sorted(timed.incomplete.items()) if n) or "none"
    cut_short = f"; answers without their count or a facet (time limits): {incomplete}" if kind == "table" else ""
    return Row("search", f"p95 ms, {kind}, {articles:,} articles", p95, f"SQLite alone ({reference}), p95 ms",
               alone[reference], p95 / alone[reference], f"p95 ≤ {goal} ms" if goal else "(comparison)",
               p95 <= goal if goal else None, "{:.1f}",
               note=f"p50 {p50:.1f} ms over {len(seconds)} requests, {timed.failed[kind]} failed; slowest by query "
                    f"kind (ms): {by_query}; {REQUESTS[kind].format(q='Q', id='ID')}{cut_short}")
