"""Short elements of a page, found from their text instead of by measuring every element.

List headings (랭킹뉴스) and bylines (임병안 기자) are short elements: the page's other
layers look for "a ``<span>``, ``<h3>`` … whose text is under N characters and says X".
Asked as XPath (``//*[string-length(normalize-space()) < N]``) that measures the text of
every element — all of the page for ``<html>``, ``<body>`` and each container between —
and was the costliest part of extracting an article. The same elements are found from the
other end: every short element holds a short text node that says (part of) X, so the
search starts at the text nodes that can belong to one (one pass over the page's text,
:func:`page_texts`, shared by every such search) and climbs to their ancestors only while
the text stays short. The result is the same set, in page order.
"""

from __future__ import annotations

import re
from collections.abc import Collection, Iterable

from lxml import etree

from .select import string

#: A text node and the element it belongs to (whose own text it is).
PageText = tuple[str, etree._Element]

#: What XPath's normalize-space() collapses: XML's whitespace, not Unicode's.
_XML_SPACE = re.compile(r"[ \t\r\n]+")
_XML_SPACE_CHARACTERS = " \t\r\n"


def page_texts(root: etree._Element) -> list[PageText]:
    """Every text node under ``root`` that holds more than whitespace, in page order, with
    its element: an element's ``text``, and the ``tail`` after a child (text of the child's
    parent).

    Whitespace alone (the indentation between tags: most of a page's text nodes) is
    nothing any search starts from, and leaving it out makes each search a third as long.
    """
    texts = []
    for element in root.iter():
        # A comment's or processing instruction's own text is no text of the page.
        if (text := element.text) and not text.isspace() and isinstance(element.tag, str):
            texts.append((text, element))
        if (tail := element.tail) and not tail.isspace() and element is not root:
            texts.append((tail, element.getparent()))
    return texts


def short_ancestors(holders: Iterable[etree._Element], tags: Collection[str], max_length: int) -> list[etree._Element]:
    """The elements with a tag in ``tags`` and fewer than ``max_length`` characters of text
    (as XPath normalises it) that are or contain one of ``holders``, in page order.

    ``holders`` are the elements of the text nodes that can be part of what is sought. An
    element's text holds all its descendants' text, so once an ancestor is too long, so are
    all the ones above it: the climb stops there.
    """
    found: dict[etree._Element, None] = {}
    measured: set[etree._Element] = set()
    for element in holders:
        while element is not None and element not in measured:
            measured.add(element)
            if not is_short(element, max_length):
                break
            if isinstance(element.tag, str) and element.tag.lower() in tags:
                found[element] = None
            element = element.getparent()
    return in_page_order(found)


def is_short(element: etree._Element, max_length: int) -> bool:
    """True when ``string-length(normalize-space())`` of ``element`` is under ``max_length``.

    The text of a long element (the whole article) is not normalised in full: its first
    characters suffice, as normalising a part of a text never makes it longer.
    """
    text = string(element)
    if len(text) < max_length:
        return True  # normalising never lengthens a text
    head = text[:4 * max_length]
    if len(head) - sum(map(head.count, _XML_SPACE_CHARACTERS)) >= max_length:
        return False  # nor drops anything but whitespace: counted at C speed, no regex
    length = len(_XML_SPACE.sub(" ", head).strip(" "))
    if length >= max_length or len(head) == len(text):
        return length < max_length
    return len(_XML_SPACE.sub(" ", text).strip(" ")) < max_length


def in_body(element: etree._Element) -> bool:
    """True for an element of ``<body>`` (what XPath's ``//body//*`` finds)."""
    return any(ancestor.tag == "body" for ancestor in element.iterancestors())


def in_page_order(elements: Iterable[etree._Element]) -> list[etree._Element]:
    """``elements`` sorted in document order (an element before its descendants)."""
    return sorted(elements, key=lambda element: path_from(None, element))


def path_from(top: etree._Element | None, element: etree._Element) -> tuple[int, ...] | None:
    """The child indexes from ``top`` down to ``element`` (they sort in document order),
    from the root of the document when ``top`` is None; None when ``element`` is neither
    ``top`` nor under it."""
    path = []
    while element is not top:
        parent = element.getparent()
        if parent is None:
            if top is not None:
                return None
            break
        path.append(parent.index(element))
        element = parent
    return tuple(reversed(path))
