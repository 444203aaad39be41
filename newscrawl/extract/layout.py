"""Which profile reads a downloaded page: web-poet's layout switch.

A page fetched without a known profile may still belong to one: a mirror of a known site
names it in its canonical link, and a CMS leaves its markers in the markup.
"""

from __future__ import annotations

from urllib.parse import urlsplit

from lxml import etree

from ..links import absolute_url
from ..sites import GENERIC, PROFILES, SiteProfile, profile_for_url
from .select import css, first


def profile_for_page(profile: SiteProfile, root: etree._Element, url: str) -> SiteProfile:
    """The layout to read a downloaded page with (web-poet's layout switch).

    A page that the generic profile was to read is read with the profile of its canonical
    URL (a mirror of a known site), else with that of a CMS whose markers it carries; every
    other page keeps the profile it was fetched with.
    """
    if profile is not GENERIC:
        return profile
    return _page_choice(root, url)[0]


def _page_choice(root: etree._Element, url: str) -> tuple[SiteProfile, str]:
    """The profile a page no URL rule matched is read with, and why."""
    canonical = first(root, '//link[@rel="canonical"]/@href | //meta[@property="og:url"]/@content')
    canonical_url = absolute_url(url, canonical.strip()) if canonical else None
    by_canonical = profile_for_url(canonical_url) if canonical_url else None
    if by_canonical:
        return by_canonical, f"the page's canonical link {canonical_url} belongs to {by_canonical.name}"
    for candidate in PROFILES.values():
        marker = next((m for m in candidate.markers if css(root, m)), None)
        if marker:
            return candidate, f"the page carries {candidate.name}'s marker {marker}"
    return GENERIC, "neither the URL nor the page (canonical link, CMS markers) names a profile"


def explain_profile(url: str, root: etree._Element | None = None) -> tuple[SiteProfile, str]:
    """The profile ``newscrawl fetch url`` reads the page with, and why (one line).

    ``root`` is the page as downloaded; without it, a URL no rule matches can only be
    told to be read generically unless its page names a better profile.
    """
    host = urlsplit(url).hostname or ""
    by_url = profile_for_url(url)
    if by_url and by_url.matches_host(host):
        return by_url, f"host {host} is one of {by_url.name}'s ({', '.join(by_url.domains)})"
    if by_url:
        return by_url, f"the URL has {by_url.name}'s article URL shape {by_url.article_url_shape()}"
    if root is None:
        return GENERIC, (f"no profile knows host {host} or this URL shape; once downloaded, a page whose "
                         "canonical link belongs to a profiled site, or that carries a CMS's markers, is read "
                         "with that profile (give the saved page with --html to see)")
    return _page_choice(root, url)
