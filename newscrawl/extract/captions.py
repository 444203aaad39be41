"""Photo captions and their credits: ``… 선정됐다. (사진=세종시청 제공)``, ``▲ … /사진=연합뉴스``."""

from __future__ import annotations

import re

from .text import normalise_space

_CREDIT_TAIL = re.compile(
    r"\s*(?:[(\[<]\s*(?:사진|자료|그래픽|영상)\s*[=:：]\s*(?P<bracketed>[^)\]>]+?)\s*[)\]>]"
    r"|/?\s*(?:사진|자료|그래픽)\s*[=:：]\s*(?P<bare>[^=()]+?))\s*$"
)
_LEADING_MARKS = re.compile(r"^[▲△▶►■□◆◇●○※\-–—]+\s*")


def split_caption(text: str | None) -> tuple[str | None, str | None]:
    """``(caption, credit)`` of a photo caption; either may be None.

    The credit is what follows ``사진=`` (in brackets or after a slash at the end); a
    leading ``▲`` marker is dropped from the caption.
    """
    text = normalise_space(text)
    if not text:
        return None, None
    credit = None
    match = _CREDIT_TAIL.search(text)
    if match:
        credit = normalise_space(match["bracketed"] or match["bare"])
        text = text[: match.start()]
    caption = normalise_space(_LEADING_MARKS.sub("", text)) or None
    return caption, credit or None
