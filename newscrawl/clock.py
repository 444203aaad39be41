"""Time as the archive keeps it: aware datetimes in Asia/Seoul, written as ISO 8601.

The bottom layer of the package: it imports nothing of newscrawl, so the archive, the crawl
policy and the extractors can all use it without importing one another.
"""

from __future__ import annotations

from datetime import date, datetime
from zoneinfo import ZoneInfo

#: The zone of every time newscrawl stores or prints (the papers' own).
KST = ZoneInfo("Asia/Seoul")


def isoformat(value: datetime | date | None) -> str | None:
    """ISO 8601 text of a datetime (seconds precision) or date; None stays None."""
    if value is None:
        return None
    if isinstance(value, datetime):
        return value.isoformat(timespec="seconds")
    return value.isoformat()


def now_kst() -> str:
    """Now in Asia/Seoul, as ISO 8601 text to the second (``2020-07-08T08:05:00+09:00``)."""
    return isoformat(datetime.now(KST))
