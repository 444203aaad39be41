"""A generated 중도일보: articles, lists and RSS made from the fixture pages' markup.

Both sides use this module: ``tests/mockserver.py --generate N`` serves the site, and a test
calls :func:`generate` with the same arguments to know which articles exist, when each was
published and which ones misbehave, so its expectations are computed, not hard-coded.

Article ``i`` (0 = newest) is published ``(i + 0.5) * span / n`` before ``now``, so every
article sits half a step away from any whole multiple of the step: a window boundary
placed on a multiple never lands within minutes of an article. Some articles misbehave,
chosen by index (:func:`quirk`): gone (404), flaky (500 once, then fine), broken (500 for
the first three requests: a crawl with two retries fails it, the next run gets it), slow
(answers after a pause), and one that robots.txt disallows.
"""

from __future__ import annotations

import hashlib
import random
import re
import struct
import zlib
from dataclasses import dataclass
from datetime import datetime, timedelta
from email.utils import format_datetime
from html import escape
from pathlib import Path

FIXTURES = Path(__file__).parent / "fixtures" / "joongdo"
SEED_KEY = "20200708010002304"
SEED_TITLE = "세종시, 전자정부 정보보호 우수기관 선정"
#: Sub-section code -> (section, sub-section) as the breadcrumbs name them.
SECTIONS = {
    "N01_06": ("정치/행정", "세종"),
    "N02_01": ("경제/과학", "경제일반"),
    "N03_02": ("사회/교육", "교육"),
    "N06_03": ("문화", "공연/전시"),
}
PAGE_SIZE = 10
RSS_SIZE = 20
#: A link in the all-news list to another host; a crawl must never follow it.
OFFSITE_HOST = "news.elsewhere.example"

_WORDS = ("대전시", "세종시", "충남도", "교육청", "시의회", "주민", "예산", "공모전", "축제", "도로", "병원",
          "일자리", "청년", "과학", "연구원", "기업", "학교", "문화재", "공원", "선거", "행정", "지원")
_REPORTERS = (("임병안", "victorylba"), ("이희택", "press2006"), ("김소희", "sohee"), ("송익준", "igjunbabo"))


@dataclass(frozen=True)
class GenArticle:
    index: int
    key: str
    section: str
    published: datetime
    title: str
    subtitle: str
    paragraphs: tuple[str, ...]
    reporter: tuple[str, str]

    @property
    def quirk(self) -> str | None:
        return quirk(self.index)


def quirk(index: int) -> str | None:
    """How article ``index`` misbehaves: gone, flaky, broken, slow, disallowed, or None."""
    if index == 3:
        return "slow"
    if index == 5:
        return "disallowed"
    return {7: "gone", 11: "flaky", 15: "broken"}.get(index % 20)


def generate(n: int, now: datetime, span_days: float) -> list[GenArticle]:
    """The ``n`` articles of the site, newest first."""
    step = timedelta(days=span_days) / n
    articles = []
    for index in range(n):
        published = (now - step * (index + 0.5)).replace(second=0, microsecond=0)
        rng = random.Random(index)
        words = [rng.choice(_WORDS) for _ in range(6)]
        section = list(SECTIONS)[index % len(SECTIONS)]
        articles.append(GenArticle(
            index=index,
            key=f"{published:%Y%m%d}01{index:07d}",
            section=section,
            published=published,
            title=f"{words[0]} {words[1]}, {words[2]} 추진 ({index}호)",
            subtitle=f"{words[3]}와 {words[4]} 협력",
            paragraphs=tuple(
                f"{words[p % 6]} 관계자는 {published:%-d}일 {words[(p + 1) % 6]} {words[(p + 2) % 6]} 문제를 두고 "
                f"{p + 1}번째 설명을 내놨다. 기사 {index}의 문단 {p + 1}이다."
                for p in range(2 + index % 4)
            ),
            reporter=_REPORTERS[index % len(_REPORTERS)],
        ))
    return articles


def _kst(when: datetime) -> str:
    return f"{when:%Y-%m-%d %H:%M}"


class Renderer:
    """Pages of the generated site, from the fixture pages' markup."""

    def __init__(self, articles: list[GenArticle]):
        self.articles = articles
        self.by_key = {article.key: article for article in articles}
        self.article_page = (FIXTURES / f"view-{SEED_KEY}.html").read_text(encoding="utf-8")
        self.redesign_page = (FIXTURES.parent / "variants" / "joongdo-redesign.html").read_text(encoding="utf-8")
        self.list_page = (FIXTURES / "list_news-N01_06-page1.html").read_text(encoding="utf-8")
        self.list_item = re.search(r"<li>.*?</li>", self.list_page, re.S).group(0)

    def article(self, article: GenArticle, modified: datetime | None = None, edited: bool = False,
                drift: bool = False, layout: str = "seed") -> bytes:
        """The article page; ``edited`` changes its text, ``drift`` drops its dates (a new layout);
        ``layout`` "redesign" renders it in the markup of ``variants/joongdo-redesign.html``."""
        if layout == "redesign":
            return self.redesigned(article, modified, edited)
        if layout != "seed":
            raise ValueError(f"no layout {layout!r} (seed, redesign)")
        page = self.article_page
        section, sub = SECTIONS[article.section]
        paragraphs = list(article.paragraphs)
        if edited:
            paragraphs[0] = "[수정] " + paragraphs[0]
        name, rid = article.reporter
        body = "<br /><br />".join(escape(p) for p in paragraphs) + f"<br /><br /><br />대전={name} 기자 {rid}@&nbsp;"
        page = re.sub(r"<br />세종시가 8일.*?victorylba@&nbsp;", lambda _: "<br />" + body, page, count=1, flags=re.S)
        page = re.sub(r'<ul class="location">.*?</ul>', lambda _: (
            f'<ul class="location"><li><a href="/web/section.php?ncid={article.section[:3]}">{section}</a></li>'
            f'<li><a href="/web/list_news.php?ncid={article.section}">{sub}</a></li></ul>'), page, count=1, flags=re.S)
        replacements = {
            SEED_TITLE: escape(article.title), SEED_KEY: article.key,
            "정보보호의날 맞아 국무총리상 수상": escape(article.subtitle),
            "승인 2020-07-08 08:05": f"승인 {_kst(article.published)}",
            "수정 2021-05-16 22:05": f"수정 {_kst(modified or article.published)}",
            "신문게재 2020-07-09 8면": f"신문게재 {article.published + timedelta(days=1):%Y-%m-%d} {article.index % 20 + 1}면",
            "임병안 기자": f"{name} 기자", "rid=victorylba": f"rid={rid}",
        }
        for old, new in replacements.items():
            page = page.replace(old, new)
        page = page.replace(f"{PHOTO_HOST}/mnt/images/file/2020y/07m/08d/2020070801000497300019301.jpg",
                            OFFSITE_PHOTOS + photo_path(article.key))
        if drift:
            page = re.sub(r'<ul class="date">.*?</ul>', "", page, count=1, flags=re.S)
        return page.encode("utf-8")

    def redesigned(self, article: GenArticle, modified: datetime | None, edited: bool) -> bytes:
        """The article in the redesigned layout, whose markup the joongdo profile does not know:
        every field must then come from labels, metadata and the generic layer."""
        section, sub = SECTIONS[article.section]
        name, rid = article.reporter
        paragraphs = ["[수정] " + article.paragraphs[0], *article.paragraphs[1:]] if edited else article.paragraphs
        text = "".join(f"<p>{escape(p)}</p>\n        " for p in paragraphs)
        page = re.sub(r'(</figure>\s*).*?(<p class="story__signature">)', lambda m: m[1] + text + m[2],
                      self.redesign_page, count=1, flags=re.S)
        published, changed = article.published, modified or article.published
        replacements = {
            SEED_TITLE: escape(article.title), SEED_KEY: article.key,
            "정보보호의날 맞아 국무총리상 수상": escape(article.subtitle),
            "2020-07-08T08:05:00+09:00": published.isoformat(), "입력 2020.07.08 08:05": f"입력 {published:%Y.%m.%d %H:%M}",
            "2021-05-16T22:05:00+09:00": changed.isoformat(), "수정 2021.05.16 22:05": f"수정 {changed:%Y.%m.%d %H:%M}",
            "지면 2020.07.09 8면": f"지면 {published + timedelta(days=1):%Y.%m.%d} {article.index % 20 + 1}면",
            "세종=임병안 기자 victorylba@": f"대전={name} 기자 {rid}@", "rid=victorylba": f"rid={rid}",
            "임병안 기자": f"{name} 기자", ">정치/행정</a>": f">{section}</a>", ">세종</a>": f">{sub}</a>",
            "ncid=N01_06": f"ncid={article.section}",
        }
        for old, new in replacements.items():
            page = page.replace(old, new)
        return page.encode("utf-8")

    def list_page_for(self, section: str | None, page: int) -> bytes:
        """Page ``page`` of the all-news list (``section`` None) or of a section's list."""
        listed = [a for a in self.articles if section in (None, a.section)]
        chunk = listed[(page - 1) * PAGE_SIZE: page * PAGE_SIZE]
        items = [self._list_item(article, section) for article in chunk]
        if section is None and page == 1 and chunk:
            items.insert(1, self._item(f"http://{OFFSITE_HOST}/web/view.php?key={chunk[0].key[:8]}019999999",
                                       "다른 사이트의 기사", chunk[0].published))
        pages = max(1, -(-len(listed) // PAGE_SIZE))
        html = re.sub(r'<div class="news-list">\s*<ul>.*?</ul>',
                      lambda _: '<div class="news-list">\n<ul>\n' + "\n".join(items) + "\n</ul>", self.list_page,
                      count=1, flags=re.S)
        html = re.sub(r'<div class="paging">.*?</div>', lambda _: self._paging(section, page, pages), html,
                      count=1, flags=re.S)
        return html.encode("utf-8")

    def _list_item(self, article: GenArticle, section: str | None) -> str:
        """Links vary the way the real lists vary: relative or absolute, http or https,
        www or not, /web or /main, extra ncid before or after the key."""
        code = section or article.section
        href = (f"/web/view.php?key={article.key}&amp;ncid={code}",
                f"http://www.joongdo.co.kr/web/view.php?key={article.key}",
                f"https://joongdo.co.kr/main/view.php?key={article.key}&amp;ncid={code}",
                f"/web/view.php?ncid={code}&amp;key={article.key}")[article.index % 4]
        return self._item(href, article.title, article.published)

    def _item(self, href: str, title: str, published: datetime) -> str:
        item = self.list_item.replace("/web/view.php?key=20200708010002304&amp;ncid=N01_06", href)
        item = item.replace(SEED_TITLE, escape(title)).replace("2020-07-08 08:05", _kst(published))
        return item

    def _paging(self, section: str | None, page: int, pages: int) -> str:
        query = f"ncid={section}&amp;" if section else ""
        first = (page - 1) // 10 * 10 + 1
        links = [f"<strong>{n}</strong>" if n == page else f'<a href="/web/list_news.php?{query}page={n}">{n}</a>'
                 for n in range(first, min(first + 9, pages) + 1)]
        if first + 10 <= pages:
            links.append(f'<a href="/web/list_news.php?{query}page={first + 10}" class="next">다음</a>')
        return '<div class="paging">' + "\n".join(links) + "</div>"

    def rss(self) -> bytes:
        items = "".join(
            f"<item><title><![CDATA[{a.title}]]></title>"
            f"<link>http://www.joongdo.co.kr/web/view.php?key={a.key}</link>"
            f"<dc:creator>{a.reporter[0]} 기자</dc:creator><pubDate>{format_datetime(a.published)}</pubDate>"
            f"<guid isPermaLink=\"true\">http://www.joongdo.co.kr/web/view.php?key={a.key}</guid></item>\n"
            for a in self.articles[:RSS_SIZE]
        )
        return ('<?xml version="1.0" encoding="UTF-8"?>\n<rss version="2.0" xmlns:dc="http://purl.org/dc/elements/1.1/">'
                f"<channel><title>중도일보</title><link>http://www.joongdo.co.kr/web/</link>\n{items}</channel></rss>"
                ).encode("utf-8")

    def robots(self) -> bytes:
        disallowed = [a.key for a in self.articles if a.quirk == "disallowed"]
        rules = "".join(f"Disallow: /web/view.php?key={key}\n" for key in disallowed)
        return f"User-agent: *\n{rules}Disallow: /web/search.php\n".encode()


#: Where the fixture pages' photos live on the real site; the test servers serve them themselves.
PHOTO_HOST = "http://dn.joongdo.co.kr"
#: Where generated articles' photos are: a host no crawl follows or resolves (the server's
#: ``--local-photos`` serves them itself). Not the server's own address: stored photo URLs,
#: part of an article's content, stay the same whatever port a test server got.
OFFSITE_PHOTOS = "http://photos.invalid"
#: Photos of generated articles look alike in this many ways: one image, many URLs.
PHOTO_VARIANTS = 7


def photo_path(key: str) -> str:
    """The (site-relative) address of generated article ``key``'s photo."""
    return f"/mnt/images/file/{key}_1.png"


def photo_number(path: str) -> int:
    """The number a photo's file name starts with (the article key of ``/…/K_1.png``), last 6 digits."""
    digits = "".join(c for c in path.rsplit("/", 1)[-1].split("_")[0] if c.isdigit())
    return int(digits[-6:] or 0)


def photo_png(name: str, width: int = 320, height: int = 200) -> bytes:
    """A real PNG image for the photo at path ``name``: a colour band pattern that depends on
    its number modulo PHOTO_VARIANTS, so that different URLs share bytes."""
    variant = photo_number(name) % PHOTO_VARIANTS
    colour = bytes([(60 + 40 * variant) % 256, (180 - 20 * variant) % 256, (90 + 25 * variant) % 256])
    rows = b"".join(b"\0" + (colour if (y // 20 + variant) % 2 else b"\xf0\xf0\xe8") * width for y in range(height))

    def chunk(kind: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))

    header = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    return b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IDAT", zlib.compress(rows)) + chunk(b"IEND", b"")


def etag(body: bytes) -> str:
    return '"' + hashlib.sha1(body).hexdigest()[:16] + '"'
