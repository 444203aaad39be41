"""Dates of a page that no label or metadata states: htmldate's reading, and the URL's date.

htmldate (a dependency of trafilatura) reads dates the way many CMSs print them — ``<time>``
elements, ``class="date"`` spans, Open Graph variants, copyright years left aside — and in
its fast mode (``extensive_search=False``) does not guess from loose text. A URL such as
``/2019/11/19/slug`` or ``/2019/nov/19/`` names the day the site filed the article; where
htmldate's date and the URL's disagree by more than a day, the URL's is kept.
"""

from __future__ import annotations

import re
from collections.abc import Collection
from datetime import date
from functools import lru_cache

from lxml import etree
from lxml.html import HtmlElement

from .dates import parse_kst_datetime
from .maintext import as_lxml_html, pruned_copy

_MONTHS = {name: number for number, name in enumerate(
    "jan feb mar apr may jun jul aug sep oct nov dec".split(), start=1)}
_URL_DATE = re.compile(
    r"/(?P<y>(?:19|20)\d\d)[/-](?P<m>[01]?\d|[a-z]{3})[/-](?P<d>[0-3]?\d)(?=[/_.-]|$)", re.IGNORECASE
)
#: Years before this are a CMS's placeholder, not a publication date.
EARLIEST_YEAR = 1900
#: Days by which a date may differ from the URL's and still agree with it (time zones, and
#: sites that file an article late in the evening and date its URL the next day).
AGREEMENT_DAYS = 1


def url_date(url: str) -> date | None:
    """The date a URL's path carries (``/2019/11/19/``, ``/2019-11-19-``, ``/2019/nov/19/``)."""
    for match in _URL_DATE.finditer(url.split("?")[0]):
        month = match["m"].lower()
        try:
            return date(int(match["y"]), _MONTHS[month] if month in _MONTHS else int(month), int(match["d"]))
        except (KeyError, ValueError):
            continue
    return None


def plausible(raw: str | None) -> str | None:
    """``raw`` when it is a date of the web's era; None for a placeholder such as
    ``0001-01-01T00:00:00Z`` that some CMSs write into their metadata."""
    parsed = parse_kst_datetime(raw)
    return raw if parsed and parsed.year >= EARLIEST_YEAR else None


def agrees(found: date, url: str) -> bool:
    """True unless ``url`` carries a date more than :data:`AGREEMENT_DAYS` away from ``found``."""
    stated = url_date(url)
    return stated is None or abs((found - stated).days) <= AGREEMENT_DAYS


@lru_cache(maxsize=1)
def _htmldate():
    # Imported on first use, like trafilatura: profiled pages rarely need it.
    import htmldate

    return htmldate


def htmldate_copy(root: etree._Element, skip: Collection[etree._Element] = ()) -> HtmlElement:
    """The copy of the page under ``root`` that htmldate reads, the ``skip`` nodes (news
    lists: other articles' dates) left out, as its own parser would give it (no processing
    instructions). htmldate copies a tree it is given before cutting anything from it, so
    one copy serves every question asked of a page."""
    tree = pruned_copy(root, skip)
    etree.strip_elements(tree, etree.ProcessingInstruction, with_tail=False)
    return as_lxml_html(tree)


def htmldate_of(tree: HtmlElement, url: str, original: bool = True) -> str | None:
    """htmldate's publication (``original``) or last-modified date of the page copy
    ``tree`` (:func:`htmldate_copy`), as ``YYYY-MM-DD``; None when it finds none or the
    page's URL carries another date."""
    # Without the URL: its date is a layer of its own, and a check on htmldate's.
    try:
        found = _htmldate().find_date(tree, original_date=original, extensive_search=False,
                                      outputformat="%Y-%m-%d")
    except ValueError:  # lxml refuses control characters htmldate's own cleaning moves about
        return None
    if not found or not agrees(date.fromisoformat(found), url):
        return None
    return found
