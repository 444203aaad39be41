"""Finding a site's feeds and sitemaps, and reading ND소프트 lists: pure functions, no server."""

from __future__ import annotations

import gzip
import re
from datetime import datetime

import pytest

from conftest import KST, NDSOFT_DIR
from newscrawl.policy.autodiscovery import feed_links, read_xml, robots_sitemaps, without_tracking
from newscrawl.policy.discovery import Listed, list_items, next_page, on_site
from newscrawl.sites import GENERIC, NDSOFT
from newscrawl.spiders.generic import unpacked

BASE = "https://news.example.org"


def test_feed_links_are_the_alternate_rss_and_atom_links():
    html = """<html><head>
    <link rel="alternate" type="application/rss+xml" href="/feed/">
    <link rel="Alternate" type="application/atom+xml; charset=utf-8" href="https://news.example.org/atom.xml">
    <link rel="alternate" type="text/html" hreflang="en" href="/en/">
    <link rel="stylesheet" type="text/css" href="/site.css">
    <link rel="alternate" type="application/rss+xml" href="/feed/">
    </head><body><a rel="alternate" type="application/rss+xml" href="/not-a-link-element">RSS</a></body></html>"""
    assert feed_links(html, f"{BASE}/news/") == [f"{BASE}/feed/", f"{BASE}/atom.xml"]


def test_sitemaps_named_by_robots_txt():
    robots = b"User-agent: *\nDisallow: /search/\n\nSitemap: https://news.example.org/sitemap_index.xml\n" \
             b"sitemap: /news-sitemap.xml\n"
    assert robots_sitemaps(robots, f"{BASE}/robots.txt") == [f"{BASE}/sitemap_index.xml", f"{BASE}/news-sitemap.xml"]
    assert robots_sitemaps(b"User-agent: *\nDisallow:\n", f"{BASE}/robots.txt") == []


def test_robots_sitemap_lines_with_crlf_or_bytes_that_are_not_utf8():
    robots = b"User-agent: *\r\n  SITEMAP: /a.xml\r\nSitemap: /\xff.xml\r\nsitemap:/b.xml"
    assert robots_sitemaps(robots, f"{BASE}/robots.txt") == [f"{BASE}/a.xml", f"{BASE}/b.xml"]


def _urlset(body: str) -> bytes:
    return ('<?xml version="1.0" encoding="UTF-8"?><urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9" '
            f'xmlns:news="http://www.google.com/schemas/sitemap-news/0.9">{body}</urlset>').encode()


def test_a_google_news_sitemap_dates_urls_by_publication_date():
    page = read_xml(_urlset(
        "<url><loc>https://news.example.org/a.html</loc><lastmod>2024-05-03T00:00:00Z</lastmod>"
        "<news:news><news:publication_date>2024-05-01T10:30:00+09:00</news:publication_date></news:news></url>"
        "<url><loc>/b.html</loc><lastmod>2024-05-02</lastmod></url>"
        "<url><loc>https://news.example.org/c.html</loc></url>"), f"{BASE}/sitemap.xml")
    assert page.kind == "urlset"
    assert page.entries == [Listed(f"{BASE}/a.html", datetime(2024, 5, 1, 10, 30, tzinfo=KST)),
                            Listed(f"{BASE}/b.html", datetime(2024, 5, 2, tzinfo=KST)),
                            Listed(f"{BASE}/c.html", None)]


def test_a_sitemap_index_lists_sitemaps_with_their_lastmod():
    body = (b'<?xml version="1.0"?><sitemapindex xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">'
            b"<sitemap><loc>https://news.example.org/s-2024-05.xml.gz</loc><lastmod>2024-05-31T23:00:00+00:00</lastmod>"
            b"</sitemap><sitemap><loc>https://news.example.org/s-pages.xml</loc></sitemap></sitemapindex>")
    page = read_xml(body, f"{BASE}/sitemap_index.xml")
    assert page.kind == "sitemapindex"
    assert page.entries == [Listed(f"{BASE}/s-2024-05.xml.gz", datetime(2024, 6, 1, 8, tzinfo=KST)),
                            Listed(f"{BASE}/s-pages.xml", None)]


@pytest.mark.parametrize("body", [
    b'<?xml version="1.0"?><rss version="2.0"><channel><item><link>https://news.example.org/a.html</link>'
    b"<pubDate>Wed, 01 May 2024 01:30:00 GMT</pubDate></item></channel></rss>",
    b'<?xml version="1.0"?><feed xmlns="http://www.w3.org/2005/Atom"><entry><link href="/a.html"/>'
    b"<updated>2024-05-01T10:30:00+09:00</updated></entry></feed>",
])
def test_rss_and_atom_feeds_are_read_alike(body):
    page = read_xml(body, f"{BASE}/feed/")
    assert (page.kind, page.entries) == ("feed", [Listed(f"{BASE}/a.html", datetime(2024, 5, 1, 10, 30, tzinfo=KST))])


@pytest.mark.parametrize("body", [b"", b"<!DOCTYPE html><html><head><title>Home</title></head><body></body></html>",
                                  b"User-agent: *\nDisallow:\n"])
def test_pages_that_are_neither_feed_nor_sitemap(body):
    assert read_xml(body, f"{BASE}/") is None


def test_gzipped_sitemaps_are_unpacked_and_others_left_as_they_are():
    sitemap = _urlset("<url><loc>https://news.example.org/a.html</loc><lastmod>2024-05-02</lastmod></url>")
    assert unpacked(gzip.compress(sitemap)) == sitemap
    assert unpacked(sitemap) == sitemap


@pytest.mark.parametrize("url, expected", [
    ("https://news.example.org/a.html?utm_source=rss&utm_medium=rss", "https://news.example.org/a.html"),
    ("https://news.example.org/view?id=7&utm_campaign=x&page=%EA%B0%80",
     "https://news.example.org/view?id=7&page=%EA%B0%80"),
    ("https://news.example.org/a.html?fbclid=abc#comments", "https://news.example.org/a.html"),
    ("https://news.example.org/view?id=7", "https://news.example.org/view?id=7"),
])
def test_tracking_parameters_are_no_part_of_an_article_key(url, expected):
    assert without_tracking(url) == expected


@pytest.mark.parametrize("url, expected", [
    ("https://news.example.org/a.html", "https://news.example.org/a.html"),
    ("http://www.news.example.org/a.html", "https://news.example.org/a.html"),  # www. or not: one site
    ("https://cdn.news.example.org/a.html", None),  # another subdomain is another site
    ("https://elsewhere.example/a.html", None),
])
def test_a_generic_crawl_never_leaves_the_start_pages_site(url, expected):
    assert on_site(url, GENERIC, BASE) == expected


# -- ND소프트 lists ---------------------------------------------------------------------------

LIST_URL = "https://www.hanbat-news.example/news/articleList.html?sc_section_code=S1N1&view_type=sm&page=1"


def test_an_ndsoft_list_gives_each_articles_link_and_date():
    html = (NDSOFT_DIR / "articleList-S1N1-page1.html").read_text(encoding="utf-8")
    items = list_items(html, LIST_URL, NDSOFT.discovery)
    assert [(NDSOFT.article_id(item.url), item.published) for item in items] == [
        ("21460", datetime(2024, 11, 6, 17, 12, tzinfo=KST)), ("21456", datetime(2024, 11, 5, 11, 40, tzinfo=KST)),
        ("21451", datetime(2024, 11, 4, 9, 7, tzinfo=KST)), ("21444", datetime(2024, 11, 1, 18, 30, tzinfo=KST)),
        ("21430", datetime(2024, 10, 30, 14, 55, tzinfo=KST))]
    # the 많이 본 뉴스 box beside the list is not the list
    assert "idxno=21431" not in {item.url.split("?")[1] for item in items}


def test_an_ndsoft_list_leads_to_its_next_page_until_the_last():
    html = (NDSOFT_DIR / "articleList-S1N1-page1.html").read_text(encoding="utf-8")
    following = next_page(html, LIST_URL, NDSOFT.discovery)
    assert following.startswith("https://www.hanbat-news.example/news/articleList.html?page=2&")
    assert "sc_section_code=S1N1" in following and "view_type=sm" in following
    last = re.sub(r'<ul class="pagination">.*?</ul>', '<ul class="pagination"><li class="pagination-start">'
                  '<a href="?page=1">처음</a></li><li><a href="?page=1">1</a></li><li class="current"><a>2</a></li></ul>',
                  html, flags=re.S)
    assert next_page(last, LIST_URL, NDSOFT.discovery) is None
