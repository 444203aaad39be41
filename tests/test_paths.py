"""Paths newscrawl writes to (issue 10): `export -o` replaces only a regular file, whole; a
`--db` that is no archive is refused with one line before anything is made beside it."""

from __future__ import annotations

import json
import os
import stat

import pytest

from conftest import assert_one_line_error, run_newscrawl
from newscrawl.archive.paths import output_path
from newscrawl.errors import NewscrawlError


def export(db, *args):
    return run_newscrawl("export", "--db", str(db), "--format", "jsonl", *args)


def test_export_refuses_a_fifo_and_leaves_it_one(seed_archive, tmp_path):
    fifo = tmp_path / "out.jsonl"
    os.mkfifo(fifo)
    assert_one_line_error(export(seed_archive, "-o", str(fifo)), "a FIFO; export writes only to a regular file")
    assert stat.S_ISFIFO(fifo.lstat().st_mode)


def test_export_refuses_a_symlink_and_leaves_its_target_alone(seed_archive, tmp_path):
    target = tmp_path / "precious.txt"
    target.write_text("keep me")
    link = tmp_path / "out.jsonl"
    link.symlink_to(target)
    assert_one_line_error(export(seed_archive, "-o", str(link)), "a symlink; export writes only to a regular file")
    assert link.is_symlink() and target.read_text() == "keep me"


def test_a_device_is_refused_before_anything_is_written():
    # (checked, not exported to: a regression here must not replace a device of the machine)
    with pytest.raises(NewscrawlError, match="a device; export writes only to a regular file"):
        output_path("/dev/null")


def test_export_replaces_a_regular_file_whole_and_leaves_no_temporary_file(seed_archive, tmp_path):
    out = tmp_path / "out.jsonl"
    out.write_text("old content\n" * 1000)
    result = export(seed_archive, "-o", str(out))
    assert result.returncode == 0, result.stderr
    (record,) = [json.loads(line) for line in out.read_text(encoding="utf-8").splitlines()]
    assert record["site"] == "joongdo"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["news.db", "out.jsonl"]


def test_export_to_a_dash_writes_standard_output(seed_archive, tmp_path):
    result = export(seed_archive, "-o", "-")
    assert result.returncode == 0, result.stderr
    assert json.loads(result.stdout)["site"] == "joongdo"
    assert not (tmp_path / "-").exists()


COMMANDS = {
    "search": ("search", "세종"), "export": ("export", "--format", "csv"), "reparse": ("reparse",),
    "health": ("health",), "serve": ("serve", "--port", "0"), "rebuild-index": ("rebuild-index",),
    "crawl": ("crawl", "joongdo", "--base-url", "http://127.0.0.1:9"),
}


@pytest.mark.parametrize("command", COMMANDS)
def test_a_file_that_is_not_sqlite_is_refused_in_one_line(command, tmp_path):
    not_db = tmp_path / "notes.txt"
    not_db.write_text("these are my notes, not an archive\n")
    result = run_newscrawl(*COMMANDS[command], "--db", str(not_db))
    assert_one_line_error(result, "notes.txt: not an SQLite database, so not a newscrawl archive")
    assert not_db.read_text() == "these are my notes, not an archive\n"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["notes.txt"]  # no lock, job or journal beside it


def test_fetch_refuses_a_bad_db_before_downloading(tmp_path):
    not_db = tmp_path / "notes.txt"
    not_db.write_text("notes\n")
    # port 9 (discard) is not listening: had it tried to download, the error would say so
    result = run_newscrawl("fetch", "http://127.0.0.1:9/web/view.php?key=1", "--db", str(not_db))
    assert_one_line_error(result, "not an SQLite database")


def test_crawl_into_a_fifo_is_refused_and_creates_nothing(tmp_path):
    fifo = tmp_path / "news.db"
    os.mkfifo(fifo)
    result = run_newscrawl("crawl", "joongdo", "--base-url", "http://127.0.0.1:9", "--db", str(fifo), timeout=60)
    assert_one_line_error(result, "a FIFO, not an archive")
    assert sorted(p.name for p in tmp_path.iterdir()) == ["news.db"]


def test_lock_and_job_files_live_beside_the_real_archive(seed_archive, tmp_path):
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    link = elsewhere / "news.db"
    link.symlink_to(seed_archive)
    # nothing listens on port 9: the crawl ends at once, having made its lock and job files
    run_newscrawl("crawl", "joongdo", "--base-url", "http://127.0.0.1:9", "--db", str(link), "-s", "RETRY_TIMES=0")
    assert [p.name for p in elsewhere.iterdir()] == ["news.db"]
    assert {"news.db.lock", "news.db.jobs"} <= {p.name for p in seed_archive.parent.iterdir()}
