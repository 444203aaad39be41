"""The news lists a page shows beside its article: ranking, headlines, photo news.

Lists are found by their heading (랭킹뉴스, 헤드라인 뉴스, 포토뉴스 …), which is what a
reader sees and what survives a redesign; the list is the heading's box, its items the
box's ``li`` elements (or its links when the box has no list), in page order, so the two
tabs of a ranking box come out as ranks 1–10.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass

from lxml import etree

from ..links import absolute_url
from .select import links, string
from .short import PageText, page_texts, short_ancestors
from .text import SPACE, node_text, normalise_space

#: Heading text (spaces removed) -> list name.
LIST_HEADINGS: dict[str, str] = {
    "랭킹뉴스": "ranking",
    "많이본뉴스": "ranking",
    "많이본기사": "ranking",
    "인기기사": "ranking",
    "인기뉴스": "ranking",
    "헤드라인뉴스": "headline",
    "주요뉴스": "headline",
    "주요기사": "headline",
    "포토뉴스": "photo",
    "포토": "photo",
    "화보": "photo",
    "실시간뉴스": "latest",
    "최신뉴스": "latest",
    "최신기사": "latest",
    "관련기사": "related",
    "관련뉴스": "related",
}
_HEADING_TAGS = frozenset({"h1", "h2", "h3", "h4", "h5", "h6", "strong", "dt", "span", "div", "p", "b", "em"})
#: A heading's text is under this many characters (whitespace normalised).
_HEADING_LENGTH = 12
#: Every piece of a heading that one text node of it can hold (``랭킹`` + ``<b>뉴스</b>``).
_HEADING_PIECES = frozenset(key[start:end] for key in LIST_HEADINGS
                            for start in range(len(key)) for end in range(start + 1, len(key) + 1))
_WHITESPACE = re.compile(f"{SPACE}+")
#: Text made of a heading's characters and whitespace only: a quick test run on every text
#: node of the page, that gives up at the first character of running text.
_HEADING_SHAPE = re.compile(
    f"{SPACE}*(?:[{''.join(sorted(set(''.join(LIST_HEADINGS))))}]{SPACE}*){{1,{max(map(len, LIST_HEADINGS))}}}"
)
_IMAGE_ALT = etree.XPath("string(.//img/@alt)")


@dataclass(frozen=True)
class RelatedItem:
    list: str
    rank: int
    title: str
    url: str
    summary: str | None = None


def related_boxes(root: etree._Element, texts: list[PageText] | None = None) -> list[tuple[str, etree._Element]]:
    """``(list name, box element)`` of every headed news list, in page order, each box once.

    The boxes are also what the body text must leave out (an in-body 관련기사 box).
    ``texts`` are the page's :func:`~newscrawl.extract.short.page_texts`, if known.
    """
    boxes: dict[etree._Element, str] = {}
    for name, box in _headed_boxes(page_texts(root) if texts is None else texts):
        boxes.setdefault(box, name)
    return [(name, box) for box, name in boxes.items()]


def related_items(
    boxes: list[tuple[str, etree._Element]], page_url: str, is_article_url: Callable[[str], bool] | None = None
) -> list[RelatedItem]:
    """The items of ``boxes``, ranked from 1 within each box."""
    items: list[RelatedItem] = []
    for name, box in boxes:
        entries = [e for e in _entries(box, page_url) if not is_article_url or is_article_url(e[1])]
        items.extend(
            RelatedItem(name, rank, title, url, summary)
            for rank, (title, url, summary) in enumerate(entries, start=1)
        )
    return items


def heading_list_name(text: str) -> str | None:
    """The list name for a heading's text (``헤드라인 뉴스`` -> ``headline``), or None."""
    return LIST_HEADINGS.get(re.sub(r"\s+", "", text))


def _headed_boxes(texts: list[PageText]) -> Iterator[tuple[str, etree._Element]]:
    for heading in short_ancestors(_heading_holders(texts), _HEADING_TAGS, _HEADING_LENGTH):
        if len(heading) and any(isinstance(c.tag, str) and c.tag.lower() in ("ul", "ol", "li") for c in heading):
            continue  # a container that merely starts with a short text is no heading
        name = heading_list_name(normalise_space(string(heading)))
        box = _box_of(heading) if name else None
        if box is not None:
            yield name, box


def _heading_holders(texts: list[PageText]) -> Iterator[etree._Element]:
    """The elements of the text nodes that can be (part of) a list heading: those that,
    whitespace aside, are a piece of one of the LIST_HEADINGS."""
    for text, holder in texts:
        # The headings are Korean: a text of ASCII alone (told at once) is none.
        if not text.isascii() and _HEADING_SHAPE.fullmatch(text) and _WHITESPACE.sub("", text) in _HEADING_PIECES:
            yield holder


def _box_of(heading: etree._Element, max_levels: int = 3) -> etree._Element | None:
    """The nearest ancestor of ``heading`` that holds a list, or links besides the heading's.

    A box whose list is empty (filled later by JavaScript) is still the box: climbing
    further would take in the neighbouring lists.
    """
    box = heading.getparent()
    for _ in range(max_levels):
        if box is None:
            return None
        if _holds_list(box) or any(not _within(a, heading) for a in links(box)):
            return box
        box = box.getparent()
    return None


def _holds_list(box: etree._Element) -> bool:
    """True when ``box`` holds a ``<ul>`` or ``<ol>`` (``.//ul | .//ol``, without an XPath call)."""
    return next(box.iterdescendants("ul", "ol"), None) is not None


def _within(node: etree._Element, ancestor: etree._Element) -> bool:
    return node is ancestor or any(parent is ancestor for parent in node.iterancestors())


def _entries(box: etree._Element, page_url: str) -> Iterator[tuple[str, str, str | None]]:
    nodes = list(box.iterdescendants("li")) or links(box)  # .//li, without an XPath call
    for node in nodes:
        entry = _entry(node, page_url)
        if entry:
            yield entry


def _entry(node: etree._Element, page_url: str) -> tuple[str, str, str | None] | None:
    anchors = [node] if node.tag == "a" else links(node)
    anchors = [a for a in anchors if not a.get("href", "").strip().lower().startswith(("javascript:", "#"))]
    if not anchors:
        return None
    titled = [(normalise_space(string(a)), a) for a in anchors]
    title, link = max(titled, key=lambda pair: len(pair[0]))
    if not title:
        title = normalise_space(_IMAGE_ALT(link))
    if not title:
        return None
    url = absolute_url(page_url, link.get("href").strip())
    return (title, url, _summary(node, title)) if url else None


def _summaries(node: etree._Element) -> list[etree._Element]:
    """The paragraphs and ``sum`` elements under ``node``, in page order."""
    return [element for element in node.iter(etree.Element) if element is not node
            and (element.tag == "p" or " sum " in f" {element.get('class') or ''} ")]


def _summary(node: etree._Element, title: str) -> str | None:
    for candidate in _summaries(node):
        text = node_text(candidate)
        if text and text != title:
            return text
    return None
