#!/usr/bin/env python3
"""Body text of real article pages: newscrawl beside trafilatura, in the same run.

    python -m benchmarks.body_f1 [PAGES_DIR] [--rounds N] [--worst N]
    python -m benchmarks --only body [--bench-dir PAGES_DIR]
    bodyeval.py --data PAGES_DIR --cmd-batch '.venv/bin/python -m benchmarks.body_f1 --batch {in} {out}'

PAGES_DIR holds the article-extraction-benchmark layout (``ground-truth.json`` and
``html/<id>.html.gz``) or pairs ``NAME.html`` + ``NAME.txt`` (the expected text, with an
optional ``NAME.json`` holding the page's ``url``). Default: ``../shared/fixtures/article-body-bench``
when it exists, else the six pages in ``tests/fixtures/article-body-bench``.

newscrawl's side is what a crawl does with each page: extract, normalise and validate, the
profile chosen by the page's URL (the generic one for every site no profile knows); a page
refused as "not an article" counts as an empty text. trafilatura's is ``trafilatura.extract``
with its defaults (as ``bodyeval.py --extractor trafilatura`` runs it). Printed for each:
word 4-gram F1, precision and recall (the benchmark's measure: per-page counts normalised,
precision and recall averaged over pages, F1 of the two means), pages read as articles,
pages per CPU second (best of ``--rounds``, the sides taking turns), and the share of pages
whose URL carries a date (``/2019/11/19/``) whose published date agrees with it within a day
(trafilatura's date: its metadata's, htmldate underneath).
"""

from __future__ import annotations

import argparse
import gzip
import json
import os
import re
import statistics
import sys
import time
from collections import Counter
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import date
from pathlib import Path

from newscrawl.errors import NotAnArticle
from newscrawl.extract.pagedates import agrees, url_date
from newscrawl.reading import read_article

from .report import Row

ROOT = Path(__file__).resolve().parent.parent
SHARED_PAGES = Path("..") / "shared" / "fixtures" / "article-body-bench"
QUICK_PAGES = ROOT / "tests" / "fixtures" / "article-body-bench"
F1_GOAL = 0.970
_TOKEN = re.compile(r"\w+")


@dataclass(frozen=True)
class Page:
    name: str
    url: str
    body: bytes
    expected: str


@dataclass
class Reading:
    """What one side made of one page: its text, its date, why it refused the page."""

    text: str
    published: date | None
    refused: str | None = None


# -- the measure ----------------------------------------------------------------------------


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


# -- the pages ------------------------------------------------------------------------------


def default_pages() -> Path:
    return SHARED_PAGES if (SHARED_PAGES / "ground-truth.json").exists() else QUICK_PAGES


def pages(directory: Path) -> Iterator[Page]:
    """Every page in ``directory`` with its URL and expected text."""
    truth = directory / "ground-truth.json"
    if truth.exists():
        for key, entry in sorted(json.loads(truth.read_text(encoding="utf-8")).items()):
            html = gzip.decompress((directory / "html" / f"{key}.html.gz").read_bytes())
            yield Page(key, entry.get("url") or f"http://example.com/{key}", html, entry.get("articleBody", ""))
        return
    for expected in sorted(directory.glob("*.txt")):
        html = expected.with_suffix(".html")
        if html.exists():
            meta = expected.with_suffix(".json")
            url = json.loads(meta.read_text(encoding="utf-8")).get("url") if meta.exists() else None
            yield Page(expected.stem, url or f"http://example.com/{expected.stem}.html", html.read_bytes(),
                       expected.read_text(encoding="utf-8"))


# -- the two sides --------------------------------------------------------------------------


def newscrawl_reader() -> Callable[[Page], Reading]:
    def read(page: Page) -> Reading:
        try:
            article = read_article(page.body, page.url)
        except NotAnArticle as refused:
            return Reading("", None, str(refused))
        published = date.fromisoformat(article.published_at[:10]) if article.published_at else None
        return Reading(article.body, published)
    return read


def trafilatura_reader() -> Callable[[Page], Reading]:
    import trafilatura

    def read(page: Page) -> Reading:
        text = trafilatura.extract(page.body.decode("utf-8", "replace"), include_comments=False) or ""
        return Reading(text, None)
    return read


def trafilatura_date(page: Page) -> date | None:
    """trafilatura's publication date of ``page`` (not timed: its text side does not read one)."""
    import trafilatura

    metadata = trafilatura.extract_metadata(page.body.decode("utf-8", "replace"))
    return date.fromisoformat(metadata.date[:10]) if metadata and metadata.date else None


SIDES: dict[str, Callable[[], Callable[[Page], Reading]]] = {
    "newscrawl": newscrawl_reader,
    "trafilatura": trafilatura_reader,
}


@dataclass
class Result:
    readings: list[Reading]
    seconds_per_page: float


def measure(page_list: list[Page], rounds: int) -> dict[str, Result]:
    """Each side's readings of every page and its best CPU seconds per page over ``rounds``."""
    readers = {name: make() for name, make in SIDES.items()}
    for reader in readers.values():  # warm-up: imports, caches
        reader(page_list[0])
    results = {name: Result([], float("inf")) for name in readers}
    for _ in range(rounds):
        for name, reader in readers.items():
            started = time.process_time()
            readings = [reader(page) for page in page_list]
            seconds = (time.process_time() - started) / len(page_list)
            results[name] = Result(readings, min(seconds, results[name].seconds_per_page))
    for page, reading in zip(page_list, results["trafilatura"].readings):
        reading.published = trafilatura_date(page)
    return results


def date_agreement(page_list: list[Page], readings: list[Reading]) -> tuple[int, int]:
    """``(agreeing, dated)``: of the pages whose URL carries a date, those whose published
    date agrees with it (a page without a date does not)."""
    dated = [(page, reading) for page, reading in zip(page_list, readings) if url_date(page.url)]
    return sum(1 for page, r in dated if r.published and agrees(r.published, page.url)), len(dated)


# -- what is printed ------------------------------------------------------------------------


def rows(page_list: list[Page], results: dict[str, Result], goals: bool = True) -> list[Row]:
    """The benchmark table's rows: newscrawl's figure beside trafilatura's."""
    ours, theirs = results["newscrawl"], results["trafilatura"]
    score = {name: scores([page_counts(p.expected, r.text) for p, r in zip(page_list, result.readings)])
             for name, result in results.items()}
    read = {name: sum(1 for r in result.readings if r.refused is None and r.text)
            for name, result in results.items()}
    agreeing = {name: date_agreement(page_list, result.readings) for name, result in results.items()}
    n = len(page_list)
    table = [
        Row("body", f"word 4-gram F1, {n} pages", score["newscrawl"]["f1"], "trafilatura",
            score["trafilatura"]["f1"], score["newscrawl"]["f1"] / score["trafilatura"]["f1"],
            f"≥ {F1_GOAL:.3f}" if goals else "(smoke test)",
            score["newscrawl"]["f1"] >= F1_GOAL if goals else None, "{:.4f}"),
    ]
    for measure_name in ("precision", "recall"):
        table.append(Row("body", measure_name, score["newscrawl"][measure_name], "trafilatura",
                         score["trafilatura"][measure_name],
                         score["newscrawl"][measure_name] / score["trafilatura"][measure_name],
                         "(comparison)", None, "{:.4f}"))
    table.append(Row("body", f"pages read as articles (refused: {n - read['newscrawl']})", read["newscrawl"],
                     "trafilatura, pages with text", read["trafilatura"], read["newscrawl"] / read["trafilatura"],
                     f"all {n}", read["newscrawl"] == n, "{:.0f}"))
    table.append(Row("body", "pages/s (CPU)", 1 / ours.seconds_per_page, "trafilatura", 1 / theirs.seconds_per_page,
                     theirs.seconds_per_page / ours.seconds_per_page, "≥ 1× trafilatura" if goals else "(smoke test)",
                     ours.seconds_per_page <= theirs.seconds_per_page if goals else None, "{:.1f}",
                     note="newscrawl reads every field (title, dates, bylines, photos, lists), trafilatura the text"))
    (ours_ok, dated), (theirs_ok, _dated) = agreeing["newscrawl"], agreeing["trafilatura"]
    if dated:
        table.append(Row("body", f"published date agrees with the URL's ({dated} pages)", ours_ok / dated,
                         "trafilatura (metadata date)", theirs_ok / dated,
                         ours_ok / theirs_ok if theirs_ok else float("inf"), "(comparison)", None, "{:.3f}"))
    return table


def worst(page_list: list[Page], readings: list[Reading], count: int) -> list[str]:
    """The ``count`` pages newscrawl reads worst: F1, precision, recall, URL, refusal."""
    lines = []
    for page, reading in zip(page_list, readings):
        one = scores([page_counts(page.expected, reading.text)])
        lines.append((one["f1"], f"{one['f1']:.3f}  P={one['precision']:.3f} R={one['recall']:.3f}  "
                                 f"{page.name[:10]}  {page.url}" + (f"  REFUSED: {reading.refused}"
                                                                   if reading.refused else "")))
    return [line for _f1, line in sorted(lines)[:count]]


def run(directory: Path, rounds: int, goals: bool = True) -> list[Row]:
    """The body benchmark's rows on the pages of ``directory`` (for ``python -m benchmarks``)."""
    page_list = list(pages(directory))
    return rows(page_list, measure(page_list, rounds), goals)


def write_bodies(source: Path, target: Path, urls: dict[str, str]) -> None:
    """newscrawl's body of every ``ID.html`` in ``source`` as ``target/ID.txt`` (empty when
    refused): the batch command of ``bodyeval.py --cmd-batch``, which names the URLs."""
    read = newscrawl_reader()
    for html in sorted(source.glob("*.html")):
        page = Page(html.stem, urls.get(html.stem) or f"http://example.com/{html.name}", html.read_bytes(), "")
        (target / f"{html.stem}.txt").write_text(read(page).text, encoding="utf-8")


def main(argv: list[str]) -> int:
    from .report import table

    parser = argparse.ArgumentParser(prog="python -m benchmarks.body_f1", description=__doc__.split("\n")[0])
    parser.add_argument("directory", type=Path, nargs="?", default=None, help="the pages (default: see above)")
    parser.add_argument("--rounds", type=int, default=3, help="timed passes over the pages (best counts)")
    parser.add_argument("--worst", type=int, default=10, help="list this many of newscrawl's worst pages")
    parser.add_argument("--batch", nargs=2, type=Path, metavar=("IN", "OUT"),
                        help="only write the body of each IN/ID.html to OUT/ID.txt (URLs from the JSON file "
                             "named by $BODYEVAL_URLS), for bodyeval.py --cmd-batch")
    args = parser.parse_args(argv)
    if args.batch:
        urls_file = os.environ.get("BODYEVAL_URLS")
        write_bodies(*args.batch, json.loads(Path(urls_file).read_text(encoding="utf-8")) if urls_file else {})
        return 0
    directory = args.directory or default_pages()
    page_list = list(pages(directory))
    if not page_list:
        parser.error(f"no pages with expected text under {directory}")
    results = measure(page_list, args.rounds)
    print(f"{len(page_list)} pages from {directory}\n")
    print(table(rows(page_list, results)))
    if args.worst:
        print(f"\nnewscrawl's {args.worst} worst pages (F1, precision, recall):")
        print("\n".join(worst(page_list, results["newscrawl"].readings, args.worst)))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
