"""Dates as Korean news pages write them, turned into aware datetimes in Asia/Seoul.

The formats pages use are few and fixed (``2020-07-08 08:05``, ``2020.07.08 08:05``,
``2020년 07월 08일 08시 05분``, ISO 8601 in metadata), so exact patterns come first: they
are fast and never guess. dateparser is the fallback for anything else, with Asia/Seoul as
the zone of a date that names none.
"""

from __future__ import annotations

import re
from datetime import date, datetime
from functools import lru_cache

from ..clock import KST

_NUMERIC = re.compile(
    r"(?P<y>(?:19|20)\d\d)\s*[-./년]\s*(?P<m>\d{1,2})\s*[-./월]\s*(?P<d>\d{1,2})\s*일?"
    r"(?:\s*(?:\([월화수목금토일]\))?\s*(?:(?P<ampm>오전|오후|AM|PM|am|pm)\s*)?"
    r"(?P<H>\d{1,2})\s*[:시]\s*(?P<M>\d{1,2})\s*분?(?:\s*:\s*(?P<S>\d{1,2}))?)?"
)
_ISO = re.compile(r"\d{4}-\d\d-\d\dT\d\d:\d\d(?::\d\d(?:\.\d+)?)?(?:Z|[+-]\d\d:?\d\d)?")


def parse_kst_datetime(text: str | None) -> datetime | None:
    """The first date-time in ``text`` as an aware datetime in Asia/Seoul, or None.

    A date with no time of day is midnight. A date that carries its own offset (ISO 8601
    from metadata) is converted to Asia/Seoul, not relabelled.
    """
    if not text:
        return None
    iso = _ISO.search(text)
    if iso:
        parsed = _from_iso(iso.group(0))
        if parsed:
            return parsed
    numeric = _NUMERIC.search(text)
    if numeric:
        return _from_numeric(numeric)
    return _dateparser_fallback(text.strip())


def parse_kst_date(text: str | None) -> date | None:
    """The calendar date in ``text`` (as the page states it), or None."""
    parsed = parse_kst_datetime(text)
    return parsed.date() if parsed else None



def _from_iso(text: str) -> datetime | None:
    try:
        parsed = datetime.fromisoformat(text.replace("Z", "+00:00"))
    except ValueError:
        return None
    if parsed.tzinfo is None:
        return parsed.replace(tzinfo=KST)
    return parsed.astimezone(KST)


def _from_numeric(match: re.Match[str]) -> datetime | None:
    hour = int(match["H"] or 0)
    if match["ampm"] in ("오후", "PM", "pm") and hour < 12:
        hour += 12
    elif match["ampm"] in ("오전", "AM", "am") and hour == 12:
        hour = 0
    try:
        return datetime(
            int(match["y"]), int(match["m"]), int(match["d"]),
            hour, int(match["M"] or 0), int(match["S"] or 0), tzinfo=KST,
        )
    except ValueError:
        return None


@lru_cache(maxsize=1)
def _dateparser():
    # Imported on first use: dateparser takes a noticeable time to import and is only
    # needed for the rare date that no exact pattern matches.
    import dateparser

    return dateparser


def _dateparser_fallback(text: str) -> datetime | None:
    if not re.search(r"\d", text) or len(text) > 100:
        return None
    parsed = _dateparser().parse(
        text,
        languages=["ko", "en"],
        settings={"TIMEZONE": "Asia/Seoul", "RETURN_AS_TIMEZONE_AWARE": True},
    )
    return parsed.astimezone(KST) if parsed else None
