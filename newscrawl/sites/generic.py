"""The fallback for a news site no profile knows: no selectors, only the shared layers.

Every field then comes from what the page says (labels, bylines, captions, list headings),
its metadata (JSON-LD, OpenGraph) and the generic main-text extractor. Any path of any host
can be an article; the article key is the page's canonical path (and query), so tracking
parameters on the requested URL do not make a second copy. Articles are archived under the
host name.
"""

from __future__ import annotations

import re

from .base import SiteProfile

GENERIC = SiteProfile(
    name="generic",
    title="any other news site (generic extraction)",
    domains=(),
    base_url="",
    # Any path but the bare root ("/" is a home page, never an article); a query only when
    # it has content, so "/a.html?" and "/a.html" are the same key.
    article_path=re.compile(r"^(?P<id>/[^?#]+(?:\?[^#]+)?|/\?[^#]+)"),
    canonical_template="{base}{id}",
    any_host=True,
)
