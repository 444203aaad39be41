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
from ..sites.generic import GENERIC

#: Fields every article has; their absence is the mark of a layout the extractor missed.
ESSENTIAL = ("title", "published_at", "body")


@dataclass
class Health:
    """Counts over the article pages of one run (or, added up, of several)."""

    articles: int = 0
    missing: Counter[str] = field(default_factory=Counter)
    sources: defaultdict[str, Counter[str]] = field(default_factory=lambda: defaultdict(Counter))
    #: Which site profile read the pages (``joongdo``, ``ndsoft``, ``generic``).
    profiles: Counter[str] = field(default_factory=Counter)

    def add_article(self, article: Article) -> None:
        """Count a stored article: its missing essentials, the layer of each field, its profile."""
        self.articles += 1
        for name in ESSENTIAL:
            if not getattr(article, name):
                self.missing[name] += 1
        for name, layer in article.sources.items():
            self.sources[name][layer] += 1
        if article.profile:
            self.profiles[article.profile] += 1

    def add_rejected(self, missing: list[str], profile: str | None = None) -> None:
        """Count an article page dropped because it lacked ``missing`` (e.g. title, body)."""
        self.articles += 1
        for name in missing:
            if name in ESSENTIAL:
                self.missing[name] += 1
        if profile:
            self.profiles[profile] += 1

    def to_json(self) -> dict[str, Any]:
        """``{"articles": n, "missing": {field: n}, "sources": {field: {layer: n}},
        "profiles": {profile: n}}``."""
        return {
            "articles": self.articles,
            "missing": {name: self.missing[name] for name in ESSENTIAL},
            "sources": {name: dict(layers) for name, layers in sorted(self.sources.items())},
            "profiles": dict(self.profiles),
        }

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> Health:
        """The counts of a stored ``crawl_runs.health`` (runs recorded before ``profiles``
        existed have none)."""
        health = cls(articles=data.get("articles", 0), missing=Counter(data.get("missing", {})),
                     profiles=Counter(data.get("profiles", {})))
        for name, layers in data.get("sources", {}).items():
            health.sources[name].update(layers)
        return health

    def __add__(self, other: Health) -> Health:
        total = Health(self.articles + other.articles, self.missing + other.missing,
                       profiles=self.profiles + other.profiles)
        for counts in (self.sources, other.sources):
            for name, layers in counts.items():
                total.sources[name].update(layers)
        return total

    def share(self, name: str, layer: str) -> float:
        """The share of the article pages whose field ``name`` came from ``layer``."""
        return self.sources[name][layer] / self.articles if self.articles else 0.0

    def missing_share(self, name: str) -> float:
        return self.missing[name] / self.articles if self.articles else 0.0

    @property
    def profiled(self) -> bool:
        """True when a site profile (not the generic one) read some of the pages; for runs
        recorded without ``profiles``, when some field came from the profile layer."""
        if self.profiles:
            return any(name != GENERIC.name for name in self.profiles)
        return any(layers["profile"] for layers in self.sources.values())

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
