"""Reporter names, datelines and bylines as Korean news pages write them.

A byline closes the article body: ``세종=임병안 기자 victorylba@``, ``대전=홍길동·김철수 기자``,
``글·사진=이순신 기자 lee@example.com``. The part before ``=`` is the dateline (where
the story was filed) unless it is a role such as 글·사진.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass

from lxml import etree

from ..links import absolute_url
from .select import string
from .short import PageText, page_texts, short_ancestors
from .text import normalise_space

_ROLES = r"(?:수습기자|인턴기자|객원기자|선임기자|기자|특파원|통신원|명예기자)"
_NAME = r"[가-힣]{2,5}"
_BYLINE = re.compile(
    rf"^[\[(]?(?:(?P<place>[가-힣A-Za-z·/ ]{{1,15}}?)\s*=\s*)?"
    rf"(?P<names>{_NAME}(?:\s*[,·/]\s*{_NAME})*)\s*{_ROLES}"
    rf"(?:\s*[(\[]?(?P<email>[\w.+-]+@[\w.-]*)[)\]]?)?\s*[\])]?$"
)
_EMAIL = re.compile(r"^[\w.+-]+@[\w-]+(?:\.[\w-]+)+$")
_NAME_WITH_ROLE = re.compile(rf"^\s*(?P<name>{_NAME})\s*{_ROLES}?\s*$")
#: Words before ``=`` that name a role, not a place.
_NOT_PLACES = frozenset({"글", "사진", "글·사진", "글/사진", "영상", "정리", "취재", "그래픽"})
#: Elements where a page's head or foot may print a byline, and the most text one holds.
_BYLINE_TAGS = frozenset({"a", "span", "li", "p", "div", "td", "em", "strong", "b", "dd", "font", "address"})
_BYLINE_LENGTH = 80
#: How the words every role contains (기자, 특파원, 통신원) can start.
_ROLE_STARTS = ("기", "특", "특파", "통", "통신")


@dataclass(frozen=True)
class Byline:
    text: str
    dateline: str | None
    names: tuple[str, ...]
    email: str | None


def parse_byline(line: str) -> Byline | None:
    """The byline in ``line``, or None when the line is not a byline."""
    match = _BYLINE.match(line.strip())
    if not match:
        return None
    place = (match["place"] or "").strip() or None
    if place in _NOT_PLACES:
        place = None
    names = tuple(re.split(r"\s*[,·/]\s*", match["names"]))
    return Byline(text=line.strip(), dateline=place, names=names, email=match["email"])


def reporter_name(text: str | None) -> str | None:
    """``임병안`` from ``임병안 기자`` (or from a bare name); None for anything else."""
    match = _NAME_WITH_ROLE.match(text or "")
    return match["name"] if match else None


def complete_email(text: str | None) -> str | None:
    """``text`` if it is a whole e-mail address; sites often print only ``id@``."""
    return text if text and _EMAIL.match(text) else None


def bylines_on_page(
    root: etree._Element, page_url: str, skip: Callable[[etree._Element], bool],
    texts: list[PageText] | None = None,
) -> list[dict[str, str | None]]:
    """``[{name, email, url}]`` for every byline-shaped element of the page, in page order.

    A byline is a whole short element that reads ``임병안 기자`` or ``세종=임병안 기자
    id@example.com``; its link (a reporter page) and an e-mail beside it (``mailto:``)
    belong to it when it names one reporter. ``skip`` leaves out elements in sidebars and
    news lists, where other articles' reporters are named. ``texts`` are the page's
    :func:`~newscrawl.extract.short.page_texts`, if known.
    """
    found: dict[str, dict[str, str | None]] = {}
    holders = (holder for text, holder in (page_texts(root) if texts is None else texts) if _may_name_role(text))
    # The <head> holds no element of _BYLINE_TAGS (a parser moves them to <body>), so every
    # element found is in <body>, where bylines are.
    for element in short_ancestors(holders, _BYLINE_TAGS, _BYLINE_LENGTH):
        byline = None if skip(element) else parse_byline(normalise_space(string(element)))
        if not byline:
            continue
        single = len(byline.names) == 1
        href = _reporter_link(element)
        email = (complete_email(byline.email) or _mailto(element)) if single else None
        url = absolute_url(page_url, href) if single and href else None
        for name in byline.names:
            # A byline element nested in another (an <a> in an <li>) names the same reporter.
            entry = found.setdefault(name, {"name": name, "email": None, "url": None})
            entry["email"], entry["url"] = entry["email"] or email, entry["url"] or url
    return list(found.values())


def _may_name_role(text: str) -> bool:
    """True for a text node that names a role, or ends in the start of one: a role word can
    be split between nodes (``홍길동 기<b>자</b>``), and parse_byline judges the whole."""
    return not text.isascii() and (
        "기자" in text or "특파원" in text or "통신원" in text or text.endswith(_ROLE_STARTS))


def _reporter_link(element: etree._Element) -> str | None:
    links = [element] if element.tag == "a" else element.xpath(".//a")
    hrefs = (normalise_space(a.get("href")) for a in links)
    return next((h for h in hrefs if h and not h.lower().startswith(("mailto:", "javascript:", "#"))), None)


def _mailto(element: etree._Element) -> str | None:
    scope = element.getparent() if element.getparent() is not None else element
    href = next(iter(scope.xpath(".//a[starts-with(@href, 'mailto:')]/@href")), "")
    return complete_email(href.removeprefix("mailto:").split("?")[0] or None)
