"""Links as pages write them, made absolute, or dropped when malformed; and the host that
names a site.

Pages carry links no browser could follow: CMS templates that leave ``http://[domain]/a.jpg``
behind, typos like ``http://[::1``. ``urljoin`` refuses those with ValueError; a page must
not be lost for one bad link, so the link is dropped instead.
"""

from __future__ import annotations

import re
from urllib.parse import urljoin, urlsplit

from .errors import BadURL

#: An absolute http(s) URL that ``urljoin`` gives back unchanged against any base it can
#: parse: lower-case scheme, a plain host, a path without ``;`` parameters, no empty ``?``
#: or ``#``, no spaces or control characters (which urlsplit strips or removes).
_PLAIN_URL = re.compile(r"https?://[A-Za-z0-9.-]+(?::[0-9]+)?(?:/[^\x00-\x20\x7f;?#]*)?"
                        r"(?:\?[^\x00-\x20\x7f#]+)?(?:#[^\x00-\x20\x7f]+)?")


def absolute_url(base: str, href: str) -> str | None:
    """``href`` resolved against ``base`` (as ``urljoin`` does), or None when it is malformed."""
    if _PLAIN_URL.fullmatch(href) and _PLAIN_URL.fullmatch(base):
        # urljoin's answer, without its parse and rebuild of both (most of a page's links:
        # a news list's are absolute)
        return href
    try:
        return urljoin(base, href)
    except ValueError:
        return None


def bare_host(host: str | None) -> str:
    """``host`` as a site's name: lower case, without a trailing dot or a leading ``www.``
    (``www.paper.kr`` and ``paper.kr`` are one site); "" for None."""
    return (host or "").lower().rstrip(".").removeprefix("www.")


def check_web_url(url: str) -> None:
    """Raise :class:`~newscrawl.errors.BadURL` unless ``url`` is an http(s) URL with a host."""
    try:
        parts = urlsplit(url)
        host = parts.hostname
    except ValueError as exc:  # urlsplit refuses "http://[::1/x" and bad ports
        raise BadURL(f"not a valid URL: {url!r} ({exc})") from None
    if parts.scheme not in ("http", "https") or not host:
        raise BadURL(f"not an http(s) URL: {url!r} (only web pages can be fetched)")
