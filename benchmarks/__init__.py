"""newscrawl's benchmarks: speed, memory, disk and search, each beside a reference measured
in the same run (these machines are noisy), on generated data.

    .venv/bin/python -m benchmarks --size quick     # smoke test, well under a minute
    .venv/bin/python -m benchmarks                  # full size (docs/benchmarks.md)

=============  ================================================  ===============================
benchmark      newscrawl                                         reference
=============  ================================================  ===============================
extraction     extract + normalise + validate, articles/s        trafilatura.extract; lxml parse
crawl          ``newscrawl crawl`` of a generated site, art./s   a bare Scrapy spider, pages/s
memory         peak and growth of the crawl's resident memory    (goal: < 300 MB, flat)
disk           archive bytes per article                         the raw HTML, bytes per page
search         Korean search through datasette's JSON API, p95   the same search in SQLite alone
body           body F1 on real pages, pages read, pages/s        trafilatura.extract, same pages
=============  ================================================  ===============================

The body benchmark (``benchmarks/body_f1.py``, also runnable alone) reads the public
article-extraction-benchmark's pages: at the quick size the six in ``tests/fixtures``, at full
size those of ``--bench-dir`` (default ``../shared/fixtures/article-body-bench``).
"""
