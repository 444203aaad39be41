"""newscrawl: a faithful, searchable archive of Korean news sites.

The library in four names (imported on first use, so ``import newscrawl.archive`` stays
light)::

    import newscrawl

    article = newscrawl.read_article(html, url)       # every field of one page, no network
    with newscrawl.Archive("data/news.db") as archive:  # the SQLite archive
        archive.save(article)
    article = newscrawl.fetch(url)                     # download, read and store one article

Errors a user can cause are :class:`newscrawl.NewscrawlError`; a page that is no article
raises :class:`newscrawl.NotAnArticle` with the reason.
"""

from __future__ import annotations

from importlib import import_module
from typing import Any

__version__ = "0.1.0"

#: Public name -> the module that defines it.
_EXPORTS = {
    "read_article": "newscrawl.reading",
    "read_page": "newscrawl.reading",
    "Archive": "newscrawl.archive.api",
    "Revision": "newscrawl.archive.revisions",
    "fetch": "newscrawl.run",
    "Article": "newscrawl.items",
    "Reporter": "newscrawl.items",
    "Photo": "newscrawl.items",
    "RelatedItem": "newscrawl.items",
    "RawPage": "newscrawl.items",
    "NewscrawlError": "newscrawl.errors",
    "NotAnArticle": "newscrawl.errors",
    "FetchFailed": "newscrawl.errors",
    "BadURL": "newscrawl.errors",
}

__all__ = ["__version__", *_EXPORTS]


def __getattr__(name: str) -> Any:
    if name in _EXPORTS:
        return getattr(import_module(_EXPORTS[name]), name)
    raise AttributeError(f"module 'newscrawl' has no attribute {name!r}")
