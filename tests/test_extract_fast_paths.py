"""The faster ways the extraction layers take find what the plain definitions find.

Each search below was an XPath (or a regex) over every element of the page; it now starts
from the few text nodes that can belong to what is sought, or (a profile's plain CSS
selectors) from the elements of a class or id. These tests run both, on every page of
tests/fixtures, and on pages made to catch the edge cases; links made absolute without
urljoin are checked against urljoin.
"""

from __future__ import annotations

import gzip
import re
from pathlib import Path
from urllib.parse import urljoin

import hypothesis
import lxml.html
import pytest
from hypothesis import strategies as st
from lxml import etree

from newscrawl.extract.breadcrumbs import _SEPARATORS, _text_candidates
from newscrawl.extract.encoding import decode_html, looks_like_html, read_html
from newscrawl.extract.headings import _headline_candidates
from newscrawl.extract.maintext import as_lxml_html, pruned_copy
from newscrawl.extract.metadata import _ld_json_texts, _link_index, _meta_index
from newscrawl.extract.page import ArticlePage
from newscrawl.extract import _is_utf8_reading
from newscrawl.extract.select import (ElementIndex, _as_parsed, compiled_css, css, parse_html, plain_selector,
                                      string)
from newscrawl.extract.short import page_texts
from newscrawl.extract.text import SPACE, normalise_space
from newscrawl.links import absolute_url
from newscrawl.sites import GENERIC, PROFILES

FIXTURES = Path(__file__).parent / "fixtures"
PAGES = sorted(p for p in FIXTURES.rglob("*") if p.name.endswith((".html", ".htm", ".html.gz")))

#: The definitions the searches had as XPath.
BREADCRUMB_XPATH = etree.XPath("//body//*[self::nav or self::ol or self::ul or self::div or self::p "
                               "or self::td or self::span][string-length(normalize-space()) < 80]")
HEADLINE_XPATH = etree.XPath(
    "//body//*[self::h1 or self::h2 or self::h3 or self::h4 or self::b or self::strong or self::font "
    "or self::td or self::span or self::p or self::div or self::em]"
    "[string-length(normalize-space()) >= 4][string-length(normalize-space()) < 200]"
)


def root_of(path: Path) -> etree._Element:
    body = path.read_bytes()
    html, _encoding = decode_html(gzip.decompress(body) if path.suffix == ".gz" else body, None)
    return parse_html(html)


def in_title(elements: list[etree._Element], title: str) -> list[etree._Element]:
    """The ``elements`` whose text the page's ``title`` contains: the headline's candidates."""
    return [e for e in elements if (text := normalise_space(string(e))) and text in title]


def test_the_fixtures_are_there():
    assert len(PAGES) >= 10


@pytest.mark.parametrize("path", PAGES, ids=lambda p: p.name[:24])
def test_breadcrumb_candidates_are_those_of_the_xpath(path):
    root = root_of(path)
    expected = [e for e in BREADCRUMB_XPATH(root) if _SEPARATORS.search(string(e))]
    assert _text_candidates(page_texts(root)) == expected


@pytest.mark.parametrize("path", PAGES, ids=lambda p: p.name[:24])
def test_headline_candidates_are_those_of_the_xpath(path):
    root = root_of(path)
    title = normalise_space(string(root, "//title"))
    if not title:
        pytest.skip("a page without <title> has no headline candidates")
    expected = in_title(HEADLINE_XPATH(root), title)
    assert in_title(_headline_candidates(page_texts(root), title), title) == expected


def test_the_comparisons_compare_something():
    roots = [root_of(path) for path in PAGES]
    assert sum(1 for root in roots if any(_SEPARATORS.search(string(e)) for e in BREADCRUMB_XPATH(root))) >= 3
    titles = [normalise_space(string(root, "//title")) for root in roots]
    assert sum(1 for root, title in zip(roots, titles) if title and in_title(HEADLINE_XPATH(root), title)) >= 10


def test_headline_candidates_hold_pieces_split_between_nodes():
    root = parse_html("<html><head><title>Big news - Paper</title></head><body><div><span>Big</span>"
                      "\n <b>ne</b>ws</div><p>Other text</p></body></html>")
    candidates = _headline_candidates(page_texts(root), "Big news - Paper")
    assert [normalise_space(string(e)) for e in candidates] == ["Big news"]


@pytest.mark.parametrize("path", PAGES, ids=lambda p: p.name[:24])
def test_pruned_copy_cuts_the_nodes_it_is_given(path):
    root = root_of(path)
    skip = set(root.iter("ul", "figure", "table"))
    nodes = [n for n in root.iter() if not any(a in skip for a in (n, *n.iterancestors()))]
    copy = pruned_copy(root, skip)
    assert [n.tag for n in copy.iter()] == [n.tag for n in nodes]


def test_normalise_space_is_the_regex_everywhere():
    space = re.compile(f"{SPACE}+")
    chars = [chr(c) for c in range(0x3100)] + ["\u200b", "\ufeff", "\u3000", "\u205f", "\u2028", "\u2029"]
    for char in chars:
        for text in (char, f"a{char}b", f"{char}{char}x {char}\u200b", f"\ufeff{char}y"):
            assert normalise_space(text) == space.sub(" ", text).strip(), repr(text)


@pytest.mark.parametrize("path", PAGES, ids=lambda p: p.name[:24])
def test_the_lxml_html_copy_has_lxml_html_classes(path):
    root = root_of(path)
    copy = as_lxml_html(pruned_copy(root, ()))
    parsed = lxml.html.document_fromstring(etree.tostring(root, method="html", encoding=str))
    assert isinstance(copy, lxml.html.HtmlElement)
    assert [type(e) for e in copy.iter()] == [type(e) for e in parsed.iter()]


def test_a_label_split_between_nodes_is_still_read():
    page = ArticlePage("<html><body><h1>Title</h1><p>기사<b>입</b>력 2020-07-08 08:05</p>"
                       "<p>" + "본문 " * 50 + "</p></body></html>", "http://example.org/a", GENERIC)
    assert page.published_raw() == "2020-07-08 08:05"
    assert page.sources["published_at"] == "label"


def test_a_page_in_ascii_alone_has_no_label():
    page = ArticlePage("<html><body><h1>Title</h1><p>Posted 2020-07-08 08:05</p></body></html>",
                       "http://example.org/a", GENERIC)
    assert page._page_labels == {}


# -- CSS selectors matched without XPath, and links resolved without urljoin ---------------

#: Every selector a profile holds, and the group its body exclusions make.
PROFILE_SELECTORS = sorted({s for p in PROFILES.values() for group in p.selectors.values() for s in group}
                           | {m for p in PROFILES.values() for m in p.markers}
                           | {", ".join(p.body_exclude) for p in PROFILES.values() if p.body_exclude})


def test_most_profile_selectors_are_matched_without_xpath():
    plain = [s for s in PROFILE_SELECTORS if plain_selector(s)]
    assert len(plain) >= len(PROFILE_SELECTORS) * 2 // 3
    assert plain_selector("ul.infomation li:has(.icon-user-o)") is None
    assert plain_selector("a::attr(href)") is None and plain_selector("div > p") is None


@pytest.mark.parametrize("path", PAGES, ids=lambda p: p.name[:24])
def test_plain_selectors_find_what_their_xpath_finds(path):
    root = root_of(path)
    index = ElementIndex(root, PROFILE_SELECTORS)
    scopes = [root, *list(root.iter(etree.Element))[::7]]
    for selector in PROFILE_SELECTORS:
        for scope in scopes:
            expected = compiled_css(selector)(scope)
            assert css(scope, selector, index) == expected, (selector, scope.tag)
            assert css(scope, selector) == expected, (selector, scope.tag)


EDGE_PAGE = """<html><body class="x">
<div class=" a\tb\nc "><div class="a"><h2 class="t">one</h2></div><h2 class="t u">two</h2></div>
<div class="A"><h2 class="t">not a</h2></div><div class="a-b"><h2 class="t">not a</h2></div>
<p id="i" class="a"><span id="i">three</span></p><p class="b\u00a0a"><h2 class="t">nbsp is no space</h2></p>
<table class="a"><tr><td><em class="t">four</em></td></tr></table><!-- <div class="a"> -->
</body></html>"""


@pytest.mark.parametrize("selector", [".a h2.t", ".a .t", "h2", "#i", "p#i", "#i span", ".a .a h2", "div.a h2, #i, em",
                                      ".b", "*", "body .a", ".x .a .t", ".a.b.c", ".c.a div h2", "em, h2.u, span"])
def test_plain_selectors_on_nested_and_odd_classes(selector):
    root = parse_html(EDGE_PAGE)
    assert plain_selector(selector) is not None
    for scope in root.iter(etree.Element):
        expected = compiled_css(selector)(scope)
        assert css(scope, selector, ElementIndex(root, [selector])) == expected, scope.tag
    assert compiled_css(selector)(root)  # each one finds something: the comparison compares


@hypothesis.given(
    prefix=st.sampled_from(["http://", "https://", "HTTP://", "ftp://", "//", ""]),
    rest=st.lists(st.sampled_from(list("aZ09.-:/?#;@[]% \t\n\x00\x7f가\u3000\xa0=&") + ["..", "www.x.kr"]),
                  max_size=16).map("".join),
    base=st.sampled_from(["http://www.joongdo.co.kr/web/view.php?key=1", "https://a.kr/b;c?d", "http://[::1", "",
                          "http://a.kr"]),
)
def test_absolute_url_is_urljoin(prefix, rest, base):
    href = prefix + rest
    try:
        expected = urljoin(base, href)
    except ValueError:
        expected = None
    assert absolute_url(base, href) == expected


UTF8_PAGES = [path.read_bytes() for path in PAGES if path.suffix == ".html"] + [
    "\ufeff<html><body><p>byte-order mark</p></body></html>".encode(),
    b"\x1c<html><body><p>a separator Python strips</p></body></html>\x1f",
    "\u3000<html><body><p>ideographic space</p></body></html>\u00a0".encode(),
    b"<html><body><p>a NUL \x00 here</p></body></html>",
    b"  \n<p>no html element</p> and a tail",
    b"<html><body><p>not UTF-8: \xff\xfe</p></body></html>",
    "<html><body><p>U+FFFD itself: \ufffd</p></body></html>".encode(),
    b" \t\r\n",
]


@pytest.mark.parametrize("body", UTF8_PAGES, ids=range(len(UTF8_PAGES)))
def test_a_utf8_page_parses_from_its_bytes_as_from_its_text(body):
    text, encoding = decode_html(body, "text/html; charset=utf-8")
    utf8 = body if _is_utf8_reading(body, encoding, text) else None
    assert etree.tostring(parse_html(text, utf8)) == etree.tostring(parse_html(text))


def test_most_utf8_pages_are_parsed_from_their_bytes():
    readings = [(body, *decode_html(body, "text/html; charset=utf-8")) for body in UTF8_PAGES]
    fast = [body for body, text, encoding in readings if _is_utf8_reading(body, encoding, text) and _as_parsed(body)]
    assert len(fast) >= len(PAGES) // 2
    assert UTF8_PAGES[-5] not in fast and UTF8_PAGES[-7] not in fast  # the NUL, the separator


METADATA_PAGE = """<html><head><meta property="og:title" name="og:title" content="A"><meta name="x"><meta
itemprop="author" name="author" content="B"><link rel="canonical" href="http://a.kr/1"><link rel="icon"><link
href="/no-rel"><script type="application/ld+json">{"@type": "NewsArticle"}</script><script type="text/javascript">
var x = 1;</script></head><body><meta name="late" content="C"><script type="application/ld+json"></script>
<script type="application/ld+json">[{"@type": "Person"}]</script></body></html>"""


def xpath_meta_index(root: etree._Element) -> dict[str, list[str]]:
    """The definition the loop over ``<meta>`` elements replaced."""
    index: dict[str, list[str]] = {}
    for meta in root.xpath("//meta[@content]"):
        for name in dict.fromkeys(meta.get(key) for key in ("property", "name", "itemprop")):
            if name is not None:
                index.setdefault(name, []).append(meta.get("content"))
    return index


@pytest.mark.parametrize("path", [*PAGES, None], ids=lambda p: p.name[:24] if p else "made")
def test_metadata_is_read_as_its_xpath_reads_it(path):
    root = root_of(path) if path else parse_html(METADATA_PAGE)
    assert _meta_index(root) == xpath_meta_index(root)
    links: dict[str, list[str]] = {}
    for link in root.xpath("//link[@rel][@href]"):
        links.setdefault(link.get("rel"), []).append(link.get("href"))
    assert _link_index(root) == links
    assert _ld_json_texts(root) == root.xpath('//script[@type="application/ld+json"]/text()')
    if path is None:  # the made page has each case
        assert len(_meta_index(root)) == 3 and len(_link_index(root)) == 1 and len(_ld_json_texts(root)) == 2


@pytest.mark.parametrize("path", PAGES, ids=lambda p: p.name[:24])
def test_string_is_the_xpath_string_of_every_element(path):
    root = root_of(path)
    elements = list(root.iter(etree.Element))
    assert [string(e) for e in elements] == [e.xpath("string()") for e in elements]
    assert any(not len(e) for e in elements) and any(len(e) for e in elements)


ODD_BODIES = [b"", b"\x00\x01\x02binary\xff" * 40, "<p>한글 EUC-KR</p>".encode("cp949"), b"<p>caf\xe9</p>",
              "<p>caf\u00e9 \u201cquoted\u201d</p>".encode("cp1252"), b"plain text, no markup", b"\x89PNG\r\n\x1a\n"]


@pytest.mark.parametrize("body", [*[p.read_bytes() for p in PAGES if p.suffix != ".gz"], *ODD_BODIES])
@pytest.mark.parametrize("content_type", [None, "text/html; charset=utf-8", "text/html; charset=iso-8859-1"])
def test_read_html_tells_what_looks_like_html_says(body, content_type):
    text, encoding, is_html = read_html(body, content_type)
    assert (text, encoding) == decode_html(body, content_type)
    assert is_html == looks_like_html(text)
