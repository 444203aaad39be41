"""The dashboard's charts, drawn as inline SVG on the server.

No JavaScript and nothing fetched from elsewhere: the reading room works offline, and a
chart is a picture the browser shows as soon as the page arrives. Each chart reads a
bounded slice of the archive (the last DAYS days it holds) through the published_at and
revisions indexes, so it costs the same on a large archive.
"""

from __future__ import annotations

import sqlite3
from collections import defaultdict
from datetime import date, timedelta
from typing import Any

from markupsafe import Markup, escape

#: Days shown: the last this many days the archive has articles for.
DAYS = 60
#: Sections (and reporters) shown by name; the rest are summed as 기타.
TOP = 6
PALETTE = ("#2f6fb0", "#e07b39", "#3f9e5a", "#c44e52", "#8172b2", "#937860", "#9aa3ad")
OTHER = "기타"
WIDTH, HEIGHT, LEFT, BOTTOM = 900, 260, 40, 24

_LAST_DAY = "select substr(max(published_at), 1, 10) from articles"
_BY_SECTION = """select substr(published_at, 1, 10), coalesce(section, '(없음)'), count(*) from articles
where published_at >= :since group by 1, 2"""
_BY_REPORTER = """select r.name, substr(a.published_at, 1, 10), count(*) from articles a
join article_reporters ar on ar.article = a.id join reporters r on r.id = ar.reporter
where a.published_at >= :since group by 1, 2"""
_EDITS = """select substr(first_seen_at, 1, 10), count(*) from revisions
where revision > 1 and first_seen_at >= :since group by 1"""


def _days(last: date) -> list[str]:
    return [(last - timedelta(days=DAYS - 1 - i)).isoformat() for i in range(DAYS)]


def _top(counts: dict[tuple[str, str], int], size: int) -> list[str]:
    totals: dict[str, int] = defaultdict(int)
    for (name, _), count in counts.items():
        totals[name] += count
    return sorted(totals, key=lambda name: (-totals[name], name))[:size]


def stacked(days: list[str], series: dict[str, dict[str, int]], label: str) -> Markup:
    """Bars per day, one colour per series stacked, with a legend and a y-axis maximum."""
    peak = max([sum(s.get(day, 0) for s in series.values()) for day in days] + [1])
    step = (WIDTH - LEFT) / len(days)
    scale = (HEIGHT - BOTTOM - 10) / peak
    parts = [f'<svg viewBox="0 0 {WIDTH} {HEIGHT + 24 * ((len(series) + 4) // 5)}" role="img" '
             f'aria-label="{escape(label)}" class="chart">',
             f'<text x="0" y="14" class="axis">{peak}</text><text x="0" y="{HEIGHT - BOTTOM}" class="axis">0</text>',
             f'<line x1="{LEFT}" y1="{HEIGHT - BOTTOM}" x2="{WIDTH}" y2="{HEIGHT - BOTTOM}" class="base"/>']
    for i, day in enumerate(days):
        y = HEIGHT - BOTTOM
        for colour, (name, counts) in zip(PALETTE, series.items()):
            if counts.get(day):
                height = counts[day] * scale
                y -= height
                parts.append(f'<rect x="{LEFT + i * step:.1f}" y="{y:.1f}" width="{step * 0.8:.1f}" '
                             f'height="{height:.1f}" fill="{colour}"><title>{day} {escape(name)}: '
                             f'{counts[day]}</title></rect>')
        if i % 10 == 0:
            parts.append(f'<text x="{LEFT + i * step:.1f}" y="{HEIGHT - 6}" class="axis">{day[5:]}</text>')
    parts += _legend(list(series))
    return Markup("".join(parts) + "</svg>")


def _legend(names: list[str]) -> list[str]:
    return [f'<rect x="{LEFT + (i % 5) * 170}" y="{HEIGHT + 6 + 24 * (i // 5)}" width="12" height="12" '
            f'fill="{colour}"/><text x="{LEFT + (i % 5) * 170 + 18}" y="{HEIGHT + 17 + 24 * (i // 5)}" '
            f'class="legend">{escape(name)}</text>'
            for i, (colour, name) in enumerate(zip(PALETTE, names))]


def _series(rows: list[tuple[str, str, int]], top: int, name_first: bool) -> dict[str, dict[str, int]]:
    """Counts by series name and day, the ``top`` names kept and the rest summed as 기타."""
    counts = {((r[0], r[1]) if name_first else (r[1], r[0])): r[2] for r in rows}
    kept = _top(counts, top)
    series: dict[str, dict[str, int]] = {name: {} for name in kept}
    for (name, day), count in counts.items():
        bucket = series.setdefault(name if name in kept else OTHER, {})
        bucket[day] = bucket.get(day, 0) + count
    return series


def dashboard(conn: sqlite3.Connection) -> list[dict[str, Any]]:
    """The dashboard's charts: title, what it shows, and the SVG of each."""
    last = conn.execute(_LAST_DAY).fetchone()[0]
    if not last:
        return []
    days = _days(date.fromisoformat(last))
    since = {"since": days[0]}
    sections = _series(conn.execute(_BY_SECTION, since).fetchall(), TOP, name_first=False)
    reporters = _series(conn.execute(_BY_REPORTER, since).fetchall(), TOP, name_first=True)
    edits = {"수정된 기사": dict(conn.execute(_EDITS, since).fetchall())}
    return [
        {"title": "날짜별 기사 수 (섹션별)", "note": f"{days[0]} – {days[-1]}, 승인 시각 기준",
         "svg": stacked(days, sections, "날짜별 기사 수")},
        {"title": "기자별 기사 수", "note": f"기사를 가장 많이 쓴 기자 {TOP}명, 나머지는 {OTHER}",
         "svg": stacked(days, reporters, "기자별 기사 수")},
        {"title": "날짜별 수정 건수", "note": "기사 내용이 바뀐 것을 newscrawl이 처음 본 날",
         "svg": stacked(days, edits, "날짜별 수정 건수")},
    ]
