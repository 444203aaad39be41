"""The reading room's pages: routes of the datasette plugin.

``/<db>/-/article/<id>``  an article as a reader sees it (revisions, diff, related lists)
``/<db>/-/search?q=``     ranked Korean search with snippets, facets, count and paging
``/<db>/-/dashboard``     charts: articles per day by section, per reporter, edits
``/<db>/-/page/<id>``     a stored raw page, as plain text (never run as HTML here)
``/<db>/-/photo/<sha256>``  an archived photo, from the archive (not the live site)
``/-/newscrawl/reading.css``  the pages' style sheet (also lightens the table pages)

Each view reads the archive with plain functions (:mod:`.reading`, :mod:`.charts`,
:func:`newscrawl.archive.search.search_page`) run in datasette's database thread.
"""

from __future__ import annotations

import re
from functools import lru_cache
from importlib.resources import files
from typing import Any
from urllib.parse import urlencode

from datasette.utils.asgi import BadRequest, NotFound, Response
from sqlite_utils import Database
from sqlite_utils.db import NotFoundError

from ..archive.pages import load_page
from ..archive.photos import photo_blob
from ..archive.search import NARROWERS, ORDERS, BadQuery, search_page
from . import charts
from .reading import article_page

#: Results per page of the search page.
PER_PAGE = 20
#: Seconds a search page may take, as datasette allows its own queries (sql_time_limit_ms).
PAGE_TIME_LIMIT = 1.0
#: Korean names of the search facets.
FACET_NAMES = {"section": "섹션", "day": "날짜", "reporter": "기자"}


class Urls:
    """The reading room's addresses, for templates."""

    def __init__(self, datasette: Any):
        self.datasette = datasette

    def article(self, database: str, rowid: Any) -> str:
        return article_url(self.datasette, database, rowid)

    def search(self, database: str, **params: Any) -> str:
        query = urlencode({k: v for k, v in params.items() if v not in (None, "")})
        return self.datasette.urls.database(database) + "/-/search" + (f"?{query}" if query else "")

    def dashboard(self, database: str) -> str:
        return self.datasette.urls.database(database) + "/-/dashboard"

    def photo(self, database: str, digest: str) -> str:
        return self.datasette.urls.database(database) + f"/-/photo/{digest}"

    def page(self, database: str, page_id: int) -> str:
        return self.datasette.urls.database(database) + f"/-/page/{int(page_id)}"


def article_url(datasette: Any, database: str, rowid: Any) -> str:
    return datasette.urls.database(database) + f"/-/article/{int(rowid)}"


async def _archive(datasette: Any, request: Any) -> Any:
    """The archive database the request names; 404 for anything else."""
    from . import archive_names  # the package imports this module

    name = request.url_vars["database"]
    if name not in archive_names(datasette):
        raise NotFound(f"no newscrawl archive called {name}")
    return datasette.get_database(name)


def _int(value: str | None) -> int | None:
    return int(value) if value and value.isdigit() else None


async def article_view(datasette: Any, request: Any) -> Response:
    database = await _archive(datasette, request)
    rowid = int(request.url_vars["id"])
    old, new = _int(request.args.get("old")), _int(request.args.get("new"))
    page = await database.execute_fn(lambda conn: article_page(conn, rowid, old, new))
    if page is None:
        raise NotFound(f"no article {rowid}")
    html = await datasette.render_template("newscrawl_article.html", {**page, "database": database.name},
                                           request=request)
    return Response.html(html)


async def search_view(datasette: Any, request: Any) -> Response:
    database = await _archive(datasette, request)
    query = request.args.get("q", "").strip()
    order = request.args.get("order") if request.args.get("order") in ORDERS else "relevance"
    filters = {name: request.args.get(name, "") for name in NARROWERS}
    number = max(1, _int(request.args.get("page")) or 1)
    found = None
    if query:
        try:
            found = await database.execute_fn(lambda conn: search_page(
                conn, query, PER_PAGE, (number - 1) * PER_PAGE, order, filters, facets=True,
                time_limit=PAGE_TIME_LIMIT))
        except BadQuery as exc:  # too long, or past the time limit: a 400 page saying so
            raise BadRequest(str(exc)) from exc
    context = {"database": database.name, "q": query, "order": order, "filters": filters, "number": number,
               "found": found, "active": {k: v for k, v in filters.items() if v}, "per_page": PER_PAGE,
               "facet_names": FACET_NAMES, "orders": {"relevance": "관련도순", "newest": "최신순"}}
    html = await datasette.render_template("newscrawl_search.html", context, request=request)
    return Response.html(html)


async def dashboard_view(datasette: Any, request: Any) -> Response:
    database = await _archive(datasette, request)
    figures = await database.execute_fn(charts.dashboard)
    html = await datasette.render_template("newscrawl_dashboard.html",
                                           {"database": database.name, "charts": figures}, request=request)
    return Response.html(html)


async def raw_page_view(datasette: Any, request: Any) -> Response:
    database = await _archive(datasette, request)
    page_id = int(request.url_vars["id"])
    try:
        page = await database.execute_fn(lambda conn: load_page(Database(conn), page_id))
    except NotFoundError:
        raise NotFound(f"no page {page_id}") from None
    # text/plain with a sandbox: the archived page's scripts never run on our origin
    return Response.text(page.body.decode(page.encoding or "utf-8", errors="replace"),
                         headers={"content-security-policy": "sandbox", "x-newscrawl-url": page.url})


async def photo_view(datasette: Any, request: Any) -> Response:
    database = await _archive(datasette, request)
    digest = request.url_vars["sha256"]
    found = await database.execute_fn(lambda conn: photo_blob(conn, digest))
    if found is None:
        raise NotFound(f"no photo {digest}")
    data, content_type = found
    # content-addressed: the bytes behind this address never change
    return Response(data, content_type=_image_type(content_type),
                    headers={"cache-control": "max-age=31536000, immutable", "x-content-type-options": "nosniff"})


def _image_type(content_type: str | None) -> str:
    """The stored type when it is an image's; anything else is served as opaque bytes."""
    kind = (content_type or "").split(";")[0].strip().lower()
    return kind if kind.startswith("image/") and "svg" not in kind else "application/octet-stream"


@lru_cache(maxsize=1)
def _style() -> str:
    return files(__package__).joinpath("assets", "reading.css").read_text(encoding="utf-8")


async def style_view() -> Response:
    return Response(_style(), content_type="text/css; charset=utf-8", headers={"cache-control": "max-age=3600"})


STYLE_URL = "/-/newscrawl/reading.css"
ROUTES = [
    (rf"^{re.escape(STYLE_URL)}$", style_view),
    (r"^/(?P<database>[^/]+)/-/article/(?P<id>\d+)$", article_view),
    (r"^/(?P<database>[^/]+)/-/search$", search_view),
    (r"^/(?P<database>[^/]+)/-/dashboard$", dashboard_view),
    (r"^/(?P<database>[^/]+)/-/page/(?P<id>\d+)$", raw_page_view),
    (r"^/(?P<database>[^/]+)/-/photo/(?P<sha256>[0-9a-f]{64})$", photo_view),
]
