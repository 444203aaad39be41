"""Is it an article, and is it whole?

A page without a title or body is not an article: it is dropped with the reason, never
stored as a half-empty row; nor is a page read without a site profile that shows no
publication date. A page cut short in transfer is still an article, but it is
marked incomplete so nobody mistakes it for the whole text.
"""

from __future__ import annotations

import re

from ..errors import MissingFields, NotAnArticle
from ..items import Article, RawPage
from ..sites.generic import GENERIC

_CLOSING_TAG = re.compile(rb"</(?:html|body)\s*>", re.IGNORECASE)


def validate_article(article: Article) -> Article:
    """``article`` marked complete or not; raises MissingFields when it is none."""
    missing = [name for name in ("title", "body", "article_id") if not getattr(article, name)]
    if missing:
        raise MissingFields(f"no article on the page (missing {', '.join(missing)})", missing)
    if article.profile == GENERIC.name and not article.published_at:
        # No profile says which URLs are articles: a page that shows no publication date
        # (a section front, a tag page, "about us") is not taken for one.
        raise NotAnArticle("not an article page: read without a site profile, it shows no publication date")
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
