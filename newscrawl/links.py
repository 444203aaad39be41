"""Links as pages write them, made absolute, or dropped when malformed; and the host that
names a site.

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


def bare_host(host: str | None) -> str:
    """``host`` as a site's name: lower case, without a trailing dot or a leading ``www.``
    (``www.paper.kr`` and ``paper.kr`` are one site); "" for None."""
    return (host or "").lower().rstrip(".").removeprefix("www.")
