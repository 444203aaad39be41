"""Korean full-text search over the articles: the FTS5 index and the queries on it.

``articles_fts`` is a contentless FTS5 table (``content=''``): it holds only the index of
the token streams made by :mod:`newscrawl.archive.tokens`, keyed by ``articles.id``, so no
text is stored twice. Being contentless, a row is removed by handing FTS5 the values it was
indexed with, which :func:`unindex_article` recomputes from the ``articles`` row before it
changes. :func:`rebuild_index` makes the whole index again from ``articles``.

The index is derived data, not schema: it must hold what today's tokenizer makes, since
today's queries look for that. ``derived_data`` records the :data:`INDEX_VERSION` that built
it; :func:`ensure_index` (run by ``open_archive``) rebuilds it, table and all, when the
version differs, so an archive indexed by older code (or by no code yet: a new archive) is
brought up to date once, on its first opening.
"""

from __future__ import annotations

import json
import logging
import sqlite3
import time
from dataclasses import dataclass, field
from typing import Any

from sqlite_utils import Database

from ..clock import now_kst
from ..errors import NewscrawlError
from .snippets import snippet
from .tokens import HEADS_COLUMN, distinct_heads, fts_query, token_stream
from .transaction import write_transaction

#: Limits that keep every search short, whatever is asked: each word of a query is one more
#: FTS5 phrase and one more pattern run over each matching body (a 200-word query took 12 s
#: on an archive holding one 2.4 MB article), and the index and snippets read only the start
#: of a body (the crawler accepts 16 MB pages; the whole body and raw page are still stored).
MAX_QUERY_WORDS = 16
MAX_QUERY_CHARS = 256
MAX_INDEXED_CHARS = 200_000
#: Seconds a ``newscrawl search`` may run (datasette applies its own ``sql_time_limit_ms``).
SEARCH_TIME_LIMIT = 10.0


class BadQuery(NewscrawlError):
    """A search over the limits, or one that ran out of time."""


logger = logging.getLogger(__name__)

FTS_TABLE = "articles_fts"
#: The version of what the index holds. Raise it whenever the index's content or layout
#: changes (:mod:`newscrawl.archive.tokens`, :func:`index_values`, :data:`WEIGHTS`,
#: :data:`CREATE_SQL`): every archive is then rebuilt on its next opening.
INDEX_VERSION = 2
#: The indexed columns with their relevance weights (bm25): a match in the title counts most.
#: Body comes first because FTS5 marks every position list outside the first column with its
#: column number: with the body (most of the tokens) first, the index is a quarter smaller.
WEIGHTS = {"body": 1.0, "title": 10.0, "subtitle": 5.0, HEADS_COLUMN: 1.0}
# sql: FTS_TABLE and the WEIGHTS names are constants
CREATE_SQL = (
    f"CREATE VIRTUAL TABLE {FTS_TABLE} USING fts5({', '.join(WEIGHTS)}, content='',"
    " tokenize='unicode61 remove_diacritics 2')"
)
_INSERT = f"INSERT INTO {FTS_TABLE} (rowid, {', '.join(WEIGHTS)}) VALUES (?, ?, ?, ?, ?)"  # sql: constants
# sql: constants
_DELETE = (f"INSERT INTO {FTS_TABLE} ({FTS_TABLE}, rowid, {', '.join(WEIGHTS)})"
           " VALUES ('delete', ?, ?, ?, ?, ?)")


def create_index(db: Database) -> None:
    """Create the (empty) index and make ``ORDER BY rank`` use the column weights."""
    db.execute(CREATE_SQL)
    weights = ", ".join(str(weight) for weight in WEIGHTS.values())
    # sql: the table name and the weights (numbers) are constants
    db.execute(f"INSERT INTO {FTS_TABLE} ({FTS_TABLE}, rank) VALUES ('rank', 'bm25({weights})')")


def index_values(title: str | None, subtitle: str | None, body: str | None) -> list[str]:
    """What the index columns (in WEIGHTS order) hold for an article: token streams, then
    the words' heads, each once (they are never searched as phrases, so positions of
    repeats would only take space). Only the first MAX_INDEXED_CHARS of the body."""
    body = body[:MAX_INDEXED_CHARS] if body else body
    return [token_stream(body), token_stream(title), token_stream(subtitle), distinct_heads(title, subtitle, body)]


def _indexed(db: Database, rowid: int) -> list[Any]:
    title, subtitle, body = db.execute(
        "SELECT title, subtitle, body FROM articles WHERE id = ?", [rowid]).fetchone()
    return [rowid, *index_values(title, subtitle, body)]


def index_article(db: Database, rowid: int) -> None:
    """Add article ``rowid`` as it now is in ``articles`` to the index."""
    db.execute(_INSERT, _indexed(db, rowid))


def unindex_article(db: Database, rowid: int) -> None:
    """Remove article ``rowid`` from the index; call it before its row changes."""
    db.execute(_DELETE, _indexed(db, rowid))


def rebuild_index(db: Database, batch: int = 500) -> int:
    """Make the index again (table and all) from ``articles`` with today's code, in one
    transaction, and record :data:`INDEX_VERSION`; returns the number of articles indexed."""
    count = 0
    with write_transaction(db):
        db.execute(f"DROP TABLE IF EXISTS {FTS_TABLE}")  # sql: constant
        create_index(db)
        rows = db.conn.execute("SELECT id, title, subtitle, body FROM articles ORDER BY id")
        while chunk := rows.fetchmany(batch):
            db.conn.executemany(_INSERT, ([row[0], *index_values(*row[1:])] for row in chunk))
            count += len(chunk)
        # merge the index's segments: smaller on disk and faster to query
        db.execute(f"INSERT INTO {FTS_TABLE} ({FTS_TABLE}) VALUES ('optimize')")  # sql: constant
        db.execute("INSERT OR REPLACE INTO derived_data (name, version, built_at) VALUES (?, ?, ?)",
                   [FTS_TABLE, INDEX_VERSION, now_kst()])
    return count


def index_version(db: Database) -> int | None:
    """The :data:`INDEX_VERSION` that built the archive's index (None: none did)."""
    row = db.execute("SELECT version FROM derived_data WHERE name = ?", [FTS_TABLE]).fetchone()
    return row[0] if row else None


def ensure_index(db: Database) -> int | None:
    """Rebuild the index if today's code did not build it (:data:`INDEX_VERSION`); returns
    the number of articles indexed, or None when it was current. Under the write lock, and
    checked again once it is held, so that two processes opening an archive rebuild once."""
    if index_version(db) == INDEX_VERSION:
        return None
    with write_transaction(db):
        built_by = index_version(db)
        if built_by == INDEX_VERSION:
            return None
        if built_by is not None or db.execute("SELECT EXISTS (SELECT 1 FROM articles)").fetchone()[0]:
            # a new, empty archive gets its (empty) index without a word
            logger.info("Rebuilding the search index (built by index version %s, today's is %s)",
                        built_by, INDEX_VERSION)
        return rebuild_index(db)


#: A search matching more than this many articles is "common" (see match_condition):
#: measured on 1,000,000 articles, scanning an index wins from about 1,500 matches (on
#: 100,000, from about 2,000: looking up a match costs about the same at both sizes, while
#: the scan's walk to its first rows shortens as the word gets commoner).
COMMON_MATCHES = 1500
#: 1 when FTS expression ``:expression`` matches more than COMMON_MATCHES articles; it
#: counts no further than that, so it costs little either way.
# sql: the table name and COMMON_MATCHES are constants; the expression is a parameter
COMMON_MATCH_SQL = f"""select count(*) > {COMMON_MATCHES}
from (select rowid from {FTS_TABLE} where {FTS_TABLE} match :expression limit {COMMON_MATCHES + 1})"""
#: A search matching more than one in EVERYWHERE_ONE_IN of the PROBE_SAMPLE most recently
#: archived articles is "everywhere" (see match_condition): measured on 1,000,000 articles,
#: probing the index article by article (10-80 µs each) finds the newest 100 matches
#: sooner than gathering every match first from about a tenth of the articles. PROBE walks
#: the articles newest published first, and the newest archived need not be those (a
#: backfill of old news), so a search found everywhere among them is checked on the
#: PROBE_CHECK newest published, probed one by one, as the walk would.
EVERYWHERE_ONE_IN = 10
PROBE_SAMPLE = 2000
PROBE_CHECK = 100
#: (common, everywhere) for FTS expression ``:expression``: COMMON_MATCH_SQL, and whether it
#: matches more than one in EVERYWHERE_ONE_IN of the PROBE_SAMPLE newest articles by id and
#: of the PROBE_CHECK newest by publication (that check only when the first holds: CASE).
# sql: the table name and the numbers are constants; the expression is a parameter
BREADTH_SQL = f"""select ({COMMON_MATCH_SQL}),
  case when (select count(*) from {FTS_TABLE} where {FTS_TABLE} match :expression
             and rowid > (select coalesce(max(id), 0) from articles) - {PROBE_SAMPLE}) * {EVERYWHERE_ONE_IN}
            > min({PROBE_SAMPLE}, (select coalesce(max(id), 0) from articles))
  then (select count(*) from (select id from articles order by published_at desc limit {PROBE_CHECK}) as newest
        where exists (select 1 from {FTS_TABLE} where {FTS_TABLE} match :expression and rowid = newest.id))
       * {EVERYWHERE_ONE_IN} > min({PROBE_CHECK}, (select coalesce(max(id), 0) from articles))
  else 0 end"""
#: How match_condition finds the matches: look each one up, scan an index testing each row
#: against all of them, or probe the index for each row scanned; or WINDOW: only the
#: RANK_WINDOW most recently archived matches (a person's page of a common word, saying so).
LOOKUP, SCAN, PROBE, WINDOW = "lookup", "scan", "probe", "window"


def match_plan(common: bool, everywhere: bool, rows_only: bool, person: bool = False) -> str:
    """The match_condition plan of a search (BREADTH_SQL's answers) for a query that needs
    only its first rows in an indexed order (``rows_only``: no count, no facets) or more;
    ``person``: for a page a person reads, where the newest matches may stand for all."""
    if everywhere and rows_only:
        return PROBE
    if common and person and not rows_only:
        return WINDOW
    return SCAN if common else LOOKUP


def match_condition(parameter: str, plan: str, table: str = "articles") -> str:
    """A WHERE condition on ``table`` (``articles`` or a view with its ``id``): the FTS
    expression in ``:parameter`` matches.

    SQLite cannot tell how many articles an FTS match returns, and guesses few: it looks up
    each match by rowid in the wide ``articles`` table (body and all): the LOOKUP plan, fast
    for a rare word and slow for one in thousands of articles. For a common search the unary
    ``+`` makes it SCAN the narrow index the query needs instead (published_at for the
    newest first, section for a facet) and test each row against the matches, which it
    gathers first: a word in most articles gathers most of the archive's ids. When only the
    first rows are wanted (the API's newest 100), PROBE asks the index about each row as the
    scan reaches it, and stops early; a count or a facet this way would probe every row.
    Exact counts and facets of a common word pass over every article; WINDOW keeps the
    RANK_WINDOW most recently archived matches only, as the reading room ranks them.
    """
    matches = f"select rowid from {FTS_TABLE} where {FTS_TABLE} match :{parameter}"  # sql: names from code
    if plan == PROBE:
        return f"exists ({matches} and rowid = {table}.id)"  # sql: a table name from code
    if plan == WINDOW:
        return f"id in ({matches} order by rowid desc limit {RANK_WINDOW})"  # sql: a constant
    column = "+id" if plan == SCAN else "id"
    return f"{column} in ({matches})"  # sql: the column is one of two constants


def check_query(query: str) -> str:
    """``query`` if it is within the limits, else :class:`BadQuery` saying what to change."""
    words = len(query.split())
    if len(query) > MAX_QUERY_CHARS or words > MAX_QUERY_WORDS:
        raise BadQuery(f"the search is too long ({words} words, {len(query)} characters): "
                       f"search for at most {MAX_QUERY_WORDS} words and {MAX_QUERY_CHARS} characters")
    return query


def bounded_query(query: str | None) -> str:
    """The part of ``query`` within the limits: what the SQL functions use, whoever calls them."""
    return " ".join((query or "")[:MAX_QUERY_CHARS].split()[:MAX_QUERY_WORDS])


def _fts_query_function(query: str | None) -> str:
    return fts_query(bounded_query(query))


def _snippet_function(text: str | None, query: str | None) -> str:
    # a snippet is the first match: it lies in the indexed start of the body
    return snippet(text[:MAX_INDEXED_CHARS] if text else text, bounded_query(query))


def register_functions(conn: sqlite3.Connection) -> None:
    """SQL functions the search queries use: ``newscrawl_fts_query(q)``, ``newscrawl_snippet(text, q)``.

    SQLite's progress handler (datasette's time limit, :func:`search`'s) cannot stop a
    Python function once called, so each does bounded work: the query cut to the limits,
    the text to the indexed part.
    """
    conn.create_function("newscrawl_fts_query", 1, _fts_query_function, deterministic=True)
    conn.create_function("newscrawl_snippet", 2, _snippet_function, deterministic=True)


#: Ranking computes bm25 for at most this many matches, the most recently archived ones:
#: a word in half of a million articles would otherwise score 500,000 rows on every search.
#: Pages say when a search matched more (SearchPage.windowed).
RANK_WINDOW = 1000
#: Counting matches stops here ("more than 10,000"): a count reads every match's rowid.
COUNT_CAP = 10_000
#: Result orders: bm25 relevance with the newest first among equals, or newest first.
ORDERS = {"relevance": "matches.rank, articles.published_at desc, articles.id desc",
          "newest": "articles.published_at desc, articles.id desc"}
#: What a search can be narrowed to, with the condition on ``articles`` each adds.
NARROWERS = {
    "section": "articles.section = :section",
    "day": "substr(articles.published_at, 1, 10) = :day",
    "reporter": ("articles.id in (select ar.article from article_reporters ar"
                 " join reporters r on r.id = ar.reporter where r.name = :reporter)"),
    "site": "articles.site = :site",
}


def _window_sql(limit: str) -> str:
    """The window of a search: its ``limit`` most recently archived matches of ``:q``, with bm25."""
    # sql: the table name is a constant, the limit an int or a parameter's name; the query is a parameter
    return f"""select rowid as id, rank from {FTS_TABLE} where {FTS_TABLE} match newscrawl_fts_query(:q)
order by rowid desc limit {limit}"""


WINDOW_SQL = _window_sql(":window")
#: The ``matches`` CTE of :func:`search_page`: the window already read, handed back to SQLite
#: as a JSON array of [id, rank] pairs in ``:matches``, so that the rows, the narrowed count and
#: each facet join the same few rows instead of searching the index (and scoring) again.
KEPT_MATCHES = """with matches(id, rank) as (
  select json_extract(value, '$[0]'), json_extract(value, '$[1]') from json_each(:matches))"""


def _matches(window: int) -> str:
    """The ``matches`` CTE in SQL alone (the canned query): the window of ``:q``."""
    return f"with matches as ({_window_sql(str(int(window)))})"  # sql: an int


def narrowing(filters: dict[str, str]) -> str:
    """The WHERE conditions (AND-ed) of the ``filters`` given, each a NARROWERS key."""
    conditions = [NARROWERS[name] for name in NARROWERS if filters.get(name)]
    return " and ".join(conditions) or "1"


def search_sql(limit: int, offset: int = 0, order: str = "relevance", where: str = "1",
               window: int | None = RANK_WINDOW) -> str:
    """Articles matching ``:q``, most relevant first (bm25 over the bigram index; among
    equals, the newest), with a highlighted snippet of the body. Only the RANK_WINDOW most
    recently archived matches are ranked, so a common word costs no more than a rare one.
    With ``window`` None, the matches are :data:`KEPT_MATCHES` (``:matches``, read before).
    The page is chosen first, so only its rows' snippets are made."""
    matches = KEPT_MATCHES if window is None else _matches(window)
    # sql: constants, ints, an ORDERS value and NARROWERS conditions; the query is a parameter
    return f"""{matches}, page as (
  select matches.id, matches.rank from matches cross join articles on articles.id = matches.id
  where {where}
  order by {ORDERS[order]}
  limit {int(limit)} offset {int(offset)})
select articles.id, articles.published_at, articles.section, articles.title,
  newscrawl_snippet(articles.body, :q) as snippet,
  -matches.rank as relevance, articles.url
from page as matches cross join articles on articles.id = matches.id
order by {ORDERS[order]}"""


# sql: the table name and COUNT_CAP are constants; the query is a parameter
COUNT_SQL = f"""select count(*) from (select rowid from {FTS_TABLE}
  where {FTS_TABLE} match newscrawl_fts_query(:q) limit {COUNT_CAP + 1})"""
#: Facets: how many of the ranked matches fall in each value (top 10 of each); each is
#: completed with :data:`KEPT_MATCHES` in front and the search's conditions as ``{where}``.
# sql: constants
FACET_SQL = {
    "section": """select articles.section, count(*) from matches cross join articles on articles.id = matches.id
where {where} group by 1 order by 2 desc, 1 limit 10""",
    "day": """select substr(articles.published_at, 1, 10), count(*)
from matches cross join articles on articles.id = matches.id
where {where} group by 1 order by 1 desc limit 10""",
    "reporter": """select r.name, count(*) from matches cross join articles on articles.id = matches.id
join article_reporters ar on ar.article = articles.id join reporters r on r.id = ar.reporter
where {where} group by 1 order by 2 desc, 1 limit 10""",
}
# sql: constants
_NARROWED_COUNT = "select count(*) from matches cross join articles on articles.id = matches.id where {where}"


@dataclass
class SearchPage:
    """One page of a search: its rows, and how many articles matched in all."""

    rows: list[dict[str, Any]]
    total: int
    #: True when the count stopped at COUNT_CAP (there are more).
    more: bool
    #: True when more than ``window`` articles matched: only the newest were ranked.
    windowed: bool
    window: int = RANK_WINDOW
    facets: dict[str, list[tuple[str, int]]] = field(default_factory=dict)

    def summary(self, offset: int = 0) -> str:
        """"showing 1-20 of 234", what the CLI prints."""
        total = f"more than {COUNT_CAP:,}" if self.more else f"{self.total:,}"
        if not self.rows:
            return f"showing 0 of {total}"
        shown = f"{offset + 1}-{offset + len(self.rows)}" if offset else f"{len(self.rows)}"
        note = f" (ranked among the {self.window:,} most recently archived)" if self.windowed else ""
        return f"showing {shown} of {total}{note}"


def _rows(conn: sqlite3.Connection, sql: str, params: dict[str, Any]) -> list[dict[str, Any]]:
    cursor = conn.execute(sql, params)
    columns = [c[0] for c in cursor.description]
    return [dict(zip(columns, row)) for row in cursor.fetchall()]


def search_page(conn: sqlite3.Connection, query: str, limit: int = 20, offset: int = 0,
                order: str = "relevance", filters: dict[str, str] | None = None,
                facets: bool = False, window: int = RANK_WINDOW, time_limit: float = SEARCH_TIME_LIMIT) -> SearchPage:
    """The articles matching ``query`` (words AND-ed) in ``order``, narrowed by ``filters``
    (NARROWERS keys), with the total count and, if asked, the facets of the ranked matches
    (the ``window`` most recently archived). The one search of newscrawl: the CLI and the
    datasette plugin both call it. Raises :class:`BadQuery` for a query over the limits or
    a search running past ``time_limit`` seconds (stopped by SQLite's progress handler)."""
    register_functions(conn)
    deadline = time.monotonic() + time_limit
    conn.set_progress_handler(lambda: time.monotonic() > deadline, 100)  # every 100 SQLite steps
    try:
        return _search_page(conn, check_query(query), limit, offset, order, filters, facets, window)
    except sqlite3.OperationalError as exc:
        if str(exc) != "interrupted":
            raise
        raise BadQuery(f"the search took longer than {time_limit:g} s and was stopped: "
                       "search for fewer or rarer words") from exc
    finally:
        conn.set_progress_handler(None, 0)


def _search_page(conn: sqlite3.Connection, query: str, limit: int, offset: int, order: str,
                 filters: dict[str, str] | None, facets: bool, window: int) -> SearchPage:
    filters = {name: value for name, value in (filters or {}).items() if value and name in NARROWERS}
    ranked = [tuple(row) for row in conn.execute(WINDOW_SQL, {"q": query, "window": window})]
    params = {"q": query, "matches": json.dumps(ranked), **filters}
    where = narrowing(filters)
    rows = _rows(conn, search_sql(limit, offset, order, where, window=None), params)
    for row in rows:
        row["relevance"] = float(f"{row['relevance']:.3g}")  # bm25 is tiny for very common words
    total = len(ranked) if len(ranked) < window else conn.execute(COUNT_SQL, params).fetchone()[0]
    page = SearchPage(rows, min(total, COUNT_CAP), total > COUNT_CAP, total > window, window)
    if filters:  # a narrowed search counts among the ranked matches only
        page.total = conn.execute(KEPT_MATCHES + _NARROWED_COUNT.format(where=where), params).fetchone()[0]
        page.more = False
    if facets:
        page.facets = {name: conn.execute(KEPT_MATCHES + sql.format(where=where), params).fetchall()
                       for name, sql in FACET_SQL.items()}
    return page


def search(db: Database, query: str, limit: int = 20, site: str | None = None,
           time_limit: float = SEARCH_TIME_LIMIT) -> list[dict[str, Any]]:
    """The articles matching ``query`` (words AND-ed), most relevant first; only ``site``'s if given."""
    return search_page(db.conn, query, limit, filters={"site": site}, time_limit=time_limit).rows
