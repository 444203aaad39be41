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
from .archive import open_existing_archive, open_for_reading, open_site_archive
from .archive.export import FORMATS, export
from .archive.search import ORDERS, rebuild_index, search_page
from .batch import FORMATS as BATCH_FORMATS
from .batch import Tally, input_pages, read_all, render
from .policy.drift import Thresholds, site_health
from .policy.health_report import format_report
from .cluster.run import check_cluster, run_worker
from .config import DEFAULT_DB, Config, load_config
from .crawl.many import crawl_all, format_table
from .crawl.runner import CrawlOptions, crawl_site, crawl_target
from .policy.sitesfile import load_sites
from .errors import NewscrawlError
from .items import Article
from .reparse import reparse
from .run import check_setting_types, fetch, generic_note, profile_choice, project_settings, site_profiles
from .serve import serve
from .sites import get_profile


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
    check_setting_types(settings)
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


def config() -> Config:
    """The configuration (file, then environment) of this command, read on first use, so that
    a broken file stops only the commands that need it."""
    ctx = click.get_current_context()
    if "config" not in ctx.meta:
        ctx.meta["config"] = load_config(ctx.find_root().params.get("config_file"))
    return ctx.meta["config"]


def archive_path(db: str | None) -> str:
    """The archive a command works on (``--db``, else the configuration's), as an absolute path."""
    return str(config().archive(db))


def run_settings(flags: dict[str, str], **command: Any) -> dict[str, Any]:
    """The configuration's settings, the command's own (``command``), the ``-s`` flags on top."""
    return config().with_flags(flags, command)


@click.group(cls=NewscrawlGroup)
@click.version_option(__version__, prog_name="newscrawl")
@click.option("--config", "config_file", type=click.Path(dir_okay=False), metavar="FILE",
              help="The configuration file (default: $NEWSCRAWL_CONFIG, else ./newscrawl.toml if present).")
def cli(config_file: str | None) -> None:
    """Archive Korean news sites into SQLite, every field of every article.

    \b
    newscrawl crawl joongdo
    newscrawl fetch http://www.joongdo.co.kr/web/view.php?key=20200708010002304
    newscrawl --config /srv/newscrawl.toml crawl joongdo
    datasette data/news.db
    """


@cli.command()
@click.argument("files", nargs=-1, type=click.Path(dir_okay=False, allow_dash=True))
@click.option("--input-dir", type=click.Path(exists=True, file_okay=False),
              help="Also read every saved page (*.html, *.htm, *.xhtml) in this folder and below.")
@click.option("--format", "fmt", type=click.Choice(BATCH_FORMATS), default="json", show_default=True,
              help="json (an object; an array for many pages), jsonl, txt or markdown.")
@click.option("--parallel", type=click.IntRange(1), default=1, show_default=True, metavar="N",
              help="Read the pages in N processes.")
@click.option("--url", help="The page's address (default: its canonical link); one page only.")
@click.option("--site", help="Read the pages with this site profile (default: by URL host).")
@click.option("--content-type", help='The Content-Type they were served with, e.g. "text/html; charset=euc-kr".')
def extract(files: tuple[str, ...], input_dir: str | None, fmt: str, parallel: int, url: str | None,
            site: str | None, content_type: str | None) -> None:
    """Print the articles in saved pages (no network, nothing stored). - reads standard input.

    Exits 1 unless every page was read as an article; each refused one is a line on stderr.

    \b
    newscrawl extract page.html --url "http://www.joongdo.co.kr/web/view.php?key=20200708010002304"
    curl -s "$URL" | newscrawl extract - --url "$URL" --format markdown
    newscrawl extract --input-dir saved/ --format jsonl --parallel 2 > articles.jsonl
    """
    if not files and not input_dir:
        raise click.UsageError("name the saved pages to read: files, - for standard input, or --input-dir DIR")
    if files.count("-") > 1:
        raise click.UsageError("standard input (-) can be read once")
    pages = input_pages(files, input_dir)
    if url and len(pages) > 1:
        raise click.UsageError("--url names one page's address; leave it out for many (each page's canonical "
                               "link is used)")
    if site:
        get_profile(site)  # an unknown name is one error, not one per page
    reads = Tally(read_all(pages, parallel, {"url": url, "site": site, "content_type": content_type}),
                  report=lambda line: click.echo(line, err=True), many=len(pages) > 1)
    for text in render(reads.articles(), fmt, many=len(pages) > 1):
        click.echo(text, nl=False)
    if reads.refused:
        if len(pages) > 1:
            click.echo(f"newscrawl: error: {reads.refused} of {len(pages)} pages were not read as articles", err=True)
        click.get_current_context().exit(1)


def db_option(help_text: str = "The archive.") -> Any:
    return click.option("--db", type=click.Path(dir_okay=False),
                        help=f"{help_text} [default: {DEFAULT_DB}, or NEWSCRAWL_DB, or the configuration file's db]")


@cli.command(name="fetch")
@click.argument("url")
@db_option("The archive to store the article in.")
@click.option("--site", help="Read the page with this site profile (for a mirror or test server).")
@click.option("--no-store", is_flag=True, help="Fetch and extract, store nothing.")
@click.option("--json", "as_json", is_flag=True, help="Print the article as JSON.")
@click.option("--timeout", type=float, default=30, show_default=True,
              help="Seconds the whole fetch may take (robots.txt, retries and all).")
@click.option("-s", "--set", "settings", multiple=True, callback=parse_setting, metavar="NAME=VALUE",
              help="Override a Scrapy or NEWSCRAWL_ setting (repeatable).")
@click.option("-v", "--verbose", is_flag=True, help="Show Scrapy's log.")
def fetch_command(url: str, db: str | None, site: str | None, no_store: bool, as_json: bool, timeout: float,
                  settings: dict[str, str], verbose: bool) -> None:
    """Download one article, extract every field and store it in the archive.

    \b
    newscrawl fetch "http://www.joongdo.co.kr/web/view.php?key=20200708010002304"
    newscrawl fetch "http://127.0.0.1:8000/web/view.php?key=20200708010002304" --site joongdo --json
    """
    db = archive_path(db)
    overrides = run_settings(settings, NEWSCRAWL_DB=db, NEWSCRAWL_STORE=not no_store, NEWSCRAWL_RECORD_FAILURES=False,
                             DOWNLOAD_TIMEOUT=timeout, CLOSESPIDER_TIMEOUT=timeout,
                             LOG_LEVEL="INFO" if verbose else "CRITICAL")
    article = fetch(url, site=site, db=db, store=not no_store, timeout=timeout, settings=overrides)
    print_article(article, as_json)
    if not as_json and not no_store:
        click.echo(f"  stored in {db}")


@cli.command()
@click.argument("url", required=False)
@click.option("--html", type=click.Path(exists=True, dir_okay=False),
              help="The page saved from URL: judge by its canonical link and markers too, as fetch does.")
def sites(url: str | None, html: str | None) -> None:
    """List the site profiles and how a URL is matched to one; with URL, the one fetch uses and why.

    \b
    newscrawl sites
    newscrawl sites "https://www.example-paper.kr/news/articleView.html?idxno=123"
    newscrawl sites "https://mirror.example.org/view.php?key=1" --html page.html
    """
    if html and not url:
        raise click.UsageError("--html needs the URL the page was saved from")
    if url:
        profile, why = profile_choice(url, html)
        click.echo(profile.name)
        click.echo(f"  {why}")
        return
    for profile in site_profiles():
        click.echo(f"{profile['name']:<10} {profile['title']}")
        click.echo(f"{'':<10} matches: {profile['matches']}")


# -- the archive: search, serve, re-extract, export -------------------------------------

@cli.command(name="search")
@click.argument("query")
@db_option()
@click.option("--limit", type=click.IntRange(1), default=20, show_default=True, help="At most this many articles.")
@click.option("--offset", type=click.IntRange(0), default=0, help="Skip this many results (the next page).")
@click.option("--order", type=click.Choice(list(ORDERS)), default="relevance", show_default=True,
              help="Most relevant first (bm25; newest first among equals), or newest first.")
@click.option("--json", "as_json", is_flag=True, help="Print the results as JSON lines.")
@click.option("--site", help="Only this site's articles (joongdo, or a paper's host).")
def search_command(query: str, db: str | None, limit: int, offset: int, order: str, as_json: bool,
                   site: str | None) -> None:
    """Search the articles' title, subtitle and body (Korean-aware; words are AND-ed).

    \b
    newscrawl search 세종
    newscrawl search "정보보호의날 세종" --limit 5 --json --site joongdo
    newscrawl search 교육 --order newest --offset 20
    """
    archive = open_site_archive(archive_path(db), site)
    page = search_page(archive.conn, query, limit, offset, order, filters={"site": site})
    for result in page.rows:
        if as_json:
            click.echo(json.dumps(result, ensure_ascii=False))
        else:
            click.echo(f"{result['published_at'] or '':25} {result['title']}")
            click.echo(f"  {result['url']}\n  {result['snippet']}")
    click.echo(page.summary(offset), err=True)


@cli.command(name="rebuild-index")
@db_option()
def rebuild_index_command(db: str | None) -> None:
    """Rebuild the full-text search index from the articles table.

    \b
    newscrawl rebuild-index --db data/news.db
    """
    started = time.perf_counter()
    count = rebuild_index(open_existing_archive(archive_path(db)))
    click.echo(f"indexed {count} articles in {time.perf_counter() - started:.1f} s")


@cli.command(name="serve")
@db_option()
@click.option("--host", default="127.0.0.1", show_default=True, help="Address to listen on.")
@click.option("--port", type=int, default=8001, show_default=True, help="Port (0: any free port).")
@click.option("--immutable", is_flag=True, help="Serve it as a file nobody writes meanwhile (a copy, read-only media).")
def serve_command(db: str | None, host: str, port: int, immutable: bool) -> None:
    """Browse and search the archive in datasette (read-only).

    \b
    newscrawl serve --db data/news.db --port 8001
    newscrawl serve --db /mnt/archive/news.db --immutable
    """
    serve(archive_path(db), host=host, port=port, immutable=immutable)


@cli.command(name="reparse")
@db_option()
@click.option("--site", help="Only this site's articles.")
@click.option("--workers", type=click.IntRange(min=1), help="Processes extracting pages (default: one per core).")
def reparse_command(db: str | None, site: str | None, workers: int | None) -> None:
    """Re-extract every article from its stored raw page and report what changed.

    \b
    newscrawl reparse --db data/news.db --site joongdo
    """
    db = archive_path(db)
    open_site_archive(db, site, writing=True).close()
    report = reparse(db, site=site, workers=workers)
    click.echo(", ".join(f"{count} {outcome}" for outcome, count in report.counts.items()))
    for change in report.changes:
        click.echo(f"revision {change.revision}: {change.site} {change.article_id} {change.title}"
                   f" ({', '.join(change.fields)})")
    for url, reason in report.dropped:
        click.echo(f"dropped: {url}: {reason}")


@cli.command(name="export")
@db_option()
@click.option("--format", "fmt", type=click.Choice(FORMATS), required=True, help="Output format.")
@click.option("-o", "--output", type=click.Path(allow_dash=True),
              help="Regular file to write, replaced whole at the end (default, or -: standard output). "
                   "WARC: gzipped when it ends in .gz.")
@click.option("--site", help="Only this site's articles or pages.")
def export_command(db: str | None, fmt: str, output: str | None, site: str | None) -> None:
    """Write the articles as JSON Lines or CSV, or the raw responses as WARC.

    \b
    newscrawl export --format jsonl -o articles.jsonl
    newscrawl export --format csv -o articles.csv
    newscrawl export --format warc -o pages.warc.gz
    """
    archive = open_site_archive(archive_path(db), site)
    count = export(archive, fmt, output, site)
    click.echo(f"exported {count} {'responses (pages and photos)' if fmt == 'warc' else 'articles'}"
               + (f" to {output}" if output not in (None, "-") else ""), err=True)


@cli.command(name="health")
@db_option()
@click.option("--site", help="Only this site, as crawl_runs names it (joongdo, or a paper's host).")
@click.option("--runs", type=click.IntRange(1), default=10, show_default=True,
              help="Look at this many recent runs of each site.")
@click.option("-s", "--set", "settings", multiple=True, callback=parse_setting, metavar="NAME=VALUE",
              help="Override a NEWSCRAWL_ setting (repeatable), e.g. NEWSCRAWL_HEALTH_PROFILE_FLOOR=0.8.")
@click.pass_context
def health_command(ctx: click.Context, db: str | None, site: str | None, runs: int, settings: dict[str, str]) -> None:
    """Where each site's fields came from in its recent crawls, and what they missed.

    Exits 1 when a site's profile stopped matching (its key fields no longer come from
    the site profile) or its articles miss their title, date or body.

    \b
    newscrawl health
    newscrawl health --site joongdo --runs 5
    """
    thresholds = Thresholds.from_settings(project_settings(run_settings(settings)))
    verdicts = site_health(open_for_reading(archive_path(db)), site, runs, thresholds)
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
@db_option("The archive to crawl into.")
@click.option("--base-url", help="Crawl the site at another address (a mirror, a test server).")
@click.option("-s", "--set", "settings", multiple=True, callback=parse_setting, metavar="NAME=VALUE",
              help="Override a Scrapy or NEWSCRAWL_ setting (repeatable).")
@click.option("-q", "--quiet", is_flag=True,
              help="Only warnings that need action, and the summary (for cron).")
@click.option("-v", "--verbose", is_flag=True, help="Also Scrapy's dumps of settings, components and stats.")
@click.option("--all", "all_sites", is_flag=True, help="Crawl every enabled site of the sites file, at once.")
@click.option("--sites", "sites_file", type=click.Path(dir_okay=False),
              help="With --all: the sites file ([[sites]] tables; default: the configuration file, "
                   "--config, $NEWSCRAWL_CONFIG or ./newscrawl.toml).")
@click.option("--cluster", metavar="redis://HOST:PORT/N",
              help="Coordinate workers: they fetch the article pages, this process stores them.")
@click.pass_context
def crawl_command(ctx: click.Context, site: str | None, generic: bool, start: str | None, since: str | None,
                  until: str | None, sections: tuple[str, ...], max_articles: int | None, resume: bool,
                  db: str | None, base_url: str | None, settings: dict[str, str], quiet: bool, verbose: bool,
                  all_sites: bool, sites_file: str | None, cluster: str | None) -> None:
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
    newscrawl crawl --all --sites newscrawl.toml             # every site of the sites file
    newscrawl crawl --all --cluster redis://10.0.0.5:6379/0  # workers fetch, this stores
    """
    options = CrawlOptions(since=since, until=until, sections=sections, max_articles=max_articles,
                           resume=resume, base_url=base_url, start=start)
    if quiet and verbose:
        raise click.UsageError("-q and -v ask for opposite logs: choose one")
    overrides = run_settings(settings, LOG_LEVEL="WARNING" if quiet else "INFO", **check_cluster(cluster))
    if all_sites:
        if site or generic or start or base_url or sections or resume:
            raise NewscrawlError("--all crawls the sites of the sites file: leave out SITE, --generic, --start, "
                                 "--base-url, --section and --resume (put them in the file)")
        outcomes = crawl_all(load_sites(sites_file or config().path or "newscrawl.toml"), archive_path(db), options,
                             overrides, verbose=verbose)
        click.echo(format_table(outcomes))
        ctx.exit(max(outcome.exit_status for outcome in outcomes))
    result = crawl_site(crawl_target(site, generic), archive_path(db), options, overrides, verbose=verbose)
    click.echo(result.summary())
    ctx.exit(result.exit_status)


@cli.command(name="worker")
@click.option("--cluster", metavar="redis://HOST:PORT/N", required=True, help="The cluster's Redis.")
@click.option("-s", "--set", "settings", multiple=True, callback=parse_setting, metavar="NAME=VALUE",
              help="Override a Scrapy or NEWSCRAWL_ setting (repeatable), e.g. CONCURRENT_REQUESTS=32.")
@click.option("-q", "--quiet", is_flag=True, help="Log only warnings and errors.")
def worker_command(cluster: str, settings: dict[str, str], quiet: bool) -> None:
    """Fetch and extract article pages for the coordinator of a cluster crawl, until stopped.

    Any number of workers, on any machine that reaches the Redis; they never open the
    archive. Stop one with Ctrl-C or SIGTERM: its pages in flight go to the others.

    \b
    newscrawl worker --cluster redis://10.0.0.5:6379/0
    newscrawl worker --cluster redis://10.0.0.5:6379/0 -s CONCURRENT_REQUESTS=32 -q
    """
    run_worker(cluster, run_settings(settings, LOG_LEVEL="WARNING" if quiet else "INFO"))
