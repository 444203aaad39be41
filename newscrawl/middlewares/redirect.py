"""Redirects: a loop ends in an error, and no redirect leaves the site or reaches inside.

**Loops.** Scrapy gives a redirected request the dupe-filter setting of the request it came
from. In a crawl (where requests are filtered) a URL that redirects to itself, or A → B → A,
is then dropped by the dupe filter as already seen: no response, no errback, nothing in
``failures``, and every later run finds the article again and loses it again in silence.
Here such a redirect is let past the dupe filter, so ``REDIRECT_MAX_TIMES`` ends a loop with
an error the spider records (``redirect loop: max redirections reached``), and a site that
redirects once to set a cookie and then back still works. Only URLs already requested on
the way are let past, so every new URL still goes through the checks below.

**Where a redirect may lead** (HTTP 3xx and ``<meta http-equiv="refresh">`` alike), checked
before the new request exists, so nothing is ever sent there:

- not to a private, loopback or link-local address (``10.0.0.1``, ``127.0.0.2``,
  ``169.254.169.254``, ``localhost``, or a name resolving to one), unless the URL the
  redirects started from is itself on such an address: a test server on 127.0.0.1 or a
  mirror on the LAN may redirect within it, a public site may not send the crawler inside;
- not off the site (the spider's ``allowed_domains``; Scrapy's off-site filter used to drop
  such a request without a trace), and not to another port of the same host (an
  ``http`` → ``https`` move between the default ports is the same site).

A refused redirect fails its request with :class:`RedirectRefused` naming the target: the
spider records it in ``failures``, ``fetch`` prints it.
"""

from __future__ import annotations

import ipaddress
import socket
from urllib.parse import SplitResult, urlsplit

from scrapy import Request
from scrapy.crawler import Crawler
from scrapy.downloadermiddlewares.redirect import MetaRefreshMiddleware, RedirectMiddleware
from scrapy.exceptions import IgnoreRequest
from scrapy.http import Response

_DEFAULT_PORTS = {"http": 80, "https": 443}


class RedirectRefused(IgnoreRequest):
    """A redirect newscrawl does not follow; the message names the target and why."""


def is_internal_literal(host: str) -> bool:
    """True for ``localhost`` and an IP address that is not a public one (private,
    loopback, link-local, reserved), without any lookup."""
    host = host.lower().rstrip(".")
    if host == "localhost" or host.endswith(".localhost"):
        return True
    try:
        return not ipaddress.ip_address(host).is_global
    except ValueError:
        return False


def resolves_internal(host: str) -> bool:
    """True when the name ``host`` resolves to a non-public address (a DNS lookup; a name
    that does not resolve is left to the download to fail)."""
    try:
        addresses = {info[4][0] for info in socket.getaddrinfo(host, None)}
    except (OSError, UnicodeError):
        return False
    return any(is_internal_literal(address.split("%")[0]) for address in addresses)


def _port(parts: SplitResult) -> int | None:
    return parts.port or _DEFAULT_PORTS.get(parts.scheme)


def _on_site(host: str, allowed: list[str]) -> bool:
    return not allowed or any(host == d or host.endswith("." + d) for d in allowed)


def refusal(origin: str, target: str, allowed: list[str]) -> str | None:
    """Why a redirect chain that started at ``origin`` must not go on to ``target``, or None."""
    start, to = urlsplit(origin), urlsplit(target)
    start_host, host = (start.hostname or "").lower(), (to.hostname or "").lower()
    internal_start = is_internal_literal(start_host)
    if is_internal_literal(host) and not internal_start:
        return f"redirect to a private, loopback or link-local address refused: {target}"
    if not _on_site(host, allowed):
        return f"off-site redirect refused: {target}"
    if host == start_host and _port(to) != _port(start) and {_port(to), _port(start)} != {80, 443}:
        return f"redirect to another port refused: {target}"
    if host != start_host and not internal_start and resolves_internal(host):
        return f"redirect to a private, loopback or link-local address refused: {target} (resolves to one)"
    return None


class _GuardedRedirects:
    """Checks the request a redirect middleware made before it goes anywhere."""

    crawler: Crawler

    def process_response(self, request: Request, response: Response) -> Request | Response:
        result = super().process_response(request, response)  # type: ignore[misc]  # (a mixin)
        if not isinstance(result, Request) or result is request:
            return result
        chain = result.meta.get("redirect_urls", [request.url])
        if result.url in chain:
            result.dont_filter = True  # a loop: let REDIRECT_MAX_TIMES end it with an error
            return result
        reason = refusal(chain[0], result.url, list(getattr(self.crawler.spider, "allowed_domains", None) or []))
        if reason:
            raise RedirectRefused(reason)
        return result


class LoopAwareRedirectMiddleware(_GuardedRedirects, RedirectMiddleware):
    """Scrapy's 3xx redirects, with loops ended and targets checked."""


class GuardedMetaRefreshMiddleware(_GuardedRedirects, MetaRefreshMiddleware):
    """Scrapy's ``<meta http-equiv="refresh">`` redirects, with the same checks."""
