"""When a crawl looks: the window of publication times, and the revisit schedule.

Both are given as text (on the command line, as ``scrapy crawl -a`` arguments, in settings),
so both are parsed here: an age such as ``30m``, ``6h``, ``2d`` or ``1w`` counts back from
now; a date is ``2024-01-31`` or ``2024-01-31T08:00`` (Asia/Seoul unless it names a zone).
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime, timedelta

from ..errors import NewscrawlError
from ..clock import KST, isoformat

_AGE = re.compile(r"(?P<number>\d+)\s*(?P<unit>[smhdw])")
_UNITS = {"s": "seconds", "m": "minutes", "h": "hours", "d": "days", "w": "weeks"}
_DATE = re.compile(r"\d{4}-\d\d-\d\d")


class BadWindow(NewscrawlError):
    """A --since/--until value or a revisit schedule that cannot be read."""


def parse_duration(text: str) -> timedelta:
    """``30m``, ``6h``, ``2d``, ``1w`` (or ``0s``) as a timedelta."""
    match = _AGE.fullmatch(text.strip().lower())
    if not match:
        raise BadWindow(f"not a duration: {text!r} (expected a number and a unit: 30m, 6h, 2d, 1w)")
    return timedelta(**{_UNITS[match["unit"]]: int(match["number"])})


def parse_when(text: str, now: datetime, end_of_day: bool = False) -> datetime:
    """An age counted back from ``now`` or a date, as an aware datetime in Asia/Seoul.

    A bare date is its midnight, or the next midnight with ``end_of_day`` (so that
    ``--until 2024-01-31`` includes the 31st).
    """
    text = text.strip()
    if _AGE.fullmatch(text.lower()):
        try:
            return now - parse_duration(text)
        except OverflowError:  # timedelta or datetime out of range (99999999999d)
            raise BadWindow(f"{text!r} reaches back before the year 1: give a shorter age or a date") from None
    try:
        parsed = datetime.fromisoformat(text)
    except ValueError:
        raise BadWindow(f"not a date or an age: {text!r} (expected 2024-01-31, 2024-01-31T08:00, "
                        "or an age such as 6h or 2d)") from None
    parsed = parsed.replace(tzinfo=KST) if parsed.tzinfo is None else parsed.astimezone(KST)
    if end_of_day and _DATE.fullmatch(text):
        parsed += timedelta(days=1)
    return parsed


@dataclass(frozen=True)
class Window:
    """Publication times a crawl wants: ``since <= t < until`` (no ``until``: up to now)."""

    since: datetime
    until: datetime | None = None

    def __post_init__(self) -> None:
        if self.until is not None and self.until <= self.since:
            raise BadWindow(f"--until ({isoformat(self.until)}) is not after --since ({isoformat(self.since)})")

    def contains(self, when: datetime) -> bool:
        return when >= self.since and (self.until is None or when < self.until)

    def is_older(self, when: datetime) -> bool:
        """True when ``when`` is before the window: lists sorted newest first can stop here."""
        return when < self.since

    def describe(self) -> str:
        return f"{isoformat(self.since)} → {isoformat(self.until) if self.until else 'now'}"


@dataclass(frozen=True)
class RevisitSchedule:
    """How often an archived article is fetched again, by its age.

    ``brackets`` are ``(max_age, interval)`` pairs: an article at most ``max_age`` old is
    due once ``interval`` has passed since it was last fetched. Articles older than the
    last bracket are never revisited. Written ``"2d:6h,7d:1d,30d:7d"`` in settings.
    """

    brackets: tuple[tuple[timedelta, timedelta], ...]

    @classmethod
    def parse(cls, value: str | Iterable[Iterable[str]] | None) -> RevisitSchedule:
        """From ``"AGE:INTERVAL,…"`` or a list of ``[AGE, INTERVAL]`` pairs; empty means never."""
        if isinstance(value, str):
            pairs = [item.split(":") for item in value.split(",") if item.strip()]
        else:
            pairs = [list(item) for item in value or ()]
        if any(len(pair) != 2 for pair in pairs):
            raise BadWindow(f"not a revisit schedule: {value!r} (expected AGE:INTERVAL,… e.g. 2d:6h,7d:1d)")
        brackets = sorted((parse_duration(age), parse_duration(interval)) for age, interval in pairs)
        return cls(tuple(brackets))

    @property
    def horizon(self) -> timedelta | None:
        """The age beyond which nothing is revisited (None: no revisits at all)."""
        return self.brackets[-1][0] if self.brackets else None

    def interval(self, age: timedelta) -> timedelta | None:
        """The revisit interval of an article ``age`` old, or None when it is never revisited."""
        return next((interval for max_age, interval in self.brackets if age <= max_age), None)

    def is_due(self, published: datetime, last_fetched: datetime, now: datetime) -> bool:
        interval = self.interval(now - published)
        return interval is not None and now - last_fetched >= interval
