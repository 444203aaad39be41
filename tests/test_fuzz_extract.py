"""Property-based fuzzing of every extractor with hypothesis: no input makes one raise.

The pages are the fixtures of every layout and site (중도일보 old and new, ND소프트, a generic
paper, "no such article" pages), mutated the way real pages go wrong: nodes deleted,
duplicated and moved, attributes and text replaced with junk (dates that are not dates,
broken URLs, stray labels), junk spliced into the markup, the page cut short, and the
whole thing encoded in UTF-8, EUC-KR or CP949 and declared rightly, wrongly or not at all;
and pages of random bytes. Each is read with every profile (joongdo, ndsoft, generic, and
the one its URL picks) through the pipelines a crawl uses. The only outcome allowed besides
an article is NotAnArticle with a reason (a page the crawl drops and records); an article is
never half-empty, and the archive stores whatever comes out.

The field parsers (dates, labels, bylines, captions, list headings, decoding, search
tokens and snippets) get random text as well.

CI runs a fixed set of examples (profile ``ci`` in conftest.py); for a long run:
``.venv/bin/python -m pytest tests/test_fuzz_extract.py --hypothesis-profile=long``.
"""

from __future__ import annotations

import copy
import re
from html import escape
from dataclasses import dataclass
from pathlib import Path

import lxml.html
import pytest
from hypothesis import HealthCheck, event, given, settings
from hypothesis.control import currently_in_test_context
from hypothesis import strategies as st

from conftest import GENERIC_DIR, JOONGDO, NDSOFT_DIR, SEED_HTML, SEED_URL, VARIANTS_DIR
from newscrawl.archive import open_archive, save_article
from newscrawl.archive.snippets import snippet
from newscrawl.archive.tokens import fts_query, tokens
from newscrawl.policy.autodiscovery import feed_links, read_xml, robots_sitemaps, without_tracking
from newscrawl.policy.discovery import feed_items, list_items, next_page, on_site
from newscrawl.errors import NotAnArticle
from newscrawl.extract.bylines import complete_email, parse_byline, reporter_name
from newscrawl.extract.captions import split_caption
from newscrawl.extract.dates import parse_kst_date, parse_kst_datetime
from newscrawl.extract.encoding import decode_html, looks_like_html
from newscrawl.extract.headings import without_site_name
from newscrawl.extract.labels import find_labelled, parse_print_edition
from newscrawl.extract.related import heading_list_name
from newscrawl.items import Article, Photo, RawPage
from newscrawl.reading import read_page
from newscrawl.sites import get_profile

NDSOFT_URL = "https://www.hanbat-news.example/news/articleView.html?idxno=21457"
GENERIC_URL = "https://www.chungnam-today.example/news/2024/05/01/1234.html"
#: (file, URL it was fetched from); the EUC-KR variants keep their own bytes.
PAGES = [
    (SEED_HTML, SEED_URL),
    (VARIANTS_DIR / "joongdo-redesign.html", SEED_URL),
    (VARIANTS_DIR / "joongdo-metadata-only.html", SEED_URL),
    (VARIANTS_DIR / "joongdo-old-euckr-meta.html", SEED_URL),
    (VARIANTS_DIR / "joongdo-old-euckr-nodecl.html", SEED_URL),
    (JOONGDO / "view-missing.html", "http://www.joongdo.co.kr/web/view.php?key=20990101010000001"),
    (NDSOFT_DIR / "articleView-21457.html", NDSOFT_URL),
    (NDSOFT_DIR / "articleView-missing.html", "https://www.hanbat-news.example/news/articleView.html?idxno=9"),
    (GENERIC_DIR / "chungnam-today-1234.html", GENERIC_URL),
]
#: The profile a page is read with: the one its URL picks (None), or each one named.
PROFILES = (None, "joongdo", "ndsoft", "generic")
ENCODINGS = ("utf-8", "euc-kr", "cp949")
#: Text the extractors look for, broken in ways pages break it.
TRICKY = ("승인 2020-07-08 08:05", "승인 2020-13-45 25:61", "수정 9999-99-99 99:99", "입력 2020.07.08",
          "신문게재 2020-07-09 8면", "신문게재 2020-02-30 0면", "신문게재 면", "임병안 기자 victorylba@",
          "기자", "= 기자", "(사진=중도일보 DB)", "▲", "사진=", "랭킹뉴스", "헤드라인 뉴스", "포토뉴스",
          "홈 > 정치 > 세종", ">", "http://[::1", "http://", "//", "javascript:alert(1)", "mailto:@",
          "0000-00-00T00:00:00+99:00", "1e400", "-1", "\u200b", "\ufeff", "&amp;", "&#0;", "]]>", "<!--")
#: Links as templates and typos leave them.
BAD_URLS = ("http://[domain]/a.jpg", "http://[::1", "//[", "http://", "https://:80/", "http://a:99999/",
            "javascript:void(0)", "mailto:", "#", "?key=1&key=2", "/web/view.php?key=", " ", "\\\\server\\a.jpg",
            "data:image/png;base64,AAAA", "http://www.joongdo.co.kr/web/view.php?key=2020070801000230\u0000")
URLS = st.one_of(st.sampled_from(BAD_URLS), st.text(max_size=30))
JUNK = st.one_of(st.sampled_from(TRICKY), st.text(max_size=40),
                 st.lists(st.sampled_from(TRICKY), max_size=4).map(" ".join))


def xml_safe(text: str) -> str:
    """``text`` as lxml accepts it in a tree (no NUL or other control characters, no lone surrogates)."""
    return re.sub(r"[\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff]", "", text)


TREE_TEXT = JUNK.map(xml_safe)
ATTRIBUTES = ("class", "id", "href", "src", "content", "property", "name", "rel", "datetime", "charset", "itemprop")
JOONGDO_PROFILE, GENERIC_PROFILE = get_profile("joongdo"), get_profile("generic")


@dataclass(frozen=True)
class Fetched:
    """A page as a crawl would receive it."""

    body: bytes
    url: str
    content_type: str | None
    profile: str | None

    def raw_page(self) -> RawPage:
        return RawPage(url=self.url, status=200, body=self.body, encoding=None,
                       headers={"content-type": [self.content_type]} if self.content_type else {},
                       fetched_at="2026-01-01T10:00:00+09:00", profile=self.profile)


# -- strategies ------------------------------------------------------------------------------

def mutate_tree(data: st.DataObject, root: lxml.html.HtmlElement) -> None:
    """Delete, duplicate, move nodes, and put junk in attributes and text, a few times."""
    for _ in range(data.draw(st.integers(1, 6), label="mutations")):
        elements = [e for e in root.iter() if isinstance(e.tag, str) and e is not root]
        if not elements:
            return
        node = elements[data.draw(st.integers(0, len(elements) - 1), label="node")]
        parent = node.getparent()
        action = data.draw(st.sampled_from(("delete", "duplicate", "move", "attribute", "link", "text", "tail")))
        if action == "delete":
            parent.remove(node)
        elif action == "duplicate":
            parent.insert(parent.index(node), copy.deepcopy(node))
        elif action == "move":
            target = elements[data.draw(st.integers(0, len(elements) - 1), label="to")]
            if node not in target.iterancestors() and node is not target:
                parent.remove(node)
                target.insert(data.draw(st.integers(0, len(target))), node)
        elif action == "link":  # a link or an image source broken
            linked = [e for e in elements if e.get("href") is not None or e.get("src") is not None]
            if linked:
                node = linked[data.draw(st.integers(0, len(linked) - 1), label="link")]
                node.set("href" if node.get("href") is not None else "src", data.draw(URLS.map(xml_safe)))
        elif action == "attribute":  # one it has (a link, an image, a date), else a new one
            names = [name for name in node.attrib if name in ATTRIBUTES] or list(ATTRIBUTES)
            node.set(data.draw(st.sampled_from(names)), data.draw(TREE_TEXT))
        else:
            setattr(node, action, data.draw(TREE_TEXT))


def encode(data: st.DataObject, html: str) -> tuple[bytes, str | None]:
    """The page in an encoding, declared in the header, wrongly, or not at all."""
    encoding = data.draw(st.sampled_from(ENCODINGS), label="encoding")
    body = html.encode(encoding, errors="xmlcharrefreplace")
    declared = data.draw(st.sampled_from((encoding, None, "utf-8", "euc-kr", "iso-8859-1", "no-such-charset")))
    return body, f"text/html; charset={declared}" if declared else data.draw(st.sampled_from((None, "text/html")))


@st.composite
def mutated_pages(draw: st.DrawFn) -> Fetched:
    path, url = draw(st.sampled_from(PAGES))
    data = draw(st.data())
    root = lxml.html.fromstring(path.read_bytes())
    mutate_tree(data, root)
    html = lxml.html.tostring(root, encoding="unicode")
    if draw(st.booleans()):  # junk spliced into the markup, control characters and all
        at = draw(st.integers(0, len(html)))
        splice = st.sampled_from(("<", "</div>", "<p", '"', "\x00", "\x01", "\x0b", "\x1f", "\ufffe", "\udcff"))
        html = html[:at] + draw(st.one_of(JUNK, splice)) + html[at:]
    if draw(st.booleans()):  # cut short
        html = html[: draw(st.integers(0, len(html)))]
    body, content_type = encode(data, html)
    return Fetched(body, url, content_type, draw(st.sampled_from(PROFILES)))


@st.composite
def byte_pages(draw: st.DrawFn) -> Fetched:
    """Random bytes, alone or inside a real page, declared in one of the Korean encodings."""
    path, url = draw(st.sampled_from(PAGES))
    junk = draw(st.binary(max_size=3000))
    real = path.read_bytes()
    at = draw(st.integers(0, len(real)))
    body = draw(st.sampled_from((junk, real[:at] + junk + real[at:], b"<html>" + junk)))
    charset = draw(st.sampled_from((*ENCODINGS, None)))
    return Fetched(body, url, f"text/html; charset={charset}" if charset else None, draw(st.sampled_from(PROFILES)))


# -- properties ------------------------------------------------------------------------------

def read(page: Fetched) -> Article | None:
    """The page through extract, normalise and validate; None when dropped (with a reason)."""
    try:
        article = read_page(page.raw_page())
    except NotAnArticle as exc:
        assert str(exc).strip(), "a page was dropped without a reason"
        note(f"dropped: {str(exc)[:30]}")
        return None
    assert_whole(article)
    note("article" if article.complete else "incomplete article")
    return article


def note(outcome: str) -> None:
    """Count an outcome: ``--hypothesis-show-statistics`` shows the mix of pages read and dropped."""
    if currently_in_test_context():
        event(outcome)


ISO_KST = re.compile(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\+09:00")


def assert_whole(article: Article) -> None:
    """An article, never a half-empty row: identity, title and body, and typed fields."""
    assert article.article_id and article.title.strip() and article.body.strip() and article.site
    for when in (article.published_at, article.modified_at):
        assert when is None or ISO_KST.fullmatch(when), when
    assert article.print_date is None or re.fullmatch(r"\d{4}-\d\d-\d\d", article.print_date)
    assert article.print_page is None or isinstance(article.print_page, int)
    assert all(isinstance(p.url, str) for p in article.photos)
    assert all(isinstance(r.name, str) and r.name for r in article.reporters)
    assert article.complete or article.incomplete_reason


@given(mutated_pages())
def test_mutated_pages_give_an_article_or_a_reason(page):
    read(page)


@given(byte_pages())
def test_random_bytes_give_an_article_or_a_reason(page):
    read(page)


@pytest.fixture(scope="module")
def archive_path(tmp_path_factory) -> Path:
    return tmp_path_factory.mktemp("fuzz") / "news.db"


@settings(suppress_health_check=[HealthCheck.too_slow])
@given(page=mutated_pages())
def test_whatever_is_extracted_is_stored_whole(archive_path, page):
    """The archive takes any article the extractor returns, in one piece (one archive for all)."""
    article = read(page)
    if article is None:
        return
    db = open_archive(archive_path)
    try:
        result = save_article(db, article)
        row = db.execute("SELECT title, body FROM articles WHERE id = ?", [result.article_rowid]).fetchone()
        assert row == (article.title, article.body)
    finally:
        db.close()


FEEDS = (JOONGDO / "rss.xml", NDSOFT_DIR / "allArticle.xml")
LIST_URL = "http://www.joongdo.co.kr/web/list_news.php?ncid=N01_06"


@st.composite
def mutated_feeds(draw: st.DrawFn) -> bytes:
    """A feed with junk links, junk spliced in, cut short, or in another encoding than it says."""
    feed = draw(st.sampled_from(FEEDS)).read_text(encoding="utf-8")
    links = re.findall(r"<link>([^<]*)</link>", feed)
    for link in draw(st.lists(st.sampled_from(links), max_size=3)):
        feed = feed.replace(link, draw(URLS).replace("<", "&lt;"), 1)
    at = draw(st.integers(0, len(feed)))
    feed = feed[:at] + draw(st.one_of(JUNK, st.sampled_from(("<", "<item>", "<?xml", "&", "\x00")))) + feed[at:]
    feed = feed[: draw(st.integers(0, len(feed)))] if draw(st.booleans()) else feed
    return feed.encode(draw(st.sampled_from(ENCODINGS)), errors="xmlcharrefreplace")


@given(st.data())
def test_discovery_reads_any_list_page_or_feed(data):
    """A list page or feed that goes wrong loses its broken entries, never the crawl's callback."""
    root = lxml.html.fromstring((JOONGDO / "list_news-N01_06-page1.html").read_bytes())
    mutate_tree(data, root)
    html = lxml.html.tostring(root, encoding="unicode")
    listed = list_items(html, LIST_URL, JOONGDO_PROFILE.discovery) + feed_items(data.draw(mutated_feeds()), LIST_URL)
    next_page(html, LIST_URL, JOONGDO_PROFILE.discovery)
    for item in listed:
        on_site(item.url, JOONGDO_PROFILE, "http://127.0.0.1:8080")


@st.composite
def sitemaps(draw: st.DrawFn) -> bytes:
    """A sitemap, a Google News sitemap or a sitemap index with junk locations and dates."""
    root, entry = draw(st.sampled_from((("urlset", "url"), ("sitemapindex", "sitemap"))))
    entries = "".join(
        f"<{entry}><loc>{escape(loc)}</loc><lastmod>{escape(date)}</lastmod>"
        f"<news:news><news:publication_date>{escape(date)}</news:publication_date></news:news></{entry}>"
        for loc, date in draw(st.lists(st.tuples(URLS.map(xml_safe), JUNK.map(xml_safe)), max_size=5)))
    xml = (f'<?xml version="1.0" encoding="UTF-8"?><{root} xmlns="http://www.sitemaps.org/schemas/sitemap/0.9" '
           f'xmlns:news="http://www.google.com/schemas/sitemap-news/0.9">{entries}</{root}>').encode()
    return xml[: draw(st.integers(0, len(xml)))] if draw(st.booleans()) else xml


@given(sitemaps(), st.lists(URLS.map(xml_safe), max_size=3))
def test_generic_discovery_reads_any_sitemap_or_feed_link(sitemap, hrefs):
    """What a generic crawl reads (sitemaps, robots.txt, a start page's feed links) loses its
    broken entries, never the callback."""
    base = "https://news.example.org/"
    links = "".join(f'<link rel="alternate" type="application/rss+xml" href="{escape(h)}">' for h in hrefs)
    found = feed_links(f"<html><head>{links}</head><body></body></html>", base)
    found += robots_sitemaps("".join(f"Sitemap: {h}\n" for h in hrefs).encode(), base + "robots.txt")
    page = read_xml(sitemap, base)
    for url in found + [entry.url for entry in (page.entries if page else [])]:
        on_site(url, GENERIC_PROFILE, base) and without_tracking(url)


TEXT = st.one_of(st.text(), JUNK, st.none())


@given(TEXT)
def test_field_parsers_take_any_text(text):
    parse_kst_datetime(text)
    parse_kst_date(text)
    parse_print_edition(text)
    split_caption(text)
    reporter_name(text)
    complete_email(text)
    if text is not None:
        parse_byline(text)
        heading_list_name(text)
        looks_like_html(text)
        without_site_name(text, {"중도일보", text[:3]})
        find_labelled(text.splitlines())


@given(st.text(), st.text())
def test_search_tokens_and_snippets_take_any_text(text, query):
    tokens(text)
    fts_query(query)
    snippet(text, query)


@given(st.binary(max_size=5000), st.one_of(st.none(), st.text(max_size=40).map("text/html; charset={}".format)))
def test_decoding_takes_any_bytes_and_any_label(body, content_type):
    text, encoding = decode_html(body, content_type)
    assert isinstance(text, str) and encoding


# -- what the fuzzing found, kept as plain examples ----------------------------------------

def test_a_photo_inside_word_markup_leaves_the_generic_body_readable():
    """A node the body layer skips (here a photo) under a tag like MS Word's ``<o:p>`` made
    the generic layer build an XPath with an undefined prefix, and the page raise."""
    paragraph = "<p>" + "대전시가 시내버스 노선을 바꾼다. " * 20 + "</p>"
    html = ("<html><head><title>대전 버스 노선 개편</title></head><body><article><h1>대전 버스 노선 개편</h1>"
            "<p>입력 2026-01-05 09:00</p><o:p><figure><img src='/a.jpg'><figcaption>버스 (사진=대전시)</figcaption></figure></o:p>"
            f"{paragraph * 3}</article></body></html>")
    article = read(Fetched(html.encode(), "https://news.example.org/a/1.html", "text/html; charset=utf-8", None))
    assert article.sources["body"] == "generic" and "버스 (사진=대전시)" not in article.body
    assert article.photos == [Photo(url="https://news.example.org/a.jpg", alt=None, caption="버스", credit="대전시")]


@pytest.mark.parametrize("label", ["undefined", "base64", "idna", "punycode"])
@pytest.mark.parametrize("where", ["header", "meta"])
def test_a_charset_that_names_no_text_encoding_is_ignored(label, where):
    """``charset=undefined`` (or any Python codec that is not a text encoding) raised in decoding."""
    meta = f'<meta charset="{label}">' if where == "meta" else ""
    body = f"<html><head>{meta}</head><body>세종시 전자정부</body></html>".encode()
    text, encoding = decode_html(body, f"text/html; charset={label}" if where == "header" else None)
    assert "세종시 전자정부" in text and encoding == "utf-8"


@pytest.mark.parametrize("bad", ["http://[domain]/a.jpg", "http://[::1"])
def test_a_malformed_link_is_dropped_not_the_page(bad):
    """A template's ``http://[domain]/…`` in a photo, a news list or the canonical link made
    urljoin raise ValueError, and the whole page with it."""
    html = SEED_HTML.read_text(encoding="utf-8")
    photo = re.search(r'src="(http://dn\.joongdo\.co\.kr/mnt/images/file/[^"]+)"', html).group(1)
    listed = "http://www.joongdo.co.kr/web/view.php?key=20251203010000975"
    canonical = '<link rel="canonical" href="http://www.joongdo.co.kr/web/view.php?key=20200708010002304"'
    assert all(found in html for found in (photo, listed, canonical))
    html = html.replace(photo, bad).replace(listed, bad).replace(canonical, f'<link rel="canonical" href="{bad}"')
    article = read(Fetched(html.encode(), SEED_URL, "text/html; charset=utf-8", None))
    assert article.photos == [] and len(article.related) == 16  # one list entry fewer than the seed's 17
    assert article.article_id == "20200708010002304"


def test_a_malformed_link_in_a_list_or_feed_drops_that_item_not_the_page():
    html = (JOONGDO / "list_news-N01_06-page1.html").read_text(encoding="utf-8")
    feed = (JOONGDO / "rss.xml").read_bytes()
    first_item = re.search(r'<li>.*?href="([^"]+)"', html, re.S).group(1)
    first_entry = re.search(rb"<link>([^<]+)</link>", feed.split(b"<item>", 1)[1]).group(1)
    base = "http://www.joongdo.co.kr/web/list_news.php?ncid=N01_06"
    assert len(list_items(html.replace(first_item, "http://[domain]/a"), base, JOONGDO_PROFILE.discovery)) \
        == len(list_items(html, base, JOONGDO_PROFILE.discovery)) - 1
    assert len(feed_items(feed.replace(first_entry, b"http://[domain]/a", 1), base)) == len(feed_items(feed, base)) - 1


def test_a_control_character_beside_a_photo_leaves_the_generic_body_readable():
    """Pages pasted from word processors carry control characters (\\x01); lxml keeps them
    when it parses a page but refused them when the body layer moved the text after a photo."""
    body = (VARIANTS_DIR / "joongdo-old-euckr-meta.html").read_bytes()
    at = body.index(b'line-height:160%">') + len(b'line-height:160%">')
    article = read(Fetched(body[:at] + b"\x01" + body[at:], SEED_URL, "text/html; charset=euc-kr", None))
    assert article.sources["body"] == "generic" and article.body.startswith("세종시가 8일")


def test_a_malformed_link_in_generic_discovery_drops_that_link():
    """Feed links of a start page, robots.txt's Sitemap: lines and sitemap locations."""
    base = "https://news.example.org/"
    page = ('<html><head><link rel="alternate" type="application/rss+xml" href="http://[domain]/rss">'
            '<link rel="alternate" type="application/rss+xml" href="/rss.xml"></head></html>')
    assert feed_links(page, base) == ["https://news.example.org/rss.xml"]
    robots = b"User-agent: *\nSitemap: http://[domain]/sitemap.xml\nSitemap: /sitemap.xml\n"
    assert robots_sitemaps(robots, base + "robots.txt") == ["https://news.example.org/sitemap.xml"]
    sitemap = (b'<urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9"><url><loc>http://[domain]/a</loc></url>'
               b"<url><loc>https://news.example.org/a/1.html</loc></url></urlset>")
    assert [e.url for e in read_xml(sitemap, base).entries] == ["https://news.example.org/a/1.html"]


def test_a_feed_or_sitemap_cut_short_after_a_prefix_keeps_its_entries():
    """An Atom feed or a sitemap (a document with a default namespace) that ends in ``<media:``
    or ``<news:``, as one cut short in transfer does, made dropping the namespaces raise."""
    base = "https://news.example.org/"
    atom = (b'<?xml version="1.0"?><feed xmlns="http://www.w3.org/2005/Atom" xmlns:media="http://search.yahoo.com/mrss/">'
            b'<entry><link href="/a/1.html"/><published>2026-01-01T10:00:00+09:00</published></entry>'
            b'<entry><link href="/a/2.html"/><media:')
    assert [e.url for e in feed_items(atom, base)] == [base + "a/1.html", base + "a/2.html"]
    sitemap = (b'<urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9" '
               b'xmlns:news="http://www.google.com/schemas/sitemap-news/0.9"><url><loc>/a/1.html</loc><news:')
    assert [e.url for e in read_xml(sitemap, base).entries] == [base + "a/1.html"]


def test_a_control_character_beside_a_script_does_not_break_the_date_layers():
    """Found by the fuzzing above: htmldate drops a <script> and joins its tail (a control
    character) to the parent's text, which lxml refuses; the page must still get its answer
    (here: dropped, with its reason)."""
    html = (JOONGDO / "view-missing.html").read_bytes().replace(b"</script>", b"</script>\x01")
    assert read(Fetched(html, "http://www.joongdo.co.kr/web/view.php?key=20990101010000001",
                        "text/html; charset=utf-8", "generic")) is None
