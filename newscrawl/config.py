"""One configuration for every ``newscrawl`` command: a TOML file, then the environment, then flags.

The file is the one ``--config FILE`` names, else ``$NEWSCRAWL_CONFIG``, else ``newscrawl.toml``
in the working directory if there is one::

    db = "/srv/news.db"            # the archive; a relative path is taken from the file's folder

    [settings]                     # any Scrapy or NEWSCRAWL_ setting
    NEWSCRAWL_CONTACT = "you@example.org"
    DOWNLOAD_DELAY = 1.0

(Other tables, such as the ``[[sites]]`` list of ``crawl --all``, belong to their own readers.)
Then the environment: ``NEWSCRAWL_DB`` for the archive, and ``NEWSCRAWL_<NAME>`` for any
``NEWSCRAWL_`` setting. Then the command line: ``--db`` and ``-s NAME=VALUE``. A later source
wins. A ``NEWSCRAWL_`` setting newscrawl does not know is refused, naming the closest known one,
wherever it comes from: a misspelt name is never silently ignored.
"""

from __future__ import annotations

import difflib
import os
import tomllib
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from . import settings as project_module
from .errors import NewscrawlError

CONFIG_FILE = "newscrawl.toml"
CONFIG_ENV = "NEWSCRAWL_CONFIG"
PREFIX = "NEWSCRAWL_"
#: The archive when no file, variable or flag names one (relative to the working directory).
DEFAULT_DB = project_module.NEWSCRAWL_DB


class ConfigError(NewscrawlError):
    """A configuration file that cannot be read, or a setting newscrawl does not know."""


def known_settings() -> list[str]:
    """Every ``NEWSCRAWL_`` setting (those declared, with their defaults, in newscrawl/settings.py)."""
    return sorted(name for name in vars(project_module) if name.startswith(PREFIX))


def check_setting_names(names: Mapping[str, Any], source: str) -> None:
    """Refuse a ``NEWSCRAWL_`` setting newscrawl does not know; Scrapy's and other
    components' settings are theirs to check."""
    known = known_settings()
    for name in names:
        if name.startswith(PREFIX) and name not in known:
            close = difflib.get_close_matches(name, known, n=1)
            hint = f"; did you mean {close[0]}?" if close else " (see the Settings section of the README)"
            raise ConfigError(f"unknown setting {name} ({source}){hint}")


@dataclass(frozen=True)
class Config:
    """The archive and settings from the file and the environment, before the flags."""

    db: Path
    settings: dict[str, Any] = field(default_factory=dict)
    #: The file read, or None.
    path: Path | None = None

    def archive(self, flag: str | None) -> Path:
        """The archive: ``--db`` if given, else this configuration's; always absolute."""
        return Path(flag).absolute() if flag else self.db

    def with_flags(self, flags: Mapping[str, Any], command: Mapping[str, Any] | None = None) -> dict[str, Any]:
        """The settings, then what the command's own options set (``command``), then the ``-s``
        flags (checked like the others)."""
        check_setting_names(flags, "-s")
        return {**self.settings, **(command or {}), **flags}


def load_config(flag: str | None = None, environ: Mapping[str, str] | None = None,
                cwd: Path | None = None) -> Config:
    """The configuration of a command run with ``--config flag`` in ``environ`` and ``cwd``."""
    environ = os.environ if environ is None else environ
    cwd = cwd or Path.cwd()
    path = config_path(flag, environ, cwd)
    table = read_file(path) if path else {}
    db = (path.parent / table["db"]) if "db" in table else cwd / DEFAULT_DB
    settings = dict(table.get("settings", {}))
    check_setting_names(settings, f"[settings] of {path}")
    from_env = {name: value for name, value in environ.items() if name.startswith(PREFIX) and name != CONFIG_ENV}
    check_setting_names(from_env, "environment variable")
    if "NEWSCRAWL_DB" in from_env:
        db = cwd / from_env.pop("NEWSCRAWL_DB")
    return Config(db=db.absolute(), settings={**settings, **from_env}, path=path)


def config_path(flag: str | None, environ: Mapping[str, str], cwd: Path) -> Path | None:
    """The file named by ``--config``, else ``$NEWSCRAWL_CONFIG``, else ``./newscrawl.toml`` if present."""
    named = flag or environ.get(CONFIG_ENV)
    if named:
        path = (cwd / named).absolute()
        if not path.is_file():
            source = "--config" if flag else CONFIG_ENV
            raise ConfigError(f"{path}: no configuration file there (named by {source})")
        return path
    default = cwd / CONFIG_FILE
    return default.absolute() if default.is_file() else None


def read_file(path: Path) -> dict[str, Any]:
    try:
        table = tomllib.loads(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, tomllib.TOMLDecodeError) as exc:
        raise ConfigError(f"{path}: not a readable TOML file ({exc})") from exc
    if "db" in table and not isinstance(table["db"], str):
        raise ConfigError(f"{path}: db must be a string (the archive's path)")
    if not isinstance(table.get("settings", {}), dict):
        raise ConfigError(f"{path}: [settings] must be a table of NAME = value")
    return table
