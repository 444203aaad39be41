"""A generated 중도일보 written to disk, for the crawl, memory and disk benchmarks.

The pages are the test suite's generated site (``tests/mocksite.py``: the real article
page's markup with each article's title, dates, sections and reporter) with two changes
towards real pages: bodies of about 1,500 characters of long-tailed Korean vocabulary
(``tests/synthetic.py``) instead of a few short lines, and a ranking list that changes from
page to page (the ten articles before it) instead of the same ten headlines everywhere.
No article misbehaves (no 404s, no slow pages): the benchmarks measure throughput.

Every response is a file named by its quoted request target, so
:mod:`benchmarks.staticserver` serves the site with one dictionary lookup per request.
"""

from __future__ import annotations

import dataclasses
import itertools
import random
import re
from datetime import datetime, timedelta
from html import escape
from pathlib import Path
from urllib.parse import quote

from newscrawl.clock import KST

from .generators import mocksite, synthetic

#: Days the generated articles are spread over, newest an hour before generation.
SPAN_DAYS = 60
_RANKING_ITEM = re.compile(r'<li><a href="http://www\.joongdo\.co\.kr/web/view\.php\?key=\d+">[^<]*</a></li>')
_LIST_END = "<!-- 헤드라인 s -->"


@dataclasses.dataclass(frozen=True)
class Site:
    """A site on disk: its directory, its articles (newest first), and the window that holds them."""

    root: Path
    articles: list[mocksite.GenArticle]
    since: datetime
    until: datetime

    def article_urls(self, base_url: str) -> list[str]:
        return [f"{base_url}/web/view.php?key={a.key}" for a in self.articles]

    def list_urls(self, base_url: str) -> list[str]:
        return [f"{base_url}{target}" for target in _list_targets(len(self.articles))]

    def html_bytes(self) -> int:
        """Bytes of all article pages, as served."""
        return sum(target_file(self.root, _article_target(a)).stat().st_size for a in self.articles)


def target_file(root: Path, target: str) -> Path:
    """The file that answers request ``target`` (path and query)."""
    return root / quote(target, safe="")


def _article_target(article: mocksite.GenArticle) -> str:
    return f"/web/view.php?key={article.key}"


def _list_targets(count: int) -> list[str]:
    pages = max(1, -(-count // mocksite.PAGE_SIZE))
    return [f"/web/list_news.php?page={page}" for page in range(1, pages + 1)]


def generate(directory: Path, count: int) -> Site:
    """The site of ``count`` articles in ``directory``, written there unless it already is."""
    now = datetime.now(KST).replace(minute=0, second=0, microsecond=0) - timedelta(hours=1)
    marker = directory / "COMPLETE"
    if marker.exists():
        now = datetime.fromisoformat(marker.read_text().strip())
    articles = _with_long_bodies(mocksite.generate(count, now, SPAN_DAYS))
    site = Site(directory, articles, now - timedelta(days=SPAN_DAYS + 1), now + timedelta(hours=1))
    if not marker.exists():
        _write(site)
        marker.write_text(now.isoformat())
    return site


def _with_long_bodies(articles: list[mocksite.GenArticle]) -> list[mocksite.GenArticle]:
    rng = random.Random(6)
    sentences = synthetic.corpus_sentences()
    words = synthetic.vocabulary(rng, sentences)
    weights = list(itertools.accumulate(1 / rank for rank in range(1, len(words) + 1)))
    return [dataclasses.replace(article, paragraphs=tuple(
        synthetic.synthetic_article(article.index, rng, sentences, words, weights).body.split("\n\n")))
        for article in articles]


def _write(site: Site) -> None:
    site.root.mkdir(parents=True, exist_ok=True)
    renderer = mocksite.Renderer(site.articles)
    for article in site.articles:
        page = renderer.article(article).decode("utf-8")
        target_file(site.root, _article_target(article)).write_bytes(_varied_ranking(page, site.articles, article).encode())
    for page, target in enumerate(_list_targets(len(site.articles)), start=1):
        target_file(site.root, target).write_bytes(renderer.list_page_for(None, page))
    target_file(site.root, "/web/rss.php").write_bytes(renderer.rss())
    target_file(site.root, "/robots.txt").write_bytes(b"User-agent: *\nDisallow: /web/search.php\n")


def _varied_ranking(page: str, articles: list[mocksite.GenArticle], article: mocksite.GenArticle) -> str:
    """``page`` with its ranking list showing the ten articles published before ``article``."""
    ranked = itertools.cycle(articles[article.index + 1:] + articles[:article.index + 1])
    head, tail = page.split(_LIST_END, 1)

    def item(_match: re.Match[str]) -> str:
        other = next(ranked)
        return (f'<li><a href="http://www.joongdo.co.kr/web/view.php?key={other.key}">'
                f"{escape(other.title)}</a></li>")

    return _RANKING_ITEM.sub(item, head) + _LIST_END + tail
