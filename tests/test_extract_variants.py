"""The seed article of 중도일보 in other layouts, field by field, with the layer that gave each.

The variants carry the seed's words in markup the 중도일보 profile does not know — a
redesign (semantic ``<article>``, ``<figure>``, ``<p>``), the old table layout in EUC-KR
(declared by ``<meta>``, and a copy declared by nothing), and a page whose article lives
only in its metadata — so every field there must come from a fallback layer. One case per
field and layout: a broken caption parser shows up as ``photos`` failing for one layout.
"""

from __future__ import annotations

import pytest

from conftest import SEED_HTML, SEED_URL, VARIANTS_DIR
from newscrawl.run import extract_file

LAYOUTS = {
    "seed": SEED_HTML,
    "redesign": VARIANTS_DIR / "joongdo-redesign.html",
    "old-euckr-meta": VARIANTS_DIR / "joongdo-old-euckr-meta.html",
    "old-euckr-undeclared": VARIANTS_DIR / "joongdo-old-euckr-nodecl.html",
    "metadata-only": VARIANTS_DIR / "joongdo-metadata-only.html",
}
#: The layer that must give each field, per layout: seed, redesign, old (both encodings),
#: metadata-only. None: the layout does not show the field at all.
_LAYER_TABLE: dict[str, tuple[str | None, str | None, str | None, str | None]] = {
    "title":         ("profile", "metadata", "generic", "metadata"),
    "subtitle":      ("profile", "generic",  "generic", "metadata"),
    "sections":      ("profile", "label",    "label",   "metadata"),
    "published_at":  ("profile", "label",    "label",   "metadata"),
    "modified_at":   ("profile", "label",    "label",   "metadata"),
    "print_edition": ("profile", "label",    "label",   "metadata"),
    "reporters":     ("profile", "label",    "label",   "metadata"),
    "dateline":      ("label",   "label",    "label",   "metadata"),
    "byline":        ("label",   "label",    "label",   None),
    "body":          ("profile", "generic",  "generic", "metadata"),
    "photos":        ("profile", "generic",  "generic", "metadata"),
    "related":       ("label",   "label",    "label",   None),
}
_OLD = ("old-euckr-meta", "old-euckr-undeclared")
LAYERS = {field: {"seed": seed, "redesign": redesign, **dict.fromkeys(_OLD, old), "metadata-only": meta}
          for field, (seed, redesign, old, meta) in _LAYER_TABLE.items()}
#: Lists each layout shows beside the article.
LISTS = {"seed": {"ranking", "headline", "photo"}, "redesign": {"ranking", "headline", "photo"},
         **dict.fromkeys(_OLD, {"ranking", "photo"}), "metadata-only": set()}
#: Layouts that link the reporter's name to the reporter's page.
REPORTER_LINKED = {"seed", "redesign", "metadata-only"}


@pytest.fixture(scope="module")
def articles() -> dict[str, dict]:
    return {name: extract_file(path, url=SEED_URL).to_json() for name, path in LAYOUTS.items()}


def shown(field: str, article: dict, expected: dict, layout: str):
    """``(what the layout gave, what the seed says)`` for ``field``, in comparable form."""
    if field == "print_edition":
        return (article["print_date"], article["print_page"]), (expected["print_date"], expected["print_page"])
    if field == "body":
        return article["body"].split("\n\n"), expected["body_paragraphs"]
    if field == "photos":
        return [{k: p[k] for k in ("url", "caption", "credit")} for p in article["photos"]], expected["photos"]
    if field == "reporters":
        want = [{**r, "url": r["url"] if layout in REPORTER_LINKED else None} for r in expected["reporters"]]
        return [{k: r[k] for k in ("name", "url")} for r in article["reporters"]], want
    if field == "related":
        def key(items):
            return [(r["list"], r["rank"], r["title"], r["url"]) for r in items if r["list"] in LISTS[layout]]
        return key(article["related"]), key(expected["related"])
    return article[field], expected[field]


CASES = [(field, layout) for field in LAYERS for layout in LAYOUTS]


@pytest.mark.parametrize("field, layout", CASES, ids=[f"{f}-{lay}" for f, lay in CASES])
def test_field_and_its_layer(articles, seed_expected, field, layout):
    article = articles[layout]
    layer = LAYERS[field][layout]
    if layer is None:
        assert field not in article["sources"]
        assert not (article[field] if field in article else None)
        return
    have, want = shown(field, article, seed_expected, layout)
    assert have == want
    assert article["sources"][field] == layer


@pytest.mark.parametrize("layout", [name for name in LAYOUTS if name != "seed"])
def test_the_joongdo_selectors_match_nothing_in_the_variants(articles, layout):
    """The variants test the fallbacks only if the profile's own selectors find nothing."""
    assert "profile" not in articles[layout]["sources"].values()
    assert articles[layout]["site"] == "joongdo"
    assert articles[layout]["article_id"] == "20200708010002304"


@pytest.mark.parametrize("layout", LAYOUTS)
def test_body_keeps_out_captions_bylines_and_boilerplate(articles, seed_expected, layout):
    body = articles[layout]["body"]
    for text in [*seed_expected["must_not_contain_in_body"], "사진=", "▲", "많이 본 뉴스", "입력 2020"]:
        assert text not in body


def test_both_old_encodings_decode_to_the_same_article(articles):
    assert articles["old-euckr-meta"] == articles["old-euckr-undeclared"]
