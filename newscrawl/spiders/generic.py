"""The generic spider: an article of a site no profile knows, fetched by URL."""

from __future__ import annotations

from ..sites.generic import GENERIC
from .base import NewsSpider


class GenericSpider(NewsSpider):
    name = "generic"
    profile = GENERIC
