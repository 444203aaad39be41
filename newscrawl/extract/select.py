"""The page's element tree, and CSS selectors and XPath over it, compiled once per process.

Pages are parsed into plain lxml elements, not lxml.html's: those look up their Python
class in Python code each time an element is touched, which made every walk over a page
several times slower, and nothing here needs their methods.

parsel's ``Selector`` compiles its expression again on every call and wraps every node it
finds in a new ``Selector``; an article page runs some fifty queries, and that overhead was
a third of the extraction time. Here an expression is compiled on first use and kept, and
the results are lxml elements. CSS is translated by parsel's own translator, so a site
profile's selectors mean exactly what they meant under parsel (``:has()`` included).
"""

from __future__ import annotations

from functools import lru_cache
from typing import Any

from lxml import etree
from parsel.csstranslator import css2xpath



def parse_html(text: str) -> etree._Element:
    """The root element of HTML ``text``, parsed as parsel parses it (surrounding whitespace
    and NUL characters dropped, an empty page read as ``<html/>``)."""
    body = text.strip().replace("\x00", "").encode("utf-8") or b"<html/>"
    # A parser per page: lxml parsers must not be shared between threads.
    parser = etree.HTMLParser(recover=True, encoding="utf-8", huge_tree=True)
    root = etree.fromstring(body, parser=parser)
    return root if root is not None else etree.fromstring(b"<html/>", parser=parser)


@lru_cache(maxsize=1024)
def compiled(expression: str) -> etree.XPath:
    """The compiled XPath ``expression`` (variables such as ``$name`` are given per call).

    Strings come back as plain ``str``: lxml's default "smart" strings each keep their
    node alive, which only a caller that climbs from a text node needs.
    """
    return etree.XPath(expression, smart_strings=False)


@lru_cache(maxsize=1024)
def compiled_css(selector: str) -> etree.XPath:
    """The compiled XPath of CSS ``selector``, relative to the node it is applied to."""
    return etree.XPath(css2xpath(selector))


def css(node: etree._Element, selector: str) -> list[etree._Element]:
    """The elements under (or at) ``node`` that match CSS ``selector``, in page order."""
    return compiled_css(selector)(node)


def xpath(node: etree._Element, expression: str, **variables: Any) -> list[Any]:
    """The result of XPath ``expression`` at ``node`` (a list of nodes or strings)."""
    return compiled(expression)(node, **variables)


def first(node: etree._Element, expression: str, **variables: Any) -> Any:
    """The first result of ``expression`` at ``node``, or None."""
    return next(iter(xpath(node, expression, **variables)), None)


def string(node: etree._Element, expression: str = ".") -> str:
    """The XPath string value of the first node ``expression`` finds at ``node`` ("" for
    none): all its text, scripts included, as one string."""
    if expression == ".":
        # The same text as XPath's string() (libxml2 builds both with xmlNodeGetContent),
        # four times faster: no XPath context to set up for each of the page's many calls.
        return etree.tostring(node, method="text", encoding=str, with_tail=False)
    return str(compiled(f"string({expression})")(node))


def links(node: etree._Element) -> list[etree._Element]:
    """The links (``<a href>``) under ``node``, in page order: ``.//a[@href]``, read in a loop,
    as one XPath call for each of a page's list items cost more than the loop."""
    return [a for a in node.iter("a") if a is not node and a.get("href") is not None]
