"""The generic body layer: the article text of a page no site profile describes.

trafilatura finds the main text (it did better than any code of ours on real pages: see
``benchmarks/body_f1.py`` and the README). It reads a copy of the page from which the
nodes the other layers already placed elsewhere have been cut (photo captions, related
lists), with its tables turned into plain blocks: older Korean sites lay the whole page out
in tables, and trafilatura would render the article as one table row and lose its ``<br>``
paragraph breaks. Its paragraphs come back one per line.
"""

from __future__ import annotations

import copy
import re
from collections.abc import Collection
from functools import lru_cache

import lxml.html
from lxml import etree

from .text import normalise_space


_TABLE_TAGS = ("table", "thead", "tbody", "tfoot", "tr", "td", "th", "caption")


@lru_cache(maxsize=1)
def _trafilatura():
    # Imported on first use: trafilatura pulls in a dozen modules that profiled sites
    # never need.
    import trafilatura

    return trafilatura


def main_text(root: etree._Element, skip: Collection[etree._Element] = (), url: str | None = None) -> list[str]:
    """The main text of the page under ``root`` as paragraphs, ``skip`` nodes left out."""
    tree = pruned_copy(root, skip)
    for element in tree.iter(*_TABLE_TAGS):
        element.tag = "div"
    if not isinstance(tree, lxml.html.HtmlElement):
        # trafilatura reads only lxml.html trees (a plain lxml tree would be taken for a
        # string and refused), so the copy is handed over as lxml.html parses it; written
        # out as HTML, which keeps text as it is (XML output would replace control characters).
        tree = lxml.html.document_fromstring(etree.tostring(tree, method="html", encoding="unicode"))
    text = _trafilatura().extract(
        tree, url=url, output_format="txt", include_comments=False, include_tables=False,
        include_images=False, include_links=False, deduplicate=False, with_metadata=False,
        favor_precision=True,
    )
    return [line for line in (normalise_space(raw) for raw in (text or "").splitlines()) if line]


def pruned_copy(root: etree._Element, skip: Collection[etree._Element]) -> etree._Element:
    """A copy of ``root`` without the ``skip`` nodes (their tail text kept).

    A copy, because the extractor rewrites the tree it is given and the page object
    still needs the original.
    """
    # A node is found in the copy by its place in document order, which a copy keeps. (Not
    # by an XPath of its ancestors' names: tags such as <o:p> or junk like <h(x=y)tml> in
    # real pages make that an invalid or wrong expression.)
    skipped = set(skip)
    places = [place for place, node in enumerate(root.iter()) if node in skipped]
    pruned = copy.deepcopy(root)
    nodes = list(pruned.iter())
    for place in places:  # found before any is removed: a removal moves what comes after
        _drop(nodes[place])
    return pruned


def _drop(node: etree._Element) -> None:
    parent = node.getparent()
    if parent is None:
        return
    if node.tail:
        previous = node.getprevious()
        if previous is not None:
            previous.tail = _xml_text((previous.tail or "") + node.tail)
        else:
            parent.text = _xml_text((parent.text or "") + node.tail)
    parent.remove(node)


#: Characters XML 1.0 does not allow. lxml keeps control characters a page has (pasted from
#: a word processor: \x01, \x0b …) when it parses, but refuses them in text set afterwards.
_NOT_XML = re.compile("[^\t\n\r\x20-\ud7ff\ue000-\ufffd\U00010000-\U0010ffff]")


def _xml_text(text: str) -> str:
    return _NOT_XML.sub("", text)
