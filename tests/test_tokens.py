"""The index's tokens against their specification, written out the slow and plain way.

``newscrawl.archive.tokens`` builds token streams and heads with a few regular expressions
(segments found at once, each Korean word's ending looked at once), because tokenising was
a quarter of storing an article. What it produces is the index: any difference would need a
new INDEX_VERSION and a rebuild of every archive. The functions below state the rules one
run at a time, as the module's docstring does; the fast code must give exactly what they
give on real pages, the search corpus and many random strings of the characters where the
rules have edges (scripts glued together, every kind of space, combining marks, particles).
"""

from __future__ import annotations

import itertools
import json
import random
import re
from collections.abc import Iterator
from pathlib import Path

import pytest

from newscrawl.archive.search import index_values
from newscrawl.archive.tokens import CJK, PARTICLES, distinct_heads, heads, normalise, token_stream

FIXTURES = Path(__file__).parent / "fixtures"

_RUN = re.compile(rf"[{CJK}]+|(?:(?![{CJK}])[^\W_])+")
_CJK = re.compile(rf"[{CJK}]+")


def spec_token_stream(text: str | None) -> str:
    """Runs of letters and digits; CJK runs separated only by spaces and touching no letter
    or digit of another script are joined; CJK becomes bigrams, anything else stays whole."""
    text = normalise(text or "")
    segments, pending, pending_end = [], "", -1
    for match in _RUN.finditer(text):
        run, start, end = match.group(), match.start(), match.end()
        before = text[start - 1] if start else " "
        after = text[end] if end < len(text) else " "
        joinable = bool(_CJK.fullmatch(run)) and not (before.isalnum() or after.isalnum())
        if pending and joinable and text[pending_end:start].isspace():
            pending += run
        else:
            if pending:
                segments.append(pending)
            pending = run if joinable else ""
            if not joinable:
                segments.append(run)
        pending_end = end
    if pending:
        segments.append(pending)
    return " ".join(" ".join(s[i:i + 2] for i in range(len(s) - 1)) if _CJK.fullmatch(s) and len(s) > 1 else s
                    for s in segments)


def spec_heads(text: str | None) -> Iterator[str]:
    """Each CJK word's last character, and its last before the longest particle that is not
    the whole word, when that differs."""
    for word in _CJK.findall(normalise(text or "")):
        stem = next((word[:-len(p)] for p in sorted(PARTICLES, key=len, reverse=True)
                     if len(word) > len(p) and word.endswith(p)), word)
        yield word[-1]
        if stem[-1] != word[-1]:
            yield stem[-1]


def page_texts() -> list[str]:
    """Every text of the test fixtures: the search corpus's documents and the pages' words."""
    corpus = json.loads((FIXTURES / "search" / "korean-search-corpus.json").read_text(encoding="utf-8"))
    texts = [doc["text"] for doc in corpus["documents"]]
    for page in sorted(FIXTURES.rglob("*.html")):
        texts.append(re.sub(r"<[^>]+>", " ", page.read_bytes().decode("utf-8", "replace")))
    return texts


#: Characters where the rules have edges: Hangul syllables and jamo, hanja, kana (with a
#: middle dot and sound marks that are not letters), Latin in two widths, digits of several
#: scripts, underscore, punctuation, combining accents, and spaces of every kind.
EDGES = (list("가나다라한글날섬을를의에서는으로語漢字ㄱㅏ\u1100ｱー・\u3099AbZéß09①½٣ＡＢ１_.,-!?'\"\u0301")
         + [" ", "\t", "\n", "\u3000", "\xa0", "에서는", "으로", "AI", "제9회"])


def random_texts(count: int, seed: int = 15) -> list[str]:
    rng = random.Random(seed)
    return ["".join(rng.choice(EDGES) for _ in range(rng.randint(0, 14))) for _ in range(count)]


@pytest.fixture(scope="module")
def texts() -> list[str]:
    return page_texts() + random_texts(30_000)


def test_the_specification_states_the_rules():
    assert spec_token_stream("정보보호의 날") == "정보 보보 보호 호의 의날"
    assert spec_token_stream("제9회 AI반도체") == "제 9 회 ai 반도 도체"
    assert spec_token_stream("ＡＩ·로봇") == "ai 로봇"
    assert list(spec_heads("어린이날을 노들섬 섬을")) == ["을", "날", "섬", "을", "섬"]


def test_the_texts_reach_every_rule(texts):
    """Pages, corpus and random texts hold joined, glued and particle cases alike."""
    assert len(texts) > 30_000
    assert sum(bool(re.search(rf"[{CJK}]\s+[{CJK}]", t)) for t in texts) > 1000  # joined across spaces
    assert sum(bool(re.search(rf"[{CJK}][0-9a-z]|[0-9a-z][{CJK}]", normalise(t))) for t in texts) > 1000  # glued
    assert sum(any(h != w[-1] for w in _CJK.findall(normalise(t)) for h in spec_heads(w)) for t in texts) > 1000


def test_token_streams_are_the_specification(texts):
    differing = [t for t in texts if token_stream(t) != spec_token_stream(t)]
    assert differing == []


def test_heads_are_the_specification(texts):
    differing = [t for t in texts if list(heads(t)) != list(spec_heads(t))]
    assert differing == []


def test_distinct_heads_keep_the_first_appearance_order(texts):
    for title, subtitle, body in zip(texts, texts[1:], texts[2:]):
        expected = " ".join(dict.fromkeys(itertools.chain(spec_heads(title), spec_heads(subtitle), spec_heads(body))))
        assert distinct_heads(title, subtitle, body) == expected


def test_index_values_are_made_of_the_specification():
    title, subtitle, body = "세종시, 정보보호의 날 우수기관", "제9회 AI반도체 포럼", "어린이날을 맞아 노들섬에서는 행사가 열렸다."
    assert index_values(title, subtitle, body) == [
        spec_token_stream(body), spec_token_stream(title), spec_token_stream(subtitle),
        " ".join(dict.fromkeys(itertools.chain(spec_heads(title), spec_heads(subtitle), spec_heads(body))))]
