"""The ND소프트 spider: articles of any paper on the ND소프트 CMS, fetched by URL."""

from __future__ import annotations

from ..sites.ndsoft import NDSOFT
from .base import NewsSpider


class NdsoftSpider(NewsSpider):
    name = "ndsoft"
    profile = NDSOFT
