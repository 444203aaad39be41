"""A page read without a site profile is judged by what it is: articles are kept whatever one
field lacks, section fronts, tag and search pages, "about us" pages and galleries are refused,
each with its reason, and dates come from the best layer that has one.

Pages are written here and read as ``newscrawl extract`` reads a saved page (the same
pipelines as a crawl).
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from newscrawl.errors import NotAnArticle
from newscrawl.run import extract_file

HOST = "https://news.example.org"
PARAGRAPHS = [
    "The city council voted on Tuesday to rebuild the old river bridge, ending a debate that had run "
    "for more than three years and divided the neighbourhoods on either bank.",
    "Work is to start next spring and last two years; a ferry will carry pedestrians and cyclists "
    "across the river while the bridge is closed to all traffic.",
    "Residents who spoke at the meeting welcomed the decision but asked the council to publish the "
    "full cost of the project, which the mayor promised to do within a month.",
]


def page(head: str = "", body: str = "", paragraphs: list[str] = PARAGRAPHS) -> str:
    text = "".join(f"<p>{p}</p>" for p in paragraphs)
    return (f"<!DOCTYPE html><html><head><meta charset='utf-8'><title>Council votes to rebuild the bridge</title>"
            f"{head}</head><body><nav><a href='/'>Home</a> <a href='/news/'>News</a></nav><main><article>"
            f"<h1>Council votes to rebuild the bridge</h1>{body}{text}</article></main>"
            f"<footer>News Example, 1 Main Street</footer></body></html>")


def json_ld(kind: str, **fields: str) -> str:
    return f"<script type='application/ld+json'>{json.dumps({'@type': kind, **fields})}</script>"


def read(tmp_path: Path, html: str, path: str):
    file = tmp_path / "page.html"
    file.write_text(html, encoding="utf-8")
    return extract_file(file, url=HOST + path)


ARTICLES = {
    "declared-no-date": (page(json_ld("NewsArticle")), "/local/bridge-vote", None, None),
    "og-type-and-time-element": (
        page("<meta property='og:type' content='article'>", "<time datetime='2019-11-19'>Nov 19, 2019</time>"),
        "/local/bridge-vote", "2019-11-19T00:00:00+09:00", "htmldate"),
    "wordpress-numbered-post": (page("", "<time datetime='2019-11-19'>Nov 19, 2019</time>"), "/archives/1234",
                                "2019-11-19T00:00:00+09:00", "htmldate"),
    "date-in-url-only": (page(), "/2019/11/19/bridge-vote.html", "2019-11-19T00:00:00+09:00", "url"),
    "placeholder-date-in-metadata": (
        page(json_ld("NewsArticle", datePublished="0001-01-01T00:00:00Z")), "/story/2019/11/19/bridge-vote/",
        "2019-11-19T00:00:00+09:00", "url"),
    "metadata-date": (page("<meta property='article:published_time' content='2019-11-19T08:30:00-05:00'>"),
                      "/local/bridge-vote", "2019-11-19T22:30:00+09:00", "metadata"),
}


@pytest.mark.parametrize("name", ARTICLES)
def test_articles_are_kept_with_the_date_of_the_best_layer(tmp_path, name):
    html, path, published, layer = ARTICLES[name]
    article = read(tmp_path, html, path)
    assert article.body.split("\n\n") == PARAGRAPHS
    assert article.published_at == published
    assert article.sources.get("published_at") == layer


def test_htmldate_date_that_contradicts_the_url_gives_way_to_it(tmp_path):
    html = page("", "<time datetime='2015-03-02'>March 2, 2015</time>")
    article = read(tmp_path, html, "/2019/11/19/bridge-vote.html")
    assert (article.published_at, article.sources["published_at"]) == ("2019-11-19T00:00:00+09:00", "url")


NOTE = "Subscribe to our newsletter."
GALLERY = "".join(f"<figure><img src='/p{i}.jpg'><figcaption>Photo {i} of the bridge</figcaption></figure>"
                  for i in range(6))
NOT_ARTICLES = {
    "section-front": (page(json_ld("CollectionPage") + "<meta property='og:type' content='website'>"), "/local/",
                      "it declares itself a collection page (section front or tag page)"),
    "tag-page": (page("<meta property='og:type' content='website'>"), "/tag/bridges/",
                 "its URL is that of a tag or section page (/tag/bridges/)"),
    "search-page": (page(), "/search?q=bridge", "its URL is that of a search page (/search?q=bridge)"),
    "about-us": (page(), "/about-us/", 'its URL is that of an "about" page (/about-us/)'),
    "gallery": (page(json_ld("NewsArticle", datePublished="2019-11-19"), GALLERY, PARAGRAPHS[:1]),
                "/2019/11/19/bridge-in-pictures", "a photo gallery (6 photos, "),
    "undated-undeclared": (page(), "/local/bridge-vote",
                           "it shows no publication date and does not declare itself an article"),
    "too-little-text": (page("<meta property='og:type' content='website'>", "", [NOTE]),
                        "/2019/11/19/newsletter", f"only {len(NOTE)} characters of main text"),
}


@pytest.mark.parametrize("name", NOT_ARTICLES)
def test_other_kinds_of_page_are_refused_with_their_reason(tmp_path, name):
    html, path, reason = NOT_ARTICLES[name]
    with pytest.raises(NotAnArticle) as refused:
        read(tmp_path, html, path)
    assert str(refused.value).startswith(f"not an article page: read without a site profile, {reason}")
