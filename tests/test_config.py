"""One configuration: a TOML file (--config, $NEWSCRAWL_CONFIG or ./newscrawl.toml), then the
environment (NEWSCRAWL_DB, NEWSCRAWL_<SETTING>), then flags; misspelt settings refused."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from newscrawl.config import ConfigError, load_config
from conftest import ENV, assert_one_line_error


def newscrawl(*args: str, cwd: Path, **env: str) -> subprocess.CompletedProcess:
    """``python -m newscrawl ARGS`` run in ``cwd`` with ``env`` added to the environment."""
    return subprocess.run([sys.executable, "-m", "newscrawl", *args], cwd=cwd, env={**ENV, **env},
                          capture_output=True, text=True, timeout=120)


def write_config(path: Path, text: str) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")
    return path


# -- the order: file, then environment, then flags -------------------------------------------

def test_without_file_or_environment_the_archive_is_data_news_db_in_the_working_directory(tmp_path):
    assert load_config(environ={}, cwd=tmp_path).archive(None) == tmp_path / "data" / "news.db"


def test_the_environment_wins_over_the_file_and_the_flag_over_both(tmp_path):
    write_config(tmp_path / "newscrawl.toml", 'db = "from-file.db"\n[settings]\n'
                 'NEWSCRAWL_CONTACT = "file@example.org"\nDOWNLOAD_DELAY = 3.0\nNEWSCRAWL_OVERLAP = "2h"\n')
    from_file = load_config(environ={}, cwd=tmp_path)
    assert from_file.archive(None) == tmp_path / "from-file.db"
    assert from_file.settings["DOWNLOAD_DELAY"] == 3.0

    environ = {"NEWSCRAWL_DB": "from-env.db", "NEWSCRAWL_CONTACT": "env@example.org"}
    config = load_config(environ=environ, cwd=tmp_path)
    assert config.archive(None) == tmp_path / "from-env.db"
    assert config.archive("flag.db") == (Path.cwd() / "flag.db")
    settings = config.with_flags({"NEWSCRAWL_OVERLAP": "3h"}, command={"NEWSCRAWL_OVERLAP": "5h", "LOG_LEVEL": "INFO"})
    assert settings["NEWSCRAWL_CONTACT"] == "env@example.org"  # env over file
    assert settings["NEWSCRAWL_OVERLAP"] == "3h"  # -s over the command's own options over file
    assert settings["LOG_LEVEL"] == "INFO"
    assert settings["DOWNLOAD_DELAY"] == 3.0  # the file's, where nothing else says otherwise


def test_config_flag_beats_the_variable_which_beats_the_working_directorys_file(tmp_path):
    write_config(tmp_path / "newscrawl.toml", 'db = "cwd.db"\n')
    by_env = write_config(tmp_path / "env" / "conf.toml", 'db = "env.db"\n')
    by_flag = write_config(tmp_path / "flag" / "conf.toml", 'db = "flag.db"\n')
    environ = {"NEWSCRAWL_CONFIG": str(by_env)}
    assert load_config(environ={}, cwd=tmp_path).db == tmp_path / "cwd.db"
    assert load_config(environ=environ, cwd=tmp_path).db == by_env.parent / "env.db"
    assert load_config(str(by_flag), environ=environ, cwd=tmp_path).db == by_flag.parent / "flag.db"


def test_other_tables_of_the_file_are_left_to_their_readers(tmp_path):
    write_config(tmp_path / "newscrawl.toml", 'db = "a.db"\n[[sites]]\nname = "joongdo"\n')
    assert load_config(environ={}, cwd=tmp_path).db == tmp_path / "a.db"


# -- misspelt settings -------------------------------------------------------------------------

@pytest.mark.parametrize("where", ["file", "environment"])
def test_a_misspelt_setting_in_the_file_or_environment_is_refused_with_the_closest_name(tmp_path, where):
    environ = {}
    if where == "file":
        write_config(tmp_path / "newscrawl.toml", "[settings]\nNEWSCRAWL_PROGRES_INTERVAL = 5\n")
    else:
        environ = {"NEWSCRAWL_PROGRES_INTERVAL": "5"}
    with pytest.raises(ConfigError, match="unknown setting NEWSCRAWL_PROGRES_INTERVAL .*did you mean "
                                          "NEWSCRAWL_PROGRESS_INTERVAL"):
        load_config(environ=environ, cwd=tmp_path)


def test_a_misspelt_setting_flag_is_refused_before_the_crawl_starts(tmp_path):
    result = newscrawl("crawl", "joongdo", "--base-url", "http://127.0.0.1:9/", "-s", "NEWSCRAWL_PROGRES_INTERVAL=5",
                       cwd=tmp_path)
    assert_one_line_error(result, "unknown setting NEWSCRAWL_PROGRES_INTERVAL (-s); did you mean "
                                  "NEWSCRAWL_PROGRESS_INTERVAL?")
    assert not (tmp_path / "data").exists()  # nothing created
    control = newscrawl("health", "--db", str(tmp_path / "none.db"), "-s", "NEWSCRAWL_PROGRESS_INTERVAL=5",
                        cwd=tmp_path)
    assert "unknown setting" not in control.stderr


def test_a_broken_file_is_one_line(tmp_path):
    write_config(tmp_path / "newscrawl.toml", "db = \n")
    result = newscrawl("search", "세종", cwd=tmp_path)
    assert_one_line_error(result, f"{tmp_path / 'newscrawl.toml'}: not a readable TOML file")


# -- the commands use it, and name the archive by its absolute path ---------------------------

def test_newscrawl_db_finds_the_archive_from_any_folder(seed_archive, tmp_path):
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    result = newscrawl("search", "세종", cwd=elsewhere, NEWSCRAWL_DB=str(seed_archive))
    assert result.returncode == 0, result.stderr
    assert "showing 1 of 1" in result.stderr
    missing = newscrawl("search", "세종", cwd=elsewhere)
    assert_one_line_error(missing, f"{elsewhere / 'data' / 'news.db'}: no archive there")


def test_a_relative_db_in_the_file_is_the_files_folders(seed_archive, tmp_path):
    config = write_config(seed_archive.parent / "conf.toml", f'db = "{seed_archive.name}"\n')
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    result = newscrawl("--config", str(config), "search", "세종", cwd=elsewhere)
    assert result.returncode == 0, result.stderr
    by_variable = newscrawl("search", "세종", cwd=elsewhere, NEWSCRAWL_CONFIG=str(config))
    assert by_variable.returncode == 0, by_variable.stderr


def test_the_db_flag_wins_over_the_variable(seed_archive, tmp_path):
    result = newscrawl("search", "세종", "--db", "missing.db", cwd=tmp_path, NEWSCRAWL_DB=str(seed_archive))
    assert_one_line_error(result, f"{tmp_path / 'missing.db'}: no archive there")


def test_scrapy_crawl_refuses_a_misspelt_setting_too(tmp_path):
    result = subprocess.run([sys.executable, "-m", "scrapy", "crawl", "joongdo", "-a", "base_url=http://127.0.0.1:9",
                             "-s", f"NEWSCRAWL_DB={tmp_path / 'news.db'}", "-s", "NEWSCRAWL_PROGRES_INTERVAL=5"],
                            cwd=Path(__file__).parent.parent, env=ENV, capture_output=True, text=True, timeout=120)
    assert result.returncode == 2
    assert "did you mean NEWSCRAWL_PROGRESS_INTERVAL?" in result.stderr
    assert not (tmp_path / "news.db").exists()
