"""The errors newscrawl reports to its users.

Every error a user can cause (a bad URL, a page that is not an article, a site that does not
answer) is a :class:`NewscrawlError`; the CLI prints its message as one line on stderr and
exits with status 1. Anything else is a bug and keeps its traceback.
"""

from __future__ import annotations


class NewscrawlError(Exception):
    """Base class: the message is a complete sentence fit for one line of stderr."""


class NotAnArticle(NewscrawlError):
    """The page was fetched but holds no article (deleted, an index page, not HTML)."""


class MissingFields(NotAnArticle):
    """The page lacks what every article has (a title, a body): a layout the extractor missed."""

    def __init__(self, message: str, missing: list[str]):
        super().__init__(message)
        self.missing = missing

    def __reduce__(self) -> tuple[type, tuple[str, list[str]]]:
        # pickled with both arguments (an exception pickles its message alone), so that a
        # page read in an extraction worker comes back with what it missed
        return MissingFields, (str(self), self.missing)


class UnknownSite(NewscrawlError):
    """No site profile matches the URL or name given."""


class BadURL(NewscrawlError):
    """The URL cannot be fetched as a web page (not http/https, no host)."""


class FetchFailed(NewscrawlError):
    """The download failed: HTTP error status, timeout, refused connection, redirect loop."""


class ArchiveLocked(NewscrawlError):
    """Another newscrawl run holds the archive's lock."""
