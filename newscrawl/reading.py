"""Reading one page: from its bytes and address to a normalised, validated :class:`Article`.

:func:`read_article` is the library's front door (``newscrawl.read_article(html, url)``);
:func:`read_page` is the same for a :class:`RawPage` as a crawl holds it. Everything that
reads a page — the crawl's pipelines, their worker processes, ``newscrawl extract``,
``reparse``, the tests and the benchmarks — calls one of these two, so there is one way to
read an article. No Scrapy, no database, no network: pure code from bytes to fields, safe to
call from many threads or processes at once.
"""

from __future__ import annotations

from .extract import extract_page
from .extract.normalise import normalise_article
from .extract.validate import validate_article
from .items import Article, RawPage
from .links import check_web_url
from .sites import choose_profile


def read_page(page: RawPage) -> Article:
    """The article in ``page``, read with the profile it names (``page.profile``) or its URL's.

    Raises :class:`~newscrawl.errors.NotAnArticle` (with the reason) when the page holds
    none: not HTML, the site's "no such article" page, no title or body.
    """
    extracted = extract_page(page, choose_profile(page.url, page.profile))
    return validate_article(normalise_article(extracted))


def read_article(html: bytes | str, url: str, *, content_type: str | None = None,
                 site: str | None = None) -> Article:
    """Every field of the article in ``html``, the page found at ``url``.

    ``html`` is the page as downloaded (bytes: its encoding is detected the way a browser
    does, EUC-KR included) or already decoded text. ``content_type`` is the ``Content-Type``
    header it was served with, if known (its charset wins over the page's ``<meta>``).
    ``site`` names a site profile to read it with (``newscrawl sites`` lists them); by
    default the URL's host chooses one, and pages of unknown sites are read generically.

    Raises :class:`~newscrawl.errors.NotAnArticle` for a page that is not an article, and
    :class:`~newscrawl.errors.BadURL` for an address that is not an http(s) URL.
    """
    check_web_url(url)
    if isinstance(html, str):
        # the text is sent on as UTF-8 bytes, so that is what they must be read as
        html, content_type = html.encode("utf-8"), "text/html; charset=utf-8"
    headers = {"content-type": [content_type]} if content_type else {}
    page = RawPage(url=url, status=200, headers=headers, body=html, encoding=None, fetched_at=None,
                   profile=choose_profile(url, site).name)
    return read_page(page)

