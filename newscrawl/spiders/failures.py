"""One-line, human descriptions of why a download failed."""

from __future__ import annotations

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

_REASONS: tuple[tuple[type[BaseException], str], ...] = (
    (DownloadTimeoutError, "timed out waiting for the server"),
    (DownloadConnectionRefusedError, "connection refused (nothing is listening at that address)"),
    (CannotResolveHostError, "the host name could not be resolved (DNS lookup failed)"),
    (DownloadCancelledError, "download cancelled (larger than DOWNLOAD_MAXSIZE?)"),
    (ResponseDataLossError, "the connection closed before the whole page arrived"),
    (DownloadFailedError, "the connection failed during the download"),
)


def describe_failure(failure: Failure) -> tuple[int | None, str]:
    """``(HTTP status or None, one-line reason)`` for a failed request."""
    error = failure.value
    if isinstance(error, HttpError):
        status = error.response.status
        return status, f"HTTP {status} from {error.response.url}"
    for kind, reason in _REASONS:
        if isinstance(error, kind):
            return None, reason
    if isinstance(error, IgnoreRequest):
        message = str(error) or "request ignored"
        if "redirect" in message:
            message = f"redirect loop: {message}"
        return None, message
    return None, f"{type(error).__name__}: {error}".strip()
