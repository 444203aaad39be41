"""The registry of site profiles, and how a URL (or a page) finds its profile.

Resolution order: a profile whose domains hold the URL's host; then a CMS profile whose
article URL shape the URL has (ND소프트's ``/news/articleView.html?idxno=N``); then, once
the page is downloaded, the profile of the page's canonical URL or of a CMS whose markers
the page carries; and last the generic profile, which reads any page with the shared layers
alone.
"""

from __future__ import annotations

from urllib.parse import urlsplit

from lxml import etree

from ..errors import UnknownSite
from ..links import absolute_url
from ..extract.select import css, first
from .base import SiteProfile
from .generic import GENERIC
from .joongdo import JOONGDO
from .ndsoft import NDSOFT

#: Every profile, the generic fallback last.
PROFILES: dict[str, SiteProfile] = {profile.name: profile for profile in (JOONGDO, NDSOFT, GENERIC)}

__all__ = ["GENERIC", "PROFILES", "SiteProfile", "choose_profile", "explain_profile", "get_profile",
           "profile_for_page", "profile_for_url", "resolve_profile"]


def get_profile(name: str) -> SiteProfile:
    """The profile called ``name``; raises :class:`UnknownSite` listing the known ones."""
    try:
        return PROFILES[name]
    except KeyError:
        known = ", ".join(sorted(PROFILES))
        raise UnknownSite(f"no site profile named {name!r} (known: {known})") from None


def profile_for_url(url: str) -> SiteProfile | None:
    """The profile for ``url``: by the host's domain, else by a CMS's article URL shape.

    None when only the generic fallback would read it.
    """
    host = urlsplit(url).hostname or ""
    by_domain = next((p for p in PROFILES.values() if p.matches_host(host)), None)
    if by_domain:
        return by_domain
    return next((p for p in PROFILES.values() if p.any_host and p is not GENERIC and p.article_id(url)), None)


def resolve_profile(url: str) -> SiteProfile:
    """The profile for ``url``, the generic one when no other matches."""
    return profile_for_url(url) or GENERIC


def choose_profile(url: str | None, site: str | None) -> SiteProfile:
    """The profile named ``site``, else the one for ``url`` (the generic one if none knows it)."""
    return get_profile(site) if site else resolve_profile(url or "")


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
