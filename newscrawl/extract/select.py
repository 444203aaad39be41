"""The page's element tree, and CSS selectors and XPath over it, compiled once per process.

Pages are parsed into plain lxml elements, not lxml.html's: those look up their Python
class in Python code each time an element is touched, which made every walk over a page
several times slower, and nothing here needs their methods.

parsel's ``Selector`` compiles its expression again on every call and wraps every node it
finds in a new ``Selector``; an article page runs some fifty queries, and that overhead was
a third of the extraction time. Here an expression is compiled on first use and kept, and
the results are lxml elements. CSS is translated by parsel's own translator, so a site
profile's selectors mean exactly what they meant under parsel (``:has()`` included).

Most of a profile's selectors are plain (``.article-head h2.headline``, ``#font``): tags,
classes and ids joined by spaces. Those are matched in Python instead: the XPath css2xpath
makes of a class tests every element of the page, some 40–80 µs on a 중도일보 page, while
starting from the few elements of the selector's first class or id (found for all of a
profile's selectors in one pass, :class:`ElementIndex`) and looking under them costs a few
µs. The result is the XPath's (tested on every fixture page).
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass
from functools import lru_cache
from typing import Any

from lxml import etree
from parsel.csstranslator import css2xpath



def parse_html(text: str, utf8: bytes | None = None) -> etree._Element:
    """The root element of HTML ``text``, parsed as parsel parses it (surrounding whitespace
    and NUL characters dropped, an empty page read as ``<html/>``).

    ``utf8`` is the page's bytes when ``text`` is exactly their UTF-8 reading: they are
    parsed as they are when that is the same input (no NUL, nothing to strip but ASCII
    whitespace), which spares copying and encoding the page again.
    """
    body = _as_parsed(utf8) if utf8 is not None else None
    if body is None:
        body = text.strip().replace("\x00", "").encode("utf-8") or b"<html/>"
    # A parser per page: lxml parsers must not be shared between threads.
    parser = etree.HTMLParser(recover=True, encoding="utf-8", huge_tree=True)
    root = etree.fromstring(body, parser=parser)
    return root if root is not None else etree.fromstring(b"<html/>", parser=parser)


def _as_parsed(utf8: bytes) -> bytes | None:
    """``utf8`` stripped as its text would be, or None when only the text can tell: bytes
    strip ASCII whitespace, ``str.strip`` also Unicode's, so the page must begin with
    ``<`` and end with ``>``."""
    body = utf8.strip()
    return body if body[:1] == b"<" and body[-1:] == b">" and b"\x00" not in body else None


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


def css(node: etree._Element, selector: str, index: ElementIndex | None = None) -> list[etree._Element]:
    """The elements under (or at) ``node`` that match CSS ``selector``, in page order.

    ``index`` is the page's :class:`ElementIndex`, if one was made: plain selectors
    applied at the page's root then start from its classes and ids.
    """
    plain = plain_selector(selector)
    return plain.select(node, index) if plain else compiled_css(selector)(node)


#: One compound of a plain selector: an optional tag, then classes and at most one id.
_COMPOUND = re.compile(r"(?P<tag>[a-z][a-z0-9]*|\*)?(?P<rest>(?:[.#][A-Za-z_][A-Za-z0-9_-]*)*)")
#: What XPath's normalize-space() splits ``@class`` on (XML's whitespace, not Unicode's).
_CLASS_SPACE = str.maketrans("\t\n\r", "   ")


def class_names(element: etree._Element) -> list[str]:
    """The names in ``element``'s ``class`` attribute, as CSS (and css2xpath) reads them."""
    return (element.get("class") or "").translate(_CLASS_SPACE).split(" ")


class ElementIndex:
    """The elements of a page that carry the classes and ids some selectors start from, in
    page order, found in one pass.

    XPath's ``descendant-or-self::*[…@class…]`` tests every element of the page in
    libxml2, for every selector (some 40–80 µs on a 중도일보 page each); one pass over the
    page's ``class`` and ``id`` attributes (lxml's strings know their element) serves all of
    a profile's selectors.
    """

    def __init__(self, root: etree._Element, selectors: Iterable[str]):
        self.root = root
        classes, ids = _index_keys(tuple(selectors))
        self._found: dict[tuple[str, str], list[etree._Element]] = {
            **{(".", name): [] for name in classes}, **{("#", id_): [] for id_ in ids}}
        if not self._found:
            return
        for value in _CLASSES_AND_IDS(root):
            if value.attrname == "id":
                if ("#", value) in self._found:
                    self._found["#", value].append(value.getparent())
                continue
            for name in classes:
                if name in value and name in class_names(value.getparent()):
                    self._found[".", name].append(value.getparent())

    def elements(self, key: tuple[str, str]) -> list[etree._Element] | None:
        """The elements with class (``(".", name)``) or id (``("#", id)``), or None when
        the index was not asked to keep them."""
        return self._found.get(key)


_CLASSES_AND_IDS = etree.XPath("descendant-or-self::*/@class | descendant-or-self::*/@id")


@lru_cache(maxsize=64)
def _index_keys(selectors: tuple[str, ...]) -> tuple[tuple[str, ...], frozenset[str]]:
    """The classes and ids the plain ``selectors`` start from."""
    keys = {chain[0].key for selector in selectors if (plain := plain_selector(selector))
            for chain in plain.chains} - {None}
    return tuple(sorted(name for kind, name in keys if kind == ".")), frozenset(i for kind, i in keys if kind == "#")


@dataclass(frozen=True)
class _Compound:
    """``tag.class1.class2#id``: what one element must be (None: anything)."""

    tag: str | None
    classes: tuple[str, ...]
    id: str | None

    def matches(self, element: etree._Element) -> bool:
        if self.tag is not None and element.tag != self.tag:
            return False
        if self.id is not None and element.get("id") != self.id:
            return False
        return not self.classes or all(name in class_names(element) for name in self.classes)

    @property
    def key(self) -> tuple[str, str] | None:
        """The id or class an :class:`ElementIndex` finds this compound's elements by."""
        if self.id is not None:
            return "#", self.id
        return (".", self.classes[0]) if self.classes else None

    def at_or_under(self, scope: etree._Element, index: ElementIndex | None) -> list[etree._Element]:
        """The elements matching this compound at or under ``scope``, in page order."""
        indexed = index.elements(self.key) if index is not None and index.root is scope and self.key else None
        candidates = indexed if indexed is not None else scope.iter(self.tag or etree.Element)
        return [element for element in candidates if self.matches(element)]


@dataclass(frozen=True)
class PlainSelector:
    """A group of descendant chains (``a b.c, #d``), matched without XPath.

    Its meaning is css2xpath's, ``descendant-or-self::A/descendant::B/descendant::C``: the
    first compound may be the scope node itself, each later one lies strictly under a node
    the one before matched.
    """

    chains: tuple[tuple[_Compound, ...], ...]

    def select(self, scope: etree._Element, index: ElementIndex | None = None) -> list[etree._Element]:
        if len(self.chains) == 1:
            return _chain_select(self.chains[0], scope, index)
        found = {element for chain in self.chains for element in _chain_select(chain, scope, index)}
        return [element for element in scope.iter(etree.Element) if element in found] if found else []


def _chain_select(chain: tuple[_Compound, ...], scope: etree._Element,
                  index: ElementIndex | None) -> list[etree._Element]:
    """The elements ``chain`` selects at or under ``scope``, in page order, each once."""
    found = chain[0].at_or_under(scope, index)
    for compound in chain[1:]:
        # Only the outermost of nested matches: the others' descendants are among its own.
        found = [element for top in _outermost(found) for element in top.iterdescendants(compound.tag or etree.Element)
                 if compound.matches(element)]
    return found


def _outermost(elements: list[etree._Element]) -> list[etree._Element]:
    """``elements`` (in page order) without those inside another of them."""
    kept: list[etree._Element] = []
    for element in elements:
        if not kept or not any(ancestor is kept[-1] for ancestor in element.iterancestors()):
            kept.append(element)
    return kept


@lru_cache(maxsize=1024)
def plain_selector(selector: str) -> PlainSelector | None:
    """``selector`` as a :class:`PlainSelector`, or None when it uses anything else
    (``>``, ``:has()``, attributes, ``::attr``): XPath then matches it."""
    chains = []
    for alternative in selector.split(","):
        compounds = [_compound(part) for part in alternative.split()]
        if not compounds or None in compounds:
            return None
        chains.append(tuple(compounds))
    return PlainSelector(tuple(chains))


def _compound(text: str) -> _Compound | None:
    match = _COMPOUND.fullmatch(text)
    if not match or not text:
        return None
    parts = re.findall(r"[.#][^.#]+", match["rest"])
    ids = [p[1:] for p in parts if p[0] == "#"]
    if len(ids) > 1:
        return None
    tag = match["tag"] if match["tag"] != "*" else None
    return _Compound(tag, tuple(p[1:] for p in parts if p[0] == "."), ids[0] if ids else None)


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
        if not len(node) and isinstance(node.tag, str):
            # An element without children holds only its text (lxml joins its text nodes)
            return node.text or ""
        # The same text as XPath's string() (libxml2 builds both with xmlNodeGetContent),
        # four times faster: no XPath context to set up for each of the page's many calls.
        return etree.tostring(node, method="text", encoding=str, with_tail=False)
    return str(compiled(f"string({expression})")(node))


def links(node: etree._Element) -> list[etree._Element]:
    """The links (``<a href>``) under ``node``, in page order: ``.//a[@href]``, read in a loop,
    as one XPath call for each of a page's list items cost more than the loop."""
    return [a for a in node.iter("a") if a is not node and a.get("href") is not None]
