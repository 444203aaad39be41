"""The registry of site profiles, and how a URL finds its profile."""

from __future__ import annotations

from urllib.parse import urlsplit

from ..errors import UnknownSite
from .base import SiteProfile
from .joongdo import JOONGDO

PROFILES: dict[str, SiteProfile] = {profile.name: profile for profile in (JOONGDO,)}

__all__ = ["PROFILES", "SiteProfile", "get_profile", "profile_for_url"]


def get_profile(name: str) -> SiteProfile:
    """The profile called ``name``; raises :class:`UnknownSite` listing the known ones."""
    try:
        return PROFILES[name]
    except KeyError:
        known = ", ".join(sorted(PROFILES))
        raise UnknownSite(f"no site profile named {name!r} (known: {known})") from None


def profile_for_url(url: str) -> SiteProfile | None:
    """The profile whose domains include the host of ``url``, or None."""
    host = urlsplit(url).hostname or ""
    return next((p for p in PROFILES.values() if p.matches_host(host)), None)
