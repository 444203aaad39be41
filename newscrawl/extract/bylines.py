"""Reporter names, datelines and bylines as Korean news pages write them.

A byline closes the article body: ``세종=임병안 기자 victorylba@``, ``대전=홍길동·김철수 기자``,
``글·사진=이순신 기자 lee@example.com``. The part before ``=`` is the dateline (where
the story was filed) unless it is a role such as 글·사진.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

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
