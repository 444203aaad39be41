"""Copyright notices and ``▲`` caption lines inside the body container, on every layout of
the seed article: notices are dropped, a caption line goes to the photo it captions, and a
``▲`` line that credits no photo (an enumeration) stays in the text. A news list inside the
body container is a list, not text; a passage that merely starts with a list heading is text.

Each case writes a variant of a layout's page with the lines put in the middle of its body,
in that layout's own markup and encoding, and reads it as ``newscrawl extract`` does.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from conftest import GENERIC_DIR, NDSOFT_DIR, SEED_URL
from newscrawl.run import extract_file
from test_extract_variants import LAYOUTS

NOTICE = "중도일보(www.joongdo.co.kr), 무단전재 및 수집, 재배포 금지"
CAPTION = "▲ 세종시가 2020정보보호의날을 맞아 정보보호 우수기관에 선정됐다. (사진=세종시청 제공)"
LISTING = "▲행정수도 완성 ▲국회 세종의사당 건립 ▲대통령 제2집무실 설치"
#: The paragraph the lines are put before (it is in every layout, once).
ANCHOR = "이용석 기획조정실장"
OLD_ENCODING = "cp949"


def with_lines(layout: str, lines: list[str], tmp_path: Path) -> Path:
    """The layout's page with ``lines`` as paragraphs of their own just before ANCHOR."""
    raw = LAYOUTS[layout].read_bytes()
    encoding = OLD_ENCODING if layout.startswith("old-") else "utf-8"
    separator = {"metadata-only": "\\n\\n", "redesign": "</p><p>"}.get(layout, "<br><br>")
    html = raw.decode(encoding)
    assert html.count(ANCHOR) == 1
    html = html.replace(ANCHOR, "".join(line + separator for line in lines) + ANCHOR)
    path = tmp_path / f"{layout}.html"
    path.write_bytes(html.encode(encoding))
    return path


@pytest.mark.parametrize("layout", LAYOUTS)
def test_notice_and_caption_lines_leave_the_body(layout, tmp_path, seed_expected):
    article = extract_file(with_lines(layout, [NOTICE, CAPTION], tmp_path), url=SEED_URL)
    assert article.body.split("\n\n") == seed_expected["body_paragraphs"]
    photos = [{k: getattr(p, k) for k in ("url", "caption", "credit")} for p in article.photos]
    assert photos == seed_expected["photos"]  # the repeated caption made no second photo


@pytest.mark.parametrize("layout", LAYOUTS)
def test_a_listing_with_triangles_stays_in_the_body(layout, tmp_path, seed_expected):
    article = extract_file(with_lines(layout, [LISTING], tmp_path), url=SEED_URL)
    paragraphs = seed_expected["body_paragraphs"]
    anchor = next(i for i, p in enumerate(paragraphs) if p.startswith(ANCHOR))
    assert article.body.split("\n\n") == [*paragraphs[:anchor], LISTING, *paragraphs[anchor:]]


def test_a_caption_line_captions_the_photo_that_has_none(tmp_path, seed_expected):
    """The seed layout with the photo's caption row empty and its caption as a ``▲`` line
    of the text after it (as the paper's older articles print it)."""
    html = LAYOUTS["seed"].read_text(encoding="utf-8")
    caption_cell = '<td class="caption">세종시가 2020정보보호의날을 맞아 정보보호 우수기관에 선정됐다. (사진=세종시청 제공)</td>'
    assert caption_cell in html
    html = html.replace(caption_cell, '<td class="caption"></td>').replace("</table>\n<br />", f"</table>\n<br />{CAPTION}<br />", 1)
    path = tmp_path / "seed-caption-line.html"
    path.write_text(html, encoding="utf-8")
    article = extract_file(path, url=SEED_URL)
    assert article.body.split("\n\n") == seed_expected["body_paragraphs"]
    (photo,) = article.photos
    assert {k: getattr(photo, k) for k in ("url", "caption", "credit")} == seed_expected["photos"][0]


#: The other article layouts the tests know: (page, URL, the paragraph the lines go before).
OTHER_LAYOUTS = {
    "ndsoft": (NDSOFT_DIR / "articleView-21457.html", "https://www.hanbat-news.example/news/articleView.html?idxno=21457",
               "시는 5일 이런 내용의"),
    "generic": (GENERIC_DIR / "chungnam-today-1234.html", "https://www.chungnam-today.example/news/2024/05/01/1234.html",
                "시는 1일 이런 내용의"),
}


@pytest.mark.parametrize("layout", OTHER_LAYOUTS)
def test_notice_and_caption_lines_leave_the_body_of_other_layouts(layout, tmp_path):
    page, url, anchor = OTHER_LAYOUTS[layout]
    html = page.read_text(encoding="utf-8")
    assert html.count(anchor) == 1
    changed = tmp_path / page.name
    changed.write_text(html.replace(anchor, f"{NOTICE}</p><p>{CAPTION}</p><p>{anchor}"), encoding="utf-8")
    assert extract_file(changed, url=url).body == extract_file(page, url=url).body


RELATED_BOX = ("<div class='inbody-box'><strong>관련기사</strong><ul>"
               "<li><a href='/web/view.php?key=20200707010001111'>세종시 정보보호 우수기관 선정 이어져</a></li>"
               "<li><a href='/web/view.php?key=20200706010002222'>대전시 개인정보 보호 점검 나서</a></li></ul></div>")
#: A heading-like line over a passage of text: not a news list, so it stays article text.
HEADED_PASSAGE = ("<div class='inbody-note'><strong>관련기사</strong> 이번 선정은 세 번째로, 세종시는 지난해에도 "
                  "행정안전부 평가에서 <a href='/web/view.php?key=20200705010003333'>우수</a> 등급을 받았다.</div>")


@pytest.mark.parametrize("box, kept", [(RELATED_BOX, False), (HEADED_PASSAGE, True)])
def test_a_news_list_inside_the_profile_body_is_not_text(box, kept, tmp_path, seed_expected):
    html = LAYOUTS["seed"].read_bytes().decode("utf-8").replace(ANCHOR, box + ANCHOR)
    path = tmp_path / "inbody.html"
    path.write_text(html, encoding="utf-8")
    article = extract_file(path, url=SEED_URL)
    assert article.sources["body"] == "profile"
    assert "세종시 정보보호 우수기관 선정 이어져" not in article.body
    assert ("행정안전부 평가에서" in article.body) is kept
    if not kept:
        assert article.body.split("\n\n") == seed_expected["body_paragraphs"]
        related = [(r.list, r.title) for r in article.related if r.list == "related"]
        assert related == [("related", "세종시 정보보호 우수기관 선정 이어져"), ("related", "대전시 개인정보 보호 점검 나서")]
