"""Redirects back to a URL already on the way are followed, so a redirect loop is an error.

Scrapy gives a redirected request the dupe-filter setting of the request it came from. In a
crawl (where requests are filtered) a URL that redirects to itself, or A → B → A, is then
dropped by the dupe filter as already seen: no response, no errback, nothing in
``failures``, and every later run finds the article again and loses it again in silence.

Here such a redirect is let past the dupe filter, so ``REDIRECT_MAX_TIMES`` ends a loop with
an error the spider records (``redirect loop: max redirections reached``), and a site that
redirects once to set a cookie and then back still works. Only URLs already requested on
the way are let past, so every new URL still goes through the off-site check (which a
request that skips the dupe filter would skip too).
"""

from __future__ import annotations

from scrapy import Request
from scrapy.downloadermiddlewares.redirect import RedirectMiddleware
from scrapy.http import Response


class LoopAwareRedirectMiddleware(RedirectMiddleware):
    def process_response(self, request: Request, response: Response) -> Request | Response:
        result = super().process_response(request, response)
        if isinstance(result, Request) and result.url in result.meta.get("redirect_urls", ()):
            result.dont_filter = True
        return result
