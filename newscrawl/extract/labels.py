"""Values that Korean news pages announce with a label: 승인/입력, 수정, 신문게재 … 면.

The labels are the stable part of a page: sites restyle their markup but keep writing
``승인 2020-07-08 08:05`` or ``입력 2020.07.08 08:05 | 수정 …``. :func:`find_labelled`
reads them from plain text, whatever element holds them.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from datetime import date

from .dates import parse_kst_date

#: Label words per kind, longest first so that 신문게재 wins over a shorter label.
LABELS: dict[str, tuple[str, ...]] = {
    "print": ("신문게재", "지면게재", "지면"),
    "modified": ("최종수정", "기사수정", "업데이트", "수정"),
    "published": ("기사입력", "승인", "입력", "등록", "발행"),
}
_KIND_OF_LABEL = {label: kind for kind, labels in LABELS.items() for label in labels}
_LABEL_ALT = "|".join(sorted(_KIND_OF_LABEL, key=len, reverse=True))
# A label counts only when a date (year and month) follows it, so 수정안, 입력창 or
# "수정 2021년 예산" in running text never match.
_LABELLED = re.compile(
    rf"(?P<label>{_LABEL_ALT})\s*(?:일시|시간)?\s*[:：]?\s*"
    rf"(?P<value>(?:19|20)\d\d\s*[-./년]\s*\d{{1,2}}.*?)(?=\s*(?:[|ㅣ·│]|(?:{_LABEL_ALT})\s*[:：]?\s*(?:19|20)\d\d|$))"
)
_PRINT_PAGE = re.compile(r"(?P<page>\d{1,3})\s*면")
#: The first letters of the labels: a text with none of them holds no label.
_LABEL_STARTS = "".join(sorted({label[0] for label in _KIND_OF_LABEL}))


def may_hold_labels(texts: Iterable[str]) -> bool:
    """False when no label can be read from lines made of ``texts`` (every text node of a
    page, say): none holds the first letter of one. A label split between nodes
    (``입<b>력</b>``) still has its first letter in one of them."""
    # Labels are Korean: a text of ASCII alone (told at once) holds none. Ten `in` tests
    # run faster than a regex over a long text (a script).
    return any(not text.isascii() and any(letter in text for letter in _LABEL_STARTS) for text in texts)


def find_labelled(lines: Iterable[str]) -> dict[str, str]:
    """``{kind: raw value}`` for the first value of each kind found in ``lines``.

    Kinds are ``published``, ``modified`` and ``print``; the raw value is the text after
    the label (``2020-07-09 8면``), for the normaliser to parse and the archive to keep.
    """
    found: dict[str, str] = {}
    for line in lines:
        for match in _LABELLED.finditer(line):
            kind = _KIND_OF_LABEL[match["label"]]
            found.setdefault(kind, match["value"].strip())
    return found


def parse_print_edition(raw: str | None) -> tuple[date | None, int | None]:
    """``(date, page)`` of a print-edition value such as ``2020-07-09 8면``."""
    if not raw:
        return None, None
    page = _PRINT_PAGE.search(raw)
    return parse_kst_date(raw), int(page["page"]) if page else None
