"""One-line, human descriptions of why a download failed."""

from __future__ import annotations

import logging

from scrapy.exceptions import (
    CannotResolveHostError,
    DownloadCancelledError,
    DownloadConnectionRefusedError,
    DownloadFailedError,
    DownloadTimeoutError,
    IgnoreRequest,
    ResponseDataLossError,
)
from scrapy.spidermiddlewares.httperror import HttpError
from twisted.python.failure import Failure

from ..middlewares.redirect import RedirectRefused

_REASONS: tuple[tuple[type[BaseException], str], ...] = (
    (DownloadTimeoutError, "timed out waiting for the server"),
    (DownloadConnectionRefusedError, "connection refused (nothing is listening at that address)"),
    (CannotResolveHostError, "the host name could not be resolved (DNS lookup failed)"),
    (DownloadCancelledError, "download cancelled (larger than DOWNLOAD_MAXSIZE?)"),
    (ResponseDataLossError, "the connection closed before the whole page arrived"),
    (DownloadFailedError, "the connection failed during the download"),
)


#: Exceptions that mean the network or the server failed, not newscrawl.
NETWORK_ERRORS = tuple(kind for kind, _ in _REASONS)


class OneLineNetworkErrors(logging.Filter):
    """Drops the traceback from a log record about a network failure, keeping its message.

    Scrapy logs a failed robots.txt download with its full traceback; when a site is down,
    that reads like a crash at the top of a cron mail, above the run's own summary.
    """

    def filter(self, record: logging.LogRecord) -> bool:
        if record.exc_info and isinstance(record.exc_info[1], NETWORK_ERRORS):
            record.exc_info = None
            record.exc_text = None
        return True


def quiet_network_tracebacks() -> None:
    """Keep Scrapy's log of a failed robots.txt download to one line (once per process)."""
    robots_log = logging.getLogger("scrapy.downloadermiddlewares.robotstxt")
    if not any(isinstance(f, OneLineNetworkErrors) for f in robots_log.filters):
        robots_log.addFilter(OneLineNetworkErrors())


def failure_kind(failure: Failure, discovery: bool) -> str:
    """The ``failures.kind`` of a failed request (see :class:`~newscrawl.items.FetchFailure`)."""
    if discovery:
        return "discovery"
    # RobotsTxtMiddleware says why only in the message of the IgnoreRequest it raises.
    if isinstance(failure.value, IgnoreRequest) and "robots.txt" in str(failure.value):
        return "robots"
    return "fetch"


def describe_failure(failure: Failure) -> tuple[int | None, str]:
    """``(HTTP status or None, one-line reason)`` for a failed request."""
    error = failure.value
    if isinstance(error, HttpError):
        status = error.response.status
        return status, f"HTTP {status} from {error.response.url}"
    for kind, reason in _REASONS:
        if isinstance(error, kind):
            return None, reason
    if isinstance(error, RedirectRefused):
        return None, str(error)
    if isinstance(error, IgnoreRequest):
        message = str(error) or "request ignored"
        if "redirect" in message:
            message = f"redirect loop: {message}"
        return None, message
    return None, f"{type(error).__name__}: {error}".strip()
