"""A user who can only read the archive (issue 10): `serve`, `search`, `export` and `health`
open it read-only and work; `serve --immutable` serves it immutable.

The tests run as root on CI, whom file permissions do not stop: there the commands run with
the capabilities that override them (CAP_DAC_OVERRIDE, CAP_DAC_READ_SEARCH, CAP_FOWNER)
dropped, which makes root a user like any other for this directory.
"""

from __future__ import annotations

import ctypes
import json
import os
import shutil
import subprocess
import sys
import urllib.request

import pytest

from conftest import ENV
from test_browser import Served

PR_CAPBSET_DROP = 24
DAC_CAPABILITIES = (1, 2, 3)


def as_plain_user() -> None:
    """preexec_fn: drop the capabilities that let root ignore file permissions."""
    if os.geteuid() != 0:
        return
    libc = ctypes.CDLL(None, use_errno=True)
    for capability in DAC_CAPABILITIES:
        if libc.prctl(PR_CAPBSET_DROP, capability, 0, 0, 0) != 0:
            raise OSError(ctypes.get_errno(), "prctl(PR_CAPBSET_DROP)")


def run_as_plain_user(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, *args], env=ENV, capture_output=True, text=True, timeout=120,
                          preexec_fn=as_plain_user)


@pytest.fixture
def read_only_archive(seed_archive, tmp_path):
    """The seed archive in a directory that neither it nor anything beside it can be written."""
    directory = tmp_path / "readonly"
    directory.mkdir()
    archive = directory / "news.db"
    shutil.copy(seed_archive, archive)
    archive.chmod(0o444)
    directory.chmod(0o555)
    # Control: the plain user really cannot write there.
    probe = run_as_plain_user("-c", f"open({str(directory / 'probe')!r}, 'w')")
    assert "Permission denied" in probe.stderr
    yield archive
    directory.chmod(0o755)


@pytest.mark.parametrize(("command", "expected"), [
    (("search", "세종"), "세종시, 전자정부 정보보호 우수기관 선정"),
    (("export", "--format", "jsonl"), '"article_id": "20200708010002304"'),
    (("health",), "no finished crawl runs"),
])
def test_reading_commands_work_for_a_user_who_cannot_write(read_only_archive, command, expected):
    before = read_only_archive.read_bytes()
    result = run_as_plain_user("-m", "newscrawl", *command, "--db", str(read_only_archive))
    assert result.returncode == 0, result.stderr
    assert expected in result.stdout
    assert read_only_archive.read_bytes() == before
    assert [p.name for p in read_only_archive.parent.iterdir()] == ["news.db"]


def get_json(url: str):
    with urllib.request.urlopen(url, timeout=30) as reply:
        return json.loads(reply.read())


def test_serve_works_for_a_user_who_cannot_write(read_only_archive):
    server = Served(read_only_archive, preexec_fn=as_plain_user)
    try:
        rows = get_json(f"{server.url}/news/articles.json?_search=%EC%84%B8%EC%A2%85&_shape=array")
        (database,) = get_json(f"{server.url}/-/databases.json")
    finally:
        server.stop()
    assert [row["article_id"] for row in rows] == ["20200708010002304"]
    assert database["is_mutable"] is False  # served immutable: nothing can be written beside it


def test_serve_immutable_when_asked(seed_archive):
    server = Served(seed_archive, "--immutable")
    try:
        (database,) = get_json(f"{server.url}/-/databases.json")
        rows = get_json(f"{server.url}/news/articles.json?_shape=array")
    finally:
        server.stop()
    assert database["is_mutable"] is False and len(rows) == 1


def test_serve_reads_a_writable_archive_as_mutable(seed_archive):
    # Control: an archive this user may write is served mode=ro, seeing a crawl's writes.
    server = Served(seed_archive)
    try:
        (database,) = get_json(f"{server.url}/-/databases.json")
    finally:
        server.stop()
    assert database["is_mutable"] is True


@pytest.mark.parametrize("command", [("fetch", "http://127.0.0.1:9/web/view.php?key=1"),
                                     ("crawl", "joongdo", "--base-url", "http://127.0.0.1:9"),
                                     ("reparse",), ("rebuild-index",)])
def test_writing_commands_refuse_a_read_only_archive_in_one_line(read_only_archive, command):
    result = run_as_plain_user("-m", "newscrawl", *command, "--db", str(read_only_archive))
    assert result.returncode == 1
    assert result.stderr.strip() == (f"newscrawl: error: {read_only_archive}: this user cannot write the archive "
                                     "or create files beside it (it can still search, export and serve it)")
