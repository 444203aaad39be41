"""The site's sections as a tree, built from the breadcrumbs of the articles stored.

An article's ``sections`` breadcrumbs (``["정치/행정", "세종"]``) become one ``sections`` row
per level, each pointing at its parent; ``articles.section_id`` points at the innermost.
"""

from __future__ import annotations

from sqlite_utils import Database

#: Between the levels of a section's readable ``path``.
PATH_SEPARATOR = " > "


def section_id(db: Database, site: str, breadcrumbs: list[str]) -> int | None:
    """The id of the innermost section of ``breadcrumbs``, creating missing levels."""
    parent: int | None = None
    for depth, name in enumerate(breadcrumbs, start=1):
        found = db.execute(
            "SELECT id FROM sections WHERE site = ? AND name = ? AND coalesce(parent, 0) = coalesce(?, 0)",
            [site, name, parent],
        ).fetchone()
        if found:
            parent = found[0]
            continue
        parent = db["sections"].insert({
            "site": site, "name": name, "parent": parent, "depth": depth,
            "path": PATH_SEPARATOR.join(breadcrumbs[:depth]),
        }).last_pk
    return parent


def link_section(db: Database, rowid: int, site: str, breadcrumbs: list[str]) -> None:
    """Point article ``rowid`` at the section its breadcrumbs name (NULL without any)."""
    db.execute("UPDATE articles SET section_id = ? WHERE id = ?",
               [section_id(db, site, breadcrumbs), rowid])
