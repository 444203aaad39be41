"""What a page says about itself in ``<meta>``, ``<link>`` and JSON-LD.

Metadata is the layer after the site's selectors and the page's labels: it is present on
almost every news page and survives redesigns, but it is often abridged (a description in
place of the text, a site name in place of the author), so it never outranks the page.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from typing import Any

from parsel import Selector

from .text import normalise_space

_ARTICLE_TYPES = {"NewsArticle", "Article", "ReportageNewsArticle", "AnalysisNewsArticle",
                  "OpinionNewsArticle", "BlogPosting", "Report"}


class PageMetadata:
    """Lazy access to the metadata of one parsed page."""

    def __init__(self, selector: Selector):
        self._selector = selector
        self._json_ld: dict[str, Any] | None = None

    def meta(self, *names: str) -> str | None:
        """The first non-empty ``<meta>`` content among ``names`` (property or name)."""
        for name in names:
            for value in self._selector.xpath(
                "//meta[@property=$n or @name=$n or @itemprop=$n]/@content", n=name
            ).getall():
                text = normalise_space(value)
                if text:
                    return text
        return None

    def link(self, rel: str) -> str | None:
        return normalise_space(self._selector.xpath("//link[@rel=$r]/@href", r=rel).get()) or None

    def json_ld(self) -> dict[str, Any]:
        """The page's JSON-LD object of an article type, or ``{}``."""
        if self._json_ld is None:
            self._json_ld = next(self._article_objects(), {})
        return self._json_ld

    def _article_objects(self) -> Iterator[dict[str, Any]]:
        for script in self._selector.xpath('//script[@type="application/ld+json"]/text()').getall():
            try:
                data = json.loads(script)
            except ValueError:
                continue
            yield from (obj for obj in _flatten(data) if _is_article(obj))


def _flatten(data: Any) -> Iterator[dict[str, Any]]:
    if isinstance(data, list):
        for entry in data:
            yield from _flatten(entry)
    elif isinstance(data, dict):
        yield data
        yield from _flatten(data.get("@graph", []))


def _is_article(obj: dict[str, Any]) -> bool:
    kind = obj.get("@type")
    kinds = kind if isinstance(kind, list) else [kind]
    return any(k in _ARTICLE_TYPES for k in kinds if isinstance(k, str))


def json_ld_people(value: Any) -> list[dict[str, str | None]]:
    """``[{name, url}]`` from a JSON-LD ``author`` value (a string, object or list)."""
    people = value if isinstance(value, list) else [value]
    found = []
    for person in people:
        if isinstance(person, str):
            found.append({"name": normalise_space(person), "url": None})
        elif isinstance(person, dict) and person.get("name"):
            found.append({"name": normalise_space(str(person["name"])), "url": person.get("url")})
    return found
