"""The benchmark command runs end to end at its smallest size and prints its table.

No figure is checked against a goal here: speed goals belong to the benchmarks, and this
machine is shared. What is checked is that every benchmark ran and measured something.
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def test_quick_benchmarks_print_the_table(tmp_path):
    result = subprocess.run(
        [sys.executable, "-m", "benchmarks", "--size", "quick", "--workdir", str(tmp_path), "--json",
         str(tmp_path / "rows.json")], cwd=ROOT, capture_output=True, text=True, timeout=600)
    assert result.returncode == 0, result.stderr
    lines = result.stdout.splitlines()
    assert lines[0].startswith("newscrawl benchmarks, size quick") and lines[1].startswith("machine: ")
    header = next(line for line in lines if line.startswith("| benchmark"))
    assert [cell.strip() for cell in header.strip("|").split("|")] == [
        "benchmark", "measure", "newscrawl", "reference", "ref. value", "ratio", "goal", "met"]
    rows = json.loads((tmp_path / "rows.json").read_text(encoding="utf-8"))
    assert {row["benchmark"] for row in rows} == {"extraction", "crawl", "memory", "disk", "reparse", "search",
                                                  "body", "cluster"}
    assert all(row["value"] > 0 and row["reference"] > 0 for row in rows)
    printed = [line for line in lines if line.startswith("| ") and not line.startswith(("| benchmark", "| ---"))]
    assert len(printed) == len(rows)
