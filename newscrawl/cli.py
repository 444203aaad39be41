"""The ``newscrawl`` command: a thin layer over :mod:`newscrawl.run` and the archive.

Every user error is a :class:`~newscrawl.errors.NewscrawlError`: printed as one line on
stderr, exit status 1.
"""

from __future__ import annotations

import json
import time
from typing import Any

import click

from . import __version__
from .archive import DEFAULT_PATH, open_existing_archive
from .archive.export import FORMATS, export
from .archive.search import ORDERS, rebuild_index, search_page
from .crawl.drift import Thresholds, site_health
from .crawl.health_report import format_report
from .crawl.runner import CrawlOptions, crawl_site, crawl_target
from .errors import NewscrawlError
from .items import Article
from .reparse import reparse
from .run import extract_file, fetch, generic_note, project_settings, site_profiles
from .serve import serve
from .sites import choose_profile


class NewscrawlGroup(click.Group):
    """Turns a NewscrawlError into one line on stderr and exit status 1."""

    def invoke(self, ctx: click.Context) -> Any:
        try:
            return super().invoke(ctx)
        except NewscrawlError as exc:
            click.echo(f"newscrawl: error: {exc}", err=True)
            ctx.exit(1)


def parse_setting(ctx: click.Context, param: click.Parameter, values: tuple[str, ...]) -> dict[str, str]:
    settings = {}
    for value in values:
        name, sep, setting = value.partition("=")
        if not sep:
            raise click.BadParameter(f"expected NAME=VALUE, got {value!r}")
        settings[name] = setting
    return settings


def print_article(article: Article, as_json: bool) -> None:
    note = generic_note(article)
    if note:
        click.echo(f"newscrawl: {note}", err=True)
    if as_json:
        click.echo(json.dumps(article.to_json(), ensure_ascii=False, indent=2))
        return
    related = len(article.related)
    click.echo(f"{article.archived or 'fetched'}: {article.title}")
    click.echo(f"  {article.site} {article.article_id} · profile {article.profile}"
               f" · published {article.published_at or 'unknown'}"
               f" · {len(article.body.split(chr(10) * 2))} paragraphs, {len(article.photos)} photos,"
               f" {related} list items")
    if not article.complete:
        click.echo(f"  INCOMPLETE: {article.incomplete_reason}")


@click.group(cls=NewscrawlGroup)
@click.version_option(__version__, prog_name="newscrawl")
def cli() -> None:
    """Archive Korean news sites into SQLite, every field of every article.

    \b
    newscrawl crawl joongdo
    newscrawl fetch http://www.joongdo.co.kr/web/view.php?key=20200708010002304
    datasette data/news.db
    """


@cli.command()
@click.argument("file", type=click.Path(exists=True, dir_okay=False))
@click.option("--url", help="The page's address (default: its canonical link).")
@click.option("--site", help="Read the page with this site profile (default: by URL host).")
@click.option("--content-type", help='The Content-Type it was served with, e.g. "text/html; charset=euc-kr".')
def extract(file: str, url: str | None, site: str | None, content_type: str | None) -> None:
    """Print the article in a saved page as JSON (no network, nothing stored).

    \b
    newscrawl extract page.html --url "http://www.joongdo.co.kr/web/view.php?key=20200708010002304"
    """
    print_article(extract_file(file, url=url, site=site, content_type=content_type), as_json=True)


@cli.command(name="fetch")
@click.argument("url")
@click.option("--db", type=click.Path(dir_okay=False), default=str(DEFAULT_PATH), show_default=True,
              help="The archive to store the article in.")
@click.option("--site", help="Read the page with this site profile (for a mirror or test server).")
@click.option("--no-store", is_flag=True, help="Fetch and extract, store nothing.")
@click.option("--json", "as_json", is_flag=True, help="Print the article as JSON.")
@click.option("--timeout", type=float, default=30, show_default=True, help="Seconds to wait for the server.")
@click.option("-s", "--set", "settings", multiple=True, callback=parse_setting, metavar="NAME=VALUE",
              help="Override a Scrapy or NEWSCRAWL_ setting (repeatable).")
@click.option("-v", "--verbose", is_flag=True, help="Show Scrapy's log.")
def fetch_command(url: str, db: str, site: str | None, no_store: bool, as_json: bool, timeout: float,
                  settings: dict[str, str], verbose: bool) -> None:
    """Download one article, extract every field and store it in the archive.

    \b
    newscrawl fetch "http://www.joongdo.co.kr/web/view.php?key=20200708010002304"
    newscrawl fetch "http://127.0.0.1:8000/web/view.php?key=20200708010002304" --site joongdo --json
    """
    # A single fetch reports its failure on stderr; only crawls keep failures for a retry.
    overrides = {"NEWSCRAWL_DB": db, "NEWSCRAWL_STORE": not no_store, "NEWSCRAWL_RECORD_FAILURES": False,
                 "DOWNLOAD_TIMEOUT": timeout,
                 "LOG_LEVEL": "INFO" if verbose else "CRITICAL", **settings}
    article = fetch(url, site=site, settings=overrides)
    print_article(article, as_json)
    if not as_json and not no_store:
        click.echo(f"  stored in {db}")


@cli.command()
@click.argument("url", required=False)
def sites(url: str | None) -> None:
    """List the site profiles and how a URL is matched to one; with URL, the one it gets.

    \b
    newscrawl sites
    newscrawl sites "https://www.example-paper.kr/news/articleView.html?idxno=123"
    """
    if url:
        click.echo(choose_profile(url, None).name)
        return
    for profile in site_profiles():
        click.echo(f"{profile['name']:<10} {profile['title']}")
        click.echo(f"{'':<10} matches: {profile['matches']}")


# -- the archive: search, serve, re-extract, export -------------------------------------

def db_option(help_text: str = "The archive.") -> Any:
    return click.option("--db", type=click.Path(dir_okay=False), default=str(DEFAULT_PATH), show_default=True,
                        help=help_text)


@cli.command(name="search")
@click.argument("query")
@db_option()
@click.option("--limit", type=click.IntRange(1), default=20, show_default=True, help="At most this many articles.")
@click.option("--offset", type=click.IntRange(0), default=0, help="Skip this many results (the next page).")
@click.option("--order", type=click.Choice(list(ORDERS)), default="relevance", show_default=True,
              help="Most relevant first (bm25; newest first among equals), or newest first.")
@click.option("--json", "as_json", is_flag=True, help="Print the results as JSON lines.")
def search_command(query: str, db: str, limit: int, offset: int, order: str, as_json: bool) -> None:
    """Search the articles' title, subtitle and body (Korean-aware; words are AND-ed).

    \b
    newscrawl search 세종
    newscrawl search "정보보호의날 세종" --limit 5 --json
    newscrawl search 교육 --order newest --offset 20
    """
    archive = open_existing_archive(db)
    page = search_page(archive.conn, query, limit, offset, order)
    for result in page.rows:
        if as_json:
            click.echo(json.dumps(result, ensure_ascii=False))
        else:
            click.echo(f"{result['published_at'] or '':25} {result['title']}")
            click.echo(f"  {result['url']}\n  {result['snippet']}")
    click.echo(page.summary(offset), err=True)


@cli.command(name="rebuild-index")
@db_option()
def rebuild_index_command(db: str) -> None:
    """Rebuild the full-text search index from the articles table.

    \b
    newscrawl rebuild-index --db data/news.db
    """
    started = time.perf_counter()
    count = rebuild_index(open_existing_archive(db))
    click.echo(f"indexed {count} articles in {time.perf_counter() - started:.1f} s")


@cli.command(name="serve")
@db_option()
@click.option("--host", default="127.0.0.1", show_default=True, help="Address to listen on.")
@click.option("--port", type=int, default=8001, show_default=True, help="Port (0: any free port).")
def serve_command(db: str, host: str, port: int) -> None:
    """Browse and search the archive in datasette (read-only).

    \b
    newscrawl serve --db data/news.db --port 8001
    """
    serve(db, host=host, port=port)


@cli.command(name="reparse")
@db_option()
@click.option("--site", help="Only this site's articles.")
def reparse_command(db: str, site: str | None) -> None:
    """Re-extract every article from its stored raw page and report what changed.

    \b
    newscrawl reparse --db data/news.db --site joongdo
    """
    open_existing_archive(db).close()
    report = reparse(db, site=site)
    click.echo(", ".join(f"{count} {outcome}" for outcome, count in report.counts.items()))
    for change in report.changes:
        click.echo(f"revision {change.revision}: {change.site} {change.article_id} {change.title}"
                   f" ({', '.join(change.fields)})")
    for url, reason in report.dropped:
        click.echo(f"dropped: {url}: {reason}")


@cli.command(name="export")
@db_option()
@click.option("--format", "fmt", type=click.Choice(FORMATS), required=True, help="Output format.")
@click.option("-o", "--output", type=click.Path(dir_okay=False, writable=True),
              help="File to write (default: standard output). WARC: gzipped when it ends in .gz.")
@click.option("--site", help="Only this site's articles or pages.")
def export_command(db: str, fmt: str, output: str | None, site: str | None) -> None:
    """Write the articles as JSON Lines or CSV, or the raw responses as WARC.

    \b
    newscrawl export --format jsonl -o articles.jsonl
    newscrawl export --format csv -o articles.csv
    newscrawl export --format warc -o pages.warc.gz
    """
    archive = open_existing_archive(db)
    count = export(archive, fmt, output, site)
    click.echo(f"exported {count} {'responses (pages and photos)' if fmt == 'warc' else 'articles'}"
               + (f" to {output}" if output else ""), err=True)


@cli.command(name="health")
@db_option()
@click.option("--site", help="Only this site, as crawl_runs names it (joongdo, or a paper's host).")
@click.option("--runs", type=click.IntRange(1), default=10, show_default=True,
              help="Look at this many recent runs of each site.")
@click.option("-s", "--set", "settings", multiple=True, callback=parse_setting, metavar="NAME=VALUE",
              help="Override a NEWSCRAWL_ setting (repeatable), e.g. NEWSCRAWL_HEALTH_PROFILE_FLOOR=0.8.")
@click.pass_context
def health_command(ctx: click.Context, db: str, site: str | None, runs: int, settings: dict[str, str]) -> None:
    """Where each site's fields came from in its recent crawls, and what they missed.

    Exits 1 when a site's profile stopped matching (its key fields no longer come from
    the site profile) or its articles miss their title, date or body.

    \b
    newscrawl health
    newscrawl health --site joongdo --runs 5
    """
    thresholds = Thresholds.from_settings(project_settings(settings))
    verdicts = site_health(open_existing_archive(db), site, runs, thresholds)
    click.echo(format_report(verdicts, thresholds))
    ctx.exit(1 if any(verdict.flagged for verdict in verdicts) else 0)


@cli.command(name="crawl")
@click.argument("site", required=False)
@click.option("--generic", is_flag=True, help="Crawl a site no profile knows, through its feeds and sitemaps.")
@click.option("--start", metavar="URL", help="With --generic: the page to start from (home page, feed or sitemap).")
@click.option("--since", help="Articles published since: an age (6h, 2d, 1w) or a date (2024-01-31). "
                              "Default: where the last successful routine crawl started, less an hour.")
@click.option("--until", help="Articles published before: an age or a date (a date includes that day). Default: now.")
@click.option("--section", "sections", multiple=True, metavar="CODE",
              help="Crawl only this section's list (e.g. N01_06; repeatable; 'all' for every section).")
@click.option("--max-articles", type=click.IntRange(min=1), help="Fetch at most this many article pages.")
@click.option("--resume", is_flag=True, help="Continue the stopped crawl of SITE where it stopped.")
@click.option("--db", type=click.Path(dir_okay=False), default=str(DEFAULT_PATH), show_default=True,
              help="The archive to crawl into.")
@click.option("--base-url", help="Crawl the site at another address (a mirror, a test server).")
@click.option("-s", "--set", "settings", multiple=True, callback=parse_setting, metavar="NAME=VALUE",
              help="Override a Scrapy or NEWSCRAWL_ setting (repeatable).")
@click.option("-q", "--quiet", is_flag=True, help="Log only warnings and errors (the summary is still printed).")
@click.pass_context
def crawl_command(ctx: click.Context, site: str | None, generic: bool, start: str | None, since: str | None,
                  until: str | None, sections: tuple[str, ...], max_articles: int | None, resume: bool, db: str,
                  base_url: str | None, settings: dict[str, str], quiet: bool) -> None:
    """Crawl a whole site: new articles, due revisits, retries of failures.

    Prints a summary table; exits non-zero when the run failed, stopped early or its
    articles suddenly miss their title, date or body (the site changed its layout).

    \b
    newscrawl crawl joongdo                                  # the routine run (cron)
    newscrawl crawl joongdo --since 2024-01-01 --until 2024-01-31   # a backfill
    newscrawl crawl joongdo --section N01_06 --since 7d --max-articles 50
    newscrawl crawl joongdo --resume                         # after Ctrl-C or a crash
    newscrawl crawl ndsoft --base-url https://www.example-paper.kr --since 2d
    newscrawl crawl --generic --start https://news.example.org/ --since 7d
    """
    options = CrawlOptions(since=since, until=until, sections=sections, max_articles=max_articles,
                           resume=resume, base_url=base_url, start=start)
    overrides = {"LOG_LEVEL": "WARNING" if quiet else "INFO", **settings}
    result = crawl_site(crawl_target(site, generic), db, options, overrides)
    click.echo(result.summary())
    ctx.exit(result.exit_status)
