"""The ``newscrawl`` command: a thin layer over :mod:`newscrawl.run` and the archive.

Every user error is a :class:`~newscrawl.errors.NewscrawlError`: printed as one line on
stderr, exit status 1.
"""

from __future__ import annotations

import json
from typing import Any

import click

from . import __version__
from .archive import DEFAULT_PATH
from .errors import NewscrawlError
from .items import Article
from .run import choose_profile, extract_file, fetch, generic_note, site_profiles


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
