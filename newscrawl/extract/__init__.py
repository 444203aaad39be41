"""Extraction: from a raw page to the fields of its article, with no network or database.

``extract_page(page, profile)`` reads every field as the page writes it;
:func:`newscrawl.extract.normalise.normalise_article` turns those into the archive's types;
:func:`newscrawl.extract.validate.validate_article` decides whether it is an article at all.
The item pipelines call these three in order, and so does everything else.
"""

from __future__ import annotations

from ..errors import NotAnArticle
from ..items import ExtractedArticle, RawPage
from ..sites.base import SiteProfile
from .encoding import decode_html, looks_like_html
from .page import ArticlePage

__all__ = ["ArticlePage", "extract_page"]


def extract_page(page: RawPage, profile: SiteProfile) -> ExtractedArticle:
    """The fields of ``page`` read with ``profile``; raises NotAnArticle for non-HTML."""
    if not page.body.strip():
        raise NotAnArticle("the page is empty (0 bytes of content)")
    html, encoding = decode_html(page.body, page.header("content-type"))
    if not looks_like_html(html):
        raise NotAnArticle(f"the page is not HTML (binary or unreadable content, read as {encoding})")
    page.encoding = encoding
    article_page = ArticlePage(html, page.url, profile)
    message = article_page.not_found()
    if message:
        raise NotAnArticle(f"the site says there is no such article: {message}")
    return article_page.extract(page)
