"""The canned queries every newscrawl archive shows in datasette.

Each answers one question people ask of a news archive; the SQL is plain and reads the
views of :mod:`newscrawl.archive.migrations` (``article_summary``, ``revision_history``,
``list_snapshots``), so it doubles as an example of querying the archive by hand. A
``:name`` in the SQL becomes a form field in datasette.
"""

from __future__ import annotations

from .archive.search import search_sql

LATEST = """select published_at, section_path, title, reporters, print_date, print_page, url, id
from article_summary
order by published_at desc
limit 100"""

BY_SECTION = """with recursive tree(id) as (
  select id from sections where name = :section or path = :section
  union
  select sections.id from sections join tree on sections.parent = tree.id
)
select published_at, section_path, title, reporters, url, id
from article_summary
where section_id in (select id from tree)
order by published_at desc
limit 200"""

BY_REPORTER = """select s.published_at, s.section_path, s.title, s.reporters, s.url, s.id
from article_summary s
join article_reporters ar on ar.article = s.id
join reporters r on r.id = ar.reporter
where r.name = :reporter
order by s.published_at desc
limit 200"""

EDITED = """select h.article, h.current_title, h.revision, h.revisions, h.title, h.subtitle,
  h.modified_at, h.first_seen_at, h.last_seen_at
from revision_history h
join articles a on a.id = h.article
where a.revision > 1
order by a.last_changed_at desc, h.article, h.revision
limit 500"""

PRINT_PAGE = """select print_date, print_page, section_path, title, reporters, published_at, url, id
from article_summary
where print_date = :date and print_page = cast(:page as integer)
order by published_at, id"""

RANKING_BY_DAY = """select rank, title, url, count(*) as snapshots,
  min(first_seen_at) as first_seen_at, max(last_seen_at) as last_seen_at
from list_snapshots
where list = 'ranking'
  and substr(first_seen_at, 1, 10) <= :day and substr(last_seen_at, 1, 10) >= :day
group by rank, item
order by rank, snapshots desc"""

RUN_HEALTH = """with runs as (
  select id, site, started_at, exit_status, health, json_extract(health, '$.articles') as pages
  from crawl_runs
  where health is not null and (:site = '' or site = :site)
)
select id, site, started_at, exit_status, pages as article_pages,
  round(100.0 * coalesce(json_extract(health, '$.sources.title.profile'), 0) / pages) as title_from_profile_pct,
  round(100.0 * coalesce(json_extract(health, '$.sources.published_at.profile'), 0) / pages)
    as published_at_from_profile_pct,
  round(100.0 * coalesce(json_extract(health, '$.sources.body.profile'), 0) / pages) as body_from_profile_pct,
  round(100.0 * json_extract(health, '$.missing.title') / pages) as title_missing_pct,
  round(100.0 * json_extract(health, '$.missing.published_at') / pages) as published_at_missing_pct,
  round(100.0 * json_extract(health, '$.missing.body') / pages) as body_missing_pct,
  json_extract(health, '$.profiles') as read_with
from runs
order by started_at desc, id desc
limit 200"""


def canned_queries() -> dict[str, dict[str, str]]:
    """datasette canned queries by name: title, description and SQL of each."""
    return {
        "search": {"title": "Search articles",
                   "description": "Korean full-text search of title, subtitle and body, most relevant "
                                  "first, with the matching passage highlighted. Words are AND-ed: "
                                  "세종 정보보호 finds articles with both.",
                   "sql": search_sql(100)},
        "latest": {"title": "Latest articles", "description": "The 100 most recently published articles.",
                   "sql": LATEST},
        "by_section": {"title": "Articles by section",
                       "description": "Newest first, in a section and all its subsections: give its name "
                                      "(세종) or its path (정치/행정 > 세종).",
                       "sql": BY_SECTION},
        "by_reporter": {"title": "Articles by reporter",
                        "description": "Newest first; the reporter's name as printed (임병안).",
                        "sql": BY_REPORTER},
        "edited": {"title": "Edited articles and their revisions",
                   "description": "Articles whose content changed after newscrawl first stored them, "
                                  "every version with the time it was seen.",
                   "sql": EDITED},
        "print_page": {"title": "A print edition's page",
                       "description": "What ran on a page of the newspaper: the date (2020-07-09) and "
                                      "the page number (8).",
                       "sql": PRINT_PAGE},
        "ranking_by_day": {"title": "Ranking list on a day",
                           "description": "The 랭킹뉴스 list as seen beside articles fetched on a day "
                                          "(YYYY-MM-DD, Asia/Seoul): each rank, its headline and how many "
                                          "fetches showed it there.",
                           "sql": RANKING_BY_DAY},
        "run_health": {"title": "Extraction health of each crawl",
                       "description": "Per run, newest first: of its article pages, the share (%) whose "
                                      "title, date and body came from the site profile, and the share "
                                      "missing each. A profile that stopped matching shows as the "
                                      "profile shares falling (newscrawl health judges them). Leave "
                                      "site empty for every site.",
                       "sql": RUN_HEALTH},
    }
