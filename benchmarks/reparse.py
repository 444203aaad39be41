"""Re-extraction benchmark: ``newscrawl reparse`` of the memory benchmark's archive.

The archive of the 20,000-article crawl is copied, then re-read twice: with one worker
process (the reference: what one core does) and with one per core (the default). The
extractor has not changed since the crawl, so every article reads as stored and costs no
write: what is measured is reading the pages back, extracting them and comparing, which
is what a re-read after a profile fix costs for the articles it leaves unchanged. Beside it,
in the same run: the CPU time of extraction alone (``read_page``) and of lxml's parse alone
on the archive's first pages, in this process — the floor under the command's CPU per article.
"""

from __future__ import annotations

import os
import re
import sqlite3
import time
from pathlib import Path

import lxml.html

from newscrawl.archive import load_page
from newscrawl.archive.api import Archive
from newscrawl.reading import read_page

from . import measure
from .report import Row

GOAL = 1000
#: Pages the extraction floor is measured on.
FLOOR_PAGES = 1000


def _rate(db: Path, workers: int) -> tuple[float, float, str]:
    """Articles per second of ``newscrawl reparse`` with ``workers`` processes, CPU ms per
    article (its processes together), and its counts."""
    elapsed = measure.stopwatch()
    command = measure.python("-m", "newscrawl", "reparse", "--db", str(db), "--workers", str(workers))
    finished = measure.run(command)
    seconds = elapsed()
    if finished.returncode:
        raise RuntimeError(f"{' '.join(command)} failed: {finished.stderr[-2000:]}")
    counts = finished.stdout.splitlines()[0]
    articles = sum(int(n) for n in re.findall(r"(\d+) \w+", counts))
    return articles / seconds, finished.cpu_seconds * 1000 / articles, counts


def _floor(db: Path) -> tuple[float, float, int]:
    """CPU ms per page of extraction alone and of lxml's parse alone, on the archive's first
    pages (read back beforehand, so neither includes reading them), and how many pages."""
    with Archive(db) as archive:
        ids = archive.latest_page_ids()[:FLOOR_PAGES]
        pages = [load_page(archive.db, page_id) for _rowid, page_id, _fetched in ids]
    cpu = []
    for work in (read_page, lambda page: lxml.html.fromstring(page.body)):
        started = time.process_time()
        for page in pages:
            work(page)
        cpu.append((time.process_time() - started) * 1000 / max(len(pages), 1))
    return cpu[0], cpu[1], len(pages)


def run(archive: Path, workdir: Path) -> list[Row]:
    copy = workdir / "reparse.db"
    for stale in workdir.glob("reparse.db*"):
        stale.unlink()
    with sqlite3.connect(archive) as source, sqlite3.connect(copy) as target:
        source.backup(target)  # the write-ahead log's pages too
    source.close()
    target.close()
    cores = os.cpu_count() or 1
    load = os.getloadavg()[0]  # the machine's other work: parallel workers gain only from idle cores
    single, single_cpu, _counts = _rate(copy, 1)
    parallel, parallel_cpu, counts = _rate(copy, cores)
    extraction, parse, floor_pages = _floor(copy)
    return [Row("reparse", f"articles/s, {cores} workers", parallel, "1 worker, articles/s", single,
                parallel / single, f"≥ {GOAL:,} articles/s", parallel >= GOAL, "{:.0f}",
                note=f"{counts}; every article reads as stored, so nothing is written; time from start to end "
                     f"of the command, start-up included; CPU ms per article: {parallel_cpu:.2f} with {cores} workers, "
                     f"{single_cpu:.2f} with 1, of which extraction alone {extraction:.2f} (lxml's parse alone "
                     f"{parse:.2f}; its first {floor_pages:,} pages, in this process); "
                     f"load average before: {load:.1f}")]
