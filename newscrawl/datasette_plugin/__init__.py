"""datasette plugin: newscrawl archives open ready to use with a plain ``datasette news.db``.

Registered through the ``datasette`` entry point in pyproject.toml. For every database that
is a newscrawl archive (whatever its file is called) it adds the descriptions, facets and
labels of ``newscrawl/metadata.json``, the canned queries of :mod:`newscrawl.queries`, and
makes the articles table's search box use the Korean index (datasette's own ``_search``
would send the raw words to FTS5, which cannot find Korean words inside compounds). It also
adds the reading room (:mod:`.views`): an article page, a search page and a dashboard, with
Korean labels. The logic lives in plain functions; the hooks only connect them to datasette.
"""

from __future__ import annotations

import json
import os
import re
import sqlite3
from functools import lru_cache
from importlib.resources import files
from typing import Any

from datasette import hookimpl
from datasette.filters import FilterArguments
from datasette.utils.asgi import BadRequest
from markupsafe import Markup, escape

from ..archive.search import (BREADTH_SQL, COUNT_CAP, COUNT_SQL, FTS_TABLE, RANK_WINDOW, WINDOW, BadQuery,
                              check_query, match_condition, match_plan, register_functions)
from ..archive.snippets import MARK
from ..archive.tokens import fts_query
from ..queries import canned_queries as archive_queries
from . import views

#: Tables a database must have to count as a newscrawl archive.
ARCHIVE_TABLES = ("articles", "revisions", "pages")
#: Where the search box searches: the table, and the readable view of it.
SEARCH_TABLES = ("articles", "article_summary")
#: Newest first, the articles table's default (None) order: a walk down the date index.
NEWEST_FIRST = (None, "published_at")
_MARKED = re.compile(re.escape(MARK) + "(.+?)" + re.escape(MARK))


def is_archive(conn: sqlite3.Connection) -> bool:
    """True when the database has newscrawl's core tables."""
    names = {row[0] for row in conn.execute("SELECT name FROM sqlite_master WHERE type = 'table'")}
    return names.issuperset(ARCHIVE_TABLES)


# datasette asks for metadata dozens of times per page, so the answer is kept for as long
# as the file (and its write-ahead log) is unchanged: a stat instead of opening the file.
@lru_cache(maxsize=64)
def _archive_file(path: str, mode: str, stamp: tuple[int, ...]) -> bool:
    try:
        conn = sqlite3.connect(f"file:{path}?{mode}", uri=True)
    except sqlite3.Error:
        return False
    try:
        return is_archive(conn)
    except sqlite3.Error:
        return False
    finally:
        conn.close()


def _stamp(path: str) -> tuple[int, ...]:
    """Modification times of a database file and of its write-ahead log, if there is one."""
    stamps = []
    for name in (path, f"{path}-wal"):
        try:
            stamps.append(os.stat(name).st_mtime_ns)
        except FileNotFoundError:
            continue
    return tuple(stamps)


def _file_is_archive(datasette: Any, name: str) -> bool:
    database = datasette.databases.get(name)
    if database is None or database.is_memory or not database.path:
        return False
    stamp = _stamp(database.path)
    mode = "mode=ro" if database.is_mutable else "immutable=1"
    return bool(stamp) and _archive_file(database.path, mode, stamp)


def archive_names(datasette: Any) -> list[str]:
    """Names of the attached databases that are newscrawl archives."""
    return [name for name in list(datasette.databases) if _file_is_archive(datasette, name)]


@lru_cache(maxsize=1)
def _metadata_text() -> str:
    return files("newscrawl").joinpath("metadata.json").read_text(encoding="utf-8")


def archive_metadata() -> dict[str, Any]:
    """Metadata of one archive database: ``metadata.json``'s ``news`` database block, with
    its top-level title, description and source (a fresh dict: datasette merges into it)."""
    metadata = json.loads(_metadata_text())
    database = metadata.pop("databases")["news"]
    return {**metadata, **database}


def highlight(value: str) -> Markup:
    """``value`` escaped, with the snippet's ``**marks**`` shown as ``<mark>``."""
    return Markup(_MARKED.sub(r"<mark>\1</mark>", str(escape(value))))


def rows_only(args: Any, table: str) -> bool:
    """True when a table request needs only its first rows, newest first (the walk down the
    date index that BREADTH_SQL checks): no count, no facets (datasette's ``_shape=array``,
    or ``_nocount`` and ``_nofacet``), and no other filter (a rare one would have the walk
    go on, testing every article)."""
    bare = args.get("_shape") in ("array", "object") or bool(args.get("_nocount") and args.get("_nofacet"))
    filtered = "_where" in args or any(not name.startswith("_") for name in args)
    return (bare and not filtered and table == "articles" and args.get("_sort") is None
            and args.get("_sort_desc") in NEWEST_FIRST)


def for_a_person(request: Any) -> bool:
    """True for a table page in HTML (not ``.json``, ``.csv`` or ``?_format=``): what a
    person reads, where the newest matches of a common word may stand for all of them."""
    return not request.url_vars.get("format") and not request.args.get("_format")


async def search_filter(database: Any, search: str, table: str = "articles", only_rows: bool = False,
                        person: bool = False) -> FilterArguments:
    """The WHERE clause that makes ``?_search=`` use the Korean index, planned for how
    common the search is, whether only the first rows are wanted (``only_rows``) and
    whether a person reads the answer (``person``: a common word's page shows its
    RANK_WINDOW most recently archived matches, and says so); a search over the limits is
    a 400 answer saying so (as ``newscrawl search`` does), not a long stall."""
    try:
        check_query(search)
    except BadQuery as exc:
        raise BadRequest(str(exc)) from exc
    expression = fts_query(search)
    common, everywhere = (await database.execute(BREADTH_SQL, {"expression": expression})).first()
    plan = match_plan(bool(common), bool(everywhere), only_rows, person)
    described = f'search matches "{search}"'
    if plan == WINDOW:
        total = (await database.execute(COUNT_SQL, {"q": search})).first()[0]
        of = f"more than {COUNT_CAP:,}" if total > COUNT_CAP else f"{total:,}"
        described += f": its {RANK_WINDOW:,} most recently archived matches, of {of}"
    return FilterArguments(
        [match_condition("newscrawl_search", plan, table)],
        {"newscrawl_search": expression},
        [described],
        {"supports_search": True, "search": search},
    )


@hookimpl
def prepare_connection(conn: sqlite3.Connection) -> None:
    register_functions(conn)


@hookimpl
def get_metadata(datasette: Any) -> dict[str, Any]:
    return {"databases": {name: archive_metadata() for name in archive_names(datasette)}}


@hookimpl
def canned_queries(datasette: Any, database: str) -> Any:
    async def inner() -> dict[str, Any]:
        if _file_is_archive(datasette, database):
            return archive_queries()
        return {}
    return inner


# trylast: datasette's own search filter runs first, so the search box this one switches
# on (``supports_search``) is not switched off again by it.
@hookimpl(trylast=True)
def filters_from_request(request: Any, database: str, table: str, datasette: Any) -> Any:
    if table not in SEARCH_TABLES:
        return None

    async def inner() -> FilterArguments | None:
        archive = datasette.get_database(database)
        if not await archive.table_exists(FTS_TABLE):
            return None
        search = request.args.get("_search", "").strip()
        if not search:
            return FilterArguments([], extra_context={"supports_search": True})
        return await search_filter(archive, search, table, rows_only(request.args, table), for_a_person(request))
    return inner


#: Tables and views whose ``id`` is an article's: their ids and titles open the article page.
ARTICLE_ROWS = ("articles", "article_summary")
#: Characters of the body a table shows (the article page has the whole text).
BODY_PREVIEW = 120
#: Long text columns a table shows the start of: the body, and the JSON of how it was read.
PREVIEWED = ("body", "sources", "raw")


def body_preview(value: str) -> str:
    """The start of a body, on one line, for a table cell."""
    text = " ".join(value.split())
    return text[:BODY_PREVIEW] + ("…" if len(text) > BODY_PREVIEW else "")


def article_link(datasette: Any, database: str, rowid: Any, text: Any) -> Markup:
    return Markup('<a href="{}">{}</a>').format(views.article_url(datasette, database, rowid), text)


@hookimpl
def render_cell(row: Any, value: Any, column: str, table: str | None, database: str, datasette: Any) -> Markup | None:
    if column == "snippet" and isinstance(value, str):
        return highlight(value)
    if column in PREVIEWED and isinstance(value, str) and table is not None:
        return Markup("{}").format(body_preview(value))
    keys = row.keys() if hasattr(row, "keys") else []
    # the articles table, its summary view, and canned queries that select an article id
    in_article_rows = table in ARTICLE_ROWS or (table is None and "id" in keys and "title" in keys)
    if in_article_rows and column in ("id", "title") and value is not None and _file_is_archive(datasette, database):
        return article_link(datasette, database, row["id"], value)
    return None


@hookimpl
def register_routes() -> list[tuple[str, Any]]:
    return views.ROUTES


@hookimpl
def extra_css_urls(datasette: Any) -> list[str]:
    return [datasette.urls.path(views.STYLE_URL)]


def when(iso: str | None) -> str:
    """An ISO 8601 time as a Korean reader writes it: ``2020-07-08T08:05:00+09:00`` -> ``2020.07.08 08:05``."""
    if not iso:
        return ""
    return iso[:10].replace("-", ".") + (" " + iso[11:16] if len(iso) > 10 else "")


@hookimpl
def prepare_jinja2_environment(env: Any) -> None:
    env.filters["when"] = when


@hookimpl
def extra_template_vars(datasette: Any) -> dict[str, Any]:
    return {"newscrawl_archives": archive_names(datasette), "newscrawl_urls": views.Urls(datasette),
            "highlight": highlight}
