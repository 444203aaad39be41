"""``newscrawl serve``: datasette on an archive, with newscrawl's plugin."""

from __future__ import annotations

from pathlib import Path

from .archive import open_existing_archive


def serve(db_path: str | Path, host: str = "127.0.0.1", port: int = 8001) -> None:
    """Serve the archive at ``db_path`` with datasette until interrupted.

    The archive is upgraded to the current schema first (so the search index exists);
    datasette then only reads it (its connections open the file with ``mode=ro``), and a
    crawl may keep writing to it meanwhile. Facet suggestions are off; the facets that
    ``metadata.json`` names are computed as usual.
    """
    path = Path(db_path)
    open_existing_archive(path).close()
    # imported here: datasette doubles the start-up time of every other newscrawl command
    from datasette.cli import cli as datasette_cli
    from datasette.plugins import pm

    from . import datasette_plugin

    if not pm.is_registered(datasette_plugin):  # running from a checkout without installing
        pm.register(datasette_plugin, "newscrawl")
    # Facet suggestions run a query per column on every table page: seconds on a large archive.
    datasette_cli.main(["serve", str(path), "--host", host, "--port", str(port),
                        "--setting", "suggest_facets", "off"],
                       prog_name="datasette", standalone_mode=False)
