"""Turning HTML nodes into clean text blocks.

Korean news CMSs rarely use ``<p>``: the body is a run of text separated by ``<br>`` with
tables, ads and scripts in between. :func:`text_blocks` walks an lxml element in document
order and cuts the text into blocks at every ``<br>`` and every block-level element, so the
same function serves ``<br>``-separated bodies and ``<p>``-per-paragraph ones.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable

from lxml import etree

#: One character of what pages use as space: whitespace, nbsp, zero-width space, ideographic
#: space, byte-order mark.
SPACE = r"[\s\u00a0\u200b\u3000\ufeff]"
_SPACE = re.compile(f"{SPACE}+")

#: Elements that end the current block of text (a paragraph break).
BLOCK_TAGS = frozenset(
    "address article aside blockquote br center dd div dl dt figcaption figure footer form "
    "h1 h2 h3 h4 h5 h6 header hr li main nav ol p pre section table tbody td tfoot th thead "
    "tr ul".split()
)
#: Elements whose content is never article text.
SKIP_TAGS = frozenset(
    "script style noscript iframe template button select textarea object embed svg "
    "canvas video audio map input".split()
)


def normalise_space(text: str | None) -> str:
    """Collapse every run of whitespace (including nbsp and zero-width space) to one space."""
    if not text:
        return ""
    if "\u200b" not in text and "\ufeff" not in text:
        # The same result, two or three times faster: str.split() splits at what ``\s``
        # matches, and SPACE adds only these two to ``\s`` (nbsp and U+3000 are in it).
        return " ".join(text.split())
    return _SPACE.sub(" ", text).strip()


def node_text(element: etree._Element) -> str:
    """The visible text of ``element`` with whitespace normalised, scripts left out."""
    return " ".join(text_blocks(element))


def text_blocks(
    root: etree._Element, skip: Callable[[etree._Element], bool] | None = None
) -> list[str]:
    """The non-empty text blocks inside ``root``, in document order.

    ``skip(element)`` returning True leaves an element (and its children) out, but not the
    text that follows it. Blocks are whitespace-normalised; blocks that hold only spaces
    (``&nbsp;`` spacer lines) are dropped.
    """
    blocks: list[str] = []
    pending: list[str] = []

    def flush() -> None:
        if pending:
            text = normalise_space("".join(pending))
            pending.clear()
            if text:
                blocks.append(text)

    def walk(element: etree._Element) -> None:
        # Each attribute of an lxml element is a new Python object when read: read once.
        if text := element.text:
            pending.append(text)
        for child in element:
            tag = child.tag
            if isinstance(tag, str) and (tag := tag.lower()) not in SKIP_TAGS and not (skip and skip(child)):
                if tag in BLOCK_TAGS:
                    flush()
                    walk(child)
                    flush()
                else:
                    walk(child)
            if tail := child.tail:
                pending.append(tail)

    walk(root)
    flush()
    return blocks


def inside(element: etree._Element, tags: frozenset[str]) -> bool:
    """True when ``element`` lies in one of ``tags`` (``aside``, ``nav`` …) of the page.

    The climb stops at an ``<article>``: an article's own ``<header>`` or ``<footer>`` is
    part of the article, not of the page around it.
    """
    for ancestor in element.iterancestors():
        tag = ancestor.tag.lower() if isinstance(ancestor.tag, str) else ""
        if tag == "article":
            return False
        if tag in tags:
            return True
    return False


def first_nonempty(values: Iterable[str | None]) -> str | None:
    """The first value that is non-empty after whitespace normalisation, else None."""
    for value in values:
        text = normalise_space(value)
        if text:
            return text
    return None
