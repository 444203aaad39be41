"""Spiders, one per site profile; ``scrapy list`` shows them."""
