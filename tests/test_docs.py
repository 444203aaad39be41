"""The documentation keeps up with the code: every command and setting is in the README,
and the shipped cron and systemd examples run commands that exist."""

from __future__ import annotations

import re
import shlex
import shutil
import subprocess
import sys
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


def readme_python(section: str) -> list[str]:
    """The ```python blocks of the README's ``section`` (a ``## `` heading), in order."""
    text = README.split(f"\n## {section}\n", 1)[1].split("\n## ", 1)[0]
    return re.findall(r"```python\n(.*?)```", text, flags=re.S)


def test_the_python_examples_of_the_readme_run_as_written(tmp_path, site_root):
    """Run in a fresh folder holding the fixture they open, the network replaced by the test
    server acting as an HTTP proxy for www.joongdo.co.kr; what each ``print(...)  # comment``
    prints must be its comment."""
    from conftest import ENV, JOONGDO, MockSite

    blocks = readme_python("Python API")
    assert len(blocks) >= 3
    fixture = tmp_path / "tests" / "fixtures" / "joongdo"
    fixture.mkdir(parents=True)
    shutil.copy(JOONGDO / "view-20200708010002304.html", fixture)
    (tmp_path / "example.py").write_text("\n".join(blocks), encoding="utf-8")
    proxy = MockSite(site_root)
    try:
        result = subprocess.run([sys.executable, "example.py"], cwd=tmp_path, capture_output=True, text=True,
                                timeout=180, env={**ENV, "http_proxy": proxy.url, "no_proxy": ""})
    finally:
        proxy.stop()
    assert result.returncode == 0, result.stderr[-3000:]
    expected = [line.split("  # ", 1)[1] for block in blocks for line in block.splitlines()
                if "print(" in line and "  # " in line]
    assert result.stdout.splitlines() == expected
