"""Run every benchmark and print the table (see benchmarks/__init__.py and docs/benchmarks.md).

    python -m benchmarks                 # the full size (about 30 minutes the first time)
    python -m benchmarks --size quick    # a smoke test, well under a minute
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

from . import body_f1, cluster, crawl, disk, extraction, measure, reparse, search
from .report import Row, machine, table
from .site import generate
from .sizes import SIZES, Size

BENCHMARKS = ("extraction", "crawl", "memory", "disk", "reparse", "search", "body", "cluster")


def run(size: Size, workdir: Path, only: tuple[str, ...], bench_dir: Path | None = None) -> list[Row]:
    """The rows of the ``only`` benchmarks at ``size``, data generated in ``workdir``; the body
    benchmark reads the pages of ``bench_dir`` (the quick size: the six of tests/fixtures)."""
    rows: list[Row] = []
    workdir.mkdir(parents=True, exist_ok=True)
    if "extraction" in only or "crawl" in only:
        site = generate(workdir / f"site-{size.crawl_articles}", size.crawl_articles)
        if "extraction" in only:
            rows += _step("extraction", lambda: extraction.run(site, size.extraction_pages, size.extraction_rounds))
        if "crawl" in only:
            with measure.server(_server(site.root)) as (url, pid):
                rows += _step("crawl", lambda: crawl.compare(site, url, pid, workdir, size.concurrency))
    if "memory" in only or "disk" in only or "reparse" in only:
        site = generate(workdir / f"site-{size.memory_articles}", size.memory_articles)
        db = workdir / "memory.db"
        if "memory" in only or not db.exists():
            with measure.server(_server(site.root)) as (url, pid):
                memory_rows = _step("memory", lambda: crawl.memory(site, url, pid, db, size.concurrency))
            rows += memory_rows if "memory" in only else []
        if "disk" in only:
            rows += _step("disk", lambda: disk.run(db))
        if "reparse" in only:
            rows += _step("reparse", lambda: reparse.run(db, workdir))
    if "search" in only:
        rows += _step("search", lambda: search.run(workdir, size.search_articles, size.search_queries,
                                                    size.search_rounds))
    if "body" in only:
        pages = body_f1.QUICK_PAGES if size.body_quick else bench_dir or body_f1.default_pages()
        rows += _step("body", lambda: body_f1.run(pages, size.body_rounds, goals=not size.body_quick))
    if "cluster" in only:
        rows += _step("cluster", lambda: cluster.run(workdir / "cluster", size.cluster))
    return rows


def _server(root: Path) -> list[str]:
    return measure.python("-m", "benchmarks.staticserver", str(root))


def _step(name: str, function) -> list[Row]:
    elapsed = measure.stopwatch()
    print(f"{name} …", file=sys.stderr, flush=True)
    rows = function()
    print(f"{name}: {elapsed():.0f} s", file=sys.stderr, flush=True)
    return rows


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m benchmarks", description=__doc__.splitlines()[0])
    parser.add_argument("--size", choices=sorted(SIZES), default="full",
                        help="quick: a smoke test of every benchmark; full: the sizes docs/benchmarks.md reports")
    parser.add_argument("--only", nargs="+", choices=BENCHMARKS, default=BENCHMARKS, metavar="NAME",
                        help=f"run only these benchmarks ({', '.join(BENCHMARKS)})")
    parser.add_argument("--workdir", type=Path, default=Path("data") / "benchmarks",
                        help="where generated sites and archives are kept between runs (default: data/benchmarks)")
    parser.add_argument("--json", type=Path, help="also write the rows to this file")
    parser.add_argument("--bench-dir", type=Path,
                        help="the body benchmark's pages at full size (article-extraction-benchmark layout; "
                             f"default: {body_f1.SHARED_PAGES} when it exists)")
    args = parser.parse_args(argv)
    size = SIZES[args.size]
    print(f"newscrawl benchmarks, size {args.size}: {size.describe()}")
    print(f"machine: {machine()}\n")
    rows = run(size, args.workdir / args.size, tuple(args.only), args.bench_dir)
    print(table(rows))
    if args.json:
        args.json.write_text(json.dumps([row.as_dict() for row in rows], ensure_ascii=False, indent=1))
    return 0


if __name__ == "__main__":
    sys.exit(main())
