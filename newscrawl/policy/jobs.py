"""The job directory of a resumable crawl: Scrapy's ``JOBDIR`` plus newscrawl's notes.

Scrapy keeps its request queue and seen-requests there (written properly when a crawl
stops cleanly: finished, Ctrl-C, a close reason). newscrawl adds two files:

``newscrawl-job.json``
    the job's plan, first start and run id, written (and fsync'ed) when the job begins, so
    ``--resume`` crawls exactly the window the stopped run set out to crawl;
``newscrawl-running``
    present while a leg runs. Found at the start of the next leg, it means the last one was
    killed (``kill -9``, power loss) without writing Scrapy's queue: Scrapy's files are then
    stale and are removed, and the job resumes from its notes alone, rediscovering what is
    left and skipping what the archive already holds.

A job that finishes removes its directory: there is nothing left to resume.

The scheduler's queue (:mod:`newscrawl.scheduler`) keeps its files' format, so a job
stopped by an older newscrawl resumes.
"""

from __future__ import annotations

import json
import os
import shutil
from pathlib import Path
from typing import Any


#: Scrapy's own files in a JOBDIR (scheduler queue, dupe filter, spider state).
SCRAPY_FILES = ("requests.queue", "requests.seen", "spider.state")
NOTES = "newscrawl-job.json"
RUNNING = "newscrawl-running"


def job_path(db_path: str | Path, site: str) -> Path:
    """Where ``newscrawl crawl`` keeps the job of ``site`` for archive ``db_path``."""
    return Path(f"{db_path}.jobs") / site


class JobDir:
    def __init__(self, path: str | Path):
        self.path = Path(path)

    def notes(self) -> dict[str, Any] | None:
        """The notes of an unfinished job, or None when there is none to resume."""
        try:
            return json.loads((self.path / NOTES).read_text(encoding="utf-8"))
        except FileNotFoundError:
            return None

    def save_notes(self, notes: dict[str, Any]) -> None:
        self.path.mkdir(parents=True, exist_ok=True)
        temporary = self.path / f"{NOTES}.tmp"
        with temporary.open("w", encoding="utf-8") as handle:
            json.dump(notes, handle, ensure_ascii=False)
            handle.flush()
            os.fsync(handle.fileno())
        temporary.replace(self.path / NOTES)

    def was_killed(self) -> bool:
        """True when the last leg never reached its end (its running mark is still there)."""
        return (self.path / RUNNING).exists()

    def discard_scrapy_state(self) -> None:
        """Remove Scrapy's queue, seen-requests and state (stale after a killed leg)."""
        for name in SCRAPY_FILES:
            target = self.path / name
            if target.is_dir():
                shutil.rmtree(target)
            elif target.exists():
                target.unlink()

    def begin_leg(self) -> None:
        self.path.mkdir(parents=True, exist_ok=True)
        (self.path / RUNNING).write_text(str(os.getpid()), encoding="utf-8")

    def end_leg(self) -> None:
        (self.path / RUNNING).unlink(missing_ok=True)

    def remove(self) -> None:
        shutil.rmtree(self.path, ignore_errors=True)
