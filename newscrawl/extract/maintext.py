"""The generic body layer: the article text of a page no site profile describes.

trafilatura finds the main text (it did better than any code of ours on real pages: see
``benchmarks/body_f1.py`` and docs/extraction.md). It reads a copy of the page from which the
nodes the other layers already placed elsewhere have been cut (photo captions, news lists),
with its layout tables turned into plain blocks: older Korean sites lay the whole page out in
tables, and trafilatura would render the article as one table row and lose its ``<br>``
paragraph breaks. Data tables (short cells) stay tables: they are part of the article. Its
paragraphs come back one per line; a table row as ``cell | cell``.
"""

from __future__ import annotations

import copy
import re
from collections.abc import Collection
from functools import lru_cache

import lxml.html
from lxml import etree

from .short import path_from
from .text import normalise_space


#: Markup in a table cell that only a page layout puts there.
_LAYOUT_INSIDE = re.compile(r"<(?:p|div|br|ul|ol|h[1-6]|article|section|iframe)\b", re.IGNORECASE)
#: Characters of main text below which trafilatura's fallbacks (readability, jusText) are
#: asked too: its own extraction alone is right on long texts, and the fallbacks cost a
#: third of its time.
FALLBACK_BELOW = 1000
#: Characters of the longest cell a data table holds.
_DATA_CELL = 300


#: lxml.html's element classes, looked up in C: lxml.html's own lookup is Python code called
#: for every element trafilatura touches, a tenth of its time. The same class for each tag.
_HTML_CLASSES = etree.ElementNamespaceClassLookup(etree.ElementDefaultClassLookup(
    element=lxml.html.HtmlElement, comment=lxml.html.HtmlComment,
    pi=lxml.html.HtmlProcessingInstruction, entity=lxml.html.HtmlEntity,
))
_HTML_CLASSES.get_namespace(None).update({
    "form": lxml.html.FormElement, "input": lxml.html.InputElement, "label": lxml.html.LabelElement,
    "select": lxml.html.SelectElement, "textarea": lxml.html.TextareaElement,
})


@lru_cache(maxsize=1)
def _trafilatura():
    # Imported on first use: trafilatura pulls in a dozen modules that profiled sites
    # never need.
    import trafilatura

    return trafilatura


def main_text(root: etree._Element, skip: Collection[etree._Element] = (), url: str | None = None) -> list[str]:
    """The main text of the page under ``root`` as paragraphs, ``skip`` nodes left out."""
    # trafilatura rewrites the tree it reads: the fallback pass, if any, reads a new copy.
    text = _extract(_reading_copy(root, skip), url, fast=True)
    if len(text or "") < FALLBACK_BELOW:
        text = _extract(_reading_copy(root, skip), url, fast=False)
    return [line for line in (_plain_line(raw) for raw in (text or "").splitlines()) if line]


def _reading_copy(root: etree._Element, skip: Collection[etree._Element]) -> lxml.html.HtmlElement:
    """The copy of the page trafilatura reads: ``skip`` nodes cut, layout tables as blocks."""
    tree = pruned_copy(root, skip)
    for table in [t for t in tree.iter("table") if is_layout_table(t)]:
        for element in _own_table_parts(table):
            element.tag = "div"
    return as_lxml_html(tree)


def as_lxml_html(tree: etree._Element) -> lxml.html.HtmlElement:
    """``tree`` as lxml.html elements, which trafilatura and htmldate need (they take any
    other tree for a string, and call their methods): its content moved under an lxml.html
    root.

    Moved, not written out and parsed again: that cost as much as trafilatura's own reading
    of the page. (An element's Python class is that of the document it is in.)
    """
    parser = etree.HTMLParser()  # a parser per page, as lxml parsers must not be shared between threads
    parser.set_element_class_lookup(_HTML_CLASSES)
    root = parser.makeelement(tree.tag, dict(tree.attrib))
    root.text = tree.text
    root.extend(list(tree))
    return root


def _extract(tree: lxml.html.HtmlElement, url: str | None, fast: bool) -> str | None:
    return _trafilatura().extract(
        tree, url=url, output_format="txt", include_comments=False,
        include_tables=True, include_images=False, include_links=False, deduplicate=False,
        with_metadata=False, favor_precision=True, fast=fast,
    )


def is_layout_table(table: etree._Element) -> bool:
    """True for a table that lays out a page (cells holding paragraphs, line breaks or other
    tables), False for one that holds data in short cells (standings, prices).

    Layout tables become plain blocks, or the article would come out as one table row;
    data tables stay tables, which are part of the article.
    """
    for cell in _own_cells(table):
        if cell.find(".//table") is not None or _LAYOUT_INSIDE.search(etree.tostring(cell, encoding=str)):
            return True
        if len(normalise_space(etree.tostring(cell, method="text", encoding=str, with_tail=False))) > _DATA_CELL:
            return True
    return False


def _own_cells(table: etree._Element) -> list[etree._Element]:
    return table.xpath("./tr/td | ./tr/th | ./*/tr/td | ./*/tr/th")


def _own_table_parts(table: etree._Element) -> list[etree._Element]:
    """The table's own rows and cells (those of tables nested in it are theirs to decide)."""
    return [table, *table.xpath("./* | ./tr/* | ./*/tr | ./*/tr/*")]


def _plain_line(line: str) -> str:
    """A line of trafilatura's text output, table rows (``| a | b |``) written as ``a | b``."""
    line = normalise_space(line)
    if line.startswith("|") and line.endswith("|"):
        cells = [normalise_space(cell) for cell in line.strip("|").split("|")]
        return "" if all(set(cell) <= set("-:") for cell in cells) else " | ".join(c for c in cells if c)
    return line


def pruned_copy(root: etree._Element, skip: Collection[etree._Element]) -> etree._Element:
    """A copy of ``root`` without the ``skip`` nodes (their tail text kept).

    A copy, because the extractor rewrites the tree it is given and the page object
    still needs the original.
    """
    # A node is found in the copy by its path of child indexes from the root, which a copy
    # keeps. (Not by an XPath of its ancestors' names: tags such as <o:p> or junk like
    # <h(x=y)tml> in real pages make that an invalid or wrong expression. Nor by its place
    # among all the page's nodes: counting them cost more than the copy.)
    paths = sorted(path for node in set(skip) if (path := path_from(root, node)) is not None)
    pruned = copy.deepcopy(root)
    nodes = [_at(pruned, path) for path in paths]
    for node in nodes:  # all found before any is removed: a removal moves what comes after
        _drop(node)
    return pruned


def _at(root: etree._Element, path: tuple[int, ...]) -> etree._Element:
    for index in path:
        root = root[index]
    return root


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
