"""The article page object: one short method per field, each trying its layers in order.

Layers, most specific first:

``profile``
    the site profile's selectors (:mod:`newscrawl.sites`);
``label``
    what the page says in words, wherever it is marked up: 승인/수정/신문게재 labels,
    ``… 기자`` bylines, ``(사진=…)`` credits, headings such as 랭킹뉴스;
``metadata``
    JSON-LD, OpenGraph and ``<meta>`` tags;
``generic``
    page-structure heuristics (``<title>``, the largest text block) when all else fails.

The layer that gave each field is recorded in :attr:`ArticlePage.sources`. Everything here
is a pure function of (html, url, profile): no network, no Scrapy, no database.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from functools import cached_property
from typing import Any, TypeVar
from urllib.parse import urljoin

from parsel import Selector, SelectorList

from ..items import ExtractedArticle, RawPage
from ..sites.base import SiteProfile
from .bylines import Byline, complete_email, parse_byline, reporter_name
from .captions import split_caption
from .labels import find_labelled
from .metadata import PageMetadata, json_ld_people
from .related import related_lists
from .text import first_nonempty, node_text, normalise_space, text_blocks

T = TypeVar("T")

#: Lines that close an article but are not part of it.
_BOILERPLATE = re.compile(
    r"무단\s*전재|재배포\s*금지|저작권자|Copyright|ⓒ|©|기자의 다른기사|다른기사 보기|기사제보"
)
#: Elements that hold the article text on pages whose profile did not match.
_GENERIC_BODY = ("[itemprop=articleBody]", "#article-view-content-div", "article .article-body",
                 "article", ".article-body", ".article_body", ".news_body", "#articleBody")


class ArticlePage:
    """The fields of one article page, layer by layer."""

    def __init__(self, html: str, url: str, profile: SiteProfile):
        self.url = url
        self.profile = profile
        self.selector = Selector(text=html)
        self.metadata = PageMetadata(self.selector)
        self.sources: dict[str, str] = {}

    # -- layer plumbing -------------------------------------------------------------

    def _layered(self, field: str, *layers: tuple[str, Callable[[], T]]) -> T | None:
        """The first non-empty value among ``layers``; records which layer gave it."""
        for layer, getter in layers:
            value = getter()
            if value:
                self.sources[field] = layer
                return value
        return None

    def _profile_nodes(self, field: str, within: Selector | None = None) -> SelectorList:
        """Nodes of the first of the profile's selectors for ``field`` that matches."""
        scope = within if within is not None else self.selector
        for css in self.profile.selectors.get(field, ()):
            nodes = scope.css(css)
            if nodes:
                return nodes
        return SelectorList([])

    def _profile_text(self, field: str) -> str | None:
        return first_nonempty(node_text(n.root) for n in self._profile_nodes(field))

    # -- identity -------------------------------------------------------------------

    def article_id(self) -> str | None:
        return self.profile.article_id(self.url) or (
            self.profile.article_id(self.canonical_url() or "")
        )

    def canonical_url(self) -> str | None:
        href = self.metadata.link("canonical") or self.metadata.meta("og:url")
        return urljoin(self.url, href) if href else None

    def not_found(self) -> str | None:
        """The site's own "no such article" message, when the page is one."""
        if self._profile_nodes("title"):
            return None
        text = self.selector.xpath("string(//body)").get() or ""
        return next((m for m in self.profile.not_found_markers if m in text), None)

    # -- head -----------------------------------------------------------------------

    def title(self) -> str | None:
        return self._layered(
            "title",
            ("profile", lambda: self._profile_text("title")),
            ("metadata", lambda: self.metadata.meta("og:title", "twitter:title")
             or _str(self.metadata.json_ld().get("headline"))),
            ("generic", self._title_tag),
        )

    def _title_tag(self) -> str | None:
        title = normalise_space(self.selector.xpath("string(//title)").get())
        for suffix in self.profile.title_suffixes:
            title = title.removesuffix(suffix)
        return title or None

    def subtitle(self) -> str | None:
        return self._layered("subtitle", ("profile", lambda: self._profile_text("subtitle")))

    def sections(self) -> list[str]:
        return self._layered(
            "sections",
            ("profile", lambda: [t for n in self._profile_nodes("sections") if (t := node_text(n.root))]),
            ("metadata", lambda: [s] if (s := self.metadata.meta("article:section")) else []),
        ) or []

    # -- dates ----------------------------------------------------------------------

    @cached_property
    def _profile_labels(self) -> dict[str, str]:
        return find_labelled(node_text(n.root) for n in self._profile_nodes("info"))

    @cached_property
    def _page_labels(self) -> dict[str, str]:
        short_lines = (
            t for t in (normalise_space(s) for s in self.selector.xpath("//body//text()").getall())
            if 0 < len(t) < 120
        )
        return find_labelled(short_lines)

    def _labelled(self, field: str, kind: str, *meta: tuple[str, Callable[[], str | None]]) -> str | None:
        return self._layered(
            field,
            ("profile", lambda: self._profile_labels.get(kind)),
            ("label", lambda: self._page_labels.get(kind)),
            *meta,
        )

    def published_raw(self) -> str | None:
        return self._labelled(
            "published_at", "published",
            ("metadata", lambda: self.metadata.meta("article:published_time", "datePublished")
             or _str(self.metadata.json_ld().get("datePublished"))),
        )

    def modified_raw(self) -> str | None:
        return self._labelled(
            "modified_at", "modified",
            ("metadata", lambda: self.metadata.meta("article:modified_time", "dateModified")
             or _str(self.metadata.json_ld().get("dateModified"))),
        )

    def print_raw(self) -> str | None:
        return self._labelled("print_edition", "print")

    # -- body -----------------------------------------------------------------------

    @cached_property
    def _body_node(self) -> tuple[str, Selector] | None:
        nodes = self._profile_nodes("body")
        if nodes:
            return "profile", nodes[0]
        for css in _GENERIC_BODY:
            nodes = self.selector.css(css)
            if nodes:
                return "generic", nodes[0]
        return None

    @cached_property
    def _body_blocks(self) -> tuple[list[str], Byline | None]:
        """Article paragraphs and the byline, boilerplate lines removed."""
        if self._body_node is None:
            return [], None
        node = self._body_node[1]
        excluded = {n.root for n in node.css(", ".join(self.profile.body_exclude))} if self.profile.body_exclude else set()
        captions = {normalise_space(c) for p in self.photos() for c in (p.get("raw_caption"),) if c}
        blocks = [b for b in text_blocks(node.root, skip=excluded.__contains__) if b not in captions]
        return _split_byline(blocks)

    def paragraphs(self) -> list[str]:
        paragraphs = self._body_blocks[0]
        if paragraphs and self._body_node:
            self.sources["body"] = self._body_node[0]
        return paragraphs

    def byline(self) -> Byline | None:
        byline = self._body_blocks[1]
        if byline:
            self.sources["byline"] = "label"
        return byline

    # -- people ---------------------------------------------------------------------

    def reporters(self) -> list[dict[str, str | None]]:
        byline = self.byline()
        found = self._layered(
            "reporters",
            ("profile", self._profile_reporters),
            ("label", lambda: [{"name": n, "email": None, "url": None} for n in byline.names] if byline else []),
            ("metadata", lambda: json_ld_people(self.metadata.json_ld().get("author"))
             or [{"name": n, "url": None} for n in [reporter_name(self.metadata.meta("author"))] if n]),
        ) or []
        return _merge_reporters(found, byline)

    def _profile_reporters(self) -> list[dict[str, str | None]]:
        reporters = []
        for node in self._profile_nodes("reporters"):
            name = reporter_name(node_text(node.root)) or reporter_name(node.xpath("string(.//img/@alt)").get())
            if name:
                href = node.xpath("@href").get() or node.xpath(".//a/@href").get()
                reporters.append({"name": name, "email": None, "url": urljoin(self.url, href) if href else None})
        return reporters

    # -- photos and lists -------------------------------------------------------------

    def photos(self) -> list[dict[str, str | None]]:
        return self._cached_photos

    @cached_property
    def _cached_photos(self) -> list[dict[str, str | None]]:
        return self._layered(
            "photos",
            ("profile", lambda: [p for n in self._profile_nodes("photos") if (p := self._photo(n))]),
            ("generic", lambda: [p for n in self._figures() if (p := self._photo(n))]),
        ) or []

    def _figures(self) -> SelectorList:
        return self._body_node[1].css("figure") if self._body_node else SelectorList([])

    def _photo(self, node: Selector) -> dict[str, str | None] | None:
        img = node.css("img")
        src = img.xpath("@data-src").get() or img.xpath("@src").get()
        if not src:
            return None
        caption_nodes = self._profile_nodes("photo_caption", within=node) or node.css("figcaption")
        raw_caption = first_nonempty(node_text(n.root) for n in caption_nodes)
        caption, credit = split_caption(raw_caption)
        return {
            "url": urljoin(self.url, src.strip()),
            "alt": normalise_space(img.xpath("@alt").get()) or None,
            "caption": caption,
            "credit": credit,
            "raw_caption": raw_caption,
        }

    def related(self) -> list[dict[str, Any]]:
        items = related_lists(self.selector.root, self.url, is_article_url=lambda u: bool(self.profile.article_id(u)))
        if items:
            self.sources["related"] = "label"
        return [vars(item) for item in items]

    # -- the whole article ------------------------------------------------------------

    def extract(self, page: RawPage) -> ExtractedArticle:
        """Every field of the page, values as the page writes them."""
        byline = self.byline()
        return ExtractedArticle(
            page=page,
            site=self.profile.name,
            article_id=self.article_id(),
            canonical_url=self.canonical_url(),
            title=self.title(),
            subtitle=self.subtitle(),
            sections=self.sections(),
            published_raw=self.published_raw(),
            modified_raw=self.modified_raw(),
            print_raw=self.print_raw(),
            reporters=self.reporters(),
            dateline=byline.dateline if byline else None,
            byline=byline.text if byline else None,
            paragraphs=self.paragraphs(),
            photos=[{k: v for k, v in p.items() if k != "raw_caption"} for p in self.photos()],
            related=self.related(),
            sources=dict(self.sources),
        )


def _str(value: Any) -> str | None:
    return normalise_space(value) or None if isinstance(value, str) else None


def _split_byline(blocks: list[str]) -> tuple[list[str], Byline | None]:
    """Separate the closing byline and boilerplate lines from the paragraphs before them."""
    blocks = list(blocks)
    while blocks and _BOILERPLATE.search(blocks[-1]):
        blocks.pop()
    for index in range(len(blocks) - 1, max(len(blocks) - 4, -1), -1):
        byline = parse_byline(blocks[index])
        if byline:
            tail = blocks[index + 1:]
            if all(_BOILERPLATE.search(b) or len(b) < 40 for b in tail):
                return blocks[:index], byline
    return blocks, None


def _merge_reporters(reporters: list[dict[str, str | None]], byline: Byline | None) -> list[dict[str, str | None]]:
    """One entry per reporter name; the byline adds an e-mail when it gives a whole one."""
    merged: dict[str, dict[str, str | None]] = {}
    for reporter in reporters:
        entry = merged.setdefault(reporter["name"], {"name": reporter["name"], "email": None, "url": None})
        entry["url"] = entry["url"] or reporter.get("url")
        entry["email"] = entry["email"] or complete_email(reporter.get("email"))
    if byline and len(byline.names) == 1 and byline.names[0] in merged:
        entry = merged[byline.names[0]]
        entry["email"] = entry["email"] or complete_email(byline.email)
    return list(merged.values())

