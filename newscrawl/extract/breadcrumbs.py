"""Section breadcrumbs as pages show them: ``홈 > 정치/행정 > 세종``.

A breadcrumb is found by what it says — a short line that starts at the home page and
steps down with ``>``, ``›`` or ``»`` — or, when the separators are drawn by CSS, by the
words sites use to name it (``breadcrumb``, ``location``, ``navi``, ``현재 위치``). The
home step itself is no section and is dropped.
"""

from __future__ import annotations

import re

from lxml import etree

from .select import string
from .short import PageText, in_body, page_texts, short_ancestors
from .text import normalise_space

_HOME = re.compile(r"^(?:홈|HOME|Home|home|처음|메인|뉴스홈)$")
_WIDE_MARK = re.compile("[›»＞〉▶►→]")
_SEPARATORS = re.compile(r"\s*(?:>|" + _WIDE_MARK.pattern + r")\s*")
_TAGS = ("nav", "ol", "ul", "div", "p", "td", "span")
#: What a breadcrumb element's class, id or aria-label says, when its separators are drawn by CSS.
_NAMES = re.compile(r"breadcrumb|location|navi(?!g)|crumb|path|현재 ?위치", re.IGNORECASE)
_MAX_LENGTH = 80
_MAX_STEPS = 5
_MAX_STEP_LENGTH = 20


def breadcrumb(root: etree._Element, texts: list[PageText] | None = None) -> list[str]:
    """The section steps of the page's breadcrumb, outermost first; ``[]`` when none.

    ``texts`` are the page's :func:`~newscrawl.extract.short.page_texts`, if known.
    """
    for element in _text_candidates(page_texts(root) if texts is None else texts):
        steps = _steps_from_text(normalise_space(string(element)))
        if steps:
            return steps
    for element in root.iter(*_TAGS):
        named = " ".join((element.get("class", ""), element.get("id", ""), element.get("aria-label", "")))
        steps = _steps_from_items(element) if _NAMES.search(named) else []
        if steps:
            return steps
    return []


def _text_candidates(texts: list[PageText]) -> list[etree._Element]:
    """The short elements of ``<body>`` that can read ``홈 > a > b``, in page order: those
    around a text node holding a separator (each is one character, so never split between
    nodes), found from those text nodes (:mod:`~newscrawl.extract.short`)."""
    holders = (holder for text, holder in texts if _has_separator(text))
    return [e for e in short_ancestors(holders, _TAGS, _MAX_LENGTH) if in_body(e)]


def _has_separator(text: str) -> bool:
    # ">" found with memchr; the other marks are not ASCII (told without reading the text).
    return ">" in text or (not text.isascii() and _WIDE_MARK.search(text) is not None)


def _steps_from_text(text: str) -> list[str]:
    """Steps of ``홈 > a > b``; only a line that starts at home counts as a breadcrumb."""
    parts = [p for p in _SEPARATORS.split(text) if p]
    if len(parts) < 2 or not _HOME.match(parts[0]):
        return []
    return _valid(parts[1:])


def _steps_from_items(element: etree._Element) -> list[str]:
    items = element.xpath(".//li") or element.xpath(".//a")
    texts = [normalise_space(string(i)) for i in items]
    texts = [t for t in texts if t and not _SEPARATORS.fullmatch(t)]
    if texts and _HOME.match(texts[0]):
        texts = texts[1:]
    return _valid(texts)


def _valid(steps: list[str]) -> list[str]:
    steps = [s for s in steps if not _HOME.match(s)]
    if not steps or len(steps) > _MAX_STEPS or any(len(s) > _MAX_STEP_LENGTH for s in steps):
        return []
    return steps
