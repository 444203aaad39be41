"""Korean-aware tokens for the full-text index, and the FTS5 query that finds them.

SQLite's own tokenizers fail Korean silently: ``unicode61`` indexes whole space-separated
words (``세종`` never finds ``세종시가``) and ``trigram`` cannot match a 2-syllable query. So
newscrawl tokenizes in Python and hands FTS5 a space-separated token stream:

* Hangul, CJK ideographs and kana become overlapping **character bigrams** (``세종시가`` ->
  ``세종 종시 시가``). Runs separated only by spaces are joined first, so ``정보보호의날``
  also finds ``정보보호의 날`` — unless a run is glued to a Latin word or a number
  (``제9회``), whose parts keep their own tokens.
* Other letters and digits become **whole lower-case words** (``AI`` finds ``AI반도체`` but
  not ``RAID``).
* Each Korean word also gives its **head**: its last syllable, before and after stripping a
  trailing particle (``어린이날을`` -> ``을 날``). Korean compounds end with their head noun,
  so a 1-syllable query (``날``, ``섬``, ``쌀``) matches ``한글날`` and ``노들섬`` but not
  ``날개`` or ``섬유``. Heads go to their own column, so they never break a bigram phrase.

A query is split on spaces; each word becomes one quoted FTS5 phrase of its tokens (a
1-syllable word: a head), and the phrases are AND-ed. User text only ever appears inside
double-quoted phrases of tokens made of letters and digits, so no input can be FTS5 syntax.

Changing what these functions produce changes the index: raise
:data:`newscrawl.archive.search.INDEX_VERSION`, and every archive's index is rebuilt on its
next opening (no migration: the index is derived data, see :mod:`newscrawl.archive.migrations`).
"""

from __future__ import annotations

import itertools
import re
import unicodedata
from collections.abc import Iterator
from functools import lru_cache

# Hangul jamo and syllables, CJK ideographs, kana: scripts written without spaces between
# the parts of a compound, searched by bigram.
CJK = ("\u1100-\u11ff\u3040-\u30ff\u3130-\u318f\u3400-\u4dbf\u4e00-\u9fff"
        "\uac00-\ud7a3\uf900-\ufaff")
_CJK_RUN = re.compile(rf"[{CJK}]+")
#: Particles (josa) stripped before taking a word's head, longest first.
PARTICLES = (
    "에서는", "에서도", "에게서", "으로는", "으로도", "으로서", "으로써",
    "에서", "에게", "께서", "한테", "으로", "까지", "부터", "처럼", "보다", "이나", "이며",
    "이다", "에는", "에도", "과는", "와는", "이랑",
    "은", "는", "이", "가", "을", "를", "의", "에", "로", "와", "과", "도", "만", "랑",
)
HEADS_COLUMN = "heads"
#: An empty phrase: what a query without letters or digits matches (nothing, no error).
MATCH_NOTHING = '""'


def normalise(text: str) -> str:
    """NFKC (full-width Latin and digits to ASCII, composed Hangul) and lower case."""
    return unicodedata.normalize("NFKC", text).lower()


def is_cjk(run: str) -> bool:
    return bool(_CJK_RUN.fullmatch(run))


#: The segments of normalised text, each giving its tokens: group 1, CJK runs separated only
#: by spaces and touching no letter or digit of another script, to be joined (``정보보호의 날``);
#: group 2, a CJK run glued to one (``제`` in ``제9회``), kept apart; else a word of other
#: letters and digits. The runs are atomic (``(?>…)``): a run is never cut short to make a
#: lookaround succeed.
_SEGMENT = re.compile(
    rf"(?<![^\W_])((?>[{CJK}]+)(?![^\W_])(?:\s+(?>[{CJK}]+)(?![^\W_]))*)"
    rf"|((?>[{CJK}]+))"
    rf"|(?:(?![{CJK}])[^\W_])+")


def _segment_tokens(segment: re.Match[str]) -> str:
    """The tokens of one segment, joined by spaces: character bigrams of CJK (a single
    character stays whole), the word itself otherwise."""
    joined, glued = segment.group(1, 2)
    cjk = "".join(joined.split()) if joined else glued
    if not cjk:
        return segment.group()
    return " ".join(map(str.__add__, cjk[:-1], cjk[1:])) if len(cjk) > 1 else cjk


def token_stream(text: str | None) -> str:
    """The bigram/word tokens of ``text``, in order (positions matter for phrases), joined
    by spaces: what an index column holds. Built segment by segment, never as one list of
    every token, so a body of millions of characters costs a few times its own size."""
    if not text:
        return ""
    return " ".join(map(_segment_tokens, _SEGMENT.finditer(normalise(text))))


def tokens(text: str | None) -> list[str]:
    """The tokens of :func:`token_stream` as a list (a token never holds a space)."""
    return token_stream(text).split()


_PARTICLE_SET = frozenset(PARTICLES)
_PARTICLE_SIZES = sorted({len(p) for p in PARTICLES}, reverse=True)


def strip_particle(word: str) -> str:
    """``word`` without its longest trailing particle, if something is left (``노들섬을`` -> ``노들섬``)."""
    for size in _PARTICLE_SIZES:
        if len(word) > size and word[-size:] in _PARTICLE_SET:
            return word[:-size]
    return word


#: The most characters of a word that its heads depend on: its last syllable and the
#: longest particle before it.
_HEAD_SPAN = max(map(len, PARTICLES)) + 1


@lru_cache(maxsize=4096)  # endings repeat across a text and across articles: each is split once
def _word_heads(ending: str) -> tuple[str, ...]:
    """The heads of a word from its last :data:`_HEAD_SPAN` characters."""
    last, stem_last = ending[-1], strip_particle(ending)[-1]
    return (last,) if stem_last == last else (last, stem_last)


def _endings(text: str | None) -> Iterator[str]:
    """The ending of each CJK word of ``text``: all its heads depend on."""
    return (word[-_HEAD_SPAN:] for word in _CJK_RUN.findall(normalise(text or "")))


def heads(text: str | None) -> Iterator[str]:
    """The last syllable of each CJK word, before and after stripping its particle."""
    for ending in _endings(text):
        yield from _word_heads(ending)


def distinct_heads(*texts: str | None) -> str:
    """The :func:`heads` of ``texts``, each once, in the order they first appear, joined by
    spaces. Words of the same ending give the same heads, so each ending is looked at once."""
    endings = dict.fromkeys(itertools.chain.from_iterable(map(_endings, texts)))
    return " ".join(dict.fromkeys(itertools.chain.from_iterable(map(_word_heads, endings))))


def _phrase(word_tokens: list[str], prefix: bool) -> str:
    return '"' + " ".join(word_tokens) + '"' + ("*" if prefix else "")


def word_query(word: str) -> str | None:
    """The FTS5 expression for one query word, or None when it has no letters or digits."""
    word_tokens = tokens(word)
    if not word_tokens:
        return None
    if len(word_tokens) == 1 and len(word_tokens[0]) == 1 and is_cjk(word_tokens[0]):
        return f"{HEADS_COLUMN} : {_phrase(word_tokens, prefix=False)}"
    # A trailing 1-syllable part (``19일``) is indexed inside a bigram when more Korean
    # follows it in the text (``19일간``): match it as a prefix.
    last = word_tokens[-1]
    return _phrase(word_tokens, prefix=len(last) == 1 and is_cjk(last))


def fts_query(query: str | None) -> str:
    """The FTS5 MATCH expression for a user's query (words AND-ed).

    A query without letters or digits gives :data:`MATCH_NOTHING`, never a syntax error.
    """
    phrases = [phrase for phrase in map(word_query, (query or "").split()) if phrase]
    return " AND ".join(phrases) if phrases else MATCH_NOTHING
