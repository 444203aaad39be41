"""Measuring processes: CPU time, resident memory of a process tree, and child processes
started with a line of stdout to wait for (a server's address).

Linux only (``/proc``), like the machines the benchmarks are meant for.
"""

from __future__ import annotations

import os
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
_TICKS = os.sysconf("SC_CLK_TCK")
_PAGE = os.sysconf("SC_PAGE_SIZE")


def cpu_seconds(pid: int) -> float:
    """User and system CPU time used so far by process ``pid``."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / _TICKS


def _children(pid: int) -> list[int]:
    found = []
    for task in Path(f"/proc/{pid}/task").iterdir():
        try:
            found += [int(child) for child in (task / "children").read_text().split()]
        except OSError:
            continue
    return found


def tree_rss(pid: int) -> int:
    """Resident bytes of process ``pid`` and all its descendants (0 once it has ended)."""
    total, pending = 0, [pid]
    while pending:
        current = pending.pop()
        try:
            total += int(Path(f"/proc/{current}/statm").read_text().split()[1]) * _PAGE
            pending += _children(current)
        except (OSError, ValueError):
            continue
    return total


@dataclass
class Finished:
    """A child process that ran to its end: output, CPU seconds (its own and its children's)
    and the samples taken while it ran."""

    returncode: int
    stdout: str
    stderr: str
    cpu_seconds: float
    samples: list[tuple[float, ...]] = field(default_factory=list)
    #: the largest resident memory of the process itself (not its children), bytes
    max_rss: int = 0


def run(command: list[str], sample: Callable[[int], tuple[float, ...]] | None = None,
        interval: float = 0.5) -> Finished:
    """Run ``command`` to its end; while it runs, call ``sample(pid)`` every ``interval`` s."""
    with tempfile.TemporaryFile("w+") as out, tempfile.TemporaryFile("w+") as err:
        process = subprocess.Popen(command, cwd=ROOT, stdin=subprocess.DEVNULL, stdout=out, stderr=err, text=True)
        samples: list[tuple[float, ...]] = []
        stop = threading.Event()
        sampler = threading.Thread(target=_sample_until, args=(stop, process.pid, sample, interval, samples))
        if sample is not None:
            sampler.start()
        # wait4, not wait: it also tells the CPU time of the process (and of its own children)
        _pid, status, usage = os.wait4(process.pid, 0)
        process.returncode = os.waitstatus_to_exitcode(status)
        stop.set()
        if sample is not None:
            sampler.join()
        out.seek(0)
        err.seek(0)
        return Finished(process.returncode, out.read(), err.read(), usage.ru_utime + usage.ru_stime, samples,
                        usage.ru_maxrss * 1024)


def _sample_until(stop: threading.Event, pid: int, sample: Callable[[int], tuple[float, ...]],
                  interval: float, samples: list[tuple[float, ...]]) -> None:
    while not stop.wait(interval):
        try:
            samples.append(sample(pid))
        except Exception as exc:  # a sample that fails (the process is ending) is skipped
            print(f"sample skipped: {exc}", file=sys.stderr)


@contextmanager
def server(command: list[str]) -> Iterator[tuple[str, int]]:
    """Start a server that prints its address as its first line; yields (address, pid)."""
    process = subprocess.Popen(command, cwd=ROOT, stdin=subprocess.DEVNULL, stdout=subprocess.PIPE, text=True)
    try:
        address = process.stdout.readline().strip()
        if not address:
            raise RuntimeError(f"{' '.join(command)} did not start")
        yield address, process.pid
    finally:
        process.terminate()
        process.wait()


@contextmanager
def background(command: list[str]) -> Iterator[int]:
    """Run ``command`` (its output discarded) for the duration of the block; yields its pid."""
    process = subprocess.Popen(command, cwd=ROOT, stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL,
                               stderr=subprocess.DEVNULL)
    try:
        yield process.pid
    finally:
        process.terminate()
        process.wait()


def python(*args: str) -> list[str]:
    """A command line running this Python with ``args``."""
    return [sys.executable, *args]


def stopwatch() -> Callable[[], float]:
    """A function that returns the seconds since stopwatch() was called."""
    started = time.perf_counter()
    return lambda: time.perf_counter() - started
