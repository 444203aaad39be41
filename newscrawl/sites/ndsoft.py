"""ND소프트 (NDSOFT) CMS: the article pages of hundreds of Korean local papers.

Every site on it serves articles at ``/news/articleView.html?idxno=N`` (with extra
parameters sometimes), lists at
``/news/articleList.html?sc_section_code=S1N1&view_type=sm&page=2`` (all articles without
``sc_section_code``) and its RSS at ``/rss/allArticle.xml``. The profile is not tied to a
domain: it matches any host whose URL has the article shape, or any page that carries the
CMS's body container ``#article-view-content-div``. Articles are archived under the
paper's host name.

The page: ``header.article-view-header`` with ``h3.heading`` (title), ``h2.subheading``,
``ul.infomation li`` (``입력 YYYY.MM.DD HH:MM``, ``수정 …`` and the reporter); the body
``#article-view-content-div`` with ``figure``/``figcaption`` photos and, inside it, boxes of
관련기사 that belong to the related lists, not to the text.
"""

from __future__ import annotations

import re

from .base import Discovery, SiteProfile

NDSOFT = SiteProfile(
    name="ndsoft",
    title="ND소프트 CMS (many Korean local papers)",
    domains=(),
    base_url="",
    article_path=re.compile(r"/news/articleView\.html\?(?:[^#]*&)?idxno=(?P<id>\d+)"),
    canonical_template="{base}/news/articleView.html?idxno={id}",
    selectors={
        "title": ("header.article-view-header h3.heading", ".article-head-title", "h3.heading"),
        "subtitle": ("header.article-view-header h2.subheading", "h2.subheading"),
        "sections": ("header.article-view-header .breadcrumbs a:not(:first-child)",
                     "ul.breadcrumbs li:not(:first-child)"),
        "info": ("header.article-view-header ul.infomation li", "ul.infomation li"),
        "reporters": ("ul.infomation li:has(.icon-user-o)", ".view-editors .profile-info .name"),
        "body": ("#article-view-content-div",),
        "photos": ("#article-view-content-div figure",),
        "photo_caption": ("figcaption",),
    },
    body_exclude=("script", "style", "iframe", "figure", ".box-article-relation", ".view-editors",
                  ".article-copyright", ".ad-template", "ins"),
    not_found_markers=("존재하지 않는 기사", "삭제된 기사", "기사가 존재하지 않습니다"),
    any_host=True,
    markers=("#article-view-content-div", "header.article-view-header"),
    discovery=Discovery(
        # Zone-less pubDates, taken as Asia/Seoul. Section feeds (/rss/S1N1.xml) only repeat it.
        feeds=("/rss/allArticle.xml",),
        latest_list="/news/articleList.html?view_type=sm&page={page}",
        section_list="/news/articleList.html?sc_section_code={section}&view_type=sm&page={page}",
        # Section codes differ from paper to paper (S1N1 …, sub-sections S2N7 …): none is "all".
        section_code=re.compile(r"S\d[A-Z]\d+"),
        # The summary list (view_type=sm): one div.list-block per article, its link in
        # div.list-titles, "section | reporter | 2024-11-05 14:20" in div.list-dated; the
        # pagination marks the current page li.current, the next page is the link after it.
        list_item=".article-list-content .list-block",
        list_link=".list-titles a::attr(href)",
        list_date=".list-dated::text",
        next_page="ul.pagination li.current + li a::attr(href)",
    ),
)
