"""The sites file: every site to archive, as ``[[sites]]`` tables of a TOML file.

::

    [[sites]]
    profile = "joongdo"            # a site profile (`newscrawl sites`), or "generic"
    since = "2d"                   # optional: the window, as `--since` / `--until` take it
    sections = ["N01", "N02"]      # optional: only these sections' lists
    delay = 1.0                    # optional: DOWNLOAD_DELAY for this site (seconds)
    concurrency = 1                # optional: CONCURRENT_REQUESTS_PER_DOMAIN for this site

    [[sites]]
    profile = "ndsoft"
    base_url = "https://www.example-paper.kr"
    enabled = false                # listed, not crawled
    settings = { RETRY_TIMES = 4 } # any other Scrapy or NEWSCRAWL_ setting, for this site only

The whole file is checked before anything is crawled: a mistake in any entry is one error
naming the file, the entry and the key.
"""

from __future__ import annotations

import tomllib
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any

from ..errors import NewscrawlError
from ..clock import KST
from ..sites import get_profile
from .plan import CrawlPlan, check_crawlable

#: key -> (accepted types, what it must be), for the error message
KEYS: dict[str, tuple[tuple[type, ...], str]] = {
    "profile": ((str,), "a site profile name"),
    "base_url": ((str,), "a URL"),
    "start": ((str,), "a URL"),
    "since": ((str,), "an age or a date, as --since takes it"),
    "until": ((str,), "an age or a date, as --until takes it"),
    "sections": ((list, str), "a list of section codes"),
    "max_articles": ((int,), "a whole number"),
    "delay": ((int, float), "a number of seconds"),
    "concurrency": ((int,), "a whole number"),
    "enabled": ((bool,), "true or false"),
    "settings": ((dict,), "a table of setting = value"),
}


class BadSitesFile(NewscrawlError):
    """The sites file is missing, is not TOML, or has an entry that cannot be crawled."""


@dataclass(frozen=True)
class SiteEntry:
    """One ``[[sites]]`` table, checked."""

    name: str
    profile: str
    base_url: str | None = None
    start: str | None = None
    since: str | None = None
    until: str | None = None
    sections: tuple[str, ...] = ()
    max_articles: int | None = None
    enabled: bool = True
    settings: dict[str, Any] = field(default_factory=dict)


def load_sites(path: str | Path) -> list[SiteEntry]:
    """The entries of the sites file at ``path``; raises :class:`BadSitesFile` on any mistake."""
    path = Path(path)
    try:
        document = tomllib.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise BadSitesFile(f"no sites file at {path} (see deploy/sites.example.toml)") from None
    except (tomllib.TOMLDecodeError, UnicodeDecodeError) as exc:
        raise BadSitesFile(f"{path} is not a valid TOML file: {exc}") from None
    tables = document.get("sites")
    if not isinstance(tables, list) or not tables:
        raise BadSitesFile(f"{path} lists no sites: add [[sites]] tables (see deploy/sites.example.toml)")
    entries = [_entry(table, f"{path}: site {number}") for number, table in enumerate(tables, 1)]
    names = [entry.name for entry in entries]
    for name in names:
        if names.count(name) > 1:
            raise BadSitesFile(f"{path}: {name} is listed twice (one entry per site)")
    return entries


def _entry(table: dict[str, Any], where: str) -> SiteEntry:
    for key, value in table.items():
        if key not in KEYS:
            raise BadSitesFile(f"{where}: unknown key {key!r} (known: {', '.join(KEYS)})")
        types, meaning = KEYS[key]
        if not isinstance(value, types) or (isinstance(value, bool) and bool not in types):
            raise BadSitesFile(f"{where}: {key} must be {meaning}, not {value!r}")
    if "profile" not in table:
        raise BadSitesFile(f"{where}: no profile (e.g. profile = \"joongdo\"; `newscrawl sites` lists them)")
    sections = table.get("sections", ())
    sections = tuple(sections.split(",")) if isinstance(sections, str) else tuple(str(s) for s in sections)
    try:
        profile = get_profile(table["profile"])
        check_crawlable(profile, table.get("base_url"), table.get("start"))
        CrawlPlan.parse(profile, datetime.now(KST), table.get("since"), table.get("until"), ",".join(sections),
                        table.get("max_articles"))
    except NewscrawlError as exc:
        raise BadSitesFile(f"{where} ({table['profile']}): {exc}") from None
    return SiteEntry(
        name=profile.site_name(f"{table.get('start') or table.get('base_url') or profile.base_url}/"),
        profile=profile.name, base_url=table.get("base_url"), start=table.get("start"), since=table.get("since"),
        until=table.get("until"), sections=sections, max_articles=table.get("max_articles"),
        enabled=table.get("enabled", True), settings=_politeness(table, where))


def _politeness(table: dict[str, Any], where: str) -> dict[str, Any]:
    settings = dict(table.get("settings", {}))
    if "delay" in table:
        if table["delay"] < 0:
            raise BadSitesFile(f"{where}: delay must be 0 or more seconds")
        settings["DOWNLOAD_DELAY"] = float(table["delay"])
    if "concurrency" in table:
        if table["concurrency"] < 1:
            raise BadSitesFile(f"{where}: concurrency must be 1 or more")
        settings["CONCURRENT_REQUESTS_PER_DOMAIN"] = table["concurrency"]
    return settings
