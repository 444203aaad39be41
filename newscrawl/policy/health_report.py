"""The text ``newscrawl health`` prints: per site, where its fields came from lately, what is
missing, its recent runs, and why it is flagged."""

from __future__ import annotations

from collections.abc import Iterable

from .drift import RunHealth, Thresholds, Verdict
from .health import ESSENTIAL, Health

_NONE = "-"


def format_report(verdicts: list[Verdict], thresholds: Thresholds) -> str:
    """One block per site, then a count of the flagged ones."""
    if not verdicts:
        return "no finished crawl runs in the archive yet"
    blocks = [format_verdict(verdict, thresholds) for verdict in verdicts]
    flagged = sum(verdict.flagged for verdict in verdicts)
    return "\n\n".join(blocks) + f"\n\n{len(verdicts)} site(s) checked, {flagged} flagged"


def format_verdict(verdict: Verdict, thresholds: Thresholds) -> str:
    fields = list(dict.fromkeys((*thresholds.fields, *ESSENTIAL)))
    lines = [f"{verdict.site}: {_status(verdict, thresholds)}",
             f"  latest   {_runs_text(verdict.latest)}",
             f"  earlier  {_runs_text(verdict.earlier)}",
             f"  {'field':<14} {'profile':>8} {'earlier':>8}  {'other layers':<30} {'missing':>7}"]
    now, before = verdict.now, verdict.before
    for name in fields:
        lines.append(f"  {name:<14} {_profile_share(verdict, now, name):>8} {_profile_share(verdict, before, name):>8}"
                     f"  {_fallbacks(now, name):<30} {_missing(now, name):>7}")
    lines.append(f"  {'run':<6} {'started':<25} {'pages':>5}  profile {'/'.join(thresholds.fields)}  "
                 f"missing {'/'.join(ESSENTIAL)}")
    lines += [f"  {_run_line(verdict, run, thresholds)}" for run in verdict.runs]
    lines += [f"  !! {problem}" for problem in verdict.problems]
    return "\n".join(lines)


def _status(verdict: Verdict, thresholds: Thresholds) -> str:
    if not verdict.judged:
        return (f"not judged: {verdict.now.articles} article page(s) in its last {len(verdict.runs)} run(s), "
                f"fewer than NEWSCRAWL_DRIFT_MIN_ARTICLES ({thresholds.min_articles})")
    if verdict.drifted:
        return "FLAGGED: its site profile stopped matching"
    if verdict.missing:
        return "FLAGGED: its articles miss their title, date or body"
    if not verdict.profiled:
        return "ok (read without a site profile: judged by missing fields only)"
    return "ok"


def _runs_text(runs: list[RunHealth]) -> str:
    if not runs:
        return "(none)"
    names = ", ".join(str(run.id) for run in runs)
    return f"run{'s' if len(runs) > 1 else ''} {names}: {sum(run.health.articles for run in runs)} article page(s)"


def _percent(share: float) -> str:
    return f"{share:.0%}"


def _profile_share(verdict: Verdict, health: Health, name: str) -> str:
    if not verdict.profiled or not health.articles:
        return _NONE
    return _percent(health.share(name, "profile"))


def _fallbacks(health: Health, name: str) -> str:
    """The layers other than the profile that gave the field, by share."""
    layers = sorted(((count, layer) for layer, count in health.sources[name].items() if layer != "profile"),
                    reverse=True)
    return ", ".join(f"{layer} {_percent(count / health.articles)}" for count, layer in layers) or _NONE


def _missing(health: Health, name: str) -> str:
    if name not in ESSENTIAL or not health.articles:
        return _NONE
    return _percent(health.missing_share(name))


def _run_line(verdict: Verdict, run: RunHealth, thresholds: Thresholds) -> str:
    """``12     2026-01-05T10:17:02+09:00     25  100/100/100 %   0/0/0 %``, under the header."""
    health = run.health
    profile = _shares(_profile_share(verdict, health, name) for name in thresholds.fields)
    missing = _shares(_missing(health, name) for name in ESSENTIAL)
    width = len("profile ") + len("/".join(thresholds.fields))
    return f"{run.id:<6} {run.started_at:<25} {health.articles:>5}  {profile:<{width}}  {missing}"


def _shares(values: Iterable[str]) -> str:
    """``["100%", "0%"]`` -> ``100/0 %``; unknown shares stay ``-``."""
    values = [value.removesuffix("%") for value in values]
    return "/".join(values) + (" %" if any(value != _NONE for value in values) else "")
