"""Which profile reads a downloaded page: web-poet's layout switch.

A page fetched without a known profile may still belong to one: a mirror of a known site
names it in its canonical link, and a CMS leaves its markers in the markup.
"""

from __future__ import annotations

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
    canonical = first(root, '//link[@rel="canonical"]/@href | //meta[@property="og:url"]/@content')
    canonical_url = absolute_url(url, canonical.strip()) if canonical else None
    by_canonical = profile_for_url(canonical_url) if canonical_url else None
    if by_canonical:
        return by_canonical
    return next((p for p in PROFILES.values() if p.markers and any(css(root, marker) for marker in p.markers)),
                profile)
