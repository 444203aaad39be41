"""The package's layers: each module imports only from its own layer or the ones below, and
every module imports on its own in a fresh interpreter (no import cycles).

Bottom to top: the plain values everything shares (time, errors, items, links); what a site
is (profiles: data and URL patterns); reading a page (extract, then the one call that reads
an article); the archive (SQLite, which never reads pages); crawl policy (plain functions,
no Scrapy); Scrapy's side (spiders, middlewares, extensions, pipelines); and the commands,
crawl runners and servers on top.
"""

from __future__ import annotations

import ast
import subprocess
import sys
from pathlib import Path

import pytest

PACKAGE = Path(__file__).parent.parent / "newscrawl"

LAYERS = [
    {"newscrawl", "newscrawl.clock", "newscrawl.errors", "newscrawl.items", "newscrawl.links"},
    {"newscrawl.sites"},
    {"newscrawl.extract", "newscrawl.reading"},
    {"newscrawl.archive"},
    {"newscrawl.policy", "newscrawl.storing"},
    {"newscrawl.settings", "newscrawl.config", "newscrawl.scheduler", "newscrawl.spiders", "newscrawl.middlewares", "newscrawl.extensions",
     "newscrawl.pipelines", "newscrawl.cluster"},
    {"newscrawl.crawl", "newscrawl.cluster.run", "newscrawl.commands", "newscrawl.batch", "newscrawl.run", "newscrawl.reparse", "newscrawl.cli", "newscrawl.__main__", "newscrawl.serve",
     "newscrawl.datasette_plugin", "newscrawl.queries"},
]


def module_name(path: Path) -> str:
    parts = path.relative_to(PACKAGE.parent).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


MODULES = sorted(module_name(path) for path in PACKAGE.rglob("*.py"))
#: ``python -m newscrawl`` runs the command line when imported.
LIBRARY_MODULES = [name for name in MODULES if name != "newscrawl.__main__"]


def layer_of(module: str) -> int:
    """The layer of ``module``: that of the longest listed name it is or lies under."""
    matches = [(len(name), index) for index, layer in enumerate(LAYERS) for name in layer
               if module == name or module.startswith(name + ".")]
    assert matches, f"{module} is in no layer: add it to LAYERS"
    return max(matches)[1]


def imports_of(module: str) -> set[str]:
    """The newscrawl modules ``module`` imports (at any place in the file)."""
    return {name for name in all_imports_of(module) if name == "newscrawl" or name.startswith("newscrawl.")}


def all_imports_of(module: str) -> set[str]:
    """Every module ``module`` imports (at any place in the file, even under TYPE_CHECKING)."""
    path = PACKAGE.parent / Path(*module.split("."))
    path = path / "__init__.py" if path.is_dir() else path.with_suffix(".py")
    package = module if path.name == "__init__.py" else module.rpartition(".")[0]
    found = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            found |= {alias.name for alias in node.names}
        elif isinstance(node, ast.ImportFrom):
            base = package
            for _ in range(node.level - 1):
                base = base.rpartition(".")[0]
            target = f"{base}.{node.module}" if node.level and node.module else (node.module or base)
            found.add(target)
            found |= {f"{target}.{alias.name}" for alias in node.names if f"{target}.{alias.name}" in MODULES}
    return found


@pytest.mark.parametrize("module", MODULES)
def test_no_module_imports_a_layer_above_its_own(module):
    upward = sorted(name for name in imports_of(module) if layer_of(name) > layer_of(module))
    assert upward == [], f"{module} (layer {layer_of(module)}) imports from above: {upward}"


def test_every_module_imports_alone_in_a_fresh_interpreter():
    script = ("import importlib, sys\n"
              "for name in sys.argv[1:]:\n"
              "    for loaded in [m for m in sys.modules if m.startswith('newscrawl')]:\n"
              "        del sys.modules[loaded]\n"
              "    importlib.import_module(name)\n")
    result = subprocess.run([sys.executable, "-c", script, *LIBRARY_MODULES], capture_output=True, text=True)
    assert result.returncode == 0, result.stderr[-2000:]


def test_the_archive_loads_no_extraction_and_no_scrapy():
    script = ("import sys, newscrawl.archive, newscrawl.archive.api\n"
              "print(' '.join(sorted(m for m in sys.modules if m.split('.')[0] in "
              "('lxml', 'trafilatura', 'scrapy', 'parsel', 'dateparser') or m.startswith('newscrawl.extract'))))")
    result = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, check=True)
    assert result.stdout.split() == []


POLICY_MODULES = [name for name in MODULES if name.split(".")[:2] == ["newscrawl", "policy"]]
FRAMEWORKS = ("scrapy", "twisted")


@pytest.mark.parametrize("module", POLICY_MODULES)
def test_crawl_policy_names_neither_scrapy_nor_twisted(module):
    named = sorted(name for name in all_imports_of(module) if name.split(".")[0] in FRAMEWORKS)
    assert named == [], f"{module} is crawl policy, decided apart from Scrapy, yet imports {named}"


def test_an_extraction_worker_loads_neither_scrapy_nor_twisted():
    """A worker process imports the module of what it runs, and with it neither framework:
    it starts in half the time and memory."""
    script = ("import sys, newscrawl.storing\n"
              f"print(' '.join(sorted(m for m in sys.modules if m.split('.')[0] in {FRAMEWORKS!r})))")
    result = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, check=True)
    assert result.stdout.split() == []


def test_crawl_policy_loads_neither_scrapy_nor_twisted():
    """What the policy modules import, all the way down, holds no Scrapy or Twisted either."""
    script = ("import importlib, sys\n"
              "for name in sys.argv[1:]:\n"
              "    importlib.import_module(name)\n"
              f"print(' '.join(sorted(m for m in sys.modules if m.split('.')[0] in {FRAMEWORKS!r})))")
    result = subprocess.run([sys.executable, "-c", script, *POLICY_MODULES], capture_output=True, text=True, check=True)
    assert len(POLICY_MODULES) > 10  # the modules were found
    assert result.stdout.split() == []
