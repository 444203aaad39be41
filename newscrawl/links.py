"""Links as pages write them, made absolute, or dropped when malformed.

Pages carry links no browser could follow: CMS templates that leave ``http://[domain]/a.jpg``
behind, typos like ``http://[::1``. ``urljoin`` refuses those with ValueError; a page must
not be lost for one bad link, so the link is dropped instead.
"""

from __future__ import annotations

from urllib.parse import urljoin


def absolute_url(base: str, href: str) -> str | None:
    """``href`` resolved against ``base`` (as ``urljoin`` does), or None when it is malformed."""
    try:
        return urljoin(base, href)
    except ValueError:
        return None
