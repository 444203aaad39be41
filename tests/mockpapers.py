"""Generated news sites that are not 중도일보: an ND소프트 paper, and a site no profile knows.

    python tests/mockpapers.py --kind ndsoft|generic --root DIR --generate N [--now ISO]
                               [--span-days D] [--log FILE] [--pause-after K]

Both hold the articles of :func:`mocksite.generate` (same dates, text and misbehaving ones,
answered by :class:`mockserver.Handler`, so ETags, 304s, edits and ``/_control/…`` work the
same), in other markup and announced other ways.

``ndsoft``  the ND소프트 CMS (markup of ``tests/fixtures/ndsoft/``): articles at
            ``/news/articleView.html?idxno=ID`` (:func:`idxno`), the summary lists
            ``/news/articleList.html?[sc_section_code=S1Nk&]view_type=sm&page=N`` (10 a page,
            ND소프트's pagination), the feed ``/rss/allArticle.xml`` (zone-less dates, one item
            on another paper's host).
``generic`` a site without a profile (markup of ``tests/fixtures/generic/``): articles at
            ``/news/YYYY/MM/DD/ID.html``; a home page naming its RSS (``/feed/``, links with
            ``utm_`` parameters; ``/feed`` redirects there) and Atom (``/atom.xml``) feeds;
            ``/plain/``, a page naming no feed; robots.txt naming ``/sitemap_index.xml``: a
            Google News sitemap (the last two days), one gzipped sitemap per month (an undated
            URL in the newest), a sitemap of pages that are not articles (``/about/``, the
            section front ``/news/society/``) and one on another host.
"""

from __future__ import annotations

import argparse
import gzip
import re
import sys
import threading
import time
from datetime import datetime, timedelta
from email.utils import format_datetime
from html import escape
from pathlib import Path
from urllib.parse import parse_qs, urlsplit

from mocksite import PAGE_SIZE, RSS_SIZE, SECTIONS, GenArticle, generate
from mockserver import KST, GeneratedSite, Handler, QuietServer

FIXTURES = Path(__file__).parent / "fixtures"
#: Hosts that lists, feeds and sitemaps link to and a crawl must never request.
OTHER_PAPER = "www.other-paper.example"
OFFSITE_SITEMAP = "https://static.elsewhere.example/sitemap.xml"
#: Listed in the newest monthly sitemap without a date: never fetched.
UNDATED_PATH = "/news/archive-note.html"
#: Pages in the generic site's sitemaps that are not articles.
NOT_ARTICLES = ("/about/", "/news/society/")
#: The generic site's Google News sitemap lists what is at most this old.
NEWS_SITEMAP_DAYS = 2


def idxno(article: GenArticle) -> int:
    """The ND소프트 article number: newer articles have higher numbers."""
    return 50000 - article.index


def section_code(article: GenArticle) -> str:
    """The ND소프트 section code of an article (S1N1 …), one per generated section."""
    return f"S1N{list(SECTIONS).index(article.section) + 1}"


def generic_path(article: GenArticle) -> str:
    return f"/news/{article.published:%Y/%m/%d}/{10000 + article.index}.html"


def _minute(when: datetime, sep: str = "-") -> str:
    return when.strftime(f"%Y{sep}%m{sep}%d %H:%M")


class NdsoftPaper:
    """Pages of the generated ND소프트 paper at ``base`` (set once the server is listening)."""

    def __init__(self, articles: list[GenArticle], base: str = ""):
        self.articles, self.base = articles, base
        self.by_id = {str(idxno(a)): a for a in articles}
        self.view = (FIXTURES / "ndsoft" / "articleView-21457.html").read_text(encoding="utf-8")
        self.list_page = (FIXTURES / "ndsoft" / "articleList-S1N1-page1.html").read_text(encoding="utf-8")
        self.block = re.search(r'<div class="list-block">\s*<div class="list-titles">.*?</div>\s*</div>',
                               self.list_page, re.S).group(0)

    def article(self, article: GenArticle, modified: datetime | None = None, edited: bool = False,
                drift: bool = False, layout: str = "seed") -> bytes:
        """The article page; ``drift`` drops its 입력/수정 lines and date metadata."""
        _seed_layout_only(layout)
        name, rid = article.reporter
        paragraphs = ["[수정] " + article.paragraphs[0], *article.paragraphs[1:]] if edited else article.paragraphs
        body = (re.search(r"<figure.*?</figure>", self.view, re.S).group(0)
                + "".join(f"<p>{escape(p)}</p>" for p in paragraphs) + f"<p>{name} 기자 {rid}@hanbat-news.example</p>")
        page = _between(self.view, r'<article id="article-view-content-div"[^>]*>', "</article>", body)
        section = SECTIONS[article.section][0]
        page = _between(page, r'<nav class="breadcrumbs">', "</nav>", (
            f'<a href="/">홈</a><a href="/news/articleList.html?sc_section_code={section_code(article)}'
            f'&amp;view_type=sm">{escape(section)}</a>'))
        page = _between(page, r'<h2 class="subheading">', "</h2>", escape(article.subtitle))
        replacements = {
            "https://www.hanbat-news.example": self.base, "idxno=21457": f"idxno={idxno(article)}",
            'content="21457"': f'content="{idxno(article)}"',
            "대전시, 원도심 빈 점포 50곳에 청년 창업 공간 조성": escape(article.title),
            "김하늘 기자": f"{name} 기자", "sky@hanbat-news.example": f"{rid}@hanbat-news.example",
            "입력 2024.11.05 14:20": f"입력 {_minute(article.published, '.')}",
            "수정 2024.11.06 09:03": f"수정 {_minute(modified or article.published, '.')}",
            "2024-11-05T14:20:00+09:00": article.published.isoformat(),
        }
        for old, new in replacements.items():
            page = page.replace(old, new)
        if drift:
            page = re.sub(r'<ul class="infomation">.*?</ul>|<meta property="article:published_time"[^>]*>', "", page,
                          flags=re.S)
        return page.encode("utf-8")

    def list_page_for(self, section: str | None, page: int) -> bytes:
        """Page ``page`` of the all-articles list (``section`` None) or of a section's list."""
        listed = [a for a in self.articles if section in (None, section_code(a))]
        chunk = listed[(page - 1) * PAGE_SIZE: page * PAGE_SIZE]
        blocks = "\n".join(self._block(article) for article in chunk)
        html = _between(self.list_page, r'<section class="article-list-content[^>]*>', "</section>", blocks)
        pages = max(1, -(-len(listed) // PAGE_SIZE))
        html = _between(html, r'<ul class="pagination">', "</ul>", self._pagination(section, page, pages, len(listed)))
        return html.encode("utf-8")

    def _block(self, article: GenArticle) -> str:
        name = article.reporter[0]
        block = self.block.replace("idxno=21456", f"idxno={idxno(article)}")
        block = block.replace("세종시, 행정수도 특별법 제정 촉구 결의", escape(article.title))
        block = _between(block, r'class="line-height-3-2x">', "</a>", escape(article.paragraphs[0]))
        section = SECTIONS[article.section][0]
        return block.replace("정치 | 박정우 기자 | 2024-11-05 11:40",
                             f"{section} | {name} 기자 | {_minute(article.published)}")

    def _pagination(self, section: str | None, page: int, pages: int, total: int) -> str:
        """ND소프트's pagination: ten page numbers, the current one ``li.current``, then
        다음 (the next ten) and 맨끝 (the last page)."""
        def href(number: int) -> str:
            return (f"/news/articleList.html?page={number}&amp;total={total}&amp;box_idxno=&amp;sc_section_code="
                    f"{section or ''}&amp;sc_sub_section_code=&amp;sc_word=&amp;sc_order_by=E&amp;view_type=sm")
        first = (page - 1) // 10 * 10 + 1
        items = [f'<li class="pagination-start"><a href="{href(1)}">처음</a></li>']
        items += ['<li class="current"><a>%d</a></li>' % n if n == page else f'<li><a href="{href(n)}">{n}</a></li>'
                  for n in range(first, min(first + 9, pages) + 1)]
        if first + 10 <= pages:
            items.append(f'<li class="pagination-next"><a href="{href(first + 10)}">다음</a></li>')
        items.append(f'<li class="pagination-end"><a href="{href(pages)}">맨끝</a></li>')
        return "\n".join(items)

    def rss(self) -> bytes:
        """The all-articles feed as the CMS writes it: pubDate with no zone."""
        items = [(f"{self.base}/news/articleView.html?idxno={idxno(a)}", a.title, a.published)
                 for a in self.articles[:RSS_SIZE]]
        items.insert(1, (f"https://{OTHER_PAPER}/news/articleView.html?idxno=9", "다른 신문의 기사",
                         self.articles[0].published))
        entries = "".join(f"<item><title><![CDATA[{title}]]></title><link>{link}</link>"
                          f"<pubDate>{when:%Y-%m-%d %H:%M:%S}</pubDate></item>\n" for link, title, when in items)
        return (f'<?xml version="1.0" encoding="UTF-8"?>\n<rss version="2.0"><channel><title>한밭뉴스</title>'
                f"<link>{self.base}/</link>\n{entries}</channel></rss>").encode("utf-8")

    def robots(self) -> bytes:
        return b"User-agent: *\nDisallow: /member/\n"

    def route(self, handler: PaperHandler, path: str, query: dict[str, str]) -> bool:
        """Answer ``path`` if it is one of the paper's pages; False leaves it to the base server."""
        if path == "/news/articleView.html":
            article = self.by_id.get(query.get("idxno", ""))
            if article is None:
                handler.send(200, (FIXTURES / "ndsoft" / "articleView-missing.html").read_bytes())
            else:
                handler.generated_article(article)
        elif path == "/news/articleList.html":
            handler.send(200, self.list_page_for(query.get("sc_section_code") or None, int(query.get("page", "1"))))
        elif path == "/rss/allArticle.xml":
            handler.send(200, self.rss(), "application/xml; charset=utf-8")
        else:
            return False
        return True


class GenericNewsSite:
    """Pages of the generated site that no profile knows, at ``base``."""

    def __init__(self, articles: list[GenArticle], now: datetime, base: str = ""):
        self.articles, self.now, self.base = articles, now, base
        self.by_path = {generic_path(a): a for a in articles}
        self.view = (FIXTURES / "generic" / "chungnam-today-1234.html").read_text(encoding="utf-8")

    def article(self, article: GenArticle, modified: datetime | None = None, edited: bool = False,
                drift: bool = False, layout: str = "seed") -> bytes:
        """The article page; ``drift`` drops its 등록/수정 dates (and with them, for a site
        read without a profile, what makes the page an article)."""
        _seed_layout_only(layout)
        name, rid = article.reporter
        paragraphs = ["[수정] " + article.paragraphs[0], *article.paragraphs[1:]] if edited else article.paragraphs
        photo = re.search(r"<p><img.*?</p>\s*<p>▲.*?</p>", self.view, re.S).group(0)
        text = [f"<p>{escape(p)}</p>" for p in paragraphs]
        body = "\n".join([text[0], photo, *text[1:], f"<p>대전={name} 기자 {rid}@chungnam-today.example</p>"])
        page = _between(self.view, r'<div class="view_body">', r'<p class="copy">', body)
        section, sub = SECTIONS[article.section]
        replacements = {
            "https://www.chungnam-today.example": self.base, "/news/2024/05/01/1234.html": generic_path(article),
            "천안시, 시내버스 노선 전면 개편… 6월부터 시행": escape(article.title),
            "간선·지선 체계로 바꿔 환승 쉽게": escape(article.subtitle), "박서연 기자": f"{name} 기자",
            "sy.park@chungnam-today.example": f"{rid}@chungnam-today.example",
            "HOME &gt; 사회 &gt; 교통": f"HOME &gt; {escape(section)} &gt; {escape(sub)}",
            "등록 2024-05-01 10:30": f"등록 {_minute(article.published)}",
            "수정 2024-05-02 08:10": f"수정 {_minute(modified or article.published)}",
            "신문게재 2024년 05월 02일 3면": f"신문게재 {article.published + timedelta(days=1):%Y년 %m월 %d일} "
                                       f"{article.index % 20 + 1}면",
        }
        for old, new in replacements.items():
            page = page.replace(old, new)
        if drift:
            page = re.sub(r'<span class="date">.*?</span>', "", page)
        return page.encode("utf-8")

    # -- pages that announce the articles ---------------------------------------------------

    def home(self, feeds: bool = True) -> bytes:
        links = ('<link rel="alternate" type="application/rss+xml" title="충남투데이 RSS" href="/feed/">\n'
                 '<link rel="alternate" type="application/atom+xml" href="/atom.xml">\n') if feeds else ""
        items = "".join(f'<li><a href="{generic_path(a)}">{escape(a.title)}</a></li>' for a in self.articles[:10])
        return (f'<!DOCTYPE html>\n<html lang="ko"><head><meta charset="utf-8"><title>충남투데이</title>\n{links}'
                f'</head><body><h1>충남투데이</h1><ul class="latest">{items}</ul></body></html>').encode("utf-8")

    def not_article(self, path: str) -> bytes:
        """A page in the sitemaps that is no article: an "about us" page or a section front."""
        items = "".join(f'<li><a href="{generic_path(a)}">{escape(a.title)}</a></li>' for a in self.articles[:20])
        return (f'<!DOCTYPE html>\n<html lang="ko"><head><meta charset="utf-8"><title>{path} :: 충남투데이</title>'
                f'</head><body><h1>충남투데이 {path}</h1><p>충남투데이는 천안과 아산의 소식을 전하는 지역 신문입니다. '
                f'독자 여러분의 제보를 기다립니다.</p><ul>{items}</ul></body></html>').encode("utf-8")

    def rss(self) -> bytes:
        items = "".join(
            f"<item><title>{escape(a.title)}</title><link>{self.base}{generic_path(a)}?utm_source=rss&amp;"
            f"utm_medium=rss</link><pubDate>{format_datetime(a.published)}</pubDate></item>\n"
            for a in self.articles[:10])
        return (f'<?xml version="1.0" encoding="UTF-8"?>\n<rss version="2.0"><channel><title>충남투데이</title>'
                f"<link>{self.base}/</link>\n{items}</channel></rss>").encode("utf-8")

    def atom(self) -> bytes:
        entries = "".join(f'<entry><title>{escape(a.title)}</title><link href="{self.base}{generic_path(a)}"/>'
                          f"<id>{self.base}{generic_path(a)}</id><updated>{a.published.isoformat()}</updated></entry>\n"
                          for a in self.articles[:10])
        return ('<?xml version="1.0" encoding="utf-8"?>\n<feed xmlns="http://www.w3.org/2005/Atom">'
                f"<title>충남투데이</title>\n{entries}</feed>").encode("utf-8")

    def robots(self) -> bytes:
        disallowed = "".join(f"Disallow: {generic_path(a)}\n" for a in self.articles if a.quirk == "disallowed")
        return f"User-agent: *\n{disallowed}Disallow: /search/\n\nSitemap: {self.base}/sitemap_index.xml\n".encode()

    def months(self) -> dict[str, list[GenArticle]]:
        """The articles by month of publication (``2025-12``), newest month first."""
        months: dict[str, list[GenArticle]] = {}
        for article in self.articles:
            months.setdefault(f"{article.published:%Y-%m}", []).append(article)
        return months

    def sitemap_index(self) -> bytes:
        entries = [(f"{self.base}/sitemap-news.xml", self.now), (f"{self.base}/sitemap-pages.xml", self.now),
                   (OFFSITE_SITEMAP, self.now)]
        entries += [(f"{self.base}/sitemap-posts-{month}.xml.gz", listed[0].published)
                    for month, listed in self.months().items()]
        body = "".join(f"<sitemap><loc>{loc}</loc><lastmod>{when.isoformat()}</lastmod></sitemap>\n"
                       for loc, when in entries)
        return ('<?xml version="1.0" encoding="UTF-8"?>\n<sitemapindex xmlns="http://www.sitemaps.org/schemas/'
                f'sitemap/0.9">\n{body}</sitemapindex>').encode("utf-8")

    def news_sitemap(self) -> bytes:
        recent = [a for a in self.articles if self.now - a.published <= timedelta(days=NEWS_SITEMAP_DAYS)]
        body = "".join(
            f"<url><loc>{self.base}{generic_path(a)}</loc><news:news><news:publication><news:name>충남투데이"
            f"</news:name><news:language>ko</news:language></news:publication><news:publication_date>"
            f"{a.published.isoformat()}</news:publication_date><news:title>{escape(a.title)}</news:title>"
            "</news:news></url>\n" for a in recent)
        return _urlset(body, ' xmlns:news="http://www.google.com/schemas/sitemap-news/0.9"')

    def month_sitemap(self, month: str) -> bytes | None:
        listed = self.months().get(month)
        if listed is None:
            return None
        body = "".join(f"<url><loc>{self.base}{generic_path(a)}</loc><lastmod>{a.published.isoformat()}</lastmod>"
                       "</url>\n" for a in listed)
        if month == next(iter(self.months())):
            body += f"<url><loc>{self.base}{UNDATED_PATH}</loc></url>\n"
        return gzip.compress(_urlset(body))

    def pages_sitemap(self) -> bytes:
        when = (self.now - timedelta(hours=1)).isoformat()
        return _urlset("".join(f"<url><loc>{self.base}{path}</loc><lastmod>{when}</lastmod></url>\n"
                               for path in NOT_ARTICLES))

    def route(self, handler: PaperHandler, path: str, query: dict[str, str]) -> bool:
        """Answer ``path`` if it is one of the site's pages; False leaves it to the base server."""
        month = re.fullmatch(r"/sitemap-posts-(\d{4}-\d\d)\.xml\.gz", path)
        xml = {"/feed/": self.rss, "/atom.xml": self.atom, "/sitemap_index.xml": self.sitemap_index,
               "/sitemap-news.xml": self.news_sitemap, "/sitemap-pages.xml": self.pages_sitemap}
        if path in self.by_path:
            handler.generated_article(self.by_path[path])
        elif path in xml:
            handler.send(200, xml[path](), "application/xml")
        elif path in ("/", "/plain/"):
            handler.send(200, self.home(feeds=path == "/"))
        elif path == "/feed":
            handler.send(301, b"", headers={"Location": "/feed/"})
        elif path in NOT_ARTICLES:
            handler.send(200, self.not_article(path))
        elif month and self.month_sitemap(month[1]) is not None:
            handler.send(200, self.month_sitemap(month[1]), "application/gzip")
        else:
            return False
        return True


def _between(html: str, opening: str, closing: str, content: str) -> str:
    """``html`` with what is between the first ``opening`` and the ``closing`` after it
    (regular expressions) replaced by ``content``."""
    return re.sub(f"({opening}).*?({closing})", lambda m: m[1] + content + m[2], html, count=1, flags=re.S)


def _urlset(body: str, namespaces: str = "") -> bytes:
    return ('<?xml version="1.0" encoding="UTF-8"?>\n<urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9"'
            f"{namespaces}>\n{body}</urlset>").encode("utf-8")


def _seed_layout_only(layout: str) -> None:
    if layout != "seed":
        raise ValueError(f"this generated site has one layout (seed), not {layout!r}")


class PaperHandler(Handler):
    """The mock server's handler with the generated paper's own pages in front."""

    #: seconds every answer takes (``--latency``): a server far away, for the cluster benchmark
    latency = 0.0

    def do_GET(self) -> None:  # noqa: N802 (http.server's naming)
        if self.latency:
            time.sleep(self.latency)
        parts = urlsplit(self.path)
        query = {k: v[0] for k, v in parse_qs(parts.query).items()}
        if not self.site.renderer.route(self, parts.path, query):
            super().do_GET()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--kind", choices=("ndsoft", "generic"), required=True)
    parser.add_argument("--root", type=Path, required=True, help="robots.txt there overrides the generated one")
    parser.add_argument("--generate", type=int, required=True, metavar="N")
    parser.add_argument("--now", type=datetime.fromisoformat, help="the site's present (default: now)",
                        default=datetime.now(KST).replace(second=0, microsecond=0))
    parser.add_argument("--span-days", type=float, default=120.0)
    parser.add_argument("--log", type=Path)
    parser.add_argument("--pause-after", type=int)
    parser.add_argument("--host", default="127.0.0.1", help="the loopback address to serve on (127.0.0.2: another site)")
    parser.add_argument("--latency", type=float, default=0.0, help="answer every request after this many seconds")
    args = parser.parse_args()
    articles = generate(args.generate, args.now, args.span_days)
    renderer = NdsoftPaper(articles) if args.kind == "ndsoft" else GenericNewsSite(articles, args.now)
    PaperHandler.root, PaperHandler.stop_hanging = args.root, threading.Event()
    PaperHandler.site = GeneratedSite(renderer=renderer, pause_after=args.pause_after,
                                      log=args.log.open("a", encoding="utf-8") if args.log else None)
    PaperHandler.latency = args.latency
    server = QuietServer((args.host, 0), PaperHandler)
    renderer.base = f"http://{args.host}:{server.server_address[1]}"
    print(renderer.base, flush=True)
    try:
        server.serve_forever()
    finally:
        PaperHandler.stop_hanging.set()


if __name__ == "__main__":
    sys.exit(main())
