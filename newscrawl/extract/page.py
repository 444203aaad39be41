"""The article page object: one short method per field, each trying its layers in order.

Layers, most specific first:

``profile``
    the site profile's selectors (:mod:`newscrawl.sites`);
``label``
    what the page says in words, wherever it is marked up: 승인/입력/수정/신문게재 labels,
    ``… 기자`` bylines, ``(사진=…)`` / ``▲`` captions, ``홈 > 정치 > 세종`` breadcrumbs,
    headings such as 랭킹뉴스;
``metadata``
    JSON-LD, OpenGraph and ``<meta>`` tags;
``generic``
    page structure: the headline that ``<title>`` repeats, ``<figure>`` and caption
    tables, and the main-text extractor for the body.

The layer that gave each field is recorded in :attr:`ArticlePage.sources`. Everything here
is a pure function of (html, url, profile): no network, no Scrapy, no database.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from functools import cached_property
from typing import Any, TypeVar
from urllib.parse import urlsplit

from lxml import etree
from lxml.html import HtmlElement

from ..clock import isoformat
from ..items import ExtractedArticle, RawPage
from ..links import absolute_url, bare_host
from ..sites.base import SiteProfile
from .breadcrumbs import breadcrumb
from .bylines import Byline, bylines_on_page, complete_email, parse_byline, reporter_name
from .captions import split_caption
from .dates import parse_kst_date
from .headings import headline_node, subtitle_after, without_site_name
from .labels import find_labelled, may_hold_labels
from .maintext import main_text
from .metadata import PageMetadata
from .pagedates import htmldate_copy, htmldate_of, plausible, url_date
from .photos import article_photos
from .related import related_boxes, related_items
from .select import ElementIndex, css, first, links, parse_html, string
from .short import PageText, page_texts
from .text import first_nonempty, inside, node_text, normalise_space, text_blocks

T = TypeVar("T")

#: Lines that close an article but are not part of it.
_BOILERPLATE = re.compile(
    r"무단\s*전재|재배포\s*금지|저작권자|Copyright|ⓒ|©|기자의 다른기사|다른기사 보기|기사제보", re.IGNORECASE
)
#: Page regions where other articles' reporters and photos appear (climbing stops at <article>).
_SIDEBARS = frozenset({"nav", "aside", "footer"})
_LABEL_LINE_LENGTH = 120
#: Marks that open a photo caption line in Korean papers.
_CAPTION_MARKS = ("▲", "△")
#: An HTML tag in text that should hold none (JSON-LD ``articleBody``).
_MARKUP = re.compile(r"</?(?:p|br|div|span|a|strong|em|b|i|h[1-6]|ul|li|body)\b[^>]*>", re.IGNORECASE)


class ArticlePage:
    """The fields of one article page, layer by layer."""

    def __init__(self, html: str | etree._Element, url: str, profile: SiteProfile, owner: SiteProfile | None = None):
        self.url = url
        self.profile = profile
        #: The profile the page was fetched with, which names whose article it is; ``profile``
        #: (chosen by a canonical link or a CMS marker) only says how the page is read.
        self.owner = owner or profile
        self.root = parse_html(html) if isinstance(html, str) else html
        self.metadata = PageMetadata(self.root)
        self.sources: dict[str, str] = {}
        self._nodes: dict[str, list[etree._Element]] = {}

    # -- layer plumbing -------------------------------------------------------------

    def _layered(self, field: str, *layers: tuple[str, Callable[[], T]]) -> T | None:
        """The first non-empty value among ``layers``; records which layer gave it."""
        for layer, getter in layers:
            value = getter()
            if value:
                self.sources[field] = layer
                return value
        return None

    def _profile_nodes(self, field: str, within: etree._Element | None = None) -> list[etree._Element]:
        """Nodes of the first of the profile's selectors for ``field`` that matches
        (on the whole page unless ``within`` is given; the page's answers are kept)."""
        if within is None and field in self._nodes:
            return self._nodes[field]
        scope = within if within is not None else self.root
        nodes: list[etree._Element] = []
        for selector in self.profile.selectors.get(field, ()):
            nodes = css(scope, selector, self._index)
            if nodes:
                break
        if within is None:
            self._nodes[field] = nodes
        return nodes

    @cached_property
    def _index(self) -> ElementIndex:
        """The page's elements of the classes and ids the profile's selectors start from."""
        return ElementIndex(self.root, (s for group in self.profile.selectors.values() for s in group))

    def _profile_text(self, field: str) -> str | None:
        return first_nonempty(node_text(n) for n in self._profile_nodes(field))

    # -- identity -------------------------------------------------------------------

    def canonical_url(self) -> str | None:
        href = self.metadata.link("canonical") or self.metadata.meta("og:url")
        return absolute_url(self.url, href) if href else None

    @cached_property
    def article_url(self) -> str:
        """The page's own canonical URL when it is an article URL of the profile on the site
        that served it, else its URL.

        The canonical form drops tracking parameters, and names the site's real host when the
        page was fetched from a mirror that the user named as the site (``--site joongdo``).
        """
        canonical = self.canonical_url()
        if canonical and self.profile.article_id(canonical) and self._same_site(canonical):
            return canonical
        return self.url

    def _same_site(self, url: str) -> bool:
        """True when ``url`` is on the site that served the page: its host (with or without
        ``www.``), or a domain of the one-site profile it was fetched with (a mirror of it).
        A canonical link elsewhere is another site's claim, never taken as the page's key."""
        host = urlsplit(url).hostname
        if bare_host(host) == bare_host(urlsplit(self.url).hostname):
            return True
        return not self.owner.any_host and self.owner.matches_host(host or "")

    def article_id(self) -> str | None:
        return (self.profile.article_id(self.article_url) or self.profile.article_id(self.url)
                or self.owner.article_id(self.url))

    def site(self) -> str:
        """The site that served the page: a one-site profile it was fetched with names it,
        else its host (never the site a canonical link or marker points to)."""
        return self.owner.site_name(self.article_url)

    def not_found(self) -> str | None:
        """The site's own "no such article" message, when the page is one."""
        if not self.profile.not_found_markers or self._profile_nodes("title"):
            return None
        text = string(self.root, "//body")
        return next((m for m in self.profile.not_found_markers if m in text), None)

    def _is_site_link(self, url: str) -> bool:
        """True for a link to an article of this page's site (news lists keep only those)."""
        if not self.profile.article_id(url):
            return False
        if not self.profile.any_host:
            return True
        hosts = {urlsplit(u).hostname for u in (self.url, self.article_url)}
        return urlsplit(url).hostname in hosts

    # -- head -----------------------------------------------------------------------

    @cached_property
    def _site_names(self) -> set[str]:
        names = {self.profile.title, self.metadata.site_name()}
        names |= {s.strip(" -|") for s in self.profile.title_suffixes}
        return {n for n in names if n}

    @cached_property
    def _headline(self) -> etree._Element | None:
        return headline_node(self.root, string(self.root, "//title"), self._texts)

    def title(self) -> str | None:
        return self._cached_title

    @cached_property
    def _cached_title(self) -> str | None:
        return self._layered(
            "title",
            ("profile", lambda: self._profile_text("title")),
            ("metadata", lambda: without_site_name(self.metadata.title(), self._site_names)),
            ("generic", self._generic_title),
        )

    def _generic_title(self) -> str | None:
        if self._headline is not None:
            return node_text(self._headline) or None
        return without_site_name(string(self.root, "//title"), self._site_names)

    def subtitle(self) -> str | None:
        return self._cached_subtitle

    @cached_property
    def _cached_subtitle(self) -> str | None:
        return self._layered(
            "subtitle",
            ("profile", lambda: self._profile_text("subtitle")),
            ("metadata", self.metadata.subtitle),
            ("generic", lambda: subtitle_after(self._headline) if self._headline is not None else None),
        )

    def sections(self) -> list[str]:
        return self._layered(
            "sections",
            ("profile", lambda: [t for n in self._profile_nodes("sections") if (t := node_text(n))]),
            ("label", lambda: breadcrumb(self.root, self._texts)),
            ("metadata", self.metadata.sections),
        ) or []

    # -- dates ----------------------------------------------------------------------

    @cached_property
    def _profile_labels(self) -> dict[str, str]:
        return find_labelled(node_text(n) for n in self._profile_nodes("info"))

    @cached_property
    def _page_labels(self) -> dict[str, str]:
        """Labelled values on the page's short lines, news lists left out."""
        if not may_hold_labels(text for text, _holder in self._texts):
            return {}  # no need to cut the whole page into lines
        lines = text_blocks(self.root, skip=self._box_nodes.__contains__)
        return find_labelled(line for line in lines if len(line) < _LABEL_LINE_LENGTH)

    def _labelled(self, field: str, kind: str, metadata: Callable[[], str | None],
                  *later: tuple[str, Callable[[], str | None]]) -> str | None:
        return self._layered(
            field,
            ("profile", lambda: self._profile_labels.get(kind)),
            ("label", lambda: self._page_labels.get(kind)),
            ("metadata", metadata),
            *later,
        )

    def published_raw(self) -> str | None:
        return self._published_raw

    @cached_property
    def _published_raw(self) -> str | None:
        return self._labelled(
            "published_at", "published", lambda: plausible(self.metadata.published()),
            ("htmldate", lambda: htmldate_of(self._htmldate_copy, self.url)),
            ("url", lambda: isoformat(url_date(self.url))),
        )

    def modified_raw(self) -> str | None:
        return self._labelled("modified_at", "modified", lambda: plausible(self.metadata.modified()),
                              ("htmldate", self._htmldate_modified))

    def _htmldate_modified(self) -> str | None:
        """htmldate's last-modified date, when it is a later day than the publication."""
        published = parse_kst_date(self.published_raw())
        if published is None or self.sources.get("published_at") == "url":
            return None
        modified = htmldate_of(self._htmldate_copy, self.url, original=False)
        return modified if modified and modified > published.isoformat() else None

    @cached_property
    def _htmldate_copy(self) -> HtmlElement:
        return htmldate_copy(self.root, self._box_nodes)

    def declared_types(self) -> list[str]:
        """What the page declares itself (JSON-LD and OpenGraph types; ``article`` for a page
        with ``article:published_time``)."""
        declared = self.metadata.declared_types()
        return declared + ["article"] if self.metadata.meta("article:published_time") else declared

    def print_raw(self) -> str | None:
        return self._labelled("print_edition", "print", self.metadata.print_edition)

    # -- body -----------------------------------------------------------------------

    @cached_property
    def _list_boxes(self) -> set[etree._Element]:
        """News-list boxes (랭킹뉴스, an in-body 관련기사 box): never article text."""
        return {box for _name, box in self._related_boxes if _mostly_entries(box)}

    @cached_property
    def _related_boxes(self) -> list[tuple[str, etree._Element]]:
        return related_boxes(self.root, self._texts)

    @cached_property
    def _box_nodes(self) -> set[etree._Element]:
        """The elements of every news-list box, lists or not."""
        return {box for _name, box in self._related_boxes}

    @cached_property
    def _texts(self) -> list[PageText]:
        return page_texts(self.root)

    @cached_property
    def _not_text(self) -> set[etree._Element]:
        """Nodes no body layer may read wherever they are: news lists and photos."""
        return set(self._list_boxes) | self._photo_nodes

    @cached_property
    def _photo_nodes(self) -> set[etree._Element]:
        return {p["node"] for p in self._cached_photos if p["node"] is not None}

    def _not_body(self, scope: etree._Element) -> set[etree._Element]:
        """The nodes under ``scope`` no body layer may read: those of :attr:`_not_text`
        and the profile's exclusions (both looked for under ``scope`` only: reading it meets
        no other node, and telling whether a box is a list costs more than finding the
        few boxes under the body)."""
        under = (box for _name, box in self._related_boxes if any(a is scope for a in box.iterancestors()))
        excluded = {box for box in under if _mostly_entries(box)} | self._photo_nodes
        if self.profile.body_exclude:
            excluded = excluded | set(css(scope, ", ".join(self.profile.body_exclude)))
        return excluded

    @cached_property
    def _body(self) -> tuple[list[str], Byline | None, list[str]]:
        """Article paragraphs, the closing byline and the ``▲`` caption lines the text held,
        from the first layer that has text."""
        blocks = self._layered(
            "body",
            ("profile", self._profile_body),
            ("metadata", self._metadata_body),
            ("generic", lambda: self._generic_blocks),
        ) or []
        blocks, captions = _without_captions_and_notices(self._without_head_and_captions(blocks))
        return (*_split_byline(blocks), captions)

    def _profile_body(self) -> list[str]:
        nodes = self._profile_nodes("body")
        return text_blocks(nodes[0], skip=self._not_body(nodes[0]).__contains__) if nodes else []

    @cached_property
    def _generic_blocks(self) -> list[str]:
        return main_text(self.root, skip=self._not_text, url=self.url)

    def _metadata_body(self) -> list[str]:
        """JSON-LD ``articleBody``, only when it holds more text than the page shows.

        Metadata bodies are often abridged, so the visible text wins unless it is the
        shorter one (a page that renders its article with JavaScript).
        """
        body = self.metadata.article_body()
        if not body:
            return []
        if _MARKUP.search(body):
            # Some sites put the article's HTML there, not its text.
            paragraphs = text_blocks(parse_html(f"<div>{body}</div>"))
        else:
            paragraphs = [line for line in (normalise_space(p) for p in body.splitlines()) if line]
        return paragraphs if _length(paragraphs) > _length(self._generic_blocks) else []

    def _without_head_and_captions(self, blocks: list[str]) -> list[str]:
        """``blocks`` without photo captions, and without the title, subtitle, labels and
        bylines that a generic extractor takes along from the head of the article."""
        captions = {normalise_space(p["raw_caption"]) for p in self._cached_photos if p["raw_caption"]}
        head = {self.title(), self.subtitle()} - {None}
        blocks = [b for b in blocks if b not in captions and b not in head]
        while blocks and _is_head_line(blocks[0]):
            blocks = blocks[1:]
        return blocks

    def paragraphs(self) -> list[str]:
        return self._body[0]

    def byline(self) -> Byline | None:
        byline = self._body[1]
        if byline:
            self.sources["byline"] = "label"
        return byline

    def dateline(self) -> str | None:
        byline = self.byline()
        return self._layered(
            "dateline",
            ("label", lambda: byline.dateline if byline else None),
            ("metadata", self.metadata.dateline),
        )

    # -- people ---------------------------------------------------------------------

    def reporters(self) -> list[dict[str, str | None]]:
        found = self._layered(
            "reporters",
            ("profile", self._profile_reporters),
            ("label", lambda: self._label_reporters),
            ("metadata", self.metadata.authors),
        ) or []
        # Whatever layer named them, an e-mail or page any layer shows for them is theirs.
        return _merge_reporters(found, self._label_reporters + self.metadata.authors())

    def _profile_reporters(self) -> list[dict[str, str | None]]:
        reporters = []
        for node in self._profile_nodes("reporters"):
            name = reporter_name(node_text(node)) or reporter_name(string(node, ".//img/@alt"))
            if name:
                href = node.get("href") or first(node, ".//a/@href")
                reporters.append({"name": name, "email": None, "url": absolute_url(self.url, href) if href else None})
        return reporters

    @cached_property
    def _label_reporters(self) -> list[dict[str, str | None]]:
        """Bylines in the page's head and the one closing the body."""
        found = bylines_on_page(self.root, self.url, skip=self._in_sidebar, texts=self._texts)
        byline = self.byline()
        if byline:
            email = complete_email(byline.email) if len(byline.names) == 1 else None
            found += [{"name": n, "email": email, "url": None} for n in byline.names]
        return found

    def _in_sidebar(self, element: etree._Element) -> bool:
        return inside(element, _SIDEBARS) or any(a in self._box_nodes for a in element.iterancestors())

    # -- photos and lists -------------------------------------------------------------

    def photos(self) -> list[dict[str, str | None]]:
        # The body's caption lines caption the photos that have none.
        known = {split_caption(p["raw_caption"])[0] for p in self._cached_photos}
        lines = iter(line for line in self._body[2] if split_caption(line)[0] not in known)
        photos = []
        for photo in self._cached_photos:
            caption, credit = photo["caption"], photo["credit"]
            if not caption and (line := next(lines, None)):
                caption, credit = split_caption(line)
            photos.append({"url": photo["url"], "alt": photo["alt"], "caption": caption, "credit": credit})
        return photos

    @cached_property
    def _cached_photos(self) -> list[dict[str, Any]]:
        return self._layered(
            "photos",
            ("profile", lambda: [p for n in self._profile_nodes("photos") if (p := self._profile_photo(n))]),
            ("generic", lambda: [p for f in article_photos(self.root, self._texts)
                                 if (p := self._photo(f.node, f.img, f.raw_caption))]),
            ("metadata", self._metadata_photos),
        ) or []

    def _profile_photo(self, node: etree._Element) -> dict[str, Any] | None:
        img = css(node, "img")
        if not img:
            return None
        caption_nodes = self._profile_nodes("photo_caption", within=node) or css(node, "figcaption")
        raw_caption = first_nonempty(node_text(n) for n in caption_nodes)
        return self._photo(node, img[0], raw_caption)

    def _photo(self, node: etree._Element | None, img: etree._Element,
               raw_caption: str | None) -> dict[str, Any] | None:
        """The photo of ``img``; None when its source is a malformed link."""
        url = absolute_url(self.url, (img.get("data-src") or img.get("src") or "").strip())
        if url is None:
            return None
        caption, credit = split_caption(raw_caption)
        return {"url": url, "alt": normalise_space(img.get("alt")) or None,
                "caption": caption, "credit": credit, "raw_caption": raw_caption,
                # The node is cut from the body text; a bare <img> holds no text to cut.
                "node": node if node is not img else None}

    def _metadata_photos(self) -> list[dict[str, Any]]:
        photos = []
        for image in self.metadata.images():
            url = absolute_url(self.url, image["url"])
            if url is None:
                continue
            caption, credit = split_caption(image["caption"])
            photos.append({"url": url, "alt": None, "caption": caption,
                           "credit": credit, "raw_caption": image["caption"], "node": None})
        return photos

    def related(self) -> list[dict[str, Any]]:
        items = related_items(self._related_boxes, self.url, is_article_url=self._is_site_link)
        if items:
            self.sources["related"] = "label"
        return [vars(item) for item in items]

    # -- the whole article ------------------------------------------------------------

    def extract(self, page: RawPage) -> ExtractedArticle:
        """Every field of the page, values as the page writes them."""
        byline = self.byline()
        return ExtractedArticle(
            page=page,
            site=self.site(),
            article_id=self.article_id(),
            canonical_url=self.canonical_url(),
            title=self.title(),
            subtitle=self.subtitle(),
            sections=self.sections(),
            published_raw=self.published_raw(),
            modified_raw=self.modified_raw(),
            print_raw=self.print_raw(),
            reporters=self.reporters(),
            dateline=self.dateline(),
            byline=byline.text if byline else None,
            paragraphs=self.paragraphs(),
            photos=self.photos(),
            related=self.related(),
            sources=dict(self.sources),
            profile=self.profile.name,
            declared_types=self.declared_types(),
        )


def _is_head_line(line: str) -> bool:
    """A short line of dates or a byline, as the head of an article prints them."""
    return len(line) < _LABEL_LINE_LENGTH and bool(find_labelled([line]) or parse_byline(line))


def _without_captions_and_notices(blocks: list[str]) -> tuple[list[str], list[str]]:
    """``(blocks without copyright notices and ▲ caption lines, the caption lines)``: both
    leave the body wherever they stand in it."""
    captions = [block for block in blocks if _is_caption_line(block)]
    return [b for b in blocks if not _is_notice(b) and not _is_caption_line(b)], captions


def _is_notice(line: str) -> bool:
    """A copyright or reprint notice (``중도일보(www…), 무단전재 및 수집, 재배포 금지``)."""
    return len(line) < _LABEL_LINE_LENGTH and bool(_BOILERPLATE.search(line))


def _is_caption_line(line: str) -> bool:
    """A ``▲`` line that credits a photo (``▲ 시민들이 … (사진=대전시 제공)``): a caption.

    A ``▲`` line without a credit is kept: Korean articles also list items that way
    (``▲행정수도 완성 ▲국회 세종의사당 건립``).
    """
    return line.startswith(_CAPTION_MARKS) and split_caption(line)[1] is not None


def _length(paragraphs: list[str]) -> int:
    return sum(len(p) for p in paragraphs)


def _mostly_entries(box: etree._Element) -> bool:
    """True when most of ``box``'s text belongs to its linked entries: a news list, not a
    passage of the article that merely contains a heading-like line.

    An entry is the largest element around a link that holds no link elsewhere: a bare
    link in a ranking list, a whole card (thumbnail, title, summary) in a headline strip,
    whose summaries would otherwise pass for article paragraphs.
    """
    text = len(normalise_space(string(box)))
    hrefs: dict[etree._Element, set[str]] = {}
    entries = {_entry_of(link, box, hrefs) for link in links(box)}
    covered = sum(len(normalise_space(string(entry))) for entry in entries)
    return covered * 2 >= text


def _entry_of(link: etree._Element, box: etree._Element, hrefs: dict[etree._Element, set[str]]) -> etree._Element:
    """The largest element around ``link`` under ``box`` whose links all lead where it does
    (``hrefs`` keeps each element's link targets: the links of one box share parents)."""
    href = link.get("href")
    entry = link
    while (parent := entry.getparent()) is not None and parent is not box and _link_targets(parent, hrefs) == {href}:
        entry = parent
    return entry


def _link_targets(element: etree._Element, hrefs: dict[etree._Element, set[str]]) -> set[str]:
    if element not in hrefs:
        hrefs[element] = {href for a in element.iter("a") if (href := a.get("href")) is not None}
    return hrefs[element]


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


def _merge_reporters(reporters: list[dict[str, str | None]],
                     details: list[dict[str, str | None]]) -> list[dict[str, str | None]]:
    """One entry per reporter name; ``details`` add the e-mail or page an entry lacks.

    Only whole e-mail addresses are kept: sites often print just ``id@``.
    """
    merged: dict[str, dict[str, str | None]] = {}
    for reporter in reporters:
        entry = merged.setdefault(reporter["name"], {"name": reporter["name"], "email": None, "url": None})
        entry["url"] = entry["url"] or reporter.get("url")
        entry["email"] = entry["email"] or complete_email(reporter.get("email"))
    for detail in details:
        entry = merged.get(detail["name"])
        if entry:
            entry["url"] = entry["url"] or detail.get("url")
            entry["email"] = entry["email"] or complete_email(detail.get("email"))
    return list(merged.values())
