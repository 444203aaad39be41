"""newscrawl: a faithful, searchable archive of Korean news sites."""

__version__ = "0.1.0"
