"""Reading feeds and list pages: which articles they link to, and when each was published.

Pure functions of (page, URL, profile), testable without Scrapy or a network. What a list
looks like is profile data (:class:`~newscrawl.sites.base.Discovery`); feeds are RSS 2.0,
RSS 1.0 (RDF) or Atom, read the same for every site. A feed date without a zone
(``2024-01-31 08:00:00``, common in Korean CMSs) is taken as Asia/Seoul.
"""

from __future__ import annotations

from contextlib import suppress
from dataclasses import dataclass
from datetime import datetime
from email.utils import parsedate_to_datetime
from urllib.parse import urlsplit, urlunsplit

from lxml import etree
from parsel import Selector

from ..clock import KST
from ..extract.dates import parse_kst_datetime
from ..links import absolute_url, bare_host
from ..sites.base import Discovery, SiteProfile

_FEED_ENTRIES = "//item | //entry"
_FEED_LINK = "string((link[not(@rel) or @rel='alternate']/@href | link[not(@href)] | guid)[1])"
_FEED_DATE = "string((pubDate | date | published | updated | issued)[1])"


@dataclass(frozen=True)
class Listed:
    """One article as a feed or list announces it: its link (absolute) and its date, if given."""

    url: str
    published: datetime | None


def list_items(page: str | Selector, url: str, discovery: Discovery) -> list[Listed]:
    """The articles listed on a list page (its HTML, or parsed), in page order (none when
    the profile does not describe its lists)."""
    if not discovery.list_item:
        return []
    items = []
    for node in parsed(page).css(discovery.list_item):
        href = node.css(discovery.list_link).get()
        if not href or not href.strip():
            continue
        date = node.css(discovery.list_date).get() if discovery.list_date else None
        link = absolute_url(url, href.strip())
        if link:
            items.append(Listed(link, parse_kst_datetime(date)))
    return items


def next_page(page: str | Selector, url: str, discovery: Discovery) -> str | None:
    """The absolute URL of the list page after this one (its HTML, or parsed), or None on the last page."""
    if not discovery.next_page:
        return None
    href = parsed(page).css(discovery.next_page).get()
    return absolute_url(url, href.strip()) if href and href.strip() else None


def parsed(page: str | Selector) -> Selector:
    """A list page parsed: a crawl parses each once for its items and its next page."""
    return page if isinstance(page, Selector) else Selector(text=page)


def feed_items(body: bytes, url: str) -> list[Listed]:
    """The entries of an RSS or Atom feed, in feed order (none when it is empty or no feed)."""
    if not body.strip():
        return []
    return feed_entries(xml_selector(body), url)


def xml_selector(body: bytes) -> Selector:
    """A feed or sitemap, parsed (entities never resolved), its namespaces dropped so that
    ``news:publication_date`` is ``publication_date`` and Atom's ``entry`` is ``entry``."""
    selector = Selector(body=body, type="xml")
    _drop_namespaces(selector.root)
    return selector


def _drop_namespaces(root: etree._Element) -> None:
    """parsel's ``remove_namespaces``, except that a name left invalid without its namespace
    (``<dc:`` where a feed cut short in transfer ends: its local name is ``dc:``) keeps its
    namespace instead of raising ValueError."""
    for element in root.iter("*"):
        if element.tag.startswith("{"):
            with suppress(ValueError):
                element.tag = element.tag.split("}", 1)[1]
        for name in [name for name in element.attrib if name.startswith("{")]:
            with suppress(ValueError):
                element.attrib[name.split("}", 1)[1]] = element.attrib[name]
                del element.attrib[name]
    etree.cleanup_namespaces(root)


def feed_entries(selector: Selector, url: str) -> list[Listed]:
    """The entries of a parsed RSS or Atom feed, in feed order."""
    items = []
    for entry in selector.xpath(_FEED_ENTRIES):
        link = absolute_url(url, entry.xpath(_FEED_LINK).get().strip())
        if link:
            items.append(Listed(link, feed_date(entry.xpath(_FEED_DATE).get())))
    return items


def feed_date(text: str | None) -> datetime | None:
    """An RSS (RFC 822) or Atom (ISO 8601) date, or a zone-less one taken as Asia/Seoul."""
    if not text or not text.strip():
        return None
    try:
        parsed = parsedate_to_datetime(text.strip())
    except (TypeError, ValueError):
        return parse_kst_datetime(text)
    return parsed.replace(tzinfo=KST) if parsed.tzinfo is None else parsed.astimezone(KST)


def on_site(url: str, profile: SiteProfile, base_url: str) -> str | None:
    """``url`` moved onto the crawl's base URL when it belongs to the site, else None.

    A link to the site's own host (``http://www.joongdo.co.kr/…``, ``https://joongdo.co.kr/…``)
    and a link to the base (a mirror, a test server), with or without ``www.``, count as the
    site; anything else (another subdomain included) is off-site and never fetched.
    """
    parts, base = urlsplit(url), urlsplit(base_url)
    if parts.scheme not in ("http", "https") or not parts.hostname:
        return None
    if bare_host(parts.hostname) != bare_host(base.hostname) and not profile.matches_host(parts.hostname):
        return None
    return urlunsplit((base.scheme, base.netloc, parts.path, parts.query, ""))
