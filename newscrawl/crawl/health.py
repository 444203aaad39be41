"""Extraction health of a run: which layer gave each field, and how many articles lack
what every article has (title, publication date, body).

A site that changes its layout does not make a crawl fail: pages still download, and the
fallback layers still find something. What changes is where the fields come from and how
many articles come out without a date or a title. :class:`Health` counts both for one run
(stored as JSON in ``crawl_runs.health``); :meth:`Health.alarm` says when the missing share
is past the threshold.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from dataclasses import dataclass, field
from typing import Any

from ..items import Article

#: Fields every article has; their absence is the mark of a layout the extractor missed.
ESSENTIAL = ("title", "published_at", "body")


@dataclass
class Health:
    articles: int = 0
    missing: Counter[str] = field(default_factory=Counter)
    sources: defaultdict[str, Counter[str]] = field(default_factory=lambda: defaultdict(Counter))

    def add_article(self, article: Article) -> None:
        """Count a stored article: its missing essentials and the layer of each field."""
        self.articles += 1
        for name in ESSENTIAL:
            if not getattr(article, name):
                self.missing[name] += 1
        for name, layer in article.sources.items():
            self.sources[name][layer] += 1

    def add_rejected(self, missing: list[str]) -> None:
        """Count an article page dropped because it lacked ``missing`` (e.g. title, body)."""
        self.articles += 1
        for name in missing:
            if name in ESSENTIAL:
                self.missing[name] += 1

    def to_json(self) -> dict[str, Any]:
        """``{"articles": n, "missing": {field: n}, "sources": {field: {layer: n}}}``."""
        return {
            "articles": self.articles,
            "missing": {name: self.missing[name] for name in ESSENTIAL},
            "sources": {name: dict(layers) for name, layers in sorted(self.sources.items())},
        }

    def alarm(self, threshold: float, min_articles: int) -> str | None:
        """A one-line warning when more than ``threshold`` of the articles miss an essential
        field (judged only on runs of at least ``min_articles`` articles), else None."""
        if self.articles < max(min_articles, 1):
            return None
        lacking = [f"{self.missing[name]} of {self.articles} have no {name}" for name in ESSENTIAL
                   if self.missing[name] / self.articles > threshold]
        if not lacking:
            return None
        return (f"layout drift: {'; '.join(lacking)} (more than {threshold:.0%}); the site may have "
                "changed its layout: check the site profile's selectors")
