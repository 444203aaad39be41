"""Whole-site crawls: the window of a run, discovery, and the Scrapy components around a run.

The spider (:mod:`newscrawl.spiders.base`) discovers and downloads; these components, each
switched on by a setting, make a crawl incremental (:mod:`.incremental`), polite under
failure (:mod:`.backoff`), recorded (:mod:`.record`), visible (:mod:`.progress`),
resumable (:mod:`.jobs`) and exclusive (:mod:`.lock`). They work the same under
``newscrawl crawl``, ``scrapy crawl`` and scrapyd.
"""
