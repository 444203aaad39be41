"""The pure parts of a crawl, without a server: windows, schedules, plans, discovery,
health, outcome, backoff and the summary."""

from __future__ import annotations

import inspect
import json
from datetime import datetime, timedelta

import pytest
import scrapy
from scrapy.spiderloader import SpiderLoader
from scrapy.utils.misc import is_generator_with_return_value
from scrapy.utils.request import request_from_dict

from conftest import JOONGDO, KST
from newscrawl.archive import open_archive, record_failure, save_article
from newscrawl.middlewares.backoff import backed_off, recovered
from newscrawl.policy.discovery import feed_date, feed_items, list_items, next_page, on_site, parsed
from newscrawl.policy.health import Health
from newscrawl.policy.incremental import ArchiveIndex, Fetch
from newscrawl.policy.outcome import problems, run_counts, stop_reason
from newscrawl.policy.plan import CrawlPlan, RunStart, settle_run
from newscrawl.extensions.progress import Snapshot
from newscrawl.policy.summary import format_summary
from newscrawl.policy.window import BadWindow, RevisitSchedule, Window, parse_duration, parse_when
from newscrawl.crawl.many import SiteOutcome, format_table
from newscrawl.crawl.runner import CrawlResult
from newscrawl.items import FetchFailure
from newscrawl.run import extract_file, project_settings
from newscrawl.sites import get_profile
from newscrawl.spiders.base import NewsRequest

NOW = datetime(2024, 3, 10, 15, 30, tzinfo=KST)
JOONGDO_PROFILE = get_profile("joongdo")
LIST_URL = "http://127.0.0.1:8000/web/list_news.php?ncid=N01_06&page=1"


@pytest.mark.parametrize("text, expected", [
    ("6h", NOW - timedelta(hours=6)),
    ("2d", NOW - timedelta(days=2)),
    ("1w", NOW - timedelta(weeks=1)),
    ("30m", NOW - timedelta(minutes=30)),
    ("2024-01-31", datetime(2024, 1, 31, tzinfo=KST)),
    ("2024-01-31T08:00", datetime(2024, 1, 31, 8, tzinfo=KST)),
    ("2024-01-31T08:00:00+00:00", datetime(2024, 1, 31, 17, tzinfo=KST)),
])
def test_when(text, expected):
    assert parse_when(text, NOW) == expected


def test_a_date_as_until_includes_that_day():
    assert parse_when("2024-01-31", NOW, end_of_day=True) == datetime(2024, 2, 1, tzinfo=KST)
    assert parse_when("2024-01-31T08:00", NOW, end_of_day=True) == datetime(2024, 1, 31, 8, tzinfo=KST)


@pytest.mark.parametrize("text", ["yesterday", "2d ago", "31/01/2024", ""])
def test_bad_when(text):
    with pytest.raises(BadWindow):
        parse_when(text, NOW)


def test_window_bounds():
    window = Window(NOW - timedelta(days=2), NOW)
    assert window.contains(NOW - timedelta(days=2)) and not window.contains(NOW)
    assert window.is_older(NOW - timedelta(days=2, seconds=1)) and not window.is_older(NOW - timedelta(days=1))
    with pytest.raises(BadWindow, match="is not after --since"):
        Window(NOW, NOW - timedelta(days=1))


def test_revisit_schedule_thins_out_with_age():
    schedule = RevisitSchedule.parse("7d:1d,2d:6h,30d:7d")  # any order
    assert schedule.horizon == timedelta(days=30)
    assert schedule.interval(timedelta(hours=5)) == timedelta(hours=6)
    assert schedule.interval(timedelta(days=3)) == timedelta(days=1)
    assert schedule.interval(timedelta(days=31)) is None
    published = NOW - timedelta(days=3)
    assert schedule.is_due(published, NOW - timedelta(days=1), NOW)
    assert not schedule.is_due(published, NOW - timedelta(hours=23), NOW)
    assert RevisitSchedule.parse([["2d", "6h"]]) == RevisitSchedule.parse("2d:6h")
    assert RevisitSchedule.parse("").horizon is None


@pytest.mark.parametrize("text", ["2d", "2d:6h:1h", "2x:6h"])
def test_bad_revisit_schedule(text):
    with pytest.raises(BadWindow):
        RevisitSchedule.parse(text)


def test_durations():
    assert parse_duration("0s") == timedelta(0)
    assert parse_duration(" 90M ") == timedelta(minutes=90)


def test_plan_from_spider_arguments_round_trips_through_json():
    plan = CrawlPlan.parse(JOONGDO_PROFILE, NOW, since="2024-01-01", until="2024-01-31", section="N01_06,N02",
                           max_articles="50")
    assert plan.sections == ("N01_06", "N02") and plan.max_articles == 50 and not plan.routine
    assert CrawlPlan.from_json(json.loads(json.dumps(plan.to_json()))) == plan
    assert CrawlPlan.parse(JOONGDO_PROFILE, NOW).routine
    assert CrawlPlan.parse(JOONGDO_PROFILE, NOW, section="all").sections == tuple(f"N{n:02d}" for n in range(1, 21))


FIRST_SINCE, OVERLAP = timedelta(days=2), timedelta(hours=1)


def test_a_first_routine_run_looks_back_first_since_and_later_ones_start_at_the_last_less_overlap():
    asked = CrawlPlan.parse(JOONGDO_PROFILE, NOW)
    assert settle_run(asked, NOW, None, None, FIRST_SINCE, OVERLAP) == RunStart(asked.with_since(NOW - FIRST_SINCE), NOW)
    last = "2024-03-09T08:00:00+09:00"
    later = settle_run(asked, NOW, None, last, FIRST_SINCE, OVERLAP)
    assert later.plan.since == datetime(2024, 3, 9, 7, tzinfo=KST) and later.resumed_job is None


def test_a_run_asked_for_a_window_keeps_it():
    asked = CrawlPlan.parse(JOONGDO_PROFILE, NOW, since="2024-03-01", section="N02")
    assert settle_run(asked, NOW, None, "2024-03-09T08:00:00+09:00", FIRST_SINCE, OVERLAP) == RunStart(asked, NOW)


def test_a_stopped_job_resumes_with_its_own_plan_and_start():
    stopped = CrawlPlan.parse(JOONGDO_PROFILE, NOW, since="2024-03-01", max_articles="5")
    notes = {"job": 7, "started_at": "2024-03-08T10:00:00+09:00", "plan": stopped.to_json()}
    asked = CrawlPlan.parse(JOONGDO_PROFILE, NOW)
    assert settle_run(asked, NOW, notes, "2024-03-09T08:00:00+09:00", FIRST_SINCE, OVERLAP) == RunStart(
        stopped, datetime(2024, 3, 8, 10, tzinfo=KST), 7)


@pytest.mark.parametrize("arguments, message", [
    ({"section": "N1"}, "not a joongdo section code: N1"),
    ({"max_articles": "0"}, "--max-articles must be a positive whole number"),
    ({"max_articles": "many"}, "--max-articles must be a positive whole number"),
    ({"since": "1d", "until": "2d"}, "is not after --since"),
])
def test_bad_plans(arguments, message):
    with pytest.raises(BadWindow, match=message):
        CrawlPlan.parse(JOONGDO_PROFILE, NOW, **arguments)


def test_list_page_items_dates_and_next_page():
    html = (JOONGDO / "list_news-N01_06-page1.html").read_text(encoding="utf-8")
    items = list_items(html, LIST_URL, JOONGDO_PROFILE.discovery)
    assert [JOONGDO_PROFILE.article_id(item.url) for item in items] == [
        "20200708010002304", "20200707010002211", "20200707010002150", "20200706010001870"]
    assert items[0].published == datetime(2020, 7, 8, 8, 5, tzinfo=KST)
    assert next_page(html, LIST_URL, JOONGDO_PROFILE.discovery) == \
        "http://127.0.0.1:8000/web/list_news.php?ncid=N01_06&page=2"


def test_last_list_page_has_no_next_page():
    html = "<div class='paging'><a href='?page=1'>1</a><strong>2</strong></div>"
    assert next_page(html, LIST_URL, JOONGDO_PROFILE.discovery) is None


def test_feed_items():
    items = feed_items((JOONGDO / "rss.xml").read_bytes(), "http://127.0.0.1:8000/web/rss.php")
    assert items[0].url == "http://www.joongdo.co.kr/web/view.php?key=20200708010002304"
    assert items[-1].published == datetime(2020, 7, 6, 18, 3, tzinfo=KST)
    atom = (b'<feed xmlns="http://www.w3.org/2005/Atom"><entry><link rel="alternate" href="/a/1"/>'
            b"<updated>2024-01-31T08:00:00Z</updated></entry></feed>")
    (entry,) = feed_items(atom, "http://example.org/feed")
    assert (entry.url, entry.published) == ("http://example.org/a/1", datetime(2024, 1, 31, 17, tzinfo=KST))


def test_feed_dates_without_a_zone_are_korean():
    assert feed_date("2024-01-31 08:00:00") == datetime(2024, 1, 31, 8, tzinfo=KST)
    assert feed_date("") is None


@pytest.mark.parametrize("url, expected", [
    ("https://joongdo.co.kr/main/view.php?key=1", "http://127.0.0.1:8000/main/view.php?key=1"),
    ("http://www.joongdo.co.kr/web/view.php?key=1#top", "http://127.0.0.1:8000/web/view.php?key=1"),
    ("http://127.0.0.1:8000/web/view.php?key=1", "http://127.0.0.1:8000/web/view.php?key=1"),
    ("http://news.elsewhere.example/web/view.php?key=1", None),
    ("http://joongdo.co.kr.evil.example/web/view.php?key=1", None),
    ("javascript:void(0)", None),
])
def test_links_are_moved_onto_the_base_or_dropped_when_off_site(url, expected):
    assert on_site(url, JOONGDO_PROFILE, "http://127.0.0.1:8000") == expected


def test_health_counts_layers_and_missing_fields():
    article = extract_file(JOONGDO / "view-20200708010002304.html",
                           url="http://www.joongdo.co.kr/web/view.php?key=20200708010002304")
    health = Health()
    for _ in range(8):
        health.add_article(article)
    health.add_rejected(["title", "body", "article_id"])
    data = health.to_json()
    assert data["articles"] == 9 and data["missing"] == {"title": 1, "published_at": 0, "body": 1}
    assert data["sources"]["title"] == {"profile": 8}
    assert health.alarm(threshold=0.2, min_articles=5) is None
    assert "1 of 9 have no title" in health.alarm(threshold=0.1, min_articles=5)
    assert health.alarm(threshold=0.1, min_articles=10) is None  # too few to judge


def test_outcome_of_a_run():
    stats = {"downloader/response_count": 12, "newscrawl/articles/new": 3, "newscrawl/skipped/fresh": 4,
             "newscrawl/skipped/max-articles": 2, "newscrawl/discovery/pages": 2}
    counts = run_counts(stats)
    assert (counts["pages_fetched"], counts["articles_new"], counts["skipped"]) == (12, 3, 6)
    assert stop_reason("finished", stats) == "max_articles"
    assert problems("max_articles", counts, None) == []
    assert problems("shutdown", counts, None)[0].startswith("the run stopped before the end (shutdown)")
    unreachable = run_counts({"newscrawl/failures/discovery": 2})
    assert problems("finished", unreachable, None) == [
        "no feed or list page could be fetched: is the site reachable from here?"]
    assert problems("finished", run_counts({"newscrawl/failures/fetch": 5, "newscrawl/discovery/pages": 1}),
                    "layout drift: …") == ["layout drift: …", "all 5 article fetches failed"]


def test_backoff_doubles_within_bounds():
    assert backed_off(0.0, 2.0, 30.0) == 2.0
    assert backed_off(2.0, 2.0, 30.0) == 4.0
    assert backed_off(20.0, 2.0, 30.0) == 30.0
    assert backed_off(0.0, 0.0, 30.0) == 0.0



def test_recovery_halves_down_to_the_resting_delay():
    assert recovered(8.0, 0.5, 2.0) == 4.0
    assert recovered(0.8, 0.5, 2.0) == 0.5  # never under the delay before the backoff
    assert recovered(0.8, 0.0, 2.0) == 0.0  # a halving under base / 4: back to rest
    assert recovered(2.0, 0.0, 2.0) == 1.0

def test_progress_line_after_discovery_has_the_total_and_an_eta():
    stats = {"newscrawl/fetch/new": 180, "newscrawl/fetch/revisit": 20, "newscrawl/articles/new": 90,
             "newscrawl/articles/updated": 5, "newscrawl/articles/unchanged": 3, "newscrawl/failures/fetch": 2}
    now = Snapshot.from_stats(stats, 120, discovering=False)
    assert (now.done, now.total, now.eta) == (100, 200, 120)
    assert now.line() == ("progress: 100/200 articles (50%) · 50.0/min · ETA 2.0 min · 90 new · 5 updated · "
                          "3 unchanged · 2 failed")


def test_progress_while_discovering_estimates_the_total_from_how_far_back_the_lists_reached():
    stats = {"newscrawl/fetch/new": 40, "newscrawl/articles/new": 20}
    now = Snapshot.from_stats(stats, 60, discovering=True, listed=0.25)
    assert (now.expected, now.eta) == (160, 420)
    assert now.line() == ("progress: 20 of ~160 articles (discovering: 25% of the window listed) · 20.0/min · "
                          "ETA ~7.0 min · 20 new · 0 updated · 0 unchanged · 0 failed")


def test_progress_line_while_discovering_undated_lists_has_no_eta():
    stats = {"newscrawl/fetch/new": 40, "newscrawl/articles/new": 10, "newscrawl/skipped/site-down": 1}
    now = Snapshot.from_stats(stats, 30, discovering=True)
    assert now.eta is None
    assert now.line() == ("progress: 11 of 40 articles found so far (discovering) · 22.0/min · 10 new · 0 updated · "
                          "0 unchanged · 0 failed")


def test_summary_table():
    run = {"id": 3, "job": 2, "site": "joongdo", "window_since": "2024-01-01T00:00:00+09:00", "window_until": None,
           "started_at": "2024-03-10T10:00:00+09:00", "ended_at": "2024-03-10T10:02:00+09:00",
           "pages_fetched": 130, "bytes": 2_500_000, "discovery_pages": 10, "discovery_failed": 0,
           "articles_new": 100, "articles_updated": 2, "articles_unchanged": 6, "articles_failed": 2,
           "not_articles": 1, "skipped": 40, "stop_reason": "finished", "exit_status": 0, "problems": None,
           "health": json.dumps({"articles": 102, "missing": {"title": 0, "published_at": 1, "body": 0}})}
    failures = [{"url": "http://x/web/view.php?key=1", "kind": "fetch", "status": 404,
                 "error": "HTTP 404 from http://x/web/view.php?key=1", "attempts": 1}]
    text = format_summary(run, failures)
    assert text.splitlines()[0] == "newscrawl crawl joongdo: run 3 (job 2) finished, exit status 0"
    assert "55.0 articles/min" in text and "100 new · 2 updated · 6 unchanged" in text
    assert "published_at 1" in text and "HTTP 404 from http://x/web/view.php?key=1" in text
    assert text.count("http://x/web/view.php?key=1") == 1
    assert "PROBLEMS" not in text


def test_archive_index_decisions(tmp_path):
    """New, fresh, due (with the stored page's validators), fetched by this job, given up."""
    db = open_archive(tmp_path / "news.db")
    article = extract_file(JOONGDO / "view-20200708010002304.html",
                           url="http://www.joongdo.co.kr/web/view.php?key=20200708010002304")
    article.fetched_at = "2020-07-09T10:00:00+09:00"
    article.page.headers["etag"] = ['"v1"']
    save_article(db, article)
    fetched = datetime(2020, 7, 9, 10, tzinfo=KST)

    def index(schedule: str, job_started: datetime) -> ArchiveIndex:
        return ArchiveIndex(db, "joongdo", RevisitSchedule.parse(schedule), job_started, max_attempts=2)

    key, url = "20200708010002304", article.url
    assert index("", fetched + timedelta(hours=1)).decide(key, url) == "fresh"
    assert index("99999d:0s", fetched + timedelta(hours=1)).decide(key, url) == Fetch("revisit", {"If-None-Match": '"v1"'})
    # a fetch in the very second a job starts belongs to the run before (runs can be a second apart)
    assert index("99999d:0s", fetched).decide(key, url) == Fetch("revisit", {"If-None-Match": '"v1"'})
    assert index("99999d:0s", fetched - timedelta(seconds=1)).decide(key, url) == "this-job"
    other = "http://www.joongdo.co.kr/web/view.php?key=20200708010009999"
    assert index("", fetched).decide("20200708010009999", other) == Fetch("new")
    for _ in range(2):
        record_failure(db, FetchFailure(url=other, error="HTTP 500", status=500, site="joongdo"))
    assert index("", fetched).decide("20200708010009999", other) == "given-up"


def test_pages_robots_txt_refuses_do_not_count_as_a_site_down():
    """A crawl of a site whose robots.txt refuses a few articles stopped as "site_unreachable"
    when two refusals (or a refusal and a 500) came in a row (found by a flaky --all test)."""
    from scrapy import Request, Spider
    from scrapy.exceptions import IgnoreRequest
    from scrapy.utils.test import get_crawler
    from twisted.internet.error import ConnectionRefusedError

    from newscrawl.middlewares.backoff import BackoffRetryMiddleware

    crawler = get_crawler(Spider, {"NEWSCRAWL_GIVE_UP_AFTER": 2, "RETRY_TIMES": 0})
    crawler.spider = Spider.from_crawler(crawler, name="site")
    middleware = BackoffRetryMiddleware.from_crawler(crawler)
    for number in range(3):
        middleware.process_exception(Request(f"http://127.0.0.1/a{number}"), IgnoreRequest("Forbidden by robots.txt"))
    assert middleware.failed_in_a_row == 0 and middleware.closing is None
    # control: refused connections do count
    middleware.process_exception(Request("http://127.0.0.1/b"), ConnectionRefusedError())
    assert middleware.failed_in_a_row == 1


def spider_classes() -> list[type]:
    loader = SpiderLoader.from_settings(project_settings())
    return [loader.load(name) for name in loader.list()]


def test_no_spider_callback_returns_a_value():
    """Scrapy's check for a generator callback with ``return value`` is off (its cost, once per
    list page); this is that check, on every generator method of every spider."""
    def returns_a_value():
        yield 1
        return 2

    assert is_generator_with_return_value(returns_a_value)  # the check can fail
    generators = [method for cls in spider_classes() for _, method in inspect.getmembers(cls, inspect.isfunction)
                  if inspect.isgeneratorfunction(method)]
    assert len(generators) >= 3
    assert [method.__qualname__ for method in generators if is_generator_with_return_value(method)] == []


def test_a_request_names_its_callbacks_as_scrapy_does():
    spider = SpiderLoader.from_settings(project_settings()).load("joongdo")(base_url="http://127.0.0.1:1")
    for request in (spider.article_request("http://127.0.0.1:1/web/view.php?key=1"),
                    spider.list_request("http://127.0.0.1:1/web/list.php", 1)):
        written = request.to_dict(spider=spider)
        assert written == scrapy.Request.to_dict(request, spider=spider)  # Scrapy's own search of the spider
        assert written["callback"] in ("parse_article", "parse_list") and written["errback"] == "fetch_failed"
        assert request_from_dict(written, spider=spider).callback == request.callback
    stranger = NewsRequest("http://127.0.0.1:1/", callback=Health().add_article)
    with pytest.raises(ValueError, match="not an instance method"):  # as Scrapy refuses it
        stranger.to_dict(spider=spider)


def test_a_list_page_parsed_once_reads_as_its_html():
    html = (JOONGDO / "list_news-N01_06-page1.html").read_text(encoding="utf-8")
    page = parsed(html)
    assert list_items(page, LIST_URL, JOONGDO_PROFILE.discovery) == list_items(html, LIST_URL, JOONGDO_PROFILE.discovery)
    assert next_page(page, LIST_URL, JOONGDO_PROFILE.discovery) == next_page(html, LIST_URL, JOONGDO_PROFILE.discovery)
    assert len(list_items(page, LIST_URL, JOONGDO_PROFILE.discovery)) == 4 and parsed(page) is page


def test_a_run_left_open_is_a_failed_site_of_the_table_not_a_crash():
    """When the recorder cannot write a run's end (e.g. the archive stayed locked), the run
    row has no exit status: ``crawl --all``'s table says so and the exit status is 1
    (formatting that row raised a TypeError, met in a loaded cluster benchmark)."""
    left_open = {"id": 7, "site": "joongdo", "ended_at": None, "exit_status": None}
    outcome = SiteOutcome("joongdo", CrawlResult(left_open, [], "finished"))
    table = format_table([outcome])
    assert outcome.exit_status == 1
    assert "exit status 1" in table.splitlines()[0]
    assert "run 7 could not be recorded as ended" in table.splitlines()[-1]
