"""Highlighted snippets of article text around the words of a search.

The index is contentless (the text lives only in ``articles``), so FTS5's own
``snippet()`` cannot be used; this finds the query's words in the stored text with the
same rules as the index (Korean words across spaces, 1-syllable words as a word's head,
Latin words whole) and marks them ``**like this**``. The datasette plugin shows the marks
as highlights.
"""

from __future__ import annotations

import re
import unicodedata

from .tokens import CJK, PARTICLES, is_cjk, normalise

MARK = "**"
_PARTICLE = "|".join(map(re.escape, PARTICLES))
_NOT_AFTER_LATIN = rf"(?<![^\W_{CJK}])"
_NOT_BEFORE_LATIN = rf"(?![^\W_{CJK}])"


def word_pattern(word: str) -> str | None:
    """A regular expression finding one query word in text, or None if it has no letters."""
    chars = [c for c in normalise(word) if c.isalnum()]
    if not chars:
        return None
    if len(chars) == 1 and is_cjk(chars[0]):
        # the head of a word: at its end, or before a particle that ends it
        return rf"{re.escape(chars[0])}(?=(?:{_PARTICLE})?(?:[^{CJK}]|$))"
    pattern = r"\W*".join(map(re.escape, chars))
    if not is_cjk(chars[0]):
        pattern = _NOT_AFTER_LATIN + pattern
    if not is_cjk(chars[-1]):
        pattern += _NOT_BEFORE_LATIN
    return pattern


def _matches(text: str, query: str) -> list[tuple[int, int]]:
    patterns = [p for p in map(word_pattern, query.split()) if p]
    if not patterns:
        return []
    found = re.finditer("|".join(f"(?:{p})" for p in patterns), text, flags=re.IGNORECASE)
    return [m.span() for m in found if m.end() > m.start()]


def snippet(text: str | None, query: str | None, width: int = 60) -> str:
    """About ``width`` characters either side of the first match, matches marked ``**…**``.

    Whitespace is collapsed to single spaces; cut ends are shown as ``…``. Without a match
    (the words were in the title) it is the start of the text.
    """
    text = " ".join(unicodedata.normalize("NFKC", text or "").split())
    spans = _matches(text, query or "")
    if not spans:
        return text[:2 * width] + ("…" if len(text) > 2 * width else "")
    start = max(0, spans[0][0] - width)
    end = min(len(text), spans[0][1] + width)
    pieces = ["…" if start else ""]
    position = start
    for match_start, match_end in spans:
        if match_start < position or match_end > end:
            continue
        pieces += [text[position:match_start], MARK, text[match_start:match_end], MARK]
        position = match_end
    pieces += [text[position:end], "…" if end < len(text) else ""]
    return "".join(pieces)
