"""The registry of site profiles, and how a URL (or a page) finds its profile.

Resolution order: a profile whose domains hold the URL's host; then a CMS profile whose
article URL shape the URL has (ND소프트's ``/news/articleView.html?idxno=N``); and last the
generic profile, which reads any page with the shared layers alone. Once a page is
downloaded, :func:`newscrawl.extract.layout.profile_for_page` may read it with the profile of
its canonical URL or of a CMS whose markers it carries (that needs the page parsed, so it
lives with extraction: this package is data and URL matching only).
"""

from __future__ import annotations

from urllib.parse import urlsplit

from ..errors import UnknownSite
from .base import SiteProfile
from .generic import GENERIC
from .joongdo import JOONGDO
from .ndsoft import NDSOFT

#: Every profile, the generic fallback last.
PROFILES: dict[str, SiteProfile] = {profile.name: profile for profile in (JOONGDO, NDSOFT, GENERIC)}

__all__ = ["GENERIC", "PROFILES", "SiteProfile", "choose_profile", "get_profile", "profile_for_url",
           "resolve_profile"]


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
