"""The items that travel from the spiders through the pipelines into the archive.

A spider yields a :class:`RawPage` (what the server sent, untouched) or a
:class:`FetchFailure` (what went wrong). The pipelines turn a RawPage into an
:class:`ExtractedArticle` (field values as the page writes them), then an :class:`Article`
(normalised: ISO 8601 dates in Asia/Seoul, integers, absolute URLs), which the archive stores.
"""

from __future__ import annotations

from dataclasses import dataclass, field, fields
from typing import Any


@dataclass
class RawPage:
    """One HTTP response as received.

    ``headers`` maps a lower-case header name to its values. ``encoding`` is the encoding
    detected from the header, ``<meta>`` or content. ``truncated`` says the transfer ended
    early (fewer bytes than Content-Length, or the connection dropped mid-body).
    """

    url: str
    status: int
    headers: dict[str, list[str]]
    body: bytes = field(repr=False)
    encoding: str | None
    fetched_at: str | None
    site: str | None = None
    requested_url: str | None = None
    truncated: bool = False

    def header(self, name: str) -> str | None:
        values = self.headers.get(name.lower())
        return values[0] if values else None


@dataclass
class FetchFailure:
    """A URL that could not be fetched or was not an article, with the reason in one line."""

    url: str
    error: str
    site: str | None = None
    status: int | None = None
    failed_at: str | None = None
    #: "fetch" (an article's download failed), "not-article" (dropped by validation),
    #: "incomplete" (stored, but cut short in transfer), "error" (newscrawl failed on the
    #: page: a bug), "discovery" (a feed or list page failed), "robots" (disallowed by robots.txt).
    kind: str = "fetch"


@dataclass
class NotModified:
    """A revisit the server answered with 304 Not Modified: the stored article is current."""

    url: str
    site: str
    article_id: str
    fetched_at: str


@dataclass
class ExtractedArticle:
    """Fields as the page writes them; dates and print edition are still raw strings."""

    page: RawPage
    site: str
    article_id: str | None
    canonical_url: str | None
    title: str | None
    subtitle: str | None
    sections: list[str]
    published_raw: str | None
    modified_raw: str | None
    print_raw: str | None
    reporters: list[dict[str, str | None]]
    dateline: str | None
    byline: str | None
    paragraphs: list[str]
    photos: list[dict[str, str | None]]
    related: list[dict[str, Any]]
    sources: dict[str, str]
    #: The site profile that read the page (``generic`` when none knew the site).
    profile: str | None = None


#: The article JSON contract, in the order users see it.
ARTICLE_FIELDS = (
    "url", "canonical_url", "site", "article_id", "title", "subtitle", "sections",
    "published_at", "modified_at", "print_date", "print_page", "reporters", "dateline",
    "byline", "body", "photos", "related", "fetched_at",
)


@dataclass
class Article:
    """One normalised article: the archive's and the JSON output's contract."""

    url: str
    canonical_url: str | None
    site: str
    article_id: str
    title: str
    subtitle: str | None
    sections: list[str]
    published_at: str | None
    modified_at: str | None
    print_date: str | None
    print_page: int | None
    reporters: list[dict[str, str | None]]
    dateline: str | None
    byline: str | None
    body: str
    photos: list[dict[str, str | None]]
    related: list[dict[str, Any]]
    fetched_at: str | None
    complete: bool = True
    incomplete_reason: str | None = None
    #: Field name -> the extraction layer that gave it ("profile", "label", "metadata", "generic").
    sources: dict[str, str] = field(default_factory=dict)
    #: Raw text of values the normaliser parsed, kept so users can check them.
    raw: dict[str, str | None] = field(default_factory=dict)
    #: The site profile that read the page (``generic`` when none knew the site).
    profile: str | None = None
    page: RawPage | None = field(default=None, repr=False)
    #: What storing it did: "new", "updated" or "unchanged" (None when not stored).
    archived: str | None = field(default=None, repr=False)

    def to_json(self) -> dict[str, Any]:
        """The JSON object of the article (the raw page and the storing outcome left out)."""
        return {f.name: getattr(self, f.name) for f in fields(self) if f.name not in ("page", "archived")}
