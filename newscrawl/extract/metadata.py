"""What a page says about itself in ``<meta>``, ``<link>`` and JSON-LD.

Metadata is the layer after the site's selectors and the page's labels: it is present on
almost every news page and survives redesigns, but it is often abridged (a description in
place of the text, a site name in place of the author), so it never outranks the page.
Each method here reads one article field from the metadata, or None / ``[]``.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from typing import Any

from lxml import etree
from parsel import Selector

from .bylines import reporter_name
from .select import first
from .text import normalise_space

_ARTICLE_TYPES = {"NewsArticle", "Article", "ReportageNewsArticle", "AnalysisNewsArticle",
                  "OpinionNewsArticle", "BlogPosting", "Report"}
#: Words that make an "author" a publication, not a person (중도일보, 연합뉴스, KBS 뉴스).
_PUBLICATION = re.compile(r"(?:일보|신문|뉴스|방송|미디어|타임스|저널|통신|편집국|데스크)$")


class PageMetadata:
    """Lazy access to the metadata of one parsed page."""

    def __init__(self, page: Selector | etree._Element):
        self._root = page.root if isinstance(page, Selector) else page
        self._json_ld: dict[str, Any] | None = None
        self._meta: dict[str, list[str]] | None = None
        self._links: dict[str, list[str]] | None = None
        self._ld: list[dict[str, Any]] | None = None

    def meta(self, *names: str) -> str | None:
        """The first non-empty ``<meta>`` content among ``names`` (property or name)."""
        return next(iter(self.meta_all(*names)), None)

    def meta_all(self, *names: str) -> list[str]:
        """Every non-empty ``<meta>`` content among ``names``, in the order of ``names``."""
        if self._meta is None:
            self._meta = _meta_index(self._root)
        return [text for name in names for value in self._meta.get(name, ()) if (text := normalise_space(value))]

    def link(self, rel: str) -> str | None:
        if self._links is None:
            self._links = _link_index(self._root)
        return normalise_space(next(iter(self._links.get(rel, ())), None)) or None

    def json_ld(self) -> dict[str, Any]:
        """The page's JSON-LD object of an article type, or ``{}``."""
        if self._json_ld is None:
            self._json_ld = next(self._article_objects(), {})
        return self._json_ld

    def _article_objects(self) -> Iterator[dict[str, Any]]:
        yield from (obj for obj in self._ld_objects() if _is_article(obj))

    def _ld_objects(self) -> list[dict[str, Any]]:
        """Every JSON-LD object of the page (read once: several fields ask)."""
        if self._ld is None:
            self._ld = []
            for script in _ld_json_texts(self._root):
                try:
                    data = json.loads(script)
                except ValueError:
                    continue
                self._ld.extend(_flatten(data))
        return self._ld

    def declared_types(self) -> list[str]:
        """What the page says it is: every JSON-LD ``@type`` and the ``og:type``, in that order."""
        kinds = [kind for obj in self._ld_objects() for kind in _types(obj)]
        return kinds + self.meta_all("og:type")

    def _ld_text(self, key: str) -> str | None:
        return _text(self.json_ld().get(key))

    # -- one method per article field ----------------------------------------------------

    def site_name(self) -> str | None:
        publisher = self.json_ld().get("publisher")
        return self.meta("og:site_name") or (_text(publisher.get("name")) if isinstance(publisher, dict) else None)

    def title(self) -> str | None:
        return self.meta("og:title", "twitter:title") or self._ld_text("headline")

    def subtitle(self) -> str | None:
        return self._ld_text("alternativeHeadline")

    def sections(self) -> list[str]:
        """JSON-LD ``articleSection`` (a string or a list), else ``article:section`` tags."""
        value = self.json_ld().get("articleSection")
        values = value if isinstance(value, list) else [value]
        sections = [t for v in values if (t := _text(v))]
        return sections or self.meta_all("article:section")

    def published(self) -> str | None:
        return (self.meta("article:published_time", "og:published_time", "datePublished")
                or self._ld_text("datePublished") or self._time_itemprop("datePublished"))

    def modified(self) -> str | None:
        return (self.meta("article:modified_time", "og:updated_time", "dateModified")
                or self._ld_text("dateModified") or self._time_itemprop("dateModified"))

    def _time_itemprop(self, prop: str) -> str | None:
        return normalise_space(first(self._root, "//*[@itemprop=$p]/@datetime", p=prop)) or None

    def print_edition(self) -> str | None:
        """``2020-07-09 8면`` from JSON-LD ``printEdition`` and ``printPage``."""
        edition, page = self._ld_text("printEdition"), self._ld_text("printPage")
        if not page:
            return None
        page = page if page.endswith("면") else f"{page}면"
        return f"{edition} {page}" if edition else page

    def dateline(self) -> str | None:
        return self._ld_text("dateline")

    def article_body(self) -> str | None:
        """JSON-LD ``articleBody`` with its line breaks kept (they separate paragraphs)."""
        body = self.json_ld().get("articleBody")
        return body.strip() or None if isinstance(body, str) else None

    def authors(self) -> list[dict[str, str | None]]:
        """``[{name, email, url}]`` of the people who wrote the article.

        JSON-LD ``author`` first (it may carry ``email`` and ``url``), else the ``author``
        meta tags; a publication named as the author is no reporter.
        """
        people = json_ld_people(self.json_ld().get("author"))
        if not people:
            people = [{"name": name, "email": None, "url": None}
                      for value in self.meta_all("author", "dable:author", "article:author")
                      if not value.startswith("http")
                      for name in re.split(r"\s*[,·/]\s*", value)]
        site = self.site_name()
        return [p for p in (_as_reporter(p) for p in people) if p and p["name"] != site]

    def images(self) -> list[dict[str, str | None]]:
        """``[{url, caption}]`` of JSON-LD ``image`` objects (or plain image URLs)."""
        value = self.json_ld().get("image")
        images = []
        for image in value if isinstance(value, list) else [value]:
            if isinstance(image, str):
                images.append({"url": image, "caption": None})
            elif isinstance(image, dict) and (url := _text(image.get("url") or image.get("contentUrl"))):
                images.append({"url": url, "caption": _text(image.get("caption") or image.get("description"))})
        return images


def _meta_index(root: etree._Element) -> dict[str, list[str]]:
    """``{name: [content, …]}`` of the page's ``<meta>`` tags, in page order, each tag under
    its ``property``, ``name`` and ``itemprop`` (read once: a page asks for a dozen names)."""
    index: dict[str, list[str]] = {}
    for meta in root.getroottree().iter("meta"):  # //meta, without an XPath walk of the page
        if (content := meta.get("content")) is None:
            continue
        for name in dict.fromkeys((meta.get("property"), meta.get("name"), meta.get("itemprop"))):
            if name is not None:
                index.setdefault(name, []).append(content)
    return index


def _ld_json_texts(root: etree._Element) -> list[str]:
    """The text nodes of the page's ``<script type="application/ld+json">`` elements
    (``//script[@type=…]/text()``: a script's text, and the text after each thing in it)."""
    scripts = (s for s in root.getroottree().iter("script") if s.get("type") == "application/ld+json")
    return [text for script in scripts for text in (script.text, *(c.tail for c in script)) if text is not None]


def _link_index(root: etree._Element) -> dict[str, list[str]]:
    """``{rel: [href, …]}`` of the page's ``<link>`` tags, in page order (read once)."""
    index: dict[str, list[str]] = {}
    for link in root.getroottree().iter("link"):  # //link[@rel][@href]
        if (rel := link.get("rel")) is not None and (href := link.get("href")) is not None:
            index.setdefault(rel, []).append(href)
    return index


def _flatten(data: Any) -> Iterator[dict[str, Any]]:
    if isinstance(data, list):
        for entry in data:
            yield from _flatten(entry)
    elif isinstance(data, dict):
        yield data
        yield from _flatten(data.get("@graph", []))


def _types(obj: dict[str, Any]) -> list[str]:
    kind = obj.get("@type")
    return [k for k in (kind if isinstance(kind, list) else [kind]) if isinstance(k, str)]


def _is_article(obj: dict[str, Any]) -> bool:
    return any(k in _ARTICLE_TYPES for k in _types(obj))


def _text(value: Any) -> str | None:
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        value = str(value)
    return normalise_space(value) or None if isinstance(value, str) else None


def json_ld_people(value: Any) -> list[dict[str, str | None]]:
    """``[{name, email, url}]`` from a JSON-LD ``author`` value (a string, object or list).

    Organisations are left out: a paper named as author is not a reporter.
    """
    people = value if isinstance(value, list) else [value]
    found = []
    for person in people:
        if isinstance(person, str):
            found.append({"name": normalise_space(person), "email": None, "url": None})
        elif isinstance(person, dict) and person.get("name") and person.get("@type") != "Organization":
            email = (_text(person.get("email")) or "").removeprefix("mailto:") or None
            found.append({"name": _text(person["name"]), "email": email, "url": _text(person.get("url"))})
    return found


def _as_reporter(person: dict[str, str | None]) -> dict[str, str | None] | None:
    """``person`` with its name stripped of ``기자``; None for a publication or an empty name."""
    name = normalise_space(person.get("name"))
    if not name or _PUBLICATION.search(name):
        return None
    return {**person, "name": reporter_name(name) or name}
