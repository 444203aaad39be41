"""Dependencies a deployment can trust: `make run` and `make test` install the versions pinned
in constraints.txt, the pins cover every package installed and satisfy pyproject.toml, and
`make lock` regenerates them in one command."""

from __future__ import annotations

import re
import subprocess
import tomllib
from importlib.metadata import PackageNotFoundError, distribution

from packaging.requirements import Requirement
from packaging.utils import canonicalize_name

from conftest import TESTS

ROOT = TESTS.parent


def pins() -> dict[str, str]:
    lines = (ROOT / "constraints.txt").read_text(encoding="utf-8").splitlines()
    pairs = (line.split("==") for line in lines if line and not line.startswith("#"))
    return {canonicalize_name(name): version for name, version in pairs}


def requirements() -> list[Requirement]:
    project = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["project"]
    return [Requirement(text) for text in project["dependencies"] + project["optional-dependencies"]["test"]]


def test_every_requirement_is_pinned_at_a_version_pyproject_allows():
    pinned = pins()
    for requirement in requirements():
        version = pinned.get(canonicalize_name(requirement.name))
        assert version, f"{requirement.name} is not in constraints.txt: run make lock"
        assert requirement.specifier.contains(version), f"{requirement.name}=={version} is outside {requirement}"


def test_the_pins_cover_what_the_requirements_pull_in():
    """The closure of the requirements, as the installed packages declare them, is pinned: a
    `pip install -c constraints.txt` leaves nothing to the day's newest release."""
    pinned, seen = pins(), set()
    todo = [requirement for requirement in requirements()]
    while todo:
        requirement = todo.pop()
        name = canonicalize_name(requirement.name)
        if name in seen or (requirement.marker and not requirement.marker.evaluate({"extra": ""})):
            continue
        seen.add(name)
        assert name in pinned, f"{name} (needed through the requirements) is not pinned: run make lock"
        try:
            todo += [Requirement(text) for text in distribution(name).requires or ()]
        except PackageNotFoundError:
            continue  # not installed here: its own requirements cannot be read


def test_a_known_breaking_major_release_is_excluded():
    datasette = next(r for r in requirements() if r.name == "datasette")
    assert not datasette.specifier.contains("1.0") and datasette.specifier.contains("0.65.1")
    assert pins()["datasette"].startswith("0.")


def test_both_readme_commands_install_from_the_lock_and_make_lock_regenerates_it():
    makefile = (ROOT / "Makefile").read_text(encoding="utf-8")
    installs = re.findall(r"^\t\$\(BIN\)/pip install .*$", makefile, flags=re.M)
    assert len(installs) == 2 and all("-c $(CONSTRAINTS)" in line for line in installs)
    plan = subprocess.run(["make", "-n", "lock"], cwd=ROOT, capture_output=True, text=True, timeout=60)
    assert plan.returncode == 0, plan.stderr
    assert "pip install --quiet -e '.[test]'" in plan.stdout and "pip freeze --all --exclude-editable" in plan.stdout
    assert "> constraints.txt" in plan.stdout
