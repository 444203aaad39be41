"""The benchmark table: each figure beside its reference measured in the same run."""

from __future__ import annotations

import os
import platform
import sqlite3
from dataclasses import asdict, dataclass
from pathlib import Path

import lxml.etree
import scrapy


@dataclass(frozen=True)
class Row:
    """One line of the table: a figure, its reference, their ratio and the goal.

    ``ratio`` is figure / reference, in the sense the goal is stated in.
    """

    benchmark: str
    measure: str
    value: float
    reference_name: str
    reference: float
    ratio: float
    goal: str
    #: None for a row shown for comparison, with no goal of its own
    met: bool | None
    number_format: str = "{:.1f}"
    note: str = ""

    def cells(self) -> list[str]:
        return [self.benchmark, self.measure, self.number_format.format(self.value), self.reference_name,
                self.number_format.format(self.reference), f"{self.ratio:.2f}", self.goal,
                {True: "yes", False: "NO", None: ""}[self.met]]

    def as_dict(self) -> dict[str, object]:
        return asdict(self)


HEADER = ["benchmark", "measure", "newscrawl", "reference", "ref. value", "ratio", "goal", "met"]


def table(rows: list[Row]) -> str:
    """A Markdown table of ``rows``, then their notes."""
    lines = [HEADER, ["---"] * len(HEADER), *(row.cells() for row in rows)]
    widths = [max(len(line[i]) for line in lines) for i in range(len(HEADER))]
    text = ["| " + " | ".join(cell.ljust(width) for cell, width in zip(line, widths)) + " |" for line in lines]
    notes = [f"- {row.benchmark}, {row.measure}: {row.note}" for row in rows if row.note]
    return "\n".join(text + ([""] + notes if notes else []))


def machine() -> str:
    """One line describing the machine and the software measured."""
    cpu = next((line.split(":", 1)[1].strip() for line in Path("/proc/cpuinfo").read_text().splitlines()
                if line.startswith("model name")), platform.processor() or "unknown CPU")
    memory = os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES") / 2**30
    load = ", ".join(f"{x:.2f}" for x in os.getloadavg())
    return (f"{cpu}, {os.cpu_count()} cores, {memory:.0f} GiB; load average {load}; "
            f"Python {platform.python_version()}, Scrapy {scrapy.__version__}, "
            f"lxml {'.'.join(map(str, lxml.etree.LXML_VERSION))}, SQLite {sqlite3.sqlite_version}")
