"""Scrapy downloader middlewares: retries that back off (:mod:`.backoff`) and redirects that
refuse loops and private addresses (:mod:`.redirect`), in ``DOWNLOADER_MIDDLEWARES``."""
