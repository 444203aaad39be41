"""The 중도일보 spider."""

from __future__ import annotations

from ..sites.joongdo import JOONGDO
from .base import NewsSpider


class JoongdoSpider(NewsSpider):
    name = "joongdo"
    profile = JOONGDO
