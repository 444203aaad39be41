"""Scrapy settings of the newscrawl project.

Polite by default: robots.txt obeyed, AutoThrottle on, at most two requests at a time per
site, retries with backoff limited to two per page. newscrawl's own settings are prefixed
``NEWSCRAWL_``; every one can be changed with ``-s NAME=VALUE`` on the command line (and
``setting=NAME=VALUE`` under scrapyd).
"""

from newscrawl import __version__

BOT_NAME = "newscrawl"
SPIDER_MODULES = ["newscrawl.spiders"]
NEWSPIDER_MODULE = "newscrawl.spiders"
# `scrapy crawl` exits 1 when a feed export (-O articles.jsonl) could not be written.
COMMANDS_MODULE = "newscrawl.commands"

#: Where articles are stored (a SQLite file, created if missing).
NEWSCRAWL_DB = "data/news.db"
#: False runs the pipelines without writing anything (``newscrawl fetch --no-store``).
NEWSCRAWL_STORE = True
#: Record failed downloads and dropped pages in the archive's ``failures`` table.
NEWSCRAWL_RECORD_FAILURES = True

# -- whole-site crawls (``newscrawl crawl``, ``scrapy crawl SITE`` without ``-a url=``) --------

#: How far back the very first routine crawl of a site looks.
NEWSCRAWL_FIRST_SINCE = "2d"
#: A routine crawl starts where the last successful one started, less this overlap.
NEWSCRAWL_OVERLAP = "1h"
#: Revisit schedule, ``AGE:INTERVAL`` pairs: an article up to AGE old is fetched again once
#: INTERVAL has passed since its last fetch; older articles are not revisited. Empty: never.
NEWSCRAWL_REVISIT = "2d:6h,7d:1d,30d:7d,180d:30d"
#: Skip and stop retrying a URL that failed this many times (across runs).
NEWSCRAWL_MAX_FAILED_ATTEMPTS = 5
#: Stop paging a list after this many pages even if its dates never leave the window.
NEWSCRAWL_MAX_LIST_PAGES = 5000
#: Skip archived articles that are not due a revisit (False refetches the whole window).
NEWSCRAWL_INCREMENTAL_ENABLED = True
#: Record every crawl in the ``crawl_runs`` table (and make ``--resume`` possible).
NEWSCRAWL_RECORD_ENABLED = True
#: Hold ``<archive>.lock`` during a crawl so that two crawls never overlap on one archive
#: (``scrapy crawl``: the spider takes it as it opens the archive; ``newscrawl crawl`` always does).
NEWSCRAWL_LOCK_ENABLED = True
#: A one-line progress report every this many seconds (0: none).
NEWSCRAWL_PROGRESS_ENABLED = True
NEWSCRAWL_PROGRESS_INTERVAL = 60
#: A live progress bar instead of the lines: "auto" when stderr is a terminal and the log
#: shows INFO (not under -q), or True / False.
NEWSCRAWL_PROGRESS_BAR = "auto"
#: A run whose articles miss a title, date or body more often than this share (judged on at
#: least NEWSCRAWL_DRIFT_MIN_ARTICLES articles) warns of layout drift and exits non-zero.
NEWSCRAWL_DRIFT_THRESHOLD = 0.2
NEWSCRAWL_DRIFT_MIN_ARTICLES = 10
#: ``newscrawl health`` watches where these fields come from: a site read with a site profile
#: is flagged when, in its latest runs, the profile gave one of them for fewer than
#: NEWSCRAWL_HEALTH_PROFILE_FLOOR of the article pages, or for a share more than
#: NEWSCRAWL_HEALTH_PROFILE_DROP below its earlier runs' share.
NEWSCRAWL_HEALTH_FIELDS = "title,published_at,body"
NEWSCRAWL_HEALTH_PROFILE_FLOOR = 0.5
NEWSCRAWL_HEALTH_PROFILE_DROP = 0.3
#: Each retry doubles the site's download delay, starting from at least this many seconds.
NEWSCRAWL_BACKOFF_BASE = 2.0
#: Stop the crawl after this many failed downloads in a row (0: never).
NEWSCRAWL_GIVE_UP_AFTER = 20
#: Extract pages in this many worker processes while the crawl goes on downloading (0: in
#: the crawl's own process, which is enough for a polite crawl; see newscrawl/pipelines/workers.py).
NEWSCRAWL_EXTRACT_WORKERS = 0

# -- many machines: one frontier in Redis, one archive (newscrawl/cluster/) -------------------

#: The cluster's Redis (``redis://HOST:PORT/N``). Set on a crawl, it coordinates: article pages
#: go to the workers and come back through Redis to be stored. Set on a worker, where it works.
NEWSCRAWL_CLUSTER = ""
#: A worker's lease on a page in flight (renewed while it is): a page leased by a worker that
#: died goes to another worker after this many seconds.
NEWSCRAWL_CLUSTER_LEASE = 60.0
#: How often workers look for tasks and the coordinator for results (seconds).
NEWSCRAWL_CLUSTER_POLL = 0.1

# -- politeness ------------------------------------------------------------------------------

#: Your e-mail or web address, added to the User-Agent so a site's operator can reach you.
NEWSCRAWL_CONTACT = ""
USER_AGENT = f"newscrawl/{__version__} (+https://github.com/newscrawl/newscrawl; news archiver)"
ROBOTSTXT_OBEY = True

CONCURRENT_REQUESTS = 8
CONCURRENT_REQUESTS_PER_DOMAIN = 2
DOWNLOAD_DELAY = 0.5
AUTOTHROTTLE_ENABLED = True
AUTOTHROTTLE_START_DELAY = 1.0
AUTOTHROTTLE_MAX_DELAY = 30.0
AUTOTHROTTLE_TARGET_CONCURRENCY = 1.0

# Scrapy starts this many tasks for every response's output, however little it holds; a
# newscrawl callback yields one article or at most a list page of links (default: 100).
CONCURRENT_ITEMS = 16
# Scrapy reads and parses the source of a generator callback to warn of a `return value` in
# it, and its cache misses for every request read back from the job's queue: once per list
# page. newscrawl's callbacks return no value (tests/test_crawl_parts.py checks them).
WARN_ON_GENERATOR_RETURN_VALUE = False
# Scrapy's queue, keeping its directory in the JOBDIR when it empties (newscrawl.scheduler).
SCHEDULER_PRIORITY_QUEUE = "newscrawl.scheduler.KeptDirectoryQueue"

DOWNLOAD_TIMEOUT = 30
RETRY_TIMES = 2
REDIRECT_MAX_TIMES = 10
# Keep a response that arrived short instead of failing it: the extractor marks the article
# incomplete, which loses less than dropping it.
DOWNLOAD_FAIL_ON_DATALOSS = False
DOWNLOAD_MAXSIZE = 16 * 1024 * 1024
DOWNLOAD_WARNSIZE = 4 * 1024 * 1024

DOWNLOADER_MIDDLEWARES = {
    "scrapy.downloadermiddlewares.retry.RetryMiddleware": None,
    "newscrawl.middlewares.backoff.BackoffRetryMiddleware": 550,
    "scrapy.downloadermiddlewares.redirect.RedirectMiddleware": None,
    "newscrawl.middlewares.redirect.LoopAwareRedirectMiddleware": 600,
    "scrapy.downloadermiddlewares.redirect.MetaRefreshMiddleware": None,
    "newscrawl.middlewares.redirect.GuardedMetaRefreshMiddleware": 580,
}
#: Download each article's photos into the archive (newscrawl.pipelines.photos); False: URLs only.
NEWSCRAWL_PHOTOS = True
#: A photo larger than this (bytes) is not downloaded, and recorded as a failure.
NEWSCRAWL_PHOTO_MAX_BYTES = 5 * 1024 * 1024
ITEM_PIPELINES = {
    "newscrawl.pipelines.workers.ExtractWorkersPipeline": 50,
    "newscrawl.pipelines.ReadPipeline": 100,
    "newscrawl.pipelines.ArchivePipeline": 900,
    "newscrawl.pipelines.photos.PhotosPipeline": 950,
}
EXTENSIONS = {
    "newscrawl.extensions.record.RunRecorder": 20,
    "newscrawl.extensions.progress.Progress": 30,
    # log times in Asia/Seoul; at WARNING, no per-page failure lines (the summary has them)
    "newscrawl.extensions.logs.CrawlLog": 40,
    # feeds (`scrapy crawl joongdo -O articles.jsonl`) hold the articles, not failures
    "scrapy.extensions.feedexport.FeedExporter": None,
    "newscrawl.extensions.feeds.ArticleFeeds": 0,
    "newscrawl.cluster.coordinator.ClusterCoordinator": 45,
}

# No listening ports: a crawler run from cron has no business opening one.
TELNETCONSOLE_ENABLED = False
REMOTE_CONTROL_ENABLED = False
FEED_EXPORT_ENCODING = "utf-8"
# Scrapy's "Crawled N pages (at N pages/min)" every minute: newscrawl's progress (above) says
# more, of the articles rather than the requests.
LOGSTATS_INTERVAL = 0
LOG_LEVEL = "INFO"
