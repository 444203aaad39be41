"""Running crawls as library functions: ``newscrawl crawl`` (:mod:`.runner`) and
``newscrawl crawl --all`` (:mod:`.many`), start to summary.

The crawl itself is Scrapy's: the spider (:mod:`newscrawl.spiders`), the downloader
middlewares (:mod:`newscrawl.middlewares`), the extensions around a run
(:mod:`newscrawl.extensions`) and the item pipelines (:mod:`newscrawl.pipelines`), each
switched on by a setting, so they work the same under ``newscrawl crawl``, ``scrapy crawl``
and scrapyd; what a run crawls is decided by the pure policy of :mod:`newscrawl.policy`.
"""
