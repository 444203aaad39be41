"""A real redis-server for the cluster tests: a free port, a temporary directory, restartable.

Started with an append-only file, so that a restart (``restart()``: SHUTDOWN, then the same
port and directory again) keeps the frontier, as a Redis run by systemd does. Readiness is
read from the server's own log line, not waited for.
"""

from __future__ import annotations

import shutil
import socket
import subprocess
import threading
from pathlib import Path

import redis

REDIS_SERVER = shutil.which("redis-server") or "/usr/bin/redis-server"


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


class RedisServer:
    def __init__(self, directory: Path):
        self.directory = directory
        self.directory.mkdir(parents=True, exist_ok=True)
        self.port = free_port()
        self.process: subprocess.Popen | None = None
        self.start()

    @property
    def url(self) -> str:
        return f"redis://127.0.0.1:{self.port}/0"

    def client(self) -> redis.Redis:
        return redis.Redis.from_url(self.url, decode_responses=True)

    def start(self) -> None:
        self.process = subprocess.Popen(
            [REDIS_SERVER, "--port", str(self.port), "--bind", "127.0.0.1", "--dir", str(self.directory),
             "--appendonly", "yes", "--save", "", "--logfile", "", "--daemonize", "no"],
            stdout=subprocess.PIPE, text=True)
        for line in self.process.stdout:
            if "Ready to accept connections" in line:
                # read on, so that a full pipe never blocks the server's logging
                self.reader = threading.Thread(target=self.process.stdout.read, daemon=True)
                self.reader.start()
                return
        raise AssertionError(f"redis-server did not start (exit status {self.process.wait()})")

    def stop(self) -> None:
        """SHUTDOWN: Redis writes its append-only file out and exits."""
        if self.process is None or self.process.poll() is not None:
            return
        self.process.terminate()  # SIGTERM is Redis's own clean shutdown
        self.process.wait(timeout=20)
        self.reader.join(timeout=10)
        self.process.stdout.close()

    def restart(self) -> None:
        self.stop()
        self.start()
