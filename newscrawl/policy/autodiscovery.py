"""Where a site no profile describes announces its articles: its feeds and its sitemaps.

A generic crawl (``newscrawl crawl --generic --start URL``) starts from one page of the site
and looks where news sites say what they published:

feeds
    the ``<link rel="alternate">`` RSS and Atom feeds of the start page; when it names
    none, the usual feed paths (:data:`FEED_PATHS`) are tried;
sitemaps
    the ``Sitemap:`` lines of ``/robots.txt``, else the usual sitemap paths
    (:data:`SITEMAP_PATHS`). A sitemap index leads to more sitemaps; a sitemap's URLs are
    dated by Google News' ``news:publication_date`` or else by ``lastmod``.

Pure functions of (bytes, URL), testable without Scrapy or a network. Any of these pages
may be gzipped (``sitemap.xml.gz``: the spider unpacks it first), and a start URL may itself
be a feed or a sitemap: :func:`read_xml` tells them apart by their root element, not by
their name.
"""

from __future__ import annotations

from dataclasses import dataclass
from urllib.parse import urlsplit, urlunsplit

from parsel import Selector

from ..links import absolute_url
from .discovery import Listed, feed_date, feed_entries, xml_selector

#: Tried when the start page links no feed: WordPress, Ghost, Hugo, Jekyll and most CMSs.
FEED_PATHS = ("/feed", "/rss", "/rss.xml", "/feed.xml", "/atom.xml", "/index.xml")
#: Tried when robots.txt names no sitemap.
SITEMAP_PATHS = ("/sitemap.xml", "/sitemap_index.xml")
_FEED_TYPES = ("application/rss+xml", "application/atom+xml", "application/rdf+xml")
_FEED_ROOTS = ("rss", "feed", "RDF")
#: Query parameters that only say where a reader came from: never part of an article's key.
_TRACKING = ("utm_", "fbclid", "gclid", "ref_src")


@dataclass(frozen=True)
class XmlPage:
    """A feed (``kind`` "feed"), a sitemap ("urlset") or a sitemap index ("sitemapindex")
    with what it lists: articles, or for an index its sitemaps (dated by ``lastmod``)."""

    kind: str
    entries: list[Listed]


def feed_links(html: str, url: str) -> list[str]:
    """Absolute URLs of the RSS/Atom feeds a page names in ``<link rel="alternate">``."""
    links = []
    for node in Selector(text=html).xpath("//link[@href]"):
        rel = (node.attrib.get("rel") or "").lower().split()
        kind = (node.attrib.get("type") or "").lower().split(";")[0].strip()
        if "alternate" in rel and kind in _FEED_TYPES:
            links.append(absolute_url(url, node.attrib["href"].strip()))
    return list(dict.fromkeys(link for link in links if link))


def robots_sitemaps(body: bytes, url: str) -> list[str]:
    """Absolute URLs of the sitemaps that a robots.txt names (``Sitemap:`` lines, as Scrapy's
    ``sitemap_urls_from_robots`` reads them: a line that is not UTF-8 is skipped)."""
    links = []
    for line in body.split(b"\n"):
        if line.lstrip()[:8].lower() == b"sitemap:":
            try:
                links.append(absolute_url(url, line.partition(b":")[2].strip().decode()))
            except UnicodeDecodeError:
                continue
    return list(dict.fromkeys(link for link in links if link))


def read_xml(body: bytes, url: str) -> XmlPage | None:
    """The feed or sitemap in ``body``, or None when it is neither (an HTML page, say)."""
    if not body.strip():
        return None
    selector = xml_selector(body)
    root = selector.root.tag if isinstance(selector.root.tag, str) else ""
    if root in _FEED_ROOTS:
        return XmlPage("feed", feed_entries(selector, url))
    if root == "urlset":
        return XmlPage("urlset", _sitemap_entries(selector.xpath("//url"), url))
    if root == "sitemapindex":
        return XmlPage("sitemapindex", _sitemap_entries(selector.xpath("//sitemap"), url))
    return None


def _sitemap_entries(nodes: Selector, url: str) -> list[Listed]:
    """``<url>`` or ``<sitemap>`` entries: ``loc``, dated by ``news:publication_date`` (a
    Google News sitemap), else by ``lastmod`` (when the page last changed)."""
    entries = []
    for node in nodes:
        loc = absolute_url(url, node.xpath("string(loc)").get().strip())
        if loc:
            date = node.xpath("string(news/publication_date)").get() or node.xpath("string(lastmod)").get()
            entries.append(Listed(loc, feed_date(date)))
    return entries


def without_tracking(url: str) -> str:
    """``url`` without ``utm_*`` and similar parameters, which feeds add to their links."""
    parts = urlsplit(url)
    # split by hand, not parse_qsl + urlencode: the other parameters keep their exact bytes
    query = "&".join(pair for pair in parts.query.split("&")
                     if pair and not pair.split("=", 1)[0].lower().startswith(_TRACKING))
    return urlunsplit(parts._replace(query=query, fragment=""))
