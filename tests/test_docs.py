"""The documentation keeps up with the code: every command and setting is in the README,
and the shipped cron and systemd examples run commands that exist."""

from __future__ import annotations

import re
import shlex
from pathlib import Path

import pytest

import newscrawl.settings
from newscrawl.cli import cli

ROOT = Path(__file__).parent.parent
README = (ROOT / "README.md").read_text(encoding="utf-8")


@pytest.mark.parametrize("command", sorted(cli.commands))
def test_every_command_is_in_the_readme(command):
    assert f"newscrawl {command}" in README


@pytest.mark.parametrize("setting", sorted(name for name in vars(newscrawl.settings) if name.startswith("NEWSCRAWL_")))
def test_every_setting_is_in_the_readme(setting):
    assert f"| `{setting}` |" in README


def deployed_commands() -> list[list[str]]:
    """The ``newscrawl …`` command lines of the files in deploy/ (systemd's %i as a site)."""
    lines = []
    for path in sorted((ROOT / "deploy").iterdir()):
        for match in re.finditer(r"bin/newscrawl ((?:crawl|health|worker) [^\n>|]*)", path.read_text(encoding="utf-8")):
            lines.append(shlex.split(match.group(1).replace("%i", "joongdo")
                                     .replace("${NEWSCRAWL_REDIS}", "redis://10.0.0.5:6379/0")))
    return lines


def test_deploy_examples_run_real_commands():
    commands = deployed_commands()
    assert len(commands) == 5  # cron's crawl and health, systemd's crawl, all sites and worker
    for args in commands:
        with cli.make_context("newscrawl", list(args)) as ctx:
            name, command, rest = cli.resolve_command(ctx, list(args))
            command.make_context(name, rest, parent=ctx)  # raises on an unknown option
    assert sorted(args[:2] for args in commands) == [
        ["crawl", "--all"], ["crawl", "joongdo"], ["crawl", "joongdo"], ["health", "--db"], ["worker", "--cluster"]]


def test_the_systemd_timer_starts_the_service_it_is_named_after():
    timer = (ROOT / "deploy" / "newscrawl-crawl@.timer").read_text(encoding="utf-8")
    assert "OnCalendar=" in timer and "WantedBy=timers.target" in timer
    assert (ROOT / "deploy" / "newscrawl-crawl@.service").exists()
