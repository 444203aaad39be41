"""Is it an article, and is it whole?

A page without a title or body is not an article: it is dropped with the reason, never
stored as a half-empty row; nor is a page read without a site profile that is of another
kind (a section front, a tag or search page, "about us", a gallery: :mod:`.kind`). A page cut short in transfer is still an article, but it is
marked incomplete so nobody mistakes it for the whole text.
"""

from __future__ import annotations

import re

from ..errors import MissingFields, NotAnArticle
from ..items import Article, RawPage
from ..sites.generic import GENERIC
from .kind import not_an_article

_CLOSING_TAG = re.compile(rb"</(?:html|body)\s*>", re.IGNORECASE)


def validate_article(article: Article) -> Article:
    """``article`` marked complete or not; raises MissingFields when it is none."""
    missing = [name for name in ("title", "body", "article_id") if not getattr(article, name)]
    if missing:
        raise MissingFields(f"no article on the page (missing {', '.join(missing)})", missing)
    if article.profile == GENERIC.name:
        # No profile says which URLs are articles: the page is judged by what it is.
        reason = not_an_article(article.url, article.declared_types, len(article.body),
                                len(article.photos), article.published_at)
        if reason:
            raise NotAnArticle(f"not an article page: read without a site profile, {reason}")
    reason = truncation(article.page) if article.page else None
    article.complete = reason is None
    article.incomplete_reason = reason
    return article


def truncation(page: RawPage) -> str | None:
    """Why ``page`` looks cut short, or None when it arrived whole."""
    if page.truncated:
        return "the connection closed before the whole page arrived"
    declared = page.header("content-length")
    if declared and declared.isdigit() and int(declared) > len(page.body):
        return f"received {len(page.body)} of {declared} bytes"
    if not _CLOSING_TAG.search(page.body[-4096:]):
        return "the page ends before its closing </body> or </html> tag"
    return None
