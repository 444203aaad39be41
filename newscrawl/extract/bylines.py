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
#: Short elements that name a role: where a page's head or foot may print a byline.
_BYLINE_ELEMENTS = etree.XPath(
    "//body//*[self::a or self::span or self::li or self::p or self::div or self::td or self::em "
    "or self::strong or self::b or self::dd or self::font or self::address]"
    "[string-length(normalize-space()) < 80]"
    "[contains(., '기자') or contains(., '특파원') or contains(., '통신원')]"
)


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
    root: etree._Element, page_url: str, skip: Callable[[etree._Element], bool]
) -> list[dict[str, str | None]]:
    """``[{name, email, url}]`` for every byline-shaped element of the page, in page order.

    A byline is a whole short element that reads ``임병안 기자`` or ``세종=임병안 기자
    id@example.com``; its link (a reporter page) and an e-mail beside it (``mailto:``)
    belong to it when it names one reporter. ``skip`` leaves out elements in sidebars and
    news lists, where other articles' reporters are named.
    """
    found: dict[str, dict[str, str | None]] = {}
    for element in _BYLINE_ELEMENTS(root):
        byline = None if skip(element) else parse_byline(normalise_space(element.xpath("string()")))
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


def _reporter_link(element: etree._Element) -> str | None:
    links = [element] if element.tag == "a" else element.xpath(".//a")
    hrefs = (normalise_space(a.get("href")) for a in links)
    return next((h for h in hrefs if h and not h.lower().startswith(("mailto:", "javascript:", "#"))), None)


def _mailto(element: etree._Element) -> str | None:
    scope = element.getparent() if element.getparent() is not None else element
    href = next(iter(scope.xpath(".//a[starts-with(@href, 'mailto:')]/@href")), "")
    return complete_email(href.removeprefix("mailto:").split("?")[0] or None)
