"""Crawl policy, apart from Scrapy: what a run crawls and how it is judged, as plain functions
and values that import neither Scrapy nor Twisted (a test checks).

The plan and window of a run (:mod:`.plan`, :mod:`.window`), reading feeds and lists
(:mod:`.discovery`, :mod:`.autodiscovery`), what to fetch again (:mod:`.incremental`), the
job directory (:mod:`.jobs`), a run's outcome, health and drift (:mod:`.outcome`,
:mod:`.health`, :mod:`.drift`, :mod:`.health_report`, :mod:`.summary`) and the sites file
(:mod:`.sitesfile`).
"""
