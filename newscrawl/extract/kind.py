"""What a page read without a site profile is: an article, or a page of another kind.

No profile says which URLs are articles, so the page is judged by what it is, most telling
evidence first: what it declares itself (JSON-LD ``@type``, ``og:type``,
``article:published_time``), the shape of its URL (``/tag/…``, ``/search?q=…``), how much
running text it holds against its photos, and whether any date layer found when it was
published. A page that declares itself an article is one unless it has no text of its own;
one missing field never decides alone.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from urllib.parse import urlsplit

#: JSON-LD and OpenGraph types of an article (compared in lower case).
ARTICLE_TYPES = frozenset(
    "article newsarticle reportagenewsarticle analysisnewsarticle opinionnewsarticle reviewnewsarticle "
    "backgroundnewsarticle askpublicnewsarticle satiricalarticle blogposting liveblogposting report "
    "techarticle scholarlyarticle".split()
)
#: Types of pages that are not one article, with what to call them.
OTHER_TYPES = {
    "collectionpage": "a collection page (section front or tag page)",
    "searchresultspage": "a search results page",
    "profilepage": "a profile page",
    "profile": "a profile page",
    "aboutpage": 'an "about" page',
    "contactpage": "a contact page",
    "imagegallery": "a photo gallery",
    "mediagallery": "a media gallery",
    "faqpage": "an FAQ page",
}
#: URL paths of pages that list articles or describe the site, with what to call them.
_URL_KINDS = (
    # Not /archives/…: WordPress numbers its posts that way.
    (re.compile(r"/(?:tags?|topics?|keywords?|categor(?:y|ies)|sections?)(?:/[^/]*)?/?$"),
     "a tag or section page"),
    (re.compile(r"/(?:search|find)(?:/|\.\w+)?$|[?&](?:q|query|keyword|search|s)=", re.IGNORECASE),
     "a search page"),
    (re.compile(r"/(?:authors?|reporters?|writers?)(?:/[^/]*)?/?$"), "an author's page"),
    (re.compile(r"/(?:about|about-us|company|contact|contact-us|privacy|terms|imprint|impressum)(?:/|\.\w+)?$",
                re.IGNORECASE), 'an "about" page'),
    (re.compile(r"/(?:galler(?:y|ies)|photo-?galler(?:y|ies)|slideshows?)(?:/[^/]*)?/?$"), "a photo gallery"),
)
#: Characters of main text below which a page that does not declare itself an article is
#: taken for a list or a notice (a short news brief is some 200 characters of Korean).
MIN_TEXT = 150
#: A page with this many photos and under PHOTO_TEXT characters of text per photo is a gallery.
GALLERY_PHOTOS = 5
PHOTO_TEXT = 100


def declares_article(declared: Sequence[str]) -> bool:
    """True when the page's declared types (``PageMetadata.declared_types``) name an article."""
    return any(kind.lower() in ARTICLE_TYPES for kind in declared)


def not_an_article(url: str, declared: Sequence[str], text_length: int, photos: int,
                   published: str | None) -> str | None:
    """Why the page at ``url`` is not an article, or None when it is one.

    ``declared`` are its JSON-LD and OpenGraph types (plus ``article`` when it carries
    ``article:published_time``), ``text_length`` the characters of its main text, ``photos``
    the number of its article photos, ``published`` its publication date from any layer.
    """
    article = declares_article(declared)
    other = next((OTHER_TYPES[k.lower()] for k in declared if k.lower() in OTHER_TYPES), None)
    if other and not article:
        return f"it declares itself {other}"
    parts = urlsplit(url)
    path = parts.path + (f"?{parts.query}" if parts.query else "")
    shape = next((kind for pattern, kind in _URL_KINDS if pattern.search(path)), None)
    if shape and not article:
        return f"its URL is that of {shape} ({path})"
    if photos >= GALLERY_PHOTOS and text_length < PHOTO_TEXT * photos:
        return f"a photo gallery ({photos} photos, {text_length} characters of text)"
    if not article and text_length < MIN_TEXT:
        return f"only {text_length} characters of main text, and it does not declare itself an article"
    if not article and not published:
        return "it shows no publication date and does not declare itself an article"
    return None
