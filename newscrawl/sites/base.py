"""A site profile: what newscrawl knows about one news site, as data.

A profile holds the selectors to try first for each field (in priority order), the URL
patterns that tell an article page from anything else, and the phrases the site uses on its
error pages. The extraction code in :mod:`newscrawl.extract` is shared by every site; a
profile only says where to look first. Hosts are never hard-coded into patterns: URL
patterns match on path and query, so the same profile works against a test server on
127.0.0.1.

A profile either belongs to one site (``domains``) or to a CMS that hundreds of sites run
(``any_host``): such a profile matches any host whose article URLs have its shape, or whose
pages carry its ``markers``, and the archive names each of those sites by its host.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from urllib.parse import urlsplit

from ..links import bare_host


@dataclass(frozen=True)
class Discovery:
    """How a crawl finds a site's articles: its feeds and its paginated lists, as data.

    Paths and templates are relative to the crawl's base URL. ``latest_list`` and
    ``section_list`` are filled with ``page`` (from 1) and ``section`` (a code matching
    ``section_code``). In a list page, ``list_item`` selects one node per listed article;
    ``list_link`` and ``list_date`` are CSS selectors relative to it (the date as the list
    prints it, read with :func:`~newscrawl.extract.dates.parse_kst_datetime`);
    ``next_page`` selects the link to the following list page. Lists are expected newest
    first: a crawl stops paging once a page lists an article older than its window.
    """

    feeds: tuple[str, ...] = ()
    latest_list: str | None = None
    section_list: str | None = None
    #: Every top-level section code (what ``--section all`` crawls).
    sections: tuple[str, ...] = ()
    #: What a section code given on the command line must look like.
    section_code: re.Pattern[str] = re.compile(r"[\w-]+")
    #: None when the list markup is not described: a crawl then reads the feeds only.
    list_item: str | None = None
    list_link: str = "a::attr(href)"
    list_date: str | None = None
    next_page: str | None = None


@dataclass(frozen=True)
class SiteProfile:
    """Selectors and URL patterns of one site (or of one CMS shared by many sites).

    ``selectors`` maps a field name to CSS selectors tried in order; the first one that
    matches a non-empty node wins. Field names: ``title``, ``subtitle``, ``sections``
    (one node per breadcrumb), ``info`` (the lines that carry the 승인/수정/신문게재
    labels), ``reporters`` (links or nodes naming a reporter), ``body`` (the container of
    the article text), ``photos`` (one node per photo, holding an ``img`` and a caption),
    ``photo_caption`` (relative to a photo node).
    """

    name: str
    title: str
    domains: tuple[str, ...]
    base_url: str
    #: Matches ``path?query`` of an article URL; group ``id`` is the site's article key.
    article_path: re.Pattern[str]
    #: The site's own canonical form of an article URL, filled with ``base`` and ``id``.
    canonical_template: str
    selectors: dict[str, tuple[str, ...]] = field(default_factory=dict)
    #: Nodes inside the body container that are never article text (ads, scripts).
    body_exclude: tuple[str, ...] = ()
    #: Phrases the site shows instead of an article (deleted, unknown key).
    not_found_markers: tuple[str, ...] = ()
    #: Suffix the site appends to ``<title>`` (" - 중도일보"), removed from the fallback title.
    title_suffixes: tuple[str, ...] = ()
    #: True for a CMS profile: any host whose article URLs match ``article_path`` is its.
    any_host: bool = False
    #: CSS selectors that identify a page of this layout whatever its URL (a CMS's body id).
    markers: tuple[str, ...] = ()
    #: Feeds and lists a whole-site crawl starts from.
    discovery: Discovery = field(default_factory=Discovery)

    def matches_host(self, host: str) -> bool:
        """True when ``host`` is one of the site's domains or a subdomain of one."""
        host = host.lower().rstrip(".")
        return any(host == d or host.endswith("." + d) for d in self.domains)

    def article_id(self, url: str) -> str | None:
        """The article key in ``url``, or None when ``url`` is not an article URL."""
        parts = urlsplit(url)
        match = self.article_path.search(f"{parts.path}?{parts.query}")
        return match.group("id") if match else None

    def canonical_url(self, article_id: str, base_url: str | None = None) -> str:
        """The site's canonical URL for an article key (on ``base_url`` if given)."""
        base = (base_url or self.base_url).rstrip("/")
        return self.canonical_template.format(base=base, id=article_id)

    def article_url_shape(self) -> str:
        """The path of an article URL with ``KEY`` for the key, as ``newscrawl sites`` shows it."""
        return self.canonical_template.format(base="", id="KEY")

    def site_name(self, article_url: str) -> str:
        """The archive's name for the site of ``article_url``.

        A one-site profile names every article after itself (``joongdo``); a CMS profile
        names it after the host it lives on, without ``www.`` (``hanbat-news.example``),
        so articles of different papers never share a key.
        """
        if not self.any_host:
            return self.name
        return bare_host(urlsplit(article_url).hostname) or self.name
