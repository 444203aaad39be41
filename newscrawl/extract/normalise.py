"""From fields as the page writes them to the archive's types.

Dates become ISO 8601 in Asia/Seoul, the print edition a date and an integer page, the body
one string of paragraphs separated by a blank line. The raw strings that were parsed are
kept in ``Article.raw`` so a user who doubts a date can see what the page said.
"""

from __future__ import annotations

from ..clock import isoformat
from ..items import Article, ExtractedArticle, Photo, RelatedItem, Reporter
from .dates import parse_kst_datetime
from .labels import parse_print_edition


def normalise_article(draft: ExtractedArticle) -> Article:
    """The :class:`Article` for ``draft``; title and id may still be missing (validation decides)."""
    print_date, print_page = parse_print_edition(draft.print_raw)
    return Article(
        url=draft.page.url,
        canonical_url=draft.canonical_url,
        site=draft.site,
        article_id=draft.article_id or "",
        title=draft.title or "",
        subtitle=draft.subtitle,
        sections=list(draft.sections),
        published_at=isoformat(parse_kst_datetime(draft.published_raw)),
        modified_at=isoformat(parse_kst_datetime(draft.modified_raw)),
        print_date=isoformat(print_date),
        print_page=print_page,
        reporters=[Reporter(**reporter) for reporter in draft.reporters],
        dateline=draft.dateline,
        byline=draft.byline,
        body="\n\n".join(draft.paragraphs),
        photos=[Photo(**photo) for photo in draft.photos],
        related=[RelatedItem(**entry) for entry in draft.related],
        fetched_at=draft.page.fetched_at,
        sources=draft.sources,
        raw={"published_at": draft.published_raw, "modified_at": draft.modified_raw,
             "print_edition": draft.print_raw},
        profile=draft.profile,
        page=draft.page,
        declared_types=list(draft.declared_types),
    )
