"""Synthetic archives for scale tests and measurements: many articles of plausible Korean.

News vocabulary is long-tailed: a few words are everywhere, most are rare. Bodies are made
of pseudo-words (2-4 syllables drawn from the fixtures' own text) picked with Zipf's law
from a 50,000-word vocabulary, with two real sentences of the search corpus or the seed
article in each, so real words such as 세종 occur in a realistic share of the articles
(about 15 %). Run it as a script to build an archive::

    .venv/bin/python tests/synthetic.py /tmp/synthetic.db --articles 10000
"""

from __future__ import annotations

import argparse
import itertools
import json
import random
import re
import time
from pathlib import Path

from newscrawl.archive import open_archive, save_article
from newscrawl.items import Article, Reporter

FIXTURES = Path(__file__).parent / "fixtures"
SECTIONS = [["정치/행정", "세종"], ["정치/행정", "대전"], ["경제", "부동산"], ["사회", "교육"], ["문화"]]
REPORTERS = ["임병안", "김소희", "박수영", "이현제", "최화진", "한세화"]


def corpus_sentences() -> list[str]:
    corpus = json.loads((FIXTURES / "search" / "korean-search-corpus.json").read_text(encoding="utf-8"))
    seed = json.loads((FIXTURES / "joongdo" / "view-20200708010002304.expected.json").read_text(encoding="utf-8"))
    texts = [doc["text"] for doc in corpus["documents"]] + seed["body_paragraphs"]
    return [s.strip() for text in texts for s in re.split(r"(?<=다\.)\s+", text) if s.strip()]


def vocabulary(rng: random.Random, sentences: list[str], size: int = 50_000) -> list[str]:
    """``size`` distinct pseudo-words of 2-4 syllables, from the syllables of ``sentences``."""
    syllables = [c for s in sentences for c in s if "가" <= c <= "힣"]
    words: set[str] = set()
    while len(words) < size:
        words.add("".join(rng.choice(syllables) for _ in range(rng.randint(2, 4))))
    ranked = sorted(words)
    rng.shuffle(ranked)  # the most frequent words are any words, not the first in 가나다 order
    return ranked


def _sentence(rng: random.Random, words: list[str], weights: list[float]) -> str:
    picked = rng.choices(words, cum_weights=weights, k=rng.randint(6, 12))
    return " ".join(w + rng.choice(("", "", "은", "이", "을", "의", "에서")) for w in picked) + "다."


def synthetic_article(number: int, rng: random.Random, sentences: list[str], words: list[str],
                      weights: list[float]) -> Article:
    """Article ``number``: about 1,500 characters of body in 3-6 paragraphs."""
    paragraphs = [" ".join(_sentence(rng, words, weights) for _ in range(rng.randint(2, 4)))
                  for _ in range(rng.randint(3, 6))]
    for _ in range(2):
        paragraphs[rng.randrange(len(paragraphs))] += " " + rng.choice(sentences)
    day = 1 + number % 28
    reporter = rng.choice(REPORTERS)
    return Article(
        url=f"http://www.joongdo.co.kr/web/view.php?key=2024{number:013d}",
        canonical_url=None, site="joongdo", article_id=f"2024{number:013d}",
        title=" ".join(rng.choices(words, cum_weights=weights, k=rng.randint(4, 8))),
        subtitle=None, sections=rng.choice(SECTIONS),
        published_at=f"2024-03-{day:02d}T{number % 24:02d}:00:00+09:00", modified_at=None,
        print_date=f"2024-03-{day:02d}", print_page=1 + number % 24,
        reporters=[Reporter(reporter)], dateline=None,
        byline=f"{reporter} 기자", body="\n\n".join(paragraphs), photos=[], related=[],
        fetched_at="2024-04-01T00:00:00+09:00",
    )


def build(path: Path, articles: int, seed: int = 4) -> None:
    """Write ``articles`` synthetic articles into the archive at ``path``."""
    rng = random.Random(seed)
    sentences = corpus_sentences()
    words = vocabulary(rng, sentences)
    weights = list(itertools.accumulate(1 / rank for rank in range(1, len(words) + 1)))
    db = open_archive(path)
    for number in range(articles):
        save_article(db, synthetic_article(number, rng, sentences, words, weights))
    db.close()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("db", type=Path)
    parser.add_argument("--articles", type=int, default=10_000)
    args = parser.parse_args()
    started = time.perf_counter()
    build(args.db, args.articles)
    print(f"{args.articles} articles in {args.db} ({time.perf_counter() - started:.1f} s)")


if __name__ == "__main__":
    main()
