"""The ``crawl_runs`` table: one row per crawl process, written when it starts and when it ends.

A run stopped and resumed is several rows (legs) sharing one ``job``: the id of the first
leg. The routine crawl starts where the last successful routine job started (see
:func:`last_routine_start`).
"""

from __future__ import annotations

from typing import Any

from sqlite_utils import Database

from .transaction import write_transaction


def start_run(db: Database, values: dict[str, Any], job: int | None = None) -> int:
    """Insert the row of a run that is starting; returns its id (its own job unless resuming)."""
    with write_transaction(db):
        run_id = db["crawl_runs"].insert({**values, "job": job}).last_pk
        if job is None:
            db["crawl_runs"].update(run_id, {"job": run_id})
    return run_id


def mark_killed(db: Database, site: str) -> int:
    """Close the rows of runs of ``site`` that never reached their end (killed); returns how many.

    Called by a run that holds the archive's lock, so no run it closes can still be going.
    """
    with write_transaction(db):
        return db.execute(
            "UPDATE crawl_runs SET stop_reason = 'killed', exit_status = 1,"
            " problems = 'the process ended without closing its run (killed, or the machine stopped)'"
            " WHERE site = ? AND ended_at IS NULL",
            [site],
        ).rowcount


def finish_run(db: Database, run_id: int, values: dict[str, Any]) -> None:
    """Fill in the end of run ``run_id``: counts, stop reason, exit status, health."""
    with write_transaction(db):
        db["crawl_runs"].update(run_id, values)


def get_run(db: Database, run_id: int) -> dict[str, Any]:
    return db["crawl_runs"].get(run_id)


def last_routine_start(db: Database, site: str) -> str | None:
    """When the last successful routine job of ``site`` started (ISO 8601), or None.

    Routine means open-ended (no ``until``) over the whole site (no sections); successful
    means its last leg finished with exit status 0. A job that was resumed counts from the
    start of its first leg: that is where its lists began.
    """
    row = db.execute(
        "SELECT job.started_at FROM crawl_runs leg JOIN crawl_runs job ON job.id = leg.job"
        " WHERE leg.site = ? AND leg.routine = 1 AND leg.exit_status = 0 AND leg.stop_reason = 'finished'"
        " ORDER BY job.started_at DESC LIMIT 1",
        [site],
    ).fetchone()
    return row[0] if row else None


def run_failures(db: Database, site: str, since: str, limit: int = 20) -> list[dict[str, Any]]:
    """Failures of ``site`` recorded at or after ``since``, most recent first."""
    rows = db.execute(
        "SELECT url, kind, status, error, attempts FROM failures WHERE site = ? AND last_failed_at >= ?"
        " ORDER BY last_failed_at DESC, id DESC LIMIT ?",
        [site, since, limit],
    ).fetchall()
    return [dict(zip(("url", "kind", "status", "error", "attempts"), row)) for row in rows]


def run_sites(db: Database) -> list[str]:
    """Every site with a finished run, by name."""
    return [row[0] for row in db.execute(
        "SELECT DISTINCT site FROM crawl_runs WHERE health IS NOT NULL ORDER BY site")]


def recent_health(db: Database, site: str, limit: int) -> list[dict[str, Any]]:
    """``{id, started_at, health}`` of the ``limit`` latest finished runs of ``site``, newest first."""
    rows = db.execute(
        "SELECT id, started_at, health FROM crawl_runs WHERE site = ? AND health IS NOT NULL"
        " ORDER BY started_at DESC, id DESC LIMIT ?",
        [site, limit],
    ).fetchall()
    return [dict(zip(("id", "started_at", "health"), row)) for row in rows]
