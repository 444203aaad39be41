"""One crawl at a time per archive: an exclusive ``flock`` on ``<archive>.lock``.

Two overlapping runs on the same archive (a slow nightly backfill and the hourly cron
run) would fetch the same pages twice and interleave their run records. The second one
stops before it touches the archive, with a one-line message naming the holder. The lock
is the operating system's: it goes away with the process, even after ``kill -9``.

A crawl holds it through the one archive it opens (``Archive(path, exclusive=True)``, see
:class:`newscrawl.archive.api.Archive`): ``newscrawl crawl``'s runner opens it, and the
spider when Scrapy runs alone (``scrapy crawl``, scrapyd).
"""

from __future__ import annotations

import fcntl
import os
from pathlib import Path
from typing import IO, Any

from ..clock import now_kst
from ..errors import ArchiveLocked


class ArchiveLock:
    """``with ArchiveLock(db_path):`` holds the lock or raises :class:`ArchiveLocked`."""

    def __init__(self, db_path: str | Path):
        self.db_path = Path(db_path)
        self.path = Path(f"{db_path}.lock")
        self._file: IO[str] | None = None

    def acquire(self) -> None:
        self.path.parent.mkdir(parents=True, exist_ok=True)
        lock_file = self.path.open("a+", encoding="utf-8")
        try:
            fcntl.flock(lock_file, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            lock_file.seek(0)
            holder = lock_file.read().strip() or "another process"
            lock_file.close()
            raise ArchiveLocked(f"{self.db_path} is in use by another newscrawl crawl ({holder}); "
                                "not starting a second one") from None
        lock_file.seek(0)
        lock_file.truncate()
        lock_file.write(f"pid {os.getpid()}, started {now_kst()}\n")
        lock_file.flush()
        self._file = lock_file

    def release(self) -> None:
        if self._file is not None:
            fcntl.flock(self._file, fcntl.LOCK_UN)
            self._file.close()
            self._file = None

    def __enter__(self) -> ArchiveLock:
        self.acquire()
        return self

    def __exit__(self, *exc: Any) -> None:
        self.release()
