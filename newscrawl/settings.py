"""Scrapy settings of the newscrawl project.

Polite by default: robots.txt obeyed, AutoThrottle on, at most two requests at a time per
site, retries with backoff limited to two per page. newscrawl's own settings are prefixed
``NEWSCRAWL_``; every one can be changed with ``-s NAME=VALUE`` on the command line.
"""

from newscrawl import __version__

BOT_NAME = "newscrawl"
SPIDER_MODULES = ["newscrawl.spiders"]
NEWSPIDER_MODULE = "newscrawl.spiders"

#: Where articles are stored (a SQLite file, created if missing).
NEWSCRAWL_DB = "data/news.db"
#: False runs the pipelines without writing anything (``newscrawl fetch --no-store``).
NEWSCRAWL_STORE = True
#: Record failed downloads and dropped pages in the archive's ``failures`` table.
NEWSCRAWL_RECORD_FAILURES = True

USER_AGENT = f"newscrawl/{__version__} (+https://github.com/newscrawl/newscrawl; news archiver)"
ROBOTSTXT_OBEY = True

CONCURRENT_REQUESTS = 8
CONCURRENT_REQUESTS_PER_DOMAIN = 2
DOWNLOAD_DELAY = 0.5
AUTOTHROTTLE_ENABLED = True
AUTOTHROTTLE_START_DELAY = 1.0
AUTOTHROTTLE_MAX_DELAY = 30.0
AUTOTHROTTLE_TARGET_CONCURRENCY = 1.0

DOWNLOAD_TIMEOUT = 30
RETRY_TIMES = 2
REDIRECT_MAX_TIMES = 10
# Keep a response that arrived short instead of failing it: the extractor marks the article
# incomplete, which loses less than dropping it.
DOWNLOAD_FAIL_ON_DATALOSS = False
DOWNLOAD_MAXSIZE = 16 * 1024 * 1024
DOWNLOAD_WARNSIZE = 4 * 1024 * 1024

ITEM_PIPELINES = {
    "newscrawl.pipelines.ExtractPipeline": 100,
    "newscrawl.pipelines.NormalisePipeline": 200,
    "newscrawl.pipelines.ValidatePipeline": 300,
    "newscrawl.pipelines.ArchivePipeline": 900,
}

# No listening ports: a crawler run from cron has no business opening one.
TELNETCONSOLE_ENABLED = False
REMOTE_CONTROL_ENABLED = False
FEED_EXPORT_ENCODING = "utf-8"
LOG_LEVEL = "INFO"
