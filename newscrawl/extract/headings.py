"""Title and subtitle read from a page's structure: the generic layer for the head.

The headline is the element whose text the page's ``<title>`` repeats (``<title>`` adds the
paper's name before or after it); the subtitle is what follows the headline when it is set
as a heading, named as one (``sub``, ``deck``, ``stit``) or introduced with a dash
(``- 정보보호의날 맞아 …``).
"""

from __future__ import annotations

import re
from collections.abc import Collection

from lxml import etree

from .bylines import parse_byline
from .labels import find_labelled
from .related import heading_list_name
from .select import string
from .short import PageText, in_body, is_short, page_texts, short_ancestors
from .text import node_text, normalise_space

_TITLE_SEPARATORS = (" - ", " | ", " :: ", " : ", " – ", " — ", " < ")
_HEADLINE_TAGS = frozenset({"h1", "h2", "h3", "h4", "b", "strong", "font", "td", "span", "p", "div", "em"})
#: Characters of a headline's text, as XPath's normalize-space() counts them: at least, under.
_HEADLINE_MIN, _HEADLINE_MAX = 4, 200
_FOLLOWING_TEXT = etree.XPath(
    "following::text()[normalize-space()][not(ancestor::script or ancestor::style)][1]"
)
_SUBTITLE_NAMES = re.compile(r"sub|deck|stit", re.IGNORECASE)
_SUBTITLE_HEADINGS = frozenset({"h2", "h3", "h4"})
_DASH = re.compile(r"^[-–—]\s*")


def without_site_name(title: str | None, site_names: Collection[str]) -> str | None:
    """``title`` without the paper's name that ``<title>`` or ``og:title`` add to it."""
    title = normalise_space(title)
    for separator in _TITLE_SEPARATORS:
        parts = [part.strip() for part in title.split(separator)]
        kept = [part for part in parts if part not in site_names]
        if len(parts) > 1 and kept and len(kept) < len(parts):
            return separator.join(kept)
    return title or None


def headline_node(root: etree._Element, page_title: str | None,
                  texts: list[PageText] | None = None) -> etree._Element | None:
    """The element that holds the headline: the longest text that ``<title>`` contains.

    Without such an element, the page's first ``<h1>``. The innermost element with the
    text is returned, so that what follows it is what follows the headline. ``texts`` are
    the page's :func:`~newscrawl.extract.short.page_texts`, if known.
    """
    page_title = normalise_space(page_title)
    best, best_length = None, 0
    if page_title:
        for element in _headline_candidates(page_texts(root) if texts is None else texts, page_title):
            text = normalise_space(string(element))
            if len(text) > best_length and text in page_title:
                best, best_length = element, len(text)
    if best is None:
        best = next(iter(root.xpath("//body//h1")), None)
    return _innermost(best) if best is not None else None


def _headline_candidates(texts: list[PageText], page_title: str) -> list[etree._Element]:
    """The elements of ``<body>`` that can hold a headline ``page_title`` contains, in page
    order. Each of their text nodes is, whitespace normalised, a piece of ``page_title``:
    they are found from those text nodes (:mod:`~newscrawl.extract.short`)."""
    holders = (holder for text, holder in texts if _piece_of(text, page_title))
    return [e for e in short_ancestors(holders, _HEADLINE_TAGS, _HEADLINE_MAX)
            if in_body(e) and not is_short(e, _HEADLINE_MIN)]


def _piece_of(text: str, title: str) -> bool:
    """True when ``text``, whitespace normalised, is a piece of ``title``.

    A text is judged by its start first, as normalising the start of a text gives the start
    of the normalised text: its first word (unless a zero-width space, which str.split()
    keeps, is in it), and a long text's (a script's, a paragraph's) first characters.
    """
    first = text.split(None, 1)
    if first and first[0] not in title and "\u200b" not in first[0] and "\ufeff" not in first[0]:
        return False
    if len(text) > 2 * len(title) and len(normalise_space(text[:2 * len(title)])) > len(title):
        return False
    piece = normalise_space(text)
    return bool(piece) and piece in title


def _innermost(element: etree._Element) -> etree._Element:
    text = normalise_space(string(element))
    while True:
        children = [c for c in element if isinstance(c.tag, str) and normalise_space(string(c)) == text]
        if len(children) != 1:
            return element
        element = children[0]


def subtitle_after(headline: etree._Element) -> str | None:
    """The subtitle right after ``headline``, or None when what follows is something else."""
    following = _FOLLOWING_TEXT(headline)
    if not following:
        return None
    text = following[0]
    holder = text.getparent()
    if text.is_tail and holder is not None:
        holder = holder.getparent()
    named = _subtitle_element(holder)
    value = node_text(named) if named is not None else normalise_space(text)
    if named is None and not _DASH.match(value):
        return None
    value = _DASH.sub("", value)
    if not 4 <= len(value) <= 150 or find_labelled([value]) or parse_byline(value) or heading_list_name(value):
        return None
    return value


def _subtitle_element(element: etree._Element | None, levels: int = 3) -> etree._Element | None:
    """``element`` or a near ancestor set as a heading or named as a subtitle."""
    for _ in range(levels):
        if element is None or not isinstance(element.tag, str):
            return None
        if element.tag.lower() in _SUBTITLE_HEADINGS or _SUBTITLE_NAMES.search(
            f"{element.get('class', '')} {element.get('id', '')}"
        ):
            return element
        element = element.getparent()
    return None
