"""Which paths newscrawl may read an archive from and write files to.

An archive is a regular SQLite file in a directory that can hold its lock, job, journal and
write-ahead-log files beside it: ``crawl --db /dev/null`` used to create ``/dev/null.lock``,
``/dev/null.jobs/`` and a journal in /dev. An export goes to a regular file only, written
whole through a temporary file in the same directory and renamed over the target, so that
a device, a FIFO or a symlink at the path is never replaced or written through
(``-o /dev/full`` as root replaced the device).
"""

from __future__ import annotations

import os
import stat
from pathlib import Path

from ..errors import NewscrawlError

#: The first bytes of every SQLite database file.
SQLITE_HEADER = b"SQLite format 3\x00"


def kind_of(mode: int) -> str:
    """What a file of ``mode`` is, in words, for an error message."""
    for test, name in ((stat.S_ISLNK, "a symlink"), (stat.S_ISDIR, "a directory"), (stat.S_ISCHR, "a device"),
                       (stat.S_ISBLK, "a device"), (stat.S_ISFIFO, "a FIFO"), (stat.S_ISSOCK, "a socket")):
        if test(mode):
            return name
    return "not a regular file"


def may_write(path: Path) -> bool:
    """True when this user may write the archive file and create files beside it."""
    return os.access(path, os.W_OK) and os.access(path.parent, os.W_OK | os.X_OK)


def archive_path(path: str | Path, create: bool = True, write: bool = True) -> Path:
    """``path`` checked as an archive: a regular SQLite (or empty) file, or with ``create``
    a new one in a directory that exists or can be made; with ``write``, one this user may
    write, with its lock, journal and job files beside it. Symlinks are followed, so those
    go where the archive really is. Raises :class:`NewscrawlError` before anything is
    created or downloaded."""
    path = Path(path)
    real = path.resolve()
    if real.exists():
        mode = real.stat().st_mode
        if not stat.S_ISREG(mode):
            raise NewscrawlError(f"{path}: {kind_of(mode)}, not an archive (an archive is a regular SQLite file)")
        _check_sqlite(path, real)
        if write and not may_write(real):
            raise NewscrawlError(f"{path}: this user cannot write the archive or create files beside it "
                                 f"(it can still search, export and serve it)")
    elif not create:
        raise NewscrawlError(f"{path}: no archive there (create one with newscrawl fetch or crawl)")
    else:
        _check_directory(path, real.parent)
    return real


def _check_sqlite(path: Path, real: Path) -> None:
    try:
        with real.open("rb") as file:
            header = file.read(len(SQLITE_HEADER))
    except OSError as exc:
        raise NewscrawlError(f"{path}: cannot read the archive: {exc.strerror}") from exc
    if header and header != SQLITE_HEADER:
        raise NewscrawlError(f"{path}: not an SQLite database, so not a newscrawl archive")


def _check_directory(path: Path, directory: Path) -> None:
    existing = next(d for d in (directory, *directory.parents) if d.exists())
    if not existing.is_dir():
        raise NewscrawlError(f"{path}: {existing} is not a directory")
    if not os.access(existing, os.W_OK | os.X_OK):
        raise NewscrawlError(f"{path}: cannot create the archive: {existing} is not writable")


def output_path(path: str | Path) -> Path:
    """``path`` checked as an export's output: a regular file or nothing yet, in a directory.
    A device, FIFO, socket, directory or symlink there is refused (write to one with
    ``-o -`` and the shell's redirection)."""
    path = Path(path)
    try:
        mode = path.lstat().st_mode
    except FileNotFoundError:
        mode = None
    if mode is not None and not stat.S_ISREG(mode):
        raise NewscrawlError(f"{path}: {kind_of(mode)}; export writes only to a regular file "
                             "(or to standard output with -o -)")
    if not path.parent.is_dir():
        raise NewscrawlError(f"cannot write {path}: {path.parent} is not a directory")
    return path
