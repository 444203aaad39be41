"""중도일보 (www.joongdo.co.kr), a daily of Daejeon, Sejong and Chungcheong.

Article pages are ``/web/view.php?key=YYYYMMDD01000NNNN`` (also ``/main/view.php``, and
with extra parameters such as ``ncid=N01_06``). Articles are listed in the RSS feed
``/web/rss.php``, the all-news list ``/web/list_news.php`` and one list per section
(``/web/list_news.php?ncid=N01_06&page=2``; sections N01…N20, sub-sections ``N01_06``), newest
first, each item with its approval time; the current page number is a ``<strong>`` in
``.paging``, the link after it leads to the next page. The body is ``#font``: text separated by
``<br>``, photos in tables with a caption row, the byline (``세종=임병안 기자 id@``) last.
"""

from __future__ import annotations

import re

from .base import Discovery, SiteProfile

JOONGDO = SiteProfile(
    name="joongdo",
    title="중도일보",
    domains=("joongdo.co.kr",),
    base_url="http://www.joongdo.co.kr",
    article_path=re.compile(r"/(?:web|main)/view\.php\?(?:[^#]*&)?key=(?P<id>\d{8,})"),
    canonical_template="{base}/web/view.php?key={id}",
    selectors={
        "title": (".article-head h2.headline", ".article-head h2", ".view-top-title strong"),
        "subtitle": (".article-head h3.sub-headline", ".article-head h3"),
        "sections": (".article-head ul.location li", "ul.location li"),
        "info": (".article-info ul.date li", ".article-info li"),
        "reporters": (".article-info li.reporter a", ".article-info li.reporter"),
        "body": ("#font",),
        "photos": ("table.photo-box",),
        "photo_caption": ("td.caption",),
    },
    body_exclude=("script", "style", ".ad-inarticle", "table.photo-box", "iframe"),
    not_found_markers=("삭제되었거나 존재하지 않는 기사입니다",),
    title_suffixes=(" - 중도일보", " | 중도일보"),
    discovery=Discovery(
        feeds=("/web/rss.php",),
        latest_list="/web/list_news.php?page={page}",
        section_list="/web/list_news.php?ncid={section}&page={page}",
        sections=tuple(f"N{number:02d}" for number in range(1, 21)),
        section_code=re.compile(r"N\d\d(?:_\d\d)?"),
        list_item=".news-list li",
        list_link="strong.tit a::attr(href)",
        list_date=".info .date::text",
        next_page=".paging strong + a::attr(href)",
    ),
)
