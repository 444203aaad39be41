"""Each extraction layer on its own, on small pages made for the purpose (each with a control)."""

from __future__ import annotations

import json
from datetime import datetime, timezone

import pytest
from lxml import html as lxml_html
from mocksite import Renderer, generate

from newscrawl.extract.breadcrumbs import breadcrumb
from newscrawl.extract.bylines import bylines_on_page
from newscrawl.extract.headings import headline_node, subtitle_after, without_site_name
from newscrawl.extract.maintext import main_text, pruned_copy
from newscrawl.extract.metadata import PageMetadata
from newscrawl.extract.page import ArticlePage
from newscrawl.extract.photos import article_photos
from newscrawl.items import RawPage
from newscrawl.reading import read_page
from newscrawl.sites import GENERIC
from parsel import Selector

URL = "http://news.example.org/2024/05/01/a.html"
PARAGRAPHS = [
    "대전시가 내년부터 원도심 빈 점포를 청년 창업 공간으로 바꾸는 사업을 시작한다고 1일 밝혔다. 사업비는 모두 40억 원이다.",
    "시는 건물주와 협약을 맺어 임대료를 시세의 절반 수준으로 낮추고, 그 차액을 예산으로 보전한다. 입주 기간은 최대 2년이다.",
    "시 관계자는 \"원도심 상권이 살아나는 계기가 될 것\"이라고 말했다. 입주 기업 모집은 내년 1월에 시작한다.",
]


def root_of(body: str, head: str = "") -> lxml_html.HtmlElement:
    return lxml_html.document_fromstring(f"<html><head>{head}</head><body>{body}</body></html>")


def page_of(body: str, head: str = "") -> ArticlePage:
    return ArticlePage(f"<html><head>{head}</head><body>{body}</body></html>", URL, GENERIC)


# -- label layer: what the page says ----------------------------------------------------


@pytest.mark.parametrize("markup", [
    "<p><span>등록</span> <em>2024-05-01 10:30</em></p>",
    "<li>입력 : 2024.05.01 10:30 | 수정 2024.05.02 08:10</li>",
    "<td><font>기사입력 : 2024년 05월 01일 10시 30분</font></td>",
    "<div><time datetime='2024-05-01'>승인 2024-05-01 10:30</time></div>",
])
def test_publication_label_in_any_markup(markup):
    page = page_of(markup)
    assert page.published_raw().startswith("2024")
    assert page.sources["published_at"] == "label"


def test_label_words_without_a_date_are_no_dates():
    page = page_of("<p>입력창에 수정할 내용을 적으세요</p><p>국회는 수정 2021년 예산안을 의결했다</p>")
    # No label gives a date: the publication date is the one the URL carries (/2024/05/01/).
    assert (page.published_raw(), page.sources["published_at"]) == ("2024-05-01", "url")
    assert page.modified_raw() is None


def test_dates_inside_news_lists_are_not_the_articles():
    page = page_of("<div class='box'><h3>많이 본 뉴스</h3><ul><li><a href='/2024/04/30/b.html'>다른 기사</a>"
                   " 입력 2024-04-30 09:00</li></ul></div>")
    # Neither the label layer nor htmldate takes the list's date: only the URL's is left.
    assert (page.published_raw(), page.sources["published_at"]) == ("2024-05-01", "url")


@pytest.mark.parametrize("markup, steps", [
    ("<div class='x'>HOME &gt; 사회 &gt; 교통</div>", ["사회", "교통"]),
    ("<nav><a href='/'>홈</a> <span>›</span> <a href='/s'>정치/행정</a> <span>›</span> <a href='/t'>세종</a></nav>",
     ["정치/행정", "세종"]),
    ("<ol class='breadcrumb'><li>홈</li><li>경제</li><li>부동산</li></ol>", ["경제", "부동산"]),
])
def test_breadcrumb(markup, steps):
    assert breadcrumb(root_of(markup)) == steps


def test_a_menu_is_no_breadcrumb():
    assert breadcrumb(root_of("<ul class='gnb'><li>정치</li><li>경제</li><li>사회</li></ul>"
                              "<p>그는 A &gt; B 라고 썼다</p>")) == []


def test_bylines_in_the_head_with_link_and_email():
    root = root_of("<div class='info'><a href='/reporter/7'>박서연 기자</a>"
                   "<a href='mailto:sy@example.com'>sy@example.com</a></div>")
    assert bylines_on_page(root, URL, skip=lambda e: False) == [
        {"name": "박서연", "email": "sy@example.com", "url": "http://news.example.org/reporter/7"}]


def test_bylines_in_a_sidebar_are_skipped():
    page = page_of("<aside><ul><li><a href='/x.html'>칼럼 제목</a></li><li>홍길동 기자</li></ul></aside>"
                   "<div><span>박서연 기자</span></div>")
    assert [r["name"] for r in page.reporters()] == ["박서연"]
    assert page.sources["reporters"] == "label"


@pytest.mark.parametrize("line, dateline, names, email", [
    ("세종=임병안 기자 victorylba@", "세종", ("임병안",), "victorylba@"),
    ("대전=홍길동·김철수 기자", "대전", ("홍길동", "김철수"), None),
    ("글·사진=이순신 기자 lee@example.com", None, ("이순신",), "lee@example.com"),
])
def test_closing_byline(line, dateline, names, email):
    page = page_of("".join(f"<p>{p}</p>" for p in PARAGRAPHS) + f"<p>{line}</p>")
    assert page.paragraphs() == PARAGRAPHS
    byline = page.byline()
    assert (byline.text, byline.dateline, byline.names, byline.email) == (line, dateline, names, email)


# -- photos -------------------------------------------------------------------------------


@pytest.mark.parametrize("markup", [
    "<figure><img src='/p.jpg'><figcaption>시민들이 걷고 있다. (사진=대전시 제공)</figcaption></figure>",
    "<table><tr><td><img src='/p.jpg'></td></tr><tr><td>시민들이 걷고 있다. (사진=대전시 제공)</td></tr></table>",
    "<p><img src='/p.jpg'></p><p>▲ 시민들이 걷고 있다. (사진=대전시 제공)</p>",
    "<div><img src='/p.jpg'><br>▲ 시민들이 걷고 있다. <span>/사진=대전시 제공</span></div>",
])
def test_photo_with_caption_and_credit(markup):
    page = page_of(markup + "".join(f"<p>{p}</p>" for p in PARAGRAPHS))
    assert page.photos() == [{"url": "http://news.example.org/p.jpg", "alt": None,
                              "caption": "시민들이 걷고 있다.", "credit": "대전시 제공"}]
    assert page.sources["photos"] == "generic"
    assert page.paragraphs() == PARAGRAPHS  # the caption is not article text


def test_teaser_thumbnails_are_not_photos():
    root = root_of("<ul><li><a href='/b.html'><img src='/t.jpg'></a><p>▲ 다른 기사</p></li></ul>"
                   "<aside><figure><img src='/ad.jpg'><figcaption>광고</figcaption></figure></aside>")
    assert article_photos(root) == []


# -- metadata layer ---------------------------------------------------------------------

JSON_LD = """<script type="application/ld+json">{"@context": "https://schema.org", "@graph": [
  {"@type": "WebPage", "name": "page"},
  {"@type": "NewsArticle", "headline": "제목", "alternativeHeadline": "부제",
   "articleSection": ["경제", "부동산"], "datePublished": "2024-05-01T01:30:00Z", "printEdition": "2024-05-02",
   "printPage": 3, "dateline": "천안", "articleBody": "첫 문단.\\n\\n둘째 문단.",
   "author": [{"@type": "Person", "name": "박서연 기자", "email": "mailto:sy@example.com"},
              {"@type": "Organization", "name": "충남투데이"}],
   "image": [{"@type": "ImageObject", "url": "https://x.example/p.jpg", "caption": "정류장 (사진=천안시 제공)"}]}]}
</script>"""


def test_json_ld_fields():
    metadata = PageMetadata(Selector(text=f"<html><head>{JSON_LD}</head><body></body></html>"))
    assert (metadata.title(), metadata.subtitle(), metadata.sections()) == ("제목", "부제", ["경제", "부동산"])
    assert (metadata.published(), metadata.print_edition(), metadata.dateline()) == \
        ("2024-05-01T01:30:00Z", "2024-05-02 3면", "천안")
    assert metadata.authors() == [{"name": "박서연", "email": "sy@example.com", "url": None}]
    assert metadata.images() == [{"url": "https://x.example/p.jpg", "caption": "정류장 (사진=천안시 제공)"}]


def test_a_publication_as_author_is_no_reporter():
    head = '<meta property="og:site_name" content="충남투데이"><meta name="author" content="충남투데이">'
    assert PageMetadata(Selector(text=f"<html><head>{head}</head></html>")).authors() == []
    head = '<meta name="author" content="박서연 기자">'
    assert [a["name"] for a in PageMetadata(Selector(text=f"<html><head>{head}</head></html>")).authors()] == ["박서연"]


def test_metadata_body_only_when_the_page_shows_less():
    head = JSON_LD.replace('"첫 문단.\\n\\n둘째 문단."', json.dumps("\n\n".join(PARAGRAPHS), ensure_ascii=False))
    short = page_of(f"<div id='app'><p>{PARAGRAPHS[0]}</p></div>", head=head)
    assert short.paragraphs() == PARAGRAPHS and short.sources["body"] == "metadata"
    # Control: an abridged articleBody never replaces the text the page shows.
    full = page_of("<article>" + "".join(f"<p>{p}</p>" for p in PARAGRAPHS) + "</article>", head=JSON_LD)
    assert full.paragraphs() == PARAGRAPHS and full.sources["body"] == "generic"


def test_metadata_dates_are_converted_to_seoul_time():
    from newscrawl.clock import isoformat
    from newscrawl.extract.dates import parse_kst_datetime
    page = page_of("<p>본문</p>", head=JSON_LD)
    assert isoformat(parse_kst_datetime(page.published_raw())) == "2024-05-01T10:30:00+09:00"
    assert page.sources["published_at"] == "metadata"


# -- generic layer: page structure ----------------------------------------------------------


def test_headline_is_what_the_title_tag_repeats():
    root = root_of("<div><b>우리 신문</b></div><table><tr><td><font><b>대전시 청년 창업 공간 조성</b></font></td></tr>"
                   "<tr><td>- 원도심 빈 점포 50곳</td></tr></table>",
                   head="<title>우리 신문 - 대전시 청년 창업 공간 조성</title>")
    node = headline_node(root, "우리 신문 - 대전시 청년 창업 공간 조성")
    assert (node.tag, node.text) == ("b", "대전시 청년 창업 공간 조성")
    assert subtitle_after(node) == "원도심 빈 점포 50곳"


def test_a_paragraph_after_the_headline_is_no_subtitle():
    root = root_of(f"<h1>대전시 청년 창업 공간 조성</h1><p>{PARAGRAPHS[0]}</p>")
    assert subtitle_after(headline_node(root, None)) is None


@pytest.mark.parametrize("title, clean", [
    ("대전시 청년 창업 공간 조성 - 한밭뉴스", "대전시 청년 창업 공간 조성"),
    ("한밭뉴스 | 대전시 청년 창업 공간 조성", "대전시 청년 창업 공간 조성"),
    ("A - B 논쟁의 끝", "A - B 논쟁의 끝"),
])
def test_site_name_is_removed_from_titles(title, clean):
    assert without_site_name(title, {"한밭뉴스"}) == clean


def test_main_text_leaves_out_navigation_and_the_nodes_it_is_told_to():
    root = root_of("<nav><a href='/'>홈</a><a href='/s'>사회</a></nav><div id='story'>"
                   + "".join(f"<p>{p}</p>" for p in PARAGRAPHS)
                   + "<div class='box'><strong>관련기사</strong><ul><li><a href='/b.html'>다른 기사 제목</a></li>"
                     "</ul></div></div><footer>회사소개 | 개인정보처리방침</footer>")
    box = root.xpath("//div[@class='box']")[0]
    assert main_text(root, skip={box}) == PARAGRAPHS
    assert len(root.xpath("//div[@class='box']")) == 1  # the page itself is not changed


def test_main_text_reads_table_layouts_paragraph_by_paragraph():
    cell = "<br><br>".join(PARAGRAPHS)
    root = root_of(f"<table><tr><td>메뉴 | 정치 | 경제</td></tr><tr><td class='txt'>{cell}</td></tr></table>")
    assert main_text(root) == PARAGRAPHS


def test_pruned_copy_keeps_the_text_after_a_removed_node():
    root = root_of("<div><p>앞</p><span>지울 것</span> 뒤의 글</div>")
    copy = pruned_copy(root, {root.xpath("//span")[0]})
    assert copy.xpath("string(//div)") == "앞 뒤의 글"


def test_headline_cards_with_summaries_stay_out_of_a_generic_body():
    """Short articles in the redesigned layout: trafilatura alone would take the 헤드라인 뉴스
    cards' summaries (text, not just links) for paragraphs after the byline."""
    articles = generate(12, datetime(2026, 1, 1, tzinfo=timezone.utc), 30)
    renderer = Renderer(articles)
    for article in articles:
        page = RawPage(url=f"http://www.joongdo.co.kr/web/view.php?key={article.key}", status=200, headers={},
                       body=renderer.article(article, layout="redesign"), encoding=None, fetched_at=None,
                       profile="joongdo")
        extracted = read_page(page)
        assert extracted.sources["body"] == "generic"
        assert extracted.body.split("\n\n") == list(article.paragraphs)
        assert extracted.byline and extracted.byline.endswith("@")
