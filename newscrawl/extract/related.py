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
from .text import node_text, normalise_space

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
_HEADING_TAGS = ("h1", "h2", "h3", "h4", "h5", "h6", "strong", "dt", "span", "div", "p", "b", "em")
_HEADINGS_XPATH = etree.XPath(
    "//*[" + " or ".join(f"self::{t}" for t in _HEADING_TAGS) + "][string-length(normalize-space()) < 12]"
)


@dataclass(frozen=True)
class RelatedItem:
    list: str
    rank: int
    title: str
    url: str
    summary: str | None = None


def related_lists(
    root: etree._Element, page_url: str, is_article_url: Callable[[str], bool] | None = None
) -> list[RelatedItem]:
    """Every item of every headed news list on the page, lists in page order.

    ``is_article_url``, when given, keeps only items that link to an article of the site
    (so a tab bar of ``javascript:`` links never counts as a list).
    """
    return related_items(related_boxes(root), page_url, is_article_url)


def related_boxes(root: etree._Element) -> list[tuple[str, etree._Element]]:
    """``(list name, box element)`` of every headed news list, in page order, each box once.

    The boxes are also what the body text must leave out (an in-body 관련기사 box).
    """
    boxes: dict[etree._Element, str] = {}
    for name, box in _headed_boxes(root):
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


def _headed_boxes(root: etree._Element) -> Iterator[tuple[str, etree._Element]]:
    for heading in _HEADINGS_XPATH(root):
        if len(heading) and any(isinstance(c.tag, str) and c.tag.lower() in ("ul", "ol", "li") for c in heading):
            continue  # a container that merely starts with a short text is no heading
        name = heading_list_name(normalise_space(heading.xpath("string()")))
        box = _box_of(heading) if name else None
        if box is not None:
            yield name, box


def _box_of(heading: etree._Element, max_levels: int = 3) -> etree._Element | None:
    """The nearest ancestor of ``heading`` that holds a list, or links besides the heading's.

    A box whose list is empty (filled later by JavaScript) is still the box: climbing
    further would take in the neighbouring lists.
    """
    box = heading.getparent()
    for _ in range(max_levels):
        if box is None:
            return None
        if box.xpath(".//ul | .//ol") or any(not _within(a, heading) for a in box.xpath(".//a[@href]")):
            return box
        box = box.getparent()
    return None


def _within(node: etree._Element, ancestor: etree._Element) -> bool:
    return node is ancestor or any(parent is ancestor for parent in node.iterancestors())


def _entries(box: etree._Element, page_url: str) -> Iterator[tuple[str, str, str | None]]:
    nodes = box.xpath(".//li") or box.xpath(".//a[@href]")
    for node in nodes:
        entry = _entry(node, page_url)
        if entry:
            yield entry


def _entry(node: etree._Element, page_url: str) -> tuple[str, str, str | None] | None:
    links = [node] if node.tag == "a" else node.xpath(".//a[@href]")
    links = [a for a in links if not a.get("href", "").strip().lower().startswith(("javascript:", "#"))]
    if not links:
        return None
    titled = [(normalise_space(a.xpath("string()")), a) for a in links]
    title, link = max(titled, key=lambda pair: len(pair[0]))
    if not title:
        title = normalise_space(link.xpath("string(.//img/@alt)"))
    if not title:
        return None
    url = absolute_url(page_url, link.get("href").strip())
    return (title, url, _summary(node, title)) if url else None


def _summary(node: etree._Element, title: str) -> str | None:
    for candidate in node.xpath(".//p | .//*[contains(concat(' ', @class, ' '), ' sum ')]"):
        text = node_text(candidate)
        if text and text != title:
            return text
    return None
