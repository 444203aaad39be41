"""``newscrawl serve``: datasette on an archive, with newscrawl's plugin."""

from __future__ import annotations

from pathlib import Path

from .archive import open_archive
from .archive.paths import archive_path
from .archive.readonly import check_current, may_write, read_only_connection, schema_behind


def serve(db_path: str | Path, host: str = "127.0.0.1", port: int = 8001, immutable: bool = False) -> None:
    """Serve the archive at ``db_path`` with datasette until interrupted.

    Nothing opens it for writing: it is checked with a read-only connection, and datasette
    reads it with ``mode=ro`` (a crawl may keep writing meanwhile), or ``immutable`` when
    asked or when this user cannot write beside it (see :mod:`newscrawl.archive.readonly`).
    The one exception is an archive of an older schema that this user may write: it is
    upgraded first, so the search index exists. Facet suggestions are off; the facets that
    ``metadata.json`` names are computed as usual.
    """
    path = archive_path(db_path, create=False, write=False)
    writable = may_write(path)
    conn = read_only_connection(path, immutable)
    try:
        if schema_behind(conn) and writable and not immutable:
            open_archive(path).close()
        else:
            check_current(path, conn)
    finally:
        conn.close()
    # imported here: datasette doubles the start-up time of every other newscrawl command
    from datasette.cli import cli as datasette_cli
    from datasette.plugins import pm

    from . import datasette_plugin

    if not pm.is_registered(datasette_plugin):  # running from a checkout without installing
        pm.register(datasette_plugin, "newscrawl")
    database = ["-i", str(path)] if immutable or not writable else [str(path)]
    # Facet suggestions run a query per column on every table page: seconds on a large archive.
    datasette_cli.main(["serve", *database, "--host", host, "--port", str(port),
                        "--setting", "suggest_facets", "off"],
                       prog_name="datasette", standalone_mode=False)
