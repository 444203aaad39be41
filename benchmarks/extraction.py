"""Extraction benchmark: newscrawl's extraction against trafilatura's on the same pages.

newscrawl's side is what a crawl runs for every page: extract, normalise and validate
(the three item pipelines before storing), from the page's bytes to an ``Article`` with
every field. The references run in the same process on the same bytes, taking turns
with it round by round: ``trafilatura.extract`` asked for title, date and text
(``with_metadata=True``) and for text only, and lxml's parse alone (``lxml.html``), the
floor under any extractor built on lxml. Times are CPU seconds of this process (a busy
machine slows the wall clock of every side differently); the best of the rounds counts.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from pathlib import Path

import lxml.html
import trafilatura

from newscrawl.items import RawPage
from newscrawl.reading import read_page

from .report import Row
from .site import Site, target_file

SEED = Path(__file__).resolve().parent.parent / "tests" / "fixtures" / "joongdo" / "view-20200708010002304.html"
GOAL = 10


def pages(site: Site, count: int) -> list[tuple[str, bytes]]:
    """``(url, body)`` of the seed article page and ``count - 1`` generated ones."""
    seed = ("http://www.joongdo.co.kr/web/view.php?key=20200708010002304", SEED.read_bytes())
    generated = [(f"http://www.joongdo.co.kr/web/view.php?key={a.key}",
                  target_file(site.root, f"/web/view.php?key={a.key}").read_bytes())
                 for a in site.articles[:count - 1]]
    return [seed, *generated]


def newscrawl_extraction() -> Callable[[str, bytes], object]:
    def extract(url: str, body: bytes) -> object:
        return read_page(RawPage(url=url, status=200, headers={"content-type": ["text/html; charset=utf-8"]},
                                 body=body, encoding=None, fetched_at="2026-01-01T00:00:00+09:00", profile="joongdo"))
    return extract


SIDES: dict[str, Callable[[], Callable[[str, bytes], object]]] = {
    "newscrawl": newscrawl_extraction,
    "trafilatura": lambda: lambda url, body: trafilatura.extract(body, url=url, with_metadata=True),
    "trafilatura text only": lambda: lambda url, body: trafilatura.extract(body, url=url),
    "lxml parse": lambda: lambda url, body: lxml.html.fromstring(body),
}


def seconds_per_page(page_list: list[tuple[str, bytes]], rounds: int) -> dict[str, float]:
    """Best CPU seconds per page of each side over ``rounds`` rounds (each side in turn)."""
    functions = {name: make() for name, make in SIDES.items()}
    for function in functions.values():  # warm-up: imports, caches
        function(*page_list[0])
    best = {name: float("inf") for name in functions}
    for _ in range(rounds):
        for name, function in functions.items():
            started = time.process_time()
            for url, body in page_list:
                function(url, body)
            best[name] = min(best[name], (time.process_time() - started) / len(page_list))
    return best


def run(site: Site, count: int, rounds: int) -> list[Row]:
    page_list = pages(site, count)
    seconds = seconds_per_page(page_list, rounds)
    ours = 1 / seconds["newscrawl"]
    what = f"articles/s, {len(page_list)} pages"
    rows = [Row("extraction", what, ours, f"{name}, articles/s", 1 / seconds[name], ours * seconds[name],
                f"≥ {GOAL}× trafilatura" if name == "trafilatura" else "(comparison)",
                ours * seconds[name] >= GOAL if name == "trafilatura" else None, "{:.0f}")
            for name in ("trafilatura", "trafilatura text only")]
    rows.append(Row("extraction", "ms per page", seconds["newscrawl"] * 1000, "lxml parse alone, ms",
                    seconds["lxml parse"] * 1000, seconds["newscrawl"] / seconds["lxml parse"], "(floor: 1×)",
                    None, "{:.2f}", note="newscrawl: extract + normalise + validate, every field; "
                                         "trafilatura: title, date and text (with_metadata=True)"))
    return rows
