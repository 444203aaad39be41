#!/usr/bin/env python3
"""Body-text accuracy of newscrawl's generic layer against trafilatura alone.

    python benchmarks/body_f1.py PAGES_DIR [--only NAME ...]

PAGES_DIR holds either

* the scrapinghub article-extraction-benchmark layout: ``ground-truth.json`` and
  ``html/<id>.html.gz`` (181 English news pages), or
* pairs ``NAME.html`` + ``NAME.txt`` (the expected article text), with an optional
  ``NAME.json`` holding the page's ``url``.

The score is the benchmark's: the page's text and the expected text are cut into word
4-grams (``\\w+`` tokens), true/false positives and false negatives are counted per page
and normalised by the page's total, precision and recall are averaged over pages, and F1
is computed from the two averages. Not part of the test suite: it reads pages that are not
in the repository.
"""

from __future__ import annotations

import argparse
import gzip
import json
import re
import statistics
import sys
from collections import Counter
from collections.abc import Callable, Iterator
from pathlib import Path

from parsel import Selector

from newscrawl.extract.encoding import decode_html
from newscrawl.extract.page import ArticlePage
from newscrawl.extract.text import text_blocks
from newscrawl.sites import GENERIC

_TOKEN = re.compile(r"\w+")


def shingles(text: str, n: int = 4) -> Counter:
    tokens = _TOKEN.findall(text or "")
    return Counter(tuple(tokens[i:i + n]) for i in range(max(1, len(tokens) - n + 1)) if tokens[i:i + n])


def page_counts(expected: str, extracted: str) -> tuple[float, float, float]:
    """``(tp, fp, fn)`` of one page, normalised so that every page weighs the same."""
    want, got = shingles(expected), shingles(extracted)
    tp = sum((want & got).values())
    fp = sum((got - want).values())
    fn = sum((want - got).values())
    total = tp + fp + fn
    return (tp / total, fp / total, fn / total) if total else (0.0, 0.0, 0.0)


def scores(counts: list[tuple[float, float, float]]) -> dict[str, float]:
    """Mean precision (over pages where something was extracted), mean recall, their F1."""
    precisions = [tp / (tp + fp) for tp, fp, _fn in counts if tp + fp > 0]
    recalls = [tp / (tp + fn) for tp, _fp, fn in counts if tp + fn > 0]
    precision = statistics.mean(precisions) if precisions else 0.0
    recall = statistics.mean(recalls) if recalls else 0.0
    f1 = 2 * precision * recall / (precision + recall) if precision + recall else 0.0
    return {"precision": precision, "recall": recall, "f1": f1}


def pages(directory: Path) -> Iterator[tuple[str, bytes, str, str]]:
    """``(name, html bytes, url, expected body)`` of every page in ``directory``."""
    truth = directory / "ground-truth.json"
    if truth.exists():
        for key, entry in json.loads(truth.read_text(encoding="utf-8")).items():
            html = gzip.decompress((directory / "html" / f"{key}.html.gz").read_bytes())
            yield key, html, entry.get("url") or f"http://example.com/{key}", entry.get("articleBody", "")
        return
    for expected in sorted(directory.glob("*.txt")):
        page = expected.with_suffix(".html")
        if page.exists():
            meta = expected.with_suffix(".json")
            url = json.loads(meta.read_text(encoding="utf-8")).get("url") if meta.exists() else None
            yield expected.stem, page.read_bytes(), url or f"http://example.com/{expected.stem}.html", \
                expected.read_text(encoding="utf-8")


def newscrawl_generic(html: str, url: str) -> str:
    """The generic profile's body: newscrawl's own layers, then trafilatura."""
    return "\n\n".join(ArticlePage(html, url, GENERIC).paragraphs())


def trafilatura_alone(html: str, url: str, **options: bool) -> str:
    import trafilatura

    return trafilatura.extract(html, url=url, include_comments=False, **options) or ""


#: The generic body layer newscrawl had before trafilatura: the first of these containers.
_CONTAINERS = ("[itemprop=articleBody]", "#article-view-content-div", "article .article-body", "article",
               ".article-body", ".article_body", ".news_body", "#articleBody")


def containers_only(html: str, url: str) -> str:
    selector = Selector(text=html)
    node = next((nodes[0] for css in _CONTAINERS if (nodes := selector.css(css))), None)
    return "\n\n".join(text_blocks(node.root)) if node is not None else ""


EXTRACTORS: dict[str, Callable[[str, str], str]] = {
    "trafilatura": trafilatura_alone,
    "trafilatura-precision": lambda html, url: trafilatura_alone(html, url, favor_precision=True),
    "containers-only": containers_only,
    "newscrawl-generic": newscrawl_generic,
}


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("directory", type=Path)
    parser.add_argument("--only", nargs="*", help="page names to include")
    parser.add_argument("--per-page", action="store_true", help="print each page's F1 too")
    args = parser.parse_args(argv)
    counts: dict[str, list[tuple[float, float, float]]] = {name: [] for name in EXTRACTORS}
    for name, body, url, expected in pages(args.directory):
        if args.only and name not in args.only:
            continue
        html, _encoding = decode_html(body)
        for extractor, extract in EXTRACTORS.items():
            counts[extractor].append(page_counts(expected, extract(html, url)))
            if args.per_page:
                print(f"  {name:<28} {extractor:<22} F1={scores(counts[extractor][-1:])['f1']:.3f}")
    for extractor, found in counts.items():
        result = scores(found)
        print(f"{extractor:<22} pages={len(found)} precision={result['precision']:.3f} "
              f"recall={result['recall']:.3f} F1={result['f1']:.3f}")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
