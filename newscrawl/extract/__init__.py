"""Extraction: from a raw page to the fields of its article, with no network or database.

``extract_page(page, profile)`` reads every field as the page writes it;
:func:`newscrawl.extract.normalise.normalise_article` turns those into the archive's types;
:func:`newscrawl.extract.validate.validate_article` decides whether it is an article at all.
The item pipelines call these three in order, and so does everything else.
"""

from __future__ import annotations

import codecs

from ..errors import NotAnArticle
from ..items import ExtractedArticle, RawPage
from ..sites.base import SiteProfile
from .encoding import read_html
from .layout import profile_for_page
from .page import ArticlePage
from .select import parse_html

__all__ = ["ArticlePage", "extract_page"]

#: Media types a page may be served as (text of any kind; what lacks a type is judged by its
#: bytes). An image or a PDF at an article's URL is not a page, whatever its bytes look like.
_PAGE_TYPES = ("text/", "application/xhtml+xml", "application/xml", "application/octet-stream")


def not_a_page_type(content_type: str | None) -> str | None:
    """The media type of ``content_type`` when it cannot be a web page (``image/png``), else None."""
    media_type = (content_type or "").split(";")[0].strip().lower()
    return media_type if media_type and not media_type.startswith(_PAGE_TYPES) else None


def _is_utf8_reading(body: bytes, encoding: str, html: str) -> bool:
    """True when ``html`` is exactly ``body`` read as UTF-8: no byte-order mark left out,
    no undecodable byte replaced (a page that holds U+FFFD itself is parsed from its text)."""
    return encoding == "utf-8" and not body.startswith(codecs.BOM_UTF8) and "\ufffd" not in html


def extract_page(page: RawPage, profile: SiteProfile) -> ExtractedArticle:
    """The fields of ``page`` read with ``profile``; raises NotAnArticle for non-HTML.

    A page given to the generic profile is read with a better one when its canonical URL
    or a CMS's markers name it (:func:`newscrawl.extract.layout.profile_for_page`).
    """
    media_type = not_a_page_type(page.header("content-type"))
    if media_type:
        raise NotAnArticle(f"the server sent {media_type}, not a web page")
    if not page.body.strip():
        raise NotAnArticle("the page is empty (0 bytes of content)")
    html, encoding, is_html = read_html(page.body, page.header("content-type"))
    if not is_html:
        raise NotAnArticle(f"the page is not HTML (binary or unreadable content, read as {encoding})")
    page.encoding = encoding
    root = parse_html(html, page.body if _is_utf8_reading(page.body, encoding, html) else None)
    article_page = ArticlePage(root, page.url, profile_for_page(profile, root, page.url), owner=profile)
    message = article_page.not_found()
    if message:
        raise NotAnArticle(f"the site says there is no such article: {message}")
    return article_page.extract(page)
